#!/usr/bin/env bash
# `relax hj` as a user meets it: a scoping run writes /hj with one level per gamma from both grid
# methods and the particles, the same bits at 2 ranks, and bad input (gamma <= 0, nu <= 0, ...)
# exits 2 with one line naming the key and writes nothing.
source "$(dirname "$0")/cli_lib.sh"
: "${PYTHON:=/usr/bin/python3}"

run=(--landscape.type=double_well --grid.lo=-2 --grid.hi=2 --grid.n=160 --hj.method=both
  --hj.dt=0.005 --hj.gamma=0.1,0.3,1 --hj.points=-1,0.3 --hj.chains=16 --hj.burn_in=200
  --hj.samples=20 --hj.particle_dt=0.01)

expect 0 "hj: wrote run\.h5" -- hj "${run[@]}" --output.file=run.h5
"$MPIEXEC" -n 2 "$RELAX" hj "${run[@]}" --output.file=run2.h5 >/dev/null 2>&1 ||
  { echo "FAIL: relax hj at 2 ranks"; failures=$((failures + 1)); }
if "$PYTHON" - <<'EOF'; then echo "ok: /hj contents and 2-rank bits"; else failures=$((failures + 1)); fi
import sys
import h5py
import numpy as np
f = h5py.File("run.h5", "r")
g = h5py.File("run2.h5", "r")
checks = {
    "gamma": np.array_equal(f["hj/gamma"][:], [0.1, 0.3, 1.0]),
    "u": f["hj/u"].shape == (3, 160) and np.all(np.isfinite(f["hj/u"][:])),
    "u_fd": f["hj/u_fd"].shape == (3, 160),
    "grad": f["hj/grad/x0"].shape == (3, 160),
    "f": f["hj/f"].shape == (160,),
    "minimizer": f["hj/minimizer"].shape == (3, 1) and f["hj/minimum"].shape == (3,),
    # the symmetric double well: f_gamma is smallest near a well x = +-1 for small gamma, and
    # the wells merge into one minimum at 0 as gamma grows
    "wells": abs(abs(f["hj/minimizer"][0, 0]) - 1) < 0.15
    and np.all(np.diff(np.abs(f["hj/minimizer"][:, 0])) <= 0)
    and abs(f["hj/minimizer"][2, 0]) < 0.05,
    # first order (h = 0.025, dt = 0.005): the grid methods agree to ~0.1
    "fd_difference": np.all(f["hj/fd_difference"][:] < 0.2),
    "points": np.array_equal(f["hj/particles/points"][:], [[-1.0], [0.3]]),
    "particles": all(f["hj/particles/" + k].shape == (3, 2, 1)
                     for k in ("grad", "stderr", "pde_grad", "z")),
    "acceptance": f["hj/particles/acceptance"].shape == (3, 2),
    # mixed after the adaptive burn-in, within noise of the whole-space Cole-Hopf gradient (the
    # Neumann one is off by ~0.1 at gamma = 1, x = -1: the mirror image of a well 2 away)
    "z": np.max(np.abs(f["hj/particles/z"][:])) < 4
    and f["hj/particles"].attrs["mismatches"] == 0,
    # one block (20 samples 5 steps apart after 200 of burn-in) or whole doublings of it
    "steps": f["hj/particles/steps"].shape == (3, 2)
    and all((s - 200) / 100 in (1, 3, 7, 15, 31, 63, 127) for s in f["hj/particles/steps"][:].ravel()),
    "command": f.attrs["command"] in ("hj", b"hj"),
    "ranks": all(np.array_equal(f[k][:], g[k][:]) for k in
                 ("hj/u", "hj/minimizer", "hj/particles/grad", "hj/particles/stderr")),
    "fd_ranks": np.max(np.abs(f["hj/u_fd"][:] - g["hj/u_fd"][:])) < 1e-9,
}
failed = [name for name, ok in checks.items() if not ok]
if failed:
    sys.exit("FAIL: /hj checks: " + ", ".join(failed))
EOF
rm -f run.h5 run.xmf run2.h5 run2.xmf

# The heat and inviscid equations on f = |x|^2/2, read at points off the grid (hj.query_points):
# heat u = |x|^2/2 + nu gamma d, grad x; Hopf-Lax u = |x|^2/(2(1 + gamma)), grad x/(1 + gamma);
# the refined minimizer at 0 (the grid has no cell centre there).
quadratic=(--landscape.type=quadratic --landscape.dim=2 --grid.lo=-6 --grid.hi=6 --grid.n=40
  --hj.gamma=0.2,0.5 --hj.query_points=0.31,-0.77,1.5,0.2)
