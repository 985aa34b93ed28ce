#!/usr/bin/python3
"""Plot the /sde output of `relax sde`: histogram densities at several times, the mean and
variance of x0 and the mean energy against time, and (when recorded) the fraction of particles that
passed the passage surface with the exponential escape-rate fit, or MALA's acceptance rate.
Usage: plot_sde.py RUN.h5 [OUT.png]  (default: RUN.png beside RUN.h5)."""
import h5py
import numpy as np

from plot_common import (input_and_output, integer, plt, read_grid, save_figure, short,
                         show_image, spread_indices, text)


def main():
    path, out = input_and_output(__doc__)
    with h5py.File(path, "r") as f:
        sde = f["sde"]
        time = sde["time"][:]
        moments = sde["moments"][:]
        dim = (moments.shape[1] - 1) // 2
        histogram = sde["histogram"][:] if "histogram" in sde else None
        grid_dim, axes = read_grid(f)
        passage = sde["passage"][:] if "passage" in sde else None
        acceptance = sde["acceptance"][:] if "acceptance" in sde else None
        particles = integer(sde.attrs["particles"])
        title = "%s, %s, %s, N = %d" % (text(sde.attrs["landscape"]), text(sde.attrs["temperature"]),
                                         text(sde.attrs["integrator"]), particles)
        surface = text(sde.attrs["passage_surface"]) if passage is not None else ""

    panels = (histogram is not None) + 2 + (passage is not None or acceptance is not None)
    fig, axs = plt.subplots(1, panels, figsize=(5 * panels, 4.2))
    axs = list(np.atleast_1d(axs))
    if histogram is not None:
        ax = axs.pop(0)
        if grid_dim == 1:
            for k in spread_indices(len(time), 6):
                ax.plot(axes[0], histogram[k], label="t = %.3g" % time[k])
            ax.set_xlabel("x0")
            ax.set_ylabel("histogram density")
            ax.legend(fontsize=8)
        else:  # the last level; 3D is projected along x2
            field = histogram[-1] if grid_dim == 2 else histogram[-1].sum(axis=0)
            show_image(fig, ax, field, axes)
            ax.set_title("histogram at t = %.3g" % time[-1])
    ax = axs.pop(0)
    ax.plot(time, moments[:, 0], "o-", label="mean x0")
    ax.plot(time, moments[:, dim], "s-", label="variance x0")
    ax.set_xlabel("t")
    ax.legend(fontsize=8)
    ax = axs.pop(0)
    ax.plot(time, moments[:, -1], "o-")
    ax.set_xlabel("t")
    ax.set_ylabel("mean energy <f>")
    if passage is not None:
        ax = axs.pop(0)
        passed = passage[:, 0] / particles
        ax.plot(time, passed, "o-", label="passed " + surface)
        rate, error = passage[-1, 2], passage[-1, 3]
        ax.plot(time, 1 - np.exp(-rate * time), "k--",
                label="1 - exp(-k t), k = %.4g +- %.2g" % (rate, error))
        ax.set_xlabel("t")
        ax.set_ylabel("fraction of particles")
        ax.legend(fontsize=8)
    elif acceptance is not None:
        ax = axs.pop(0)
        ax.plot(time[1:], acceptance[1:], "o-")
        ax.set_xlabel("t")
        ax.set_ylabel("MALA acceptance rate (cumulative)")
    fig.suptitle(short(title))
    save_figure(fig, out, dpi=100)


if __name__ == "__main__":
    main()
