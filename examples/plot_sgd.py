#!/usr/bin/python3
"""Plot minibatch SGD against its SDE model and the Gibbs law (docs/theory.md section 8).

Usage: plot_sgd.py RUN.h5 [SWEEP.h5] [OUT.png]  (default: RUN.png beside RUN.h5)

RUN.h5 is a `relax compare` run with sde.integrator = sgd or sgld on landscape.type =
finite_sum_file (the script reads the points to evaluate L and Sigma). At its last output: the
particle histogram of SGD, the FP density of the SDE model D = (eta/2) c_B Sigma_ii [+ 1/beta], and
the Gibbs law exp(-L/T) at the one temperature T = eta c_B tr Sigma(theta*) / (2 dim) [+ 1/beta]
(the 1D formula p ~ exp(-2 L / (eta sigma^2))) - in 2D both marginals and the joint (histogram as
an image, the model and the Gibbs as contours). SWEEP.h5, written by examples/sgd_sde_studies.py
--save, adds the eta-sweeps of studies (a) (the model's and the Gibbs' relative errors of the
stationary variance) and (c) ((<L> - L*) / eta against E|g_i|^2 / 4).
"""
import h5py
import numpy as np

from plot_common import (config_text, config_value, inputs_and_output, plt, read_grid,
                         save_figure, short, text)


def loss_and_gradients(f):
    """L on the grid's cells and the per-sample gradients at the grid point that minimizes it."""
    dim, axes = read_grid(f)
    path = config_text(f, "landscape.points_file", "")
    with h5py.File(path, "r") as points_file:
        table = points_file[config_text(f, "landscape.points_dataset", "points")][:]
    loss = config_text(f, "landscape.loss", "least_squares")
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, dim)
    if loss == "wells":
        kappa = np.broadcast_to(np.array(config_text(f, "landscape.stiffness", "1").split(","),
                                         dtype=float), (dim,))
        samples = lambda theta: 0.5 * np.sum(kappa * (theta[:, None, :] - table) ** 2, axis=2)
        gradients = lambda theta: kappa * (theta - table)
    else:
        a, y = table[:, :dim], table[:, dim]
        if loss == "least_squares":
            samples = lambda theta: 0.5 * (theta @ a.T - y) ** 2
            gradients = lambda theta: a * (a @ theta - y)[:, None]
        else:
            samples = lambda theta: np.logaddexp(0, -y * (theta @ a.T))
            gradients = lambda theta: (-y / (1 + np.exp(y * (a @ theta))))[:, None] * a
    values = samples(mesh).mean(axis=1)
    return dim, axes, values.reshape([len(x) for x in axes]), gradients(mesh[np.argmin(values)])


def read(path):
    with h5py.File(path, "r") as f:
        dim, axes, loss, g = loss_and_gradients(f)
        n, batch = len(g), config_value(f, "sde.batch", 1)
        with_replacement = config_text(f, "sde.replacement", "true") == "true"
        c_b = 1 / batch if with_replacement else (n - batch) / (batch * (n - 1))
        sigma = np.cov(g.T, bias=True).reshape(dim, dim)
        temperature = config_value(f, "sde.dt", 0) * c_b * np.trace(sigma) / (2 * dim)
        if config_text(f, "sde.integrator", "sgd") == "sgld":
            temperature += 1 / config_value(f, "temperature.beta", 1.0)
        gibbs = np.exp(-(loss - loss.min()) / temperature)
        shape = [len(x) for x in reversed(axes)]  # HDF5 order (.., x1, x0)
        return dict(dim=dim, axes=axes, temperature=temperature,
                    gibbs=gibbs.T.reshape(shape), time=f["compare/time"][-1],
                    histogram=f["sde/histogram"][-1].reshape(shape),
                    model=f["fp/density"][-1].reshape(shape),
                    title=short("%s, %s" % (text(f["fp"].attrs.get("diffusion", "")),
                                            text(f["fp"].attrs.get("landscape", "")))))


def normalized(field, axes):
    volume = np.prod([x[1] - x[0] for x in axes])
    return field / (field.sum() * volume)


