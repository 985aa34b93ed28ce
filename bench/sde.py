#!/usr/bin/python3
"""Benchmark of relax's particle engine against NumPy, measured in the same run (bench/README.md).

Euler-Maruyama for the 1D double well f = (x^2 - 1)^2 at beta = 1, dt = 1e-3, 10^6 particles,
1000 steps:  x += -f'(x) dt + sqrt(2 dt / beta) xi.
  * NumPy: the same algorithm vectorized over particles, in place (no temporaries), normals from
    numpy.random.Generator (PCG64 + ziggurat), float64.
  * relax normals: the loop that only draws the normals those steps use (same blocks, same counter
    rule), double and float normals.
  * relax step: the full step through ParticleEnsemble (the engine of `relax sde`), at 1 and 2 ranks.
  * relax uniforms: Philox and the map to (0, 1) alone (MALA's uniforms), so Philox's share of a
    double normal (one call per two normals) and Box-Muller's are both known: the RNG limit.
  * 100-dimensional Gaussian landscape f = |x|^2 / 2: the same comparison in coordinate-steps/s.
  * MALA against Euler-Maruyama (`sde_bench integrators`, alternating in one process, dt = 5e-4 as
    the default `relax compare`): CPU ns per particle-step and the ratio (goal <= 2).
Every figure is repeated (--repeats, default 3) and printed as min / median / max; ratios are of the
medians. The load average is printed before and after. Printed: particle-steps/s (CPU time of the
process; wall time for the rank scaling) and the ratios the issue asks for: relax/NumPy (goal >= 10),
step/normals cost (goal <= 2), 2 ranks/1 rank (goal >= 1.8).

usage: sde.py --binary BUILD/bench/sde_bench [--mpiexec mpiexec] [--particles N] [--steps S]
              [--repeats R]
"""
import argparse
import os
import re
import subprocess
import time

import numpy as np


def numpy_em(particles, steps, dim, seed=1):
    """Seconds (CPU, wall) of `steps` Euler-Maruyama steps of `particles` particles in NumPy."""
    dt, beta = 1e-3, 1.0
    rng = np.random.default_rng(seed)
    x = np.full((dim, particles), -1.0)
    b = np.empty_like(x)
    z = np.empty_like(x)
    scale = np.sqrt(2 * dt / beta)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(steps):
        if dim == 1:  # b = -4 x (x^2 - 1) dt
            np.multiply(x, x, out=b)
            b -= 1.0
            b *= x
            b *= -4.0 * dt
        else:  # b = -x dt
            np.multiply(x, -dt, out=b)
        rng.standard_normal(out=z)
        z *= scale
        x += b
        x += z
    return time.process_time() - cpu, time.perf_counter() - wall


def numpy_normals(particles, steps, dim, seed=1):
    rng = np.random.default_rng(seed)
    z = np.empty((dim, particles))
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(steps):
        rng.standard_normal(out=z)
    return time.process_time() - cpu, time.perf_counter() - wall


def relax_run(args, mode, particles, steps, dim=1, noise="double", ranks=1):
    command = [args.binary, mode, "--particles", str(particles), "--steps", str(steps), "--dim",
               str(dim), "--noise", noise]
    if ranks > 1:
        command = [args.mpiexec, "-n", str(ranks)] + command
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    fields = dict(re.findall(r"(\w+)=(\S+)", out))
    return float(fields["cpu"]), float(fields["wall"])


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def repeated(repeats, measure):
    """(cpu, wall) of `repeats` runs of measure(): lists of each."""
    runs = [measure() for _ in range(repeats)]
    return [r[0] for r in runs], [r[1] for r in runs]


