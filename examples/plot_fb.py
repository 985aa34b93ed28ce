#!/usr/bin/python3
"""Plot the /fb output of `relax fb` as in the controlled-SGD figure of Deep Relaxation (Theorem 7):
the initial density, the final density under SGD, the final density under controlled SGD (PDE,
with the particle histograms), and the value function u(., 0) (Cole-Hopf, with the finite-difference
solution); the Theorem-7 table is printed in the title. 2D runs show the three densities and u as
images. Usage: plot_fb.py RUN.h5 [OUT.png]  (default: RUN.png beside RUN.h5)."""
import h5py

from plot_common import input_and_output, plt, read_grid, save_figure, show_image


def main():
    path, out = input_and_output(__doc__)
    with h5py.File(path, "r") as f:
        fb = f["fb"]
        time = fb["time"][:]
        u = fb["u"][:]
        u_fd = fb["u_fd"][:] if "u_fd" in fb else None
        csgd = fb["density_csgd"][:]
        sgd = fb["density_sgd"][:]
        particles = "particles" in fb
        hist_csgd = fb["particles/histogram_csgd"][:] if particles else None
        hist_sgd = fb["particles/histogram_sgd"][:] if particles else None
        table = fb["theorem7"][:]
        dim, axes = read_grid(f)
        beta = float(fb.attrs["beta"])
        c = float(fb.attrs["c"])

    title = ("T = %g, beta = %g, c = %g:  J0 = %.4f,  E[V(x_csgd(T))] + cost = %.4f + %.4f,  "
             "E[V(x_sgd(T))] = %.4f" % (time[-1], beta, c, table[0, 0], table[1, 0],
                                        table[2, 0], table[4, 0]))
    if particles:
        title += "\nparticles: E[V]+cost = %.4f +- %.4f,  E[V(x_sgd(T))] = %.4f +- %.4f" % (
            table[3, 1], table[3, 2], table[4, 1], table[4, 2])
    panels = [("initial density", csgd[0], None), ("final density, SGD", sgd[-1], hist_sgd),
              ("final density, controlled SGD", csgd[-1], hist_csgd), ("u(x, 0)", u[0], None)]
    fig, ax = plt.subplots(1, 4, figsize=(20, 4.5))
    for k, (name, field, histogram) in enumerate(panels):
        a = ax[k]
        if dim == 1:
            x = axes[0]
            a.plot(x, field, "C0", label="PDE" if k < 3 else "Cole-Hopf")
            if histogram is not None:
                a.step(x, histogram[-1], "C1", where="mid", lw=0.8, label="particles")
            if k == 3 and u_fd is not None:
                a.plot(x, u_fd[0], "C2--", lw=1, label="finite differences")
            if k == 3:
                a.plot(x, u[-1], "k:", lw=1, label="V = u(x, T)")
                spread = u[0].max() - u[0].min()
                a.set_ylim(u[0].min() - 0.5 * spread, u[0].max() + 1.5 * spread)
            a.set_xlabel("x")
            a.legend(fontsize=8)
        else:
            show_image(fig, a, field, axes, xlabel="x", ylabel="y", cmap="viridis")
        a.set_title(name)
    fig.suptitle(title, fontsize=9)
    save_figure(fig, out, dpi=110, message="plot_fb: wrote")


if __name__ == "__main__":
    main()