def marginal(field, dim, axis):
    """The sum over every grid axis but `axis` of a (.., x1, x0)-ordered field."""
    storage = dim - 1 - axis
    return field if dim == 1 else field.sum(axis=tuple(a for a in range(dim) if a != storage))


def draw_densities(fig, row, run):
    dim, axes = run["dim"], run["axes"]
    fields = {name: normalized(run[name], axes) for name in ("histogram", "model", "gibbs")}
    for axis in range(dim):
        ax = row[axis]
        width = np.prod([x[1] - x[0] for k, x in enumerate(axes) if k != axis])
        ax.step(axes[axis], marginal(fields["histogram"], dim, axis) * width, where="mid",
                color="tab:blue", label="SGD histogram")
        ax.plot(axes[axis], marginal(fields["model"], dim, axis) * width, color="tab:orange",
                label="SDE model (FP)")
        ax.plot(axes[axis], marginal(fields["gibbs"], dim, axis) * width, "--", color="tab:green",
                label="Gibbs, T = %.3g" % run["temperature"])
        ax.set_xlabel("x%d" % axis)
        ax.set_title("t = %g, marginal of x%d" % (run["time"], axis))
        ax.legend(fontsize=7)
    if dim == 2:
        ax = row[2]
        extent = [axes[0][0], axes[0][-1], axes[1][0], axes[1][-1]]
        ax.imshow(fields["histogram"], origin="lower", extent=extent, aspect="auto",
                  cmap="Blues")
        ax.contour(axes[0], axes[1], fields["model"], colors="tab:orange", linewidths=1)
        ax.contour(axes[0], axes[1], fields["gibbs"], colors="tab:green", linestyles="dashed",
                   linewidths=1)
        ax.set_title("joint: histogram, model (orange), Gibbs (green)")
        ax.set_xlabel("x0")
        ax.set_ylabel("x1")


def draw_sweeps(row, path):
    with h5py.File(path, "r") as f:
        if "a" in f:
            a = f["a"]
            ax = row[0]
            ax.loglog(a["eta"][:], np.abs(a["model_error"][:]), "o-", color="tab:orange",
                      label="SDE model")
            ax.loglog(a["eta"][:], np.abs(a["gibbs_error"][:]), "s--", color="tab:green",
                      label="Gibbs at 1/beta")
            ax.loglog(a["eta"][:], a["eta"][:] * a.attrs["kappa"] / 2, ":", color="grey",
                      label="eta kappa / 2")
            ax.set_xlabel("eta")
            ax.set_ylabel("|Var_SGD / Var_pred - 1|")
            ax.set_title("(a) stationary variance, order %.2f" % a.attrs["order"])
            ax.legend(fontsize=7)
        if "c" in f:
            c = f["c"]
            ax = row[1]
            ax.errorbar(c["eta"][:], c["slope"][:], yerr=c["error"][:], fmt="o",
                        color="tab:blue", label="SGD (<L> - L*) / eta")
            eta = np.linspace(0, c["eta"][:].max(), 20)
            ax.plot(eta, c.attrs["intercept"] + c.attrs["coefficient"] * eta, color="tab:blue")
            ax.axhline(c.attrs["predicted"], color="tab:red", linestyle="--",
                       label="E|g_i|^2 / 4 = %.4g" % c.attrs["predicted"])
            ax.set_xlabel("eta")
            ax.set_title("(c) the eta/4 theorem")
            ax.legend(fontsize=7)


def main():
    files, out = inputs_and_output(__doc__, several=True)
    run = read(files[0])
    rows = 2 if len(files) > 1 else 1
    columns = 3 if run["dim"] == 2 else max(run["dim"], 2 if rows == 2 else 1)
    fig, grid = plt.subplots(rows, columns, figsize=(4.5 * columns, 3.6 * rows), squeeze=False)
    draw_densities(fig, grid[0], run)
    if rows == 2:
        draw_sweeps(grid[1], files[1])
    for ax in grid.ravel():
        if not ax.has_data():
            ax.axis("off")
    fig.suptitle(run["title"], fontsize=9)
    save_figure(fig, out, 110)


if __name__ == "__main__":
    main()