def line(name, work, cpus, walls, unit="particle-steps/s"):
    """Prints min / median / max of work / cpu; returns the median rate."""
    rates = sorted(work / c for c in cpus)
    median = float(np.median(rates))
    print(f"  {name:<44} {median:10.4g} {unit} (min {rates[0]:.4g}, max {rates[-1]:.4g}; "
          f"median cpu {np.median(cpus):7.3f} s, wall {np.median(walls):7.3f} s)")
    return median


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True, help="the sde_bench executable")
    parser.add_argument("--mpiexec", default="mpiexec")
    parser.add_argument("--particles", type=int, default=1000000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--dim100-particles", type=int, default=100000)
    parser.add_argument("--dim100-steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    r = args.repeats

    n, s = args.particles, args.steps
    work = float(n) * s
    print(f"load average before: {load()}")
    print(f"1D double well, Euler-Maruyama, N = {n}, {s} steps, dt = 1e-3 (numpy {np.__version__}),"
          f" {r} repeats: median (min, max)")
    numpy_rate = line("NumPy EM step (float64)", work, *repeated(r, lambda: numpy_em(n, s, 1)))
    line("NumPy normals only", work, *repeated(r, lambda: numpy_normals(n, s, 1)))
    uniforms = line("relax uniforms only (Philox + map)", work,
                    *repeated(r, lambda: relax_run(args, "uniforms", n, s)))
    rates = {}
    for noise in ("double", "float"):
        normals = line(f"relax normals only ({noise})", work,
                       *repeated(r, lambda: relax_run(args, "normals", n, s, 1, noise)))
        cpus, walls = repeated(r, lambda: relax_run(args, "step", n, s, 1, noise))
        step = line(f"relax EM step, 1 rank ({noise} normals)", work, cpus, walls)
        cpus2, walls2 = repeated(r, lambda: relax_run(args, "step", n, s, 1, noise, ranks=2))
        wall2 = float(np.median(walls2))
        print(f"  {'relax EM step, 2 ranks (' + noise + ' normals)':<44} {work / wall2:10.4g} "
              f"particle-steps/s (median wall {wall2:7.3f} s; max cpu per rank "
              f"{np.median(cpus2):7.3f} s)")
        rates[noise] = (normals, step, float(np.median(walls)) / wall2)
    print("ratios (of the medians):")
    for noise, (normals, step, scaling) in rates.items():
        print(f"  {noise} normals: relax/NumPy = {step / numpy_rate:5.2f} (goal >= 10), "
              f"normals alone / NumPy step = {normals / numpy_rate:5.2f} (the ceiling), "
              f"step cost / normals cost = {normals / step:4.2f} (goal <= 2), "
              f"2 ranks / 1 rank (wall) = {scaling:4.2f} (goal >= 1.8)")
    double_normal_ns = 1e9 / rates["double"][0]
    philox_ns = 0.5 * 2e9 / uniforms  # one Philox call per two uniforms and per two normals
    print(f"  RNG limit, double: {double_normal_ns:.3f} ns per normal = Philox {philox_ns:.3f} + "
          f"Box-Muller {double_normal_ns - philox_ns:.3f}; 10x NumPy needs a whole step in "
          f"{1e9 / (10 * numpy_rate):.3f} ns")

    n100, s100 = args.dim100_particles, args.dim100_steps
    work100 = float(n100) * s100 * 100
    print(f"100-dimensional Gaussian f = |x|^2/2, EM, N = {n100}, {s100} steps")
    np100 = line("NumPy EM step", work100, *repeated(r, lambda: numpy_em(n100, s100, 100)),
                 unit="coordinate-steps/s")
    for noise in ("double", "float"):
        r100 = line(f"relax EM step, 1 rank ({noise} normals)", work100,
                    *repeated(r, lambda: relax_run(args, "step", n100, s100, 100, noise)),
                    unit="coordinate-steps/s")
        print(f"    relax/NumPy = {r100 / np100:5.2f}")

    print("MALA against Euler-Maruyama (1D double well, dt = 5e-4, 2.5e5 particles, 1000 steps):")
    out = subprocess.run([args.binary, "integrators", "--particles", "250000", "--steps", "1000",
                          "--dt", "5e-4", "--repeats", str(max(r, 3))], check=True,
                         capture_output=True, text=True).stdout
    print("\n".join("  " + l for l in out.strip().splitlines()))
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
