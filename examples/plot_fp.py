#!/usr/bin/python3
"""Plot the /fp output of `relax fp`: density snapshots, mass (+ outflow) and relative entropy to
Gibbs against time. Usage: plot_fp.py run.h5 [out.png]  (default: run.png beside run.h5)."""
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    path = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) == 3 else path.rsplit(".", 1)[0] + ".png"
    with h5py.File(path, "r") as f:
        fp = f["fp"]
        time = fp["time"][:]
        density = fp["density"][:]
        mass = fp["mass"][:]
        outflow = fp["outflow"][:]
        kl = fp["relative_entropy"][:]
        dim = int(np.asarray(f["grid"].attrs["dim"]).ravel()[0])
        axes = [f["grid"]["x%d" % a][:] for a in range(dim)]
        title = "%s, %s" % (fp.attrs.get("landscape", ""), fp.attrs.get("temperature", ""))
    if isinstance(title, bytes):
        title = title.decode()

    snapshots = sorted(set([0, len(time) // 2, len(time) - 1]))
    if dim == 1:
        fig, (ax_rho, ax_mass, ax_kl) = plt.subplots(1, 3, figsize=(15, 4.2))
        for k in np.unique(np.linspace(0, len(time) - 1, min(len(time), 6)).astype(int)):
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
            extent = [axes[0][0], axes[0][-1], axes[1][0], axes[1][-1]]
            image = ax.imshow(field, origin="lower", extent=extent, aspect="auto")
            fig.colorbar(image, ax=ax)
            ax.set_title("t = %.3g" % time[k])
            ax.set_xlabel("x0")
            ax.set_ylabel("x1")
        ax_mass = fig.add_subplot(grid[0, len(snapshots)])
        ax_kl = fig.add_subplot(grid[0, len(snapshots) + 1])
    ax_mass.plot(time, mass, "o-", label="mass")
    if np.any(outflow > 0):
        ax_mass.plot(time, outflow, "s-", label="outflow")
        ax_mass.plot(time, mass + outflow, "k--", label="mass + outflow")
    ax_mass.set_xlabel("t")
    ax_mass.legend(fontsize=8)
    positive = kl > 0
    ax_kl.semilogy(time[positive], kl[positive], "o-")
    ax_kl.set_xlabel("t")
    ax_kl.set_ylabel("KL(rho || Gibbs)")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print("wrote", out)


if __name__ == "__main__":
    main()