expect 0 "hj: wrote heat\.h5" -- hj "${quadratic[@]}" --hj.equation=heat --output.file=heat.h5
expect 0 "hj: wrote hopf\.h5" -- hj "${quadratic[@]}" --hj.equation=inviscid --output.file=hopf.h5
"$MPIEXEC" -n 3 "$RELAX" hj "${quadratic[@]}" --hj.equation=inviscid --output.file=hopf3.h5 \
  >/dev/null 2>&1 || { echo "FAIL: relax hj inviscid at 3 ranks"; failures=$((failures + 1)); }
if "$PYTHON" - <<'EOF'; then echo "ok: heat and Hopf-Lax closed forms at query points"; else failures=$((failures + 1)); fi
import sys
import h5py
import numpy as np
heat = h5py.File("heat.h5", "r")
hopf = h5py.File("hopf.h5", "r")
hopf3 = h5py.File("hopf3.h5", "r")
x = np.array([[0.31, -0.77], [1.5, 0.2]])
g = np.array([0.2, 0.5])[:, None]
r2 = (x ** 2).sum(axis=1)[None, :]
checks = {
    "equation": heat["hj"].attrs["equation"] in ("heat", b"heat"),
    "points": np.array_equal(heat["hj/query/points"][:], x),
    # the quadratic interpolant is exact for quadratic u; the lattice kernel to ~1e-15
    "heat_u": np.allclose(heat["hj/query/u"][:], r2 / 2 + 0.5 * g * 2, atol=1e-10),
    "heat_grad": np.allclose(heat["hj/query/grad"][:], np.broadcast_to(x, (2, 2, 2)), atol=1e-9),
    "hopf_u": np.allclose(hopf["hj/query/u"][:], r2 / (2 * (1 + g)), atol=1e-10),
    "hopf_grad": np.allclose(hopf["hj/query/grad"][:], x[None, :, :] / (1 + g[:, :, None]),
                             atol=1e-9),
    "minimizer": np.max(np.abs(hopf["hj/minimizer"][:])) < 1e-10
    and np.max(np.abs(hopf["hj/minimizer_cell"][:])) > 0.1,
    "ranks": all(np.array_equal(hopf[k][:], hopf3[k][:])
                 for k in ("hj/u", "hj/query/u", "hj/query/grad", "hj/minimizer")),
}
failed = [name for name, ok in checks.items() if not ok]
if failed:
    sys.exit("FAIL: heat/Hopf-Lax checks: " + ", ".join(failed))
EOF
rm -f heat.h5 heat.xmf hopf.h5 hopf.xmf hopf3.h5 hopf3.xmf

# Bad input: exit 2, one line naming the key, and no output file.
expect 2 "hj\.gamma = '0': expected values > 0 in increasing order" -- hj --hj.gamma=0
expect 2 "hj\.gamma = '0.1,-1': expected values > 0 in increasing order" -- hj --hj.gamma=0.1,-1
expect 2 "hj\.gamma = '0.2,0.1': expected values > 0 in increasing order" -- hj --hj.gamma=0.2,0.1
expect 2 "hj\.nu = '0': expected a viscosity > 0" -- hj --hj.nu=0
expect 2 "hj\.nu = '-0.5': expected a viscosity > 0" -- hj --hj.nu=-0.5
expect 2 "hj\.dt = '0': expected a time step > 0" -- hj --hj.method=both --hj.dt=0
expect 2 "hj\.points = '1,2,3': 3 coordinates, expected a multiple of the dimension 2" -- \
  hj --landscape.type=quadratic --landscape.dim=2 --hj.points=1,2,3
expect 2 "hj\.points = '9': point 0 lies outside the grid box" -- hj --hj.points=9
expect 2 "hj\.chains = '1': expected an integer >= 2" -- hj --hj.chains=1
expect 2 "grid\.bc = absorbing .*reflecting \(Neumann\) or periodic" -- \
  hj --grid.bc=absorbing --hj.method=finite_difference
expect 2 "landscape expression.* is not finite at every cell centre of the grid" -- \
  hj --landscape.type=expression --landscape.expr="log(x)" --hj.method=finite_difference
expect 2 "hj\.method = 'both': expected cole_hopf with hj\.equation = heat" -- \
  hj --hj.equation=heat --hj.method=both
expect 2 "hj\.points = '1': expected no points with hj\.equation = inviscid" -- \
  hj --hj.equation=inviscid --hj.points=1
expect 2 "hj\.nu = '0\.3': expected no viscosity with hj\.equation = inviscid" -- \
  hj --hj.equation=inviscid --hj.nu=0.3
expect 2 "heat equation: an absorbing axis \(grid\.bc\)" -- hj --hj.equation=heat --grid.bc=absorbing
expect 2 "hj\.query_points = '9': point 0 lies outside the grid box" -- hj --hj.query_points=9
expect 2 "hj\.equation = 'cold'" -- hj --hj.equation=cold
expect_only_files
finish
