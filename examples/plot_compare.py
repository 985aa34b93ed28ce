#!/usr/bin/python3
"""Plot the verdict of `relax compare`.

Usage: plot_compare.py RUN.h5 [OUT.png]  (default: RUN.png beside RUN.h5)

Left, at four times: the PDE density against the particle histogram (in 2D and 3D their marginals
along x0 and x1), and under each the residual histogram - density with the band of +-2 standard
deviations that sampling noise alone gives a cell (binomial counts of N draws from the density).
Right, against time, each test of the rule with its limit: L1 / expected noise (agree below
compare.noise_factor), the chi-square p-value (agree above compare.min_pvalue), and, when the file
has /compare/observables, each observable's z-score with its critical band; disagreements in red.
2D and 3D runs add a row at the last time: density and histogram on one colour scale, and their
difference in standard deviations of the noise.
"""
import h5py
import numpy as np

from plot_common import (config_value, input_and_output, integer, plt, read_grid, save_figure,
                         short, show_image, spread_indices, text)


def marginal(field, dim, axis):
    """The sum over every grid axis but `axis` of a (nz, ny, nx)-ordered field."""
    if dim == 1:
        return field
    storage = dim - 1 - axis  # HDF5 order is (.., x1, x0)
    return field.sum(axis=tuple(a for a in range(dim) if a != storage))


def read(path):
    with h5py.File(path, "r") as f:
        dim, axes = read_grid(f)
        run = {name: f["compare/" + name][:] for name in ("time", "l1", "noise", "pvalue", "agree")}
        run.update(dim=dim, axes=axes, density=f["fp/density"][:], histogram=f["sde/histogram"][:],
                   particles=integer(f["sde"].attrs["particles"]),
                   noise_factor=config_value(f, "compare.noise_factor", 3.0),
                   min_pvalue=float(f["compare"].attrs.get(
                       "test_level", config_value(f, "compare.min_pvalue", 1e-4))),
                   title=short("%s, %s, N = %d (%s)" % (
                       text(f["fp"].attrs.get("landscape", "")),
                       text(f["fp"].attrs.get("temperature", "")),
                       integer(f["sde"].attrs["particles"]),
                       text(f["sde"].attrs.get("integrator", "")))))
        observables = f["compare"].get("observables")
        if observables is not None and "z" in observables:
            z = observables["z"][:]
            se = observables["standard_error"][:] if "standard_error" in observables else None
            detectable = observables["detectable"][:] if "detectable" in observables else None
            critical = 3.0
            if se is not None and detectable is not None and np.any(se > 0):
                critical = float(np.median(detectable[se > 0] / se[se > 0]))
            run.update(z=z, z_critical=critical,
                       z_names=text(observables.attrs.get("names", "")).split(","))
    return run


def residual_band(density, cell, particles):
    """+-2 standard deviations of a histogram cell of N draws: sqrt(p (1 - p) / N) / cell, with
    p = density x cell the cell's probability."""
    p = np.clip(density * cell, 0, 1)
    return 2 * np.sqrt(p * (1 - p) / particles) / cell


def draw_snapshots(fig, grid, run, columns):
    dim, axes = run["dim"], run["axes"]
    spacing = [x[1] - x[0] for x in axes]
    snapshots = spread_indices(len(run["time"]), columns)
    shown = [0] if dim == 1 else [0, 1]
    for row, axis in enumerate(shown):
        others = np.prod([spacing[a] for a in range(dim) if a != axis]) if dim > 1 else 1.0
        for column, k in enumerate(snapshots):
            rho = others * marginal(run["density"][k], dim, axis)
            h = others * marginal(run["histogram"][k], dim, axis)
            top = fig.add_subplot(grid[2 * row, column])
            top.plot(axes[axis], rho, "C0-", lw=1.5, label="PDE")
            top.step(axes[axis], h, "C1-", where="mid", lw=0.8, label="particles")
            top.set_title("t = %.3g" % run["time"][k], fontsize=9)
            bottom = fig.add_subplot(grid[2 * row + 1, column], sharex=top)
            band = residual_band(rho, spacing[axis], run["particles"])
            bottom.fill_between(axes[axis], -band, band, color="C2", alpha=0.25,
                                label="2 SD of noise")
            bottom.plot(axes[axis], h - rho, "C1-", lw=0.8, label="histogram - PDE")
            bottom.axhline(0, color="k", lw=0.5)
            bottom.set_xlabel("x%d" % axis)
            if column == 0:
                top.set_ylabel("density" if dim == 1 else "marginal of x%d" % axis)
                bottom.set_ylabel("residual")
                top.legend(fontsize=7)
                bottom.legend(fontsize=7)


