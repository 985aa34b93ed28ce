#!/usr/bin/env python3
"""Studies (a), (c), (d) of the SDE model of minibatch SGD (docs/theory.md section 8) with more
particles than their tests (tests/sde/test_integrators.cpp "[study]"), through the relax command:

  (a) relax compare, SGD on 1D wells (kappa = 2, B = 1): the relative error of the SDE model's
      stationary variance against eta (predicted eta kappa / (2 - eta kappa), order 1) and of the
      Gibbs at the constant temperature 1/beta (-> 1);
  (c) relax sde, SGD on 2D least squares from a points file this script writes (so it knows
      L*, theta* and Sigma(theta*)): (<L> - L*) / eta extrapolated to eta = 0 against
      E_i |g_i(theta*)|^2 / 4, standard errors from independent seeds;
  (d) relax compare, SGLD on 1D wells (kappa = 1, beta = 1): the variance's bias over the Gibbs
      1/(beta kappa) against the model's eta Sigma_B / (2 kappa) (+ Euler-Maruyama's eta / 2).

Study (b), the two temperatures of anisotropic noise, is the test "SGD with anisotropic noise".
Usage: examples/sgd_sde_studies.py [--relax build/release/app/relax] [--particles N] [--dir DIR]
                                   [--only acd] [--save SWEEP.h5]
Prints /proc/loadavg with the numbers (they are statistics, not timings); --save writes the sweeps
of (a) and (c) for examples/plot_sgd.py."""
import argparse
import os
import subprocess

import h5py
import numpy as np


def relax(binary, command, keys, output):
    args = [binary, command] + ["--%s=%s" % kv for kv in keys.items()] + ["--output.file=" + output]
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise SystemExit("%s failed (exit %d): %s" % (" ".join(args), done.returncode, done.stderr))
    return h5py.File(output, "r")


def last_observable(f, name):
    group = f["compare/observables"]
    k = group.attrs["names"].split(",").index(name)
    return (group["particles"][-1, k], group["pde"][-1, k], group["standard_error"][-1, k])


def wells_compare(args, integrator, eta, kappa, spread, beta, tag):
    keys = {"landscape.type": "wells", "landscape.points": 20, "landscape.spread": spread,
            "landscape.stiffness": kappa, "temperature.beta": beta, "sde.integrator": integrator,
            "sde.batch": 1, "sde.dt": eta, "sde.particles": args.particles, "fp.dt": min(eta, 0.005),
            "grid.lo": -8, "grid.hi": 8, "grid.n": 512, "initial.mean": 0, "initial.std": 0.5,
            "time.end": 8 / kappa, "time.outputs": 1}
    with relax(args.relax, "compare", keys, os.path.join(args.dir, tag + ".h5")) as f:
        return last_observable(f, "var_x0") + (f["compare"].attrs["verdict"],)


def study_a(args, save):
    print("(a) SGD on 1D wells, kappa = 2, spread 1, B = 1: stationary variance")
    print("%8s %12s %12s %10s %12s %12s %12s %9s" % ("eta", "Var_SGD", "Var_model", "SE",
          "rel.error", "predicted", "Gibbs err", "verdict"))
    etas, errors, gibbs_errors = [0.2, 0.1, 0.05, 0.025], [], []
    for eta in etas:
        particles, pde, se, verdict = wells_compare(args, "sgd", eta, 2.0, 1.0, 1.0, "a_%g" % eta)
        errors.append(particles / pde - 1)
        gibbs_errors.append(particles * 2 - 1)
        print("%8g %12.6g %12.6g %10.2g %12.4g %12.4g %12.4g %9s" % (
            eta, particles, pde, se, errors[-1], eta * 2 / (2 - eta * 2),
            abs(particles * 2 - 1), verdict))
    order = np.polyfit(np.log(etas), np.log(np.abs(errors)), 1)[0]
    print("    fitted order of the model's error: %.3f (derived: 1)" % order)
    if save is not None:
        group = save.create_group("a")
        group["eta"], group["model_error"], group["gibbs_error"] = etas, errors, gibbs_errors
        group.attrs["kappa"], group.attrs["order"] = 2.0, order


