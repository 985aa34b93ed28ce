#!/usr/bin/python3
"""Cost against size: the time of one Fokker-Planck step against the number of cells (1D, 2D, 3D)
and of one particle step against the number of particles, with the fitted exponent p of
time per step ~ size^p (least squares in log-log over the medians; p = 1 is linear cost, the best a
step can do). Drives bench/fp_step.cpp and bench/sde.cpp at one rank, repeats every size, and
prints min/median/max per size, the exponent from the medians and from the minima, and the load
average before and after.

usage: /usr/bin/python3 bench/scaling.py --bin build/release/bench [--repeat R] [--quick]
"""
import argparse
import math
import os
import re
import subprocess
import sys
import types

import numpy as np

from sde import load, relax_run, repeated  # bench/sde.py: one way to run sde_bench

# One rank, and one thread for OpenBLAS (PETSc's VecAXPY/VecDot call BLAS; at one rank its second
# thread competes with the main one on this 2-core machine: bench/README.md, fp_step_bench).
ENV = dict(os.environ, OPENBLAS_NUM_THREADS="1")

# (dim, sizes n per axis, schemes). The 2D and 3D sizes are 2^k + 1 so that PCMG with Galerkin
# coarse operators can coarsen them (n - 1 must halve at every level); its levels grow with n so
# that the coarsest grid is always 5 points per axis (a fixed level count would make the coarse
# LU solve grow like the grid and bend the fit).
FP_CASES = [
    (1, [2000, 8000, 32000, 128000], ["be", "bdf2"]),
    (2, [129, 257, 513, 1025], ["be", "hypre", "mg"]),
    (3, [17, 33, 65], ["be", "hypre", "mg"]),
]
QUICK_FP_CASES = [(1, [2000, 8000], ["be"]), (2, [65, 129], ["mg"])]
# particles per run; steps chosen so every run does the same 1e9 (quick: 1e8) particle-steps
PARTICLES = [10**4, 10**5, 10**6, 10**7]
QUICK_PARTICLES = [10**4, 10**5]


def fit(sizes, times):
    """Exponent p of times ~ sizes^p (least squares in log-log)."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def mg_options(n):
    """PCMG with one SOR sweep per level, down to 5 points per axis."""
    levels = round(math.log2(n - 1)) - 1
    return ["-mg_mg_levels_ksp_type", "richardson", "-mg_mg_levels_pc_type", "sor",
            "-mg_mg_levels_ksp_max_it", "1", "-mg_pc_mg_levels", str(levels)]


def fp_rows(binary, dim, sizes, schemes, repeat, cells_steps):
    out = ""
    for n in sizes:
        cmd = [binary, "--dim", str(dim), "--n", str(n), "--schemes", ",".join(schemes),
               "--repeat", str(repeat), "--cells-steps", f"{cells_steps:g}"]
        if "mg" in schemes:
            cmd += ["--"] + mg_options(n)
        out += subprocess.run(cmd, env=ENV, check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        m = re.search(r"cells=(\S+) .*scheme=(\S+) .*wall min/med/max=([\d.]+)/([\d.]+)/([\d.]+)"
                      r" .*its/step=([\d.]+)", line)
        if m:
            cells = float(m.group(1))
            # ns per cell and step -> seconds per step
            t = [float(m.group(i)) * cells * 1e-9 for i in (3, 4, 5)]
            rows.setdefault(m.group(2), []).append((cells, t, float(m.group(6))))
    return rows


def particle_rows(binary, counts, repeat, work):
    rows = []
    for n in counts:
        steps = max(1, int(work / n))
        _, walls = repeated(repeat, lambda: relax_run(types.SimpleNamespace(binary=binary), "step",
                                                      n, steps))
        times = [wall / steps for wall in walls]  # seconds per step of all n particles
        rows.append((n, [min(times), float(np.median(times)), max(times)]))
    return rows


def report(label, rows):
    """rows: (size, [min, median, max] seconds per step, optional extra) per size."""
    sizes = [r[0] for r in rows]
    for r in rows:
        t = r[1]
        extra = f" its/step={r[2]:.1f}" if len(r) > 2 else ""
        print(f"  {label} size={r[0]:.0f} s/step min/med/max={t[0]:.4g}/{t[1]:.4g}/{t[2]:.4g} "
              f"ns/unit/step med={1e9 * t[1] / r[0]:.2f}{extra}")
    p_med = fit(sizes, [r[1][1] for r in rows])
    p_min = fit(sizes, [r[1][0] for r in rows])
    print(f"  {label} exponent p (time/step ~ size^p), {sizes[0]:.0f}..{sizes[-1]:.0f}: "
          f"medians {p_med:.3f}, minima {p_min:.3f}")
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="the directory holding fp_step_bench and sde_bench")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    a = parser.parse_args()
    if a.repeat < 1:
        parser.error("--repeat: expected an integer >= 1")
    print(f"load average before: {load()}; OPENBLAS_NUM_THREADS=1, 1 rank; "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    cases = QUICK_FP_CASES if a.quick else FP_CASES
    cells_steps = 1e6 if a.quick else 1.6e7
    for dim, sizes, schemes in cases:
        rows = fp_rows(os.path.join(a.bin, "fp_step_bench"), dim, sizes, schemes, a.repeat,
                       cells_steps)
        for scheme in schemes:
            print(f"FP {dim}D, scheme {scheme} (fp_step_bench; dt = 1e-3), size = cells:")
            report(f"fp{dim}d/{scheme}", rows[scheme])
    counts = QUICK_PARTICLES if a.quick else PARTICLES
    work = 1e8 if a.quick else 1e9
    print(f"particles: Euler-Maruyama, 1D double well, double normals, {work:.0e} particle-steps "
          "per run, size = particles:")
    report("sde/em", particle_rows(os.path.join(a.bin, "sde_bench"), counts, a.repeat, work))
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