def mark_disagreements(ax, time, values, agree):
    bad = agree < 1
    if np.any(bad):
        ax.plot(time[bad], values[bad], "rx", ms=8, mew=2, label="disagree")


def draw_verdict(fig, cells, run):
    time, agree = run["time"], run["agree"]
    ax = fig.add_subplot(cells[0])
    ratio = run["l1"] / run["noise"]
    ax.axhspan(0, run["noise_factor"], color="C2", alpha=0.15,
               label="agree: <= %g" % run["noise_factor"])
    ax.axhline(1, color="C2", lw=0.8, ls="--", label="pure noise: 1")
    ax.plot(time, ratio, "C1o-", ms=4, label="L1 / noise")
    mark_disagreements(ax, time, ratio, agree)
    ax.set_ylim(0, max(run["noise_factor"] * 1.3, np.nanmax(ratio) * 1.1))
    ax.set_ylabel("L1 / expected noise")
    ax.legend(fontsize=7)

    ax = fig.add_subplot(cells[1], sharex=ax)
    pvalue = np.clip(run["pvalue"], 1e-300, 1)
    ax.axhspan(run["min_pvalue"], 1, color="C2", alpha=0.15,
               label="agree: >= %g" % run["min_pvalue"])
    ax.semilogy(time, pvalue, "C1o-", ms=4, label="chi-square p-value")
    mark_disagreements(ax, time, pvalue, agree)
    ax.set_ylim(min(run["min_pvalue"] / 10, pvalue.min() / 2), 1.5)
    ax.set_ylabel("p-value")
    ax.legend(fontsize=7)

    ax = fig.add_subplot(cells[2], sharex=ax)
    if "z" in run:
        critical = run["z_critical"]
        ax.axhspan(-critical, critical, color="C2", alpha=0.15, label="|z| <= %.2g" % critical)
        for j, name in enumerate(run["z_names"][:run["z"].shape[1]]):
            ax.plot(time, run["z"][:, j], "o-", ms=3, lw=0.8, label=short(name, 20))
        ax.set_ylabel("observable z-score")
        ax.legend(fontsize=6, ncol=2)
    else:
        ax.text(0.5, 0.5, "no /compare/observables", ha="center", va="center",
                transform=ax.transAxes, fontsize=8)
        ax.set_yticks([])
    ax.set_xlabel("t")


def draw_last_fields(fig, grid, row, run):
    """Density and histogram on one colour scale, their difference in SD of the noise."""
    dim, axes = run["dim"], run["axes"]
    project = (lambda field: field) if dim == 2 else (lambda field: field.sum(axis=0))
    depth = 1.0 if dim == 2 else axes[2][1] - axes[2][0]
    rho = depth * project(run["density"][-1])
    h = depth * project(run["histogram"][-1])
    top = max(rho.max(), h.max())
    for column, (field, name) in enumerate(((rho, "PDE"), (h, "particles"))):
        ax = fig.add_subplot(grid[row, column])
        show_image(fig, ax, field, axes, vmin=0, vmax=top, cmap="viridis")
        ax.set_title("%s, t = %.3g" % (name, run["time"][-1]), fontsize=9)
    cell = (axes[0][1] - axes[0][0]) * (axes[1][1] - axes[1][0])
    sd = residual_band(rho, cell, run["particles"]) / 2
    # Where fewer than 5 particles are expected a count is not near-normal: left blank.
    expected = rho * cell * run["particles"]
    z = np.where(expected >= 5, (h - rho) / np.where(sd > 0, sd, 1), np.nan)
    ax = fig.add_subplot(grid[row, 2])
    show_image(fig, ax, z, axes, vmin=-4, vmax=4, cmap="RdBu_r")
    ax.set_title("(particles - PDE) / SD, cells expecting >= 5", fontsize=9)


def main():
    path, out = input_and_output(__doc__)
    run = read(path)
    columns = min(4, len(run["time"]))
    rows = 2 if run["dim"] == 1 else 4
    extra = 0 if run["dim"] == 1 else 1
    fig = plt.figure(figsize=(3.3 * (columns + 1.3), 2.4 * (rows + extra)))
    grid = fig.add_gridspec(rows + extra, columns + 1, width_ratios=[1] * columns + [1.3])
    draw_snapshots(fig, grid, run, columns)
    verdict = grid[:rows, columns].subgridspec(3, 1)
    draw_verdict(fig, [verdict[i] for i in range(3)], run)
    if extra:
        draw_last_fields(fig, grid, rows, run)
    fig.suptitle(run["title"], fontsize=10)
    save_figure(fig, out, dpi=80)


if __name__ == "__main__":
    main()