def least_squares_points(path):
    rng = np.random.default_rng(5)
    a = rng.standard_normal((50, 2))
    y = a @ np.array([1.0, -0.5]) + 0.5 * rng.standard_normal(50)
    with h5py.File(path, "w") as f:
        f["points"] = np.column_stack([a, y])
    theta = np.linalg.solve(a.T @ a, a.T @ y)
    residual = a @ theta - y
    g = a * residual[:, None]  # per-sample gradients at theta*; their mean is 0
    return theta, 0.5 * np.mean(residual ** 2), np.mean(np.sum(g ** 2, axis=1))


def study_c(args, save):
    path = os.path.join(args.dir, "least_squares.h5")
    theta, minimum, g2 = least_squares_points(path)
    predicted = g2 / 4
    print("(c) SGD on 2D least squares (n = 50, B = 1): slope of <L> at eta -> 0, predicted "
          "E|g_i|^2 / 4 = %.6g" % predicted)
    etas, slopes, errors = [0.04, 0.02, 0.01], [], []
    for eta in etas:
        excess = []
        for seed in range(1, args.seeds + 1):
            keys = {"landscape.type": "finite_sum_file", "landscape.points_file": path,
                    "sde.integrator": "sgd", "sde.batch": 1, "sde.dt": eta, "sde.seed": seed,
                    "sde.particles": args.particles, "sde.histogram": "false",
                    "initial.kind": "point", "initial.mean": "%r,%r" % tuple(theta),
                    "time.end": 6, "time.outputs": 1}
            with relax(args.relax, "sde", keys, os.path.join(args.dir, "c.h5")) as f:
                excess.append(f["sde/moments"][-1, -1] - minimum)  # the last column is <f>
        excess = np.array(excess) / eta
        slopes.append(excess.mean())
        errors.append(excess.std(ddof=1) / np.sqrt(len(excess)))
        print("    eta = %-6g (<L> - L*)/eta = %.6g +- %.2g" % (eta, slopes[-1], errors[-1]))
    coefficients, covariance = np.polyfit(etas, slopes, 1, w=1 / np.array(errors), cov="unscaled")
    intercept, error = coefficients[1], np.sqrt(covariance[1, 1])
    print("    extrapolated slope %.6g +- %.2g, predicted %.6g: %.2f standard errors" % (
        intercept, error, predicted, (intercept - predicted) / error))
    if save is not None:
        group = save.create_group("c")
        group["eta"], group["slope"], group["error"] = etas, slopes, errors
        group.attrs["intercept"], group.attrs["coefficient"] = intercept, coefficients[0]
        group.attrs["predicted"] = predicted


def study_d(args, save):
    print("(d) SGLD on 1D wells, kappa = 1, spread 5, beta = 1, B = 1: bias of Var over Gibbs 1")
    print("%8s %12s %12s %10s %12s %14s %9s" % ("eta", "bias SGLD", "bias model", "SE",
                                               "model+eta/2", "bias measured-", "verdict"))
    for eta in [0.05, 0.02, 0.01]:
        particles, pde, se, verdict = wells_compare(args, "sgld", eta, 1.0, 5.0, 1.0, "d_%g" % eta)
        print("%8g %12.6g %12.6g %10.2g %12.6g %14.3g %9s" % (
            eta, particles - 1, pde - 1, se, pde - 1 + eta / 2, particles - pde - eta / 2,
            verdict))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relax", default="build/release/app/relax")
    parser.add_argument("--particles", type=int, default=200000)
    parser.add_argument("--seeds", type=int, default=4, help="independent runs per eta in (c)")
    parser.add_argument("--dir", default=".", help="where the runs' files go")
    parser.add_argument("--only", default="acd", help="which studies, e.g. 'c'")
    parser.add_argument("--save", help="HDF5 file for the sweeps of (a) and (c) (plot_sgd.py)")
    args = parser.parse_args()
    with open("/proc/loadavg") as f:
        print("load average:", f.read().strip())
    save = h5py.File(args.save, "w") if args.save else None
    for study in args.only:
        {"a": study_a, "c": study_c, "d": study_d}[study](args, save)
    if save is not None:
        save.close()


if __name__ == "__main__":
    main()
