#!/usr/bin/env bash
# `relax fb` as a user meets it: a 1D and a 2D run write /fb with one level per output, the
# Theorem-7 table is printed and stored, the 1D run gives the same PDE bits... at 2 ranks to the
# linear solvers' tolerance, and bad input (T <= 0, c <= 0, a V that is not finite on the grid, ...)
# exits 2 with one line naming the key and writes nothing.
source "$(dirname "$0")/cli_lib.sh"
: "${PYTHON:=/usr/bin/python3}"

run=(--landscape.type=double_well --landscape.tilt=0.3 --grid.lo=-2.5 --grid.hi=2.5 --grid.n=100
  --temperature.beta=2 --initial.mean=0.5 --initial.std=0.6 --time.end=1 --time.outputs=4
  --fb.steps=100 --fb.particles=4000)

expect 0 "E\[V\(x_sgd\(T\)\)\] +[0-9.]+ +[0-9.]+ \+- " -- fb "${run[@]}" --output.file=run.h5
"$MPIEXEC" -n 2 "$RELAX" fb "${run[@]}" --output.file=run2.h5 >/dev/null 2>&1 ||
  { echo "FAIL: relax fb at 2 ranks"; failures=$((failures + 1)); }
expect 0 "fb: wrote run2d\.h5" -- fb --landscape.type=muller_brown --grid.lo=-1.5,-0.5 \
  --grid.hi=1.2,2 --grid.n=40,36 --temperature.beta=0.1 --initial.mean=0.6,0 \
  --initial.std=0.2,0.2 --time.end=0.02 --time.outputs=2 --fb.steps=20 --fb.c=1 \
  --fb.terminal="0.5*(x+0.5)^2+0.5*(y-1.4)^2" --fb.particles=2000 --fb.storage=checkpoint \
  --output.file=run2d.h5
if "$PYTHON" - <<'EOF'; then echo "ok: /fb contents and 2-rank agreement"; else failures=$((failures + 1)); fi
import sys
import h5py
import numpy as np
f = h5py.File("run.h5", "r")
g = h5py.File("run2.h5", "r")
h = h5py.File("run2d.h5", "r")
table = f["fb/theorem7"][:]
checks = {
    "time": np.allclose(f["fb/time"][:], [0, 0.25, 0.5, 0.75, 1.0]),
    "fields": all(f["fb/" + k].shape == (5, 100) for k in
                  ("u", "u_fd", "density_csgd", "density_sgd", "doob",
                   "particles/histogram_csgd", "particles/histogram_sgd")),
    "landscapes": f["fb/f"].shape == (100,) and f["fb/V"].shape == (100,),
    "table": table.shape == (5, 3) and np.all(np.isfinite(table)),
    # Theorem 7: the identity to discretization error, the improvement far beyond it
    "identity": abs(table[0, 0] - table[3, 0]) < 5e-3,
    "improvement": table[4, 0] - table[0, 0] > 0.05,
    # particles within 4 standard errors of the PDE (E[V] controlled and plain)
    "particles": all(abs(table[r, 1] - table[r, 0]) < 4 * table[r, 2] + 2e-3 for r in (1, 4)),
    "u at T is V": np.allclose(f["fb/u"][-1], f["fb/V"][:]),
    "mass": np.allclose(f["fb/density_csgd"][:].sum(axis=1) * 0.05, 1, atol=1e-10),
    "ranks": np.max(np.abs(f["fb/density_csgd"][:] - g["fb/density_csgd"][:])) < 1e-9
    and abs(f["fb/theorem7"][0, 0] - g["fb/theorem7"][0, 0]) < 1e-10,
    "2d": h["fb/u"].shape == (3, 36, 40) and h["fb/particles/histogram_csgd"].shape == (3, 36, 40)
    and h["fb"].attrs["storage"] in ("checkpoint", b"checkpoint"),
    "2d improvement": h["fb/theorem7"][4, 0] > h["fb/theorem7"][0, 0],
    "command": f.attrs["command"] in ("fb", b"fb"),
}
failed = [name for name, ok in checks.items() if not ok]
if failed:
    sys.exit("FAIL: /fb checks: " + ", ".join(failed))
