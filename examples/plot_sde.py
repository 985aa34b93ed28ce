#!/usr/bin/python3
"""Plot the /sde output of `relax sde`: histogram densities at several times, the mean and
variance of x0 and the mean energy against time, and (when recorded) the fraction of particles that
passed the passage surface with the exponential escape-rate fit, or MALA's acceptance rate.
Usage: plot_sde.py run.h5 [out.png]  (default: run.png beside run.h5)."""
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    path = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) == 3 else path.rsplit(".", 1)[0] + ".png"
    with h5py.File(path, "r") as f:
        sde = f["sde"]
        time = sde["time"][:]
        moments = sde["moments"][:]
        dim = (moments.shape[1] - 1) // 2
        histogram = sde["histogram"][:] if "histogram" in sde else None
        grid_dim = int(np.asarray(f["grid"].attrs["dim"]).ravel()[0]) if "grid" in f else 0
        axes = [f["grid"]["x%d" % a][:] for a in range(grid_dim)]
        passage = sde["passage"][:] if "passage" in sde else None
        acceptance = sde["acceptance"][:] if "acceptance" in sde else None
        particles = int(np.asarray(sde.attrs["particles"]).ravel()[0])
        title = "%s, %s, %s, N = %d" % (text(sde.attrs["landscape"]), text(sde.attrs["temperature"]),
                                         text(sde.attrs["integrator"]), particles)
        surface = text(sde.attrs["passage_surface"]) if passage is not None else ""

    panels = (histogram is not None) + 2 + (passage is not None or acceptance is not None)
    fig, axs = plt.subplots(1, panels, figsize=(5 * panels, 4.2))
    axs = list(np.atleast_1d(axs))
    if histogram is not None:
        ax = axs.pop(0)
        levels = np.unique(np.linspace(0, len(time) - 1, min(len(time), 6)).astype(int))
        if grid_dim == 1:
            for k in levels:
                ax.plot(axes[0], histogram[k], label="t = %.3g" % time[k])
            ax.set_xlabel("x0")
            ax.set_ylabel("histogram density")
            ax.legend(fontsize=8)
        else:  # the last level; 3D is projected along x2
            field = histogram[-1] if grid_dim == 2 else histogram[-1].sum(axis=0)
            extent = [axes[0][0], axes[0][-1], axes[1][0], axes[1][-1]]
            image = ax.imshow(field, origin="lower", extent=extent, aspect="auto")
            fig.colorbar(image, ax=ax)
            ax.set_title("histogram at t = %.3g" % time[-1])
            ax.set_xlabel("x0")
            ax.set_ylabel("x1")
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
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print("wrote", out)


if __name__ == "__main__":
    main()
