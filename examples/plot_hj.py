#!/usr/bin/python3
"""Plot the /hj output of `relax hj`: the landscape f and its local entropy f_gamma at every gamma
with the minimizers (the Entropy-SGD picture), the minimizer against gamma, and the particle
estimates of grad f_gamma against Cole-Hopf's. 2D runs show f_gamma at the smallest and largest
gamma instead of the curves. Usage: plot_hj.py RUN.h5 [OUT.png]  (default: RUN.png beside RUN.h5)."""
import h5py
import numpy as np

from plot_common import input_and_output, plt, read_grid, save_figure, short, show_image, text


def main():
    path, out = input_and_output(__doc__)
    with h5py.File(path, "r") as f:
        hj = f["hj"]
        gamma = hj["gamma"][:]
        u = hj["u"][:]
        u_fd = hj["u_fd"][:] if "u_fd" in hj else None
        landscape = hj["f"][:]
        minimizer = hj["minimizer"][:]
        dim, axes = read_grid(f)
        title = "%s, nu = %g" % (text(hj.attrs.get("landscape", "")), float(hj.attrs.get("nu", 0)))
        particles = None
        if "particles" in hj and "pde_grad" in hj["particles"]:
            p = hj["particles"]
            particles = (p["points"][:], p["grad"][:], p["stderr"][:], p["pde_grad"][:])

    columns = 3 if particles is not None else 2
    fig, panels = plt.subplots(1, columns, figsize=(6 * columns, 4.5))
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(gamma)))
    ax = panels[0]
    if dim == 1:
        x = axes[0]
        ax.plot(x, landscape - landscape.min(), "k", lw=1, label="f")
        for k, g in enumerate(gamma):
            shift = u[k].min()
            ax.plot(x, u[k] - shift, color=colours[k], label="f_gamma, gamma = %g" % g)
            if u_fd is not None:
                ax.plot(x, u_fd[k] - shift, "--", color=colours[k], lw=0.8)
            ax.plot(minimizer[k, 0], 0, "v", color=colours[k], ms=8)
        ax.set_xlabel("x")
        ax.set_ylabel("f_gamma - min f_gamma (dashed: finite differences)")
        ax.set_ylim(-0.3, 1.3 * np.percentile(landscape - landscape.min(), 90))
        ax.legend(fontsize=7)
    else:
        field = u[-1] if dim == 2 else u[-1].min(axis=0)
        show_image(fig, ax, field, axes)
        ax.plot(minimizer[:, 0], minimizer[:, 1], "w.-")
        ax.set_title("f_gamma at gamma = %g, minimizers (white)" % gamma[-1])

    ax = panels[1]
    for a in range(dim):
        ax.semilogx(gamma, minimizer[:, a], "o-", label="x%d" % a)
    ax.set_xlabel("gamma")
    ax.set_ylabel("minimizer of f_gamma")
    ax.legend(fontsize=8)

    if particles is not None:
        points, grad, stderr, pde = particles
        ax = panels[2]
        for k, g in enumerate(gamma):
            ax.errorbar(pde[k].ravel(), grad[k].ravel(), yerr=3 * stderr[k].ravel(), fmt="o",
                        color=colours[k], ms=4, label="gamma = %g" % g)
        lo = min(pde.min(), grad.min())
        hi = max(pde.max(), grad.max())
        ax.plot([lo, hi], [lo, hi], "k:", lw=1)
        ax.set_xlabel("grad f_gamma, Cole-Hopf")
        ax.set_ylabel("grad f_gamma, Langevin particles (+- 3 s.e.)")
        ax.set_title("%d points" % len(points))
        ax.legend(fontsize=7)
    fig.suptitle(short(title))
    save_figure(fig, out, dpi=120, message="plot_hj: wrote")


if __name__ == "__main__":
    main()