EOF
rm -f run.h5 run.xmf run2.h5 run2.xmf run2d.h5 run2d.xmf

# fb.scheme = cn: a resolved run writes its table (the defect is 100 cells' h^2 error, 4.8e-4 in
# test_forward_backward, its dt^2 part 100 times smaller; particles as with
# beuler); a step that does not resolve the walls' drift stops with exit 3 naming fb.steps, in the
# backward sweep before any output (5 steps) or in the forward one with t = 0 kept (20 steps).
cn=(--landscape.tilt=0.3 --grid.lo=-2 --grid.hi=2 --grid.n=100 --temperature.beta=2
  --initial.mean=0.5 --initial.std=0.45 --time.end=1 --fb.scheme=cn)
expect 0 "identity defect J0 - \(E\[V\] \+ cost\) = " -- fb "${cn[@]}" --fb.steps=400 \
  --time.outputs=4 --fb.particles=4000 --output.file=cn.h5
check_h5 cn.h5 'abs(f["fb/theorem7"][1, 1] - f["fb/theorem7"][1, 0]) < 4 * f["fb/theorem7"][1, 2]' \
  'f["fb/time"].shape == (5,)' '2e-4 < abs(f["fb/theorem7"][0, 0] - f["fb/theorem7"][3, 0]) < 1e-3'
rm -f cn.h5 cn.xmf
expect 3 "^relax: error: fb: a Crank-Nicolson backward step would make phi negative \(dt = 0\.2 " -- \
  fb "${cn[@]}" --fb.steps=5 --time.outputs=1 --fb.particles=0 --output.file=cn.h5
[ ! -e cn.h5 ] || { echo "FAIL: a failed backward sweep wrote cn.h5"; failures=$((failures + 1)); }
expect 3 "density went negative .*take more fb\.steps, or fb\.scheme = beuler" -- fb "${cn[@]}" \
  --fb.steps=20 --time.outputs=4 --fb.particles=0 --output.file=cn.h5
check_h5 cn.h5 'list(f["fb/time"][:]) == [0.0]'
rm -f cn.h5 cn.xmf

# Bad input: exit 2, one line naming the key, and no output file.
expect 2 "time\.end = '0': expected a horizon T > 0" -- fb --time.end=0
expect 2 "time\.end = '-1': expected a horizon T > 0" -- fb --time.end=-1
expect 2 "fb\.c = '0': expected a control weight c > 0" -- fb --fb.c=0
expect 2 "fb\.c = '-2': expected a control weight c > 0" -- fb --fb.c=-2
expect 2 "fb\.terminal = 'log\(x\)': not finite at every cell centre" -- fb --fb.terminal="log(x)"
expect 2 "fb\.terminal = '1/\(x-x\)': not finite at every cell centre" -- fb --fb.terminal="1/(x-x)"
expect 2 "fb\.terminal = 'x\+': " -- fb --fb.terminal="x+"
expect 2 "fb\.steps = '0': expected an integer >= 1" -- fb --fb.steps=0
expect 2 "fb\.substeps = '0': expected an integer >= 1" -- fb --fb.substeps=0
expect 2 "fb\.particles = '-1': expected an integer >= 0" -- fb --fb.particles=-1
expect 2 "temperature\.schedule = logarithmic: relax fb needs a constant temperature" -- \
  fb --temperature.schedule=logarithmic
expect 2 "grid\.bc = absorbing .*reflecting or periodic" -- fb --grid.bc=absorbing
expect 2 "time\.output_times: t = 0\.333 is not on a time level" -- \
  fb --time.output_times=0.333 --time.end=1 --fb.steps=10
expect 2 "landscape\.dim = 3: relax fb runs in 1 or 2 dimensions" -- \
  fb --landscape.type=quadratic --landscape.dim=3
expect_only_files
finish
