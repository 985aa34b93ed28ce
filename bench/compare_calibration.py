#!/usr/bin/env python3
"""Calibration of the verdict of `relax compare` (docs/theory.md 6.7): its bias, its false alarms
under the null and its power against a bias of known size.

  bias   The exact discrete-time law of the particles of the default problem (MALA or Euler-Maruyama
         at sde.dt), computed by applying the chain's transition kernel on a fine grid (10 points per
         PDE cell; the proposal's standard deviation spans 12 or more of them), binned to the PDE's
         cells and compared with the PDE (`relax fp` with compare's defaults) in every observable of
         relax compare: bias / SE at N particles at every output, for the default (MALA, dt = 5e-4,
         250 000), the former default (MALA, 2e-3, 10^6), the EM example and EM at 2e-3.
  null   `relax compare` over --seeds seeds with --particles particles (10^4: the default's bias, below
         0.18 SE at 250 000, is then below 0.03 SE): the family-wise false alarms of the verdict at
         the default rate 1e-3 and, from the stored p-values, of Holm-Bonferroni at 0.05 and 0.2,
         against the binomial band of --seeds trials; and each test's own rate at 0.01.
  power  Euler-Maruyama at --em-dt, whose bias in each observable is known from its exact
         discrete-time law, with N chosen so that the largest |bias| / SE over observables and
         outputs is r = 0.5, 1, 4, 6, 8: the fraction of --power-seeds seeds the verdict flags.

Usage: /usr/bin/python3 bench/compare_calibration.py --relax build/release/app/relax [bias|null|power]...
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
from scipy.stats import binom

BETA, LO, HI, CELLS, MEAN0, STD0, T_END, OUTPUTS = 1.0, -2.5, 2.5, 200, -1.0, 0.2, 8.0, 10


def f(x):
    return (x * x - 1) ** 2


def grad_f(x):
    return 4 * x * (x * x - 1)


def exact_chain_law(integrator, dt, refine=10):
    """Cell masses (OUTPUTS + 1, CELLS) of the chain's law at the output times."""
    n = CELLS * refine
    hf = (HI - LO) / n
    x = LO + (np.arange(n) + 0.5) * hf
    sigma = math.sqrt(2 * dt / BETA)
    mean = x + dt * (-grad_f(x))  # proposal / step mean from each column's x
    # q[j, i]: density of y_j given x_i
    q = np.exp(-0.5 * ((x[:, None] - mean[None, :]) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    if integrator == "em":
        kernel = q * hf
        kernel /= kernel.sum(axis=0, keepdims=True)
    else:  # MALA: accept y from x with min(1, pi(y) q(x | y) / (pi(x) q(y | x)))
        log_pi = -BETA * f(x)
        log_q = -0.5 * ((x[:, None] - mean[None, :]) / sigma) ** 2  # log q(y_j | x_i)
        log_ratio = log_pi[:, None] - log_pi[None, :] + log_q.T - log_q
        kernel = q * hf * np.exp(np.minimum(0.0, log_ratio))
        kernel[np.diag_indices(n)] += 1 - kernel.sum(axis=0)
    law = np.exp(-0.5 * ((x - MEAN0) / STD0) ** 2)
    law /= law.sum()
    steps_per_output = int(round(T_END / OUTPUTS / dt))
    levels = [law.reshape(CELLS, refine).sum(axis=1)]
    for _ in range(OUTPUTS):
        for _ in range(steps_per_output):
            law = kernel @ law
        levels.append(law.reshape(CELLS, refine).sum(axis=1))
    return np.array(levels)


def observables(masses):
    """relax compare's observables of cell masses (levels, CELLS): basin_0 (x < 0), basin_1,
    mean_x0, var_x0, mean_f, and the standard error of each for 1 particle."""
    xc = LO + (np.arange(CELLS) + 0.5) * (HI - LO) / CELLS
    left = xc < 0
    out, se1 = [], []
    for p in masses:
        mean = p @ xc
        var = p @ (xc - mean) ** 2
        b0 = p[left].sum()
        values = [b0, 1 - b0, mean, var, p @ f(xc)]
        sds = [math.sqrt(b0 * (1 - b0)), math.sqrt(b0 * (1 - b0)),
               math.sqrt(max(p @ xc ** 2 - mean ** 2, 0)),
               math.sqrt(max(p @ (xc - mean) ** 4 - var ** 2, 0)),
               math.sqrt(max(p @ f(xc) ** 2 - (p @ f(xc)) ** 2, 0))]
        out.append(values)
        se1.append(sds)
    return np.array(out), np.array(se1)


NAMES = ["basin_0", "basin_1", "mean_x0", "var_x0", "mean_f"]


def pde_masses(relax, workdir):
    path = os.path.join(workdir, "pde.h5")
    subprocess.run([relax, "fp", "--fp.dt=0.001", "--time.end=8", "--time.outputs=10",
                    f"--output.file={path}"], check=True, capture_output=True)
    with h5py.File(path, "r") as h5:
        return np.clip(h5["fp/density"][:], 0, None) * (HI - LO) / CELLS


def bias_table(relax, workdir, integrator, dt, particles=10 ** 6):
    pde = pde_masses(relax, workdir)
    chain = exact_chain_law(integrator, dt)
    o_pde, sd = observables(pde)
    o_chain, _ = observables(chain)
    ratio = (o_chain - o_pde) / (sd / math.sqrt(particles))
    return o_chain - o_pde, sd, ratio


def print_bias(relax, workdir, integrator, dt, particles):
    bias, sd, ratio = bias_table(relax, workdir, integrator, dt, particles)
    times = np.linspace(0, T_END, OUTPUTS + 1)
    print(f"bias of {integrator} at dt = {dt} against the PDE, in SE at N = {particles} (exact chain law):")
    print("      t  " + "  ".join(f"{n:>9}" for n in NAMES))
    for k, t in enumerate(times):
        print(f"  {t:5.1f}  " + "  ".join(f"{r:9.3f}" for r in ratio[k]))
    print(f"  max |bias| / SE = {np.max(np.abs(ratio)):.3f} ({NAMES[np.argmax(np.max(np.abs(ratio), axis=0))]})")
    return bias, sd, ratio


def run_compare(relax, workdir, seed, particles, extra):
    path = os.path.join(workdir, f"c{seed}.h5")
    subprocess.run([relax, "compare", f"--sde.particles={particles}", f"--sde.seed={seed}",
                    "--compare.rates=false", f"--output.file={path}"] + extra,
                   check=True, capture_output=True)
    with h5py.File(path, "r") as h5:
        pvalues = np.concatenate([h5["compare/pvalue"][:], h5["compare/observables/pvalue"][:].ravel()])
        verdict = h5["compare"].attrs["verdict"]
        l1_guard = h5["compare"].attrs["l1_guard_failed"]
        z = h5["compare/observables/z"][:]
    os.remove(path)
    os.remove(path.replace(".h5", ".xmf"))
    return pvalues, (verdict in ("agree", b"agree")), l1_guard, z


def holm_any(pvalues, alpha):
    return np.min(pvalues) <= alpha / len(pvalues)  # Holm rejects something iff Bonferroni does


def null_study(relax, workdir, seeds, particles):
    alarms = {1e-3: 0, 0.05: 0, 0.2: 0}
    verdict_alarms = 0
    single = []
    zs = []
    for seed in range(1, seeds + 1):
        pvalues, agrees, guard, z = run_compare(relax, workdir, seed, particles, [])
        verdict_alarms += 0 if agrees else 1
        for alpha in alarms:
            alarms[alpha] += holm_any(pvalues, alpha) or guard
        single.append(np.mean(pvalues < 0.01))
        zs.append(z[1:].ravel())
    zs = np.concatenate(zs)
    print(f"null: {seeds} seeds x {particles} MALA particles of the default problem")
    print(f"  verdict (false_alarm_rate 1e-3): {verdict_alarms} alarms; binomial band "
          f"[0, {int(binom.ppf(0.999, seeds, 1e-3))}] (99.9%)")
    for alpha, count in alarms.items():
        lo, hi = binom.ppf(0.0005, seeds, alpha), binom.ppf(0.9995, seeds, alpha)
        print(f"  Holm at family-wise {alpha:g}: {count} of {seeds} (expected <= {seeds * alpha:g}, "
              f"binomial 99.9% band [{int(lo)}, {int(hi)}])")
    print(f"  single tests at level 0.01: rate {np.mean(single):.4f}")
    print(f"  z-scores after t = 0: mean {np.mean(zs):+.4f}, variance {np.var(zs):.4f} "
          f"({zs.size} values)")


def power_study(relax, workdir, dt, seeds):
    bias, sd, _ = bias_table(relax, workdir, "em", dt)
    worst = np.max(np.abs(bias) / sd)  # |bias| / SE at N = 1 particle
    print(f"power: Euler-Maruyama at dt = {dt}; largest |bias| / sd = {worst:.4g} "
          f"({NAMES[np.argmax(np.max(np.abs(bias) / sd, axis=0))]})")
    print("  r = max |bias|/SE   particles   flagged")
    for r in (0.5, 1, 4, 6, 8):
        particles = int(math.ceil((r / worst) ** 2))
        flagged = 0
        for seed in range(1, seeds + 1):
            _, agrees, _, _ = run_compare(relax, workdir, 1000 + seed, particles,
                                          ["--sde.integrator=euler_maruyama", f"--sde.dt={dt}"])
            flagged += 0 if agrees else 1
        print(f"  {r:17g}   {particles:9d}   {flagged} of {seeds}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relax", required=True)
    parser.add_argument("studies", nargs="*", default=["bias", "null", "power"])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--particles", type=int, default=10000)
    parser.add_argument("--em-dt", type=float, default=0.005)
    parser.add_argument("--power-seeds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        for study in args.studies:
            if study == "bias":
                print_bias(args.relax, workdir, "mala", 0.0005, 250000)  # the default
                print_bias(args.relax, workdir, "mala", 0.002, 10 ** 6)  # the former default
                print_bias(args.relax, workdir, "em", 0.00025, 250000)  # the EM example
                print_bias(args.relax, workdir, "em", 0.002, 10 ** 6)
            elif study == "null":
                null_study(args.relax, workdir, args.seeds, args.particles)
            elif study == "power":
                power_study(args.relax, workdir, args.em_dt, args.power_seeds)
            else:
                sys.exit(f"unknown study {study}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
