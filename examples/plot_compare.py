#!/usr/bin/python3
"""Plot the output of `relax compare`: the PDE density against the particle histogram at several
times (in 2D and 3D their marginals along x0 and x1), and L1(PDE, particles) against time with the
band that sampling noise alone explains, next to the PDE's L1 distance to Gibbs.
Usage: plot_compare.py run.h5 [out.png]  (default: run.png beside run.h5)."""
import h5py
import numpy as np

from plot_common import input_and_output, integer, plt, read_grid, save_figure, spread_indices, text


def marginal(field, dim, axis):
    """The marginal density along grid axis `axis` of a (nz, ny, nx)-ordered field."""
    if dim == 1:
        return field
    storage = dim - 1 - axis  # HDF5 order is (.., x1, x0)
    others = tuple(a for a in range(dim) if a != storage)
    return field.sum(axis=others)


def main():
    path, out = input_and_output(__doc__)
    with h5py.File(path, "r") as f:
        dim, axes = read_grid(f)
        spacing = [x[1] - x[0] for x in axes]
        time = f["compare/time"][:]
        density = f["fp/density"][:]
        histogram = f["sde/histogram"][:]
        l1 = f["compare/l1"][:]
        noise = f["compare/noise"][:]
        pvalue = f["compare/pvalue"][:]
        agree = f["compare/agree"][:]
        to_gibbs = f["fp/l1_to_gibbs"][:]
        rule = text(f["compare"].attrs.get("rule", ""))
        title = "%s, %s, %d particles (%s)" % (
            text(f["fp"].attrs.get("landscape", "")),
            text(f["fp"].attrs.get("temperature", "")),
            integer(f["sde"].attrs["particles"]),
            text(f["sde"].attrs.get("integrator", "")))

    snapshots = spread_indices(len(time), 4)
    shown_axes = [0] if dim == 1 else [0, 1]
    fig, panels = plt.subplots(len(shown_axes), len(snapshots) + 1,
                               figsize=(4.2 * (len(snapshots) + 1), 3.6 * len(shown_axes)),
                               squeeze=False)
    for row, axis in enumerate(shown_axes):
        # A marginal density: sum over the other axes times their cell widths.
        width = np.prod([spacing[a] for a in range(dim) if a != axis]) if dim > 1 else 1.0
        for column, k in enumerate(snapshots):
            ax = panels[row][column]
            ax.plot(axes[axis], width * marginal(density[k], dim, axis), "C0-", lw=1.5,
                    label="PDE density")
            ax.step(axes[axis], width * marginal(histogram[k], dim, axis), "C1-", where="mid",
                    lw=0.8, label="particle histogram")
            ax.set_title("t = %.3g: L1 = %.2g, noise %.2g, p = %.2g" % (
                time[k], l1[k], noise[k], pvalue[k]), fontsize=9)
            ax.set_xlabel("x%d" % axis)
            if column == 0:
                ax.set_ylabel("density" if dim == 1 else "marginal density of x%d" % axis)
                ax.legend(fontsize=8)
        panels[row][-1].axis("off")

    # Distances against time: the noise band is [noise, 3 noise] (the rule's limit on top).
    ax = fig.add_subplot(len(shown_axes), len(snapshots) + 1, len(snapshots) + 1)
    ax.fill_between(time, 0, 3 * noise, color="C2", alpha=0.15, label="3 x expected noise")
    ax.plot(time, noise, "C2--", lw=1, label="expected noise (N draws)")
    ax.plot(time, l1, "C1o-", ms=4, label="L1(PDE, particles)")
    bad = agree < 0.5
    if np.any(bad):
        ax.plot(time[bad], l1[bad], "rx", ms=9, mew=2, label="disagree")
    positive = to_gibbs > 0
    ax.plot(time[positive], to_gibbs[positive], "C0s-", ms=3, lw=1, label="L1(PDE, Gibbs)")
    ax.set_yscale("log")
    ax.set_xlabel("t")
    ax.set_ylabel("L1 distance")
    ax.set_title(rule, fontsize=8)
    ax.legend(fontsize=7)
    fig.suptitle(title)
    save_figure(fig, out, dpi=100)


if __name__ == "__main__":
    main()
