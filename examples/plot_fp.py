#!/usr/bin/python3
"""Plot the /fp output of `relax fp`: density snapshots, mass (+ outflow) and relative entropy to
Gibbs against time. Usage: plot_fp.py RUN.h5 [OUT.png]  (default: RUN.png beside RUN.h5)."""
import h5py
import numpy as np

from plot_common import (input_and_output, plt, read_grid, save_figure, short, show_image,
                         spread_indices, text)


def main():
    path, out = input_and_output(__doc__)
    with h5py.File(path, "r") as f:
        fp = f["fp"]
        time = fp["time"][:]
        density = fp["density"][:]
        mass = fp["mass"][:]
        outflow = fp["outflow"][:]
        kl = fp["relative_entropy"][:]
        dim, axes = read_grid(f)
        title = short("%s, %s" % (text(fp.attrs.get("landscape", "")),
                                  text(fp.attrs.get("temperature", ""))))

    snapshots = sorted(set([0, len(time) // 2, len(time) - 1]))
    if dim == 1:
        fig, (ax_rho, ax_mass, ax_kl) = plt.subplots(1, 3, figsize=(15, 4.2))
        for k in spread_indices(len(time), 6):
            ax_rho.plot(axes[0], density[k], label="t = %.3g" % time[k])
        ax_rho.set_xlabel("x")
        ax_rho.set_ylabel("density")
        ax_rho.legend(fontsize=8)
    else:
        fig = plt.figure(figsize=(5 * len(snapshots) + 8, 4.2))
        grid = fig.add_gridspec(1, len(snapshots) + 2)
        for column, k in enumerate(snapshots):
            ax = fig.add_subplot(grid[0, column])
            field = density[k] if dim == 2 else density[k].sum(axis=0)  # 3D: project along z
            show_image(fig, ax, field, axes)
            ax.set_title("t = %.3g" % time[k])
        ax_mass = fig.add_subplot(grid[0, len(snapshots)])
        ax_kl = fig.add_subplot(grid[0, len(snapshots) + 1])
    # Deviations as deviations: conservation shows as round-off around 0, not as an axis offset.
    if np.any(outflow > 0):
        ax_mass.plot(time, mass - mass[0], "o-", label="mass - mass(0)")
        ax_mass.plot(time, -outflow, "s-", label="- outflow")
        ax_mass.plot(time, mass + outflow - mass[0], "k--", label="mass + outflow - mass(0)")
    else:
        ax_mass.plot(time, mass - mass[0], "o-", label="mass - mass(0)")
    ax_mass.ticklabel_format(axis="y", style="sci", scilimits=(0, 0), useOffset=False)
    ax_mass.set_xlabel("t")
    ax_mass.set_ylabel("change of mass")
    ax_mass.legend(fontsize=8)
    positive = kl > 0
    ax_kl.semilogy(time[positive], kl[positive], "o-")
    ax_kl.set_xlabel("t")
    ax_kl.set_ylabel("KL(rho || Gibbs)")
    fig.suptitle(title)
    save_figure(fig, out, dpi=100)


if __name__ == "__main__":
    main()
