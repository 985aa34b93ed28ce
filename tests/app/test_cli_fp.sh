#!/usr/bin/env bash
# relax fp as a user meets it: a run writes /grid and /fp/*, --stationary, the same densities at 2
# ranks, bad input (exit 2, one line, nothing written), and a numerical blow-up (exit 3 with the
# last good output kept under the final name).
source "$(dirname "$0")/cli_lib.sh"

common=(--landscape.type=double_well --grid.n=100 --time.outputs=4)
base=("${common[@]}" --time.end=1 --fp.dt=0.01)

expect 0 "fp: wrote run\.h5" -- fp "${base[@]}" --output.file=run.h5
check_h5 run.h5 'f["fp/density"].shape == (5, 100)' 'f["fp/time"][-1] == 1.0' \
  'np.all(np.abs(f["fp/mass"][:] - 1) < 1e-12)' 'np.all(f["fp/min_density"][:] >= 0)' \
  'np.all(np.diff(f["fp/relative_entropy"][:]) < 0)' 'f["grid/x0"].shape == (100,)' \
  'f.attrs["command"] in ("fp", b"fp")'
expect 0 "fp: wrote stationary\.h5" -- fp "${base[@]}" --stationary --output.file=stationary.h5
check_h5 stationary.h5 'f["fp/density"].shape == (1, 100)' 'f["fp/l1_to_gibbs"][0] < 1e-14'
# diffusion.expr = 1/beta is the default diffusion: the same stationary state to round-off, and
# the attribute says which D ran; a D(x) moves the stationary state away from Gibbs.
expect 0 "fp: wrote stationary_d\.h5" -- fp "${base[@]}" --stationary --diffusion.expr=1/beta \
  --output.file=stationary_d.h5
check_h5 stationary_d.h5 'f["fp/l1_to_gibbs"][0] < 1e-12' 'f["fp"].attrs["diffusion"] in ("1/beta", b"1/beta")'
expect 0 "fp: wrote stationary_x\.h5" -- fp "${base[@]}" --stationary "--diffusion.expr=1 + x^2" \
  --output.file=stationary_x.h5
check_h5 stationary_x.h5 'f["fp/l1_to_gibbs"][0] > 0.1' 'abs(f["fp/mass"][0] - 1) < 1e-12'
rm -f stationary_d.h5 stationary_d.xmf stationary_x.h5 stationary_x.xmf

# The same run at 2 ranks gives the same densities.
"$MPIEXEC" -n 2 "$RELAX" fp "${base[@]}" --output.file=run2.h5 >/dev/null 2>&1 ||
  { echo "FAIL: relax fp at 2 ranks"; failures=$((failures + 1)); }
check_h5 run2.h5 'np.max(np.abs(f["fp/density"][:] - h5py.File("run.h5", "r")["fp/density"][:])) < 1e-12'
# PETSc's profiling from the command line: the log is written and the job ends cleanly under
# mpiexec (PetscFinalize used to fail on a log that was never started, skipping MPI_Finalize).
"$MPIEXEC" -n 2 "$RELAX" fp "${base[@]}" --output.file=run3.h5 -- -log_view :log.txt >/dev/null 2>&1 ||
  { echo "FAIL: relax fp -- -log_view at 2 ranks"; failures=$((failures + 1)); }
grep -q "^TSStep " log.txt || { echo "FAIL: -log_view wrote no TSStep event"; failures=$((failures + 1)); }
rm -f run.h5 run.xmf run2.h5 run2.xmf run3.h5 run3.xmf log.txt stationary.h5 stationary.xmf

# Bad input: exit 2, one line naming the key, and no output file.
# A grid PETSc cannot split over the ranks names grid.n and the rank count.
"$MPIEXEC" -n 3 "$RELAX" fp --grid.n=2 --time.end=1 --output.file=split.h5 >/dev/null 2>split.err
status=$?
if [ "$status" -ne 2 ] || ! grep -q "^relax: error: grid\.n = '2' on 3 MPI ranks: expected a grid PETSc can distribute" split.err; then
  echo "FAIL: grid.n = 2 on 3 ranks: exit $status"; cat split.err; failures=$((failures + 1))
fi
rm -f split.err
expect 2 "temperature\.beta = '0'" -- fp "${base[@]}" --temperature.beta=0
expect 2 "temperature\.beta = '-1'" -- fp "${base[@]}" --temperature.beta=-1
expect 2 "temperature\.schedule: .* gives T\([^)]*\) = 0 \(beta = inf\)" -- fp "${common[@]}" --fp.dt=0.01 \
  --temperature.schedule=polynomial --temperature.p=400 --time.end=100
expect 2 "time\.end = '-1': expected a final time >= 0" -- fp "${common[@]}" --time.end=-1
expect 2 "fp\.dt = '0': expected a time step > 0" -- fp "${common[@]}" --fp.dt=0
expect 2 "PETSc error: .*nosuch" -- fp "${base[@]}" -- -fp_ts_type nosuch
"$PYTHON" -c '
import h5py, numpy as np
rho = np.ones(100); rho[17] = -1e-3
h5py.File("negative.h5", "w")["rho"] = rho
rho[17] = np.nan
h5py.File("nan.h5", "w")["rho"] = rho'
expect 2 "initial\.file 'negative\.h5', dataset 'rho': negative or non-finite" -- fp "${base[@]}" \
  --initial.kind=file --initial.file=negative.h5 --initial.dataset=rho
expect 2 "initial\.file 'nan\.h5', dataset 'rho': negative or non-finite" -- fp "${base[@]}" \
  --initial.kind=file --initial.file=nan.h5 --initial.dataset=rho
expect 2 "initial\.mean = '7': the point mass lies outside" -- fp "${base[@]}" \
  --initial.kind=point --initial.mean=7
rm -f negative.h5 nan.h5
expect 2 "diffusion\.expr = 'x - 1': D_0 = -[0-9.e]+ at x = -[0-9.e]+, t = 0 \(expected finite and > 0\)" -- \
  fp "${base[@]}" "--diffusion.expr=x - 1"
expect 2 "diffusion\.expr = '1 - 2\*t': D_0 = -1 at x = .*, t = 1 " -- fp "${base[@]}" "--diffusion.expr=1 - 2*t"
expect 2 "diffusion\.expr = '1; 2': expected 1 expression \(every axis\) or 1" -- \
  fp "${base[@]}" "--diffusion.expr=1; 2"
expect 2 "diffusion\.expr = '1 \+ \)': muParser: " -- fp "${base[@]}" "--diffusion.expr=1 + )"
expect_only_files

# A numerical failure: the theta method with theta = 0.1 is unstable for this step, so the density
# overflows. Exit 3; the file keeps every output that passed the checks (finite, mass conserved to
# 1e-8, no negative values beyond 1e-8 of the maximum).
"$RELAX" fp --landscape.type=double_well --grid.n=100 --time.end=100 --time.outputs=10 \
  --fp.dt=0.1 --output.file=blowup.h5 \
  -- -fp_ts_type theta -fp_ts_theta_theta 0.1 >/dev/null 2>err.txt
status=$?
if [ "$status" -ne 3 ] || ! tail -1 err.txt | grep -Eq "^relax: error: fp: "; then
  echo "FAIL: blow-up exited $status, expected 3 with an fp error:"; cat err.txt
  failures=$((failures + 1))
else
  echo "ok: blow-up -> 3: $(tail -1 err.txt)"
fi
# The level at t = 10 already has mass 1.5e66: it must not be kept (it was, up to this issue).
check_h5 blowup.h5 '1 <= f["fp/time"].shape[0] < 11' 'np.all(np.isfinite(f["fp/density"][:]))' \
  'np.all(np.abs(f["fp/mass"][:] - 1) < 1e-8)' 'np.all(f["fp/min_density"][:] >= -1e-8)'
rm -f blowup.h5 blowup.xmf err.txt

# A TS that stops before an output time (its step limit) is a numerical failure naming where it
# stopped; no level is labelled with a time it did not reach (it was: exit 0, t = 0.2 holding the
# state at t = 0.01).
expect 3 "fp: the time integration stopped at t = 0\.01, step 1 .*before the output time t = 0\.1$" -- \
  fp --grid.n=50 --time.end=0.2 --time.outputs=2 --output.file=early.h5 -- -fp_ts_max_steps 1
check_h5 early.h5 'list(f["fp/time"][:]) == [0.0]' 'f["fp/steps"][-1] == 0'
rm -f early.h5 early.xmf

# A sweep in one process: one file per value (<stem>-<case>.h5), each the same run as alone; a
# bad value in any case exits 2 before the first case writes anything; --check-input writes nothing.
short=(--grid.n=60 --time.end=0.2 --time.outputs=2 --fp.dt=0.01)
expect 0 "sweep case 2 of 2: landscape\.tilt = 0\.5 -> sweep-1\.h5" -- fp "${short[@]}" \
  --sweep.key=landscape.tilt --sweep.values=0,0.5 --output.file=sweep.h5 -- -fp_ts_type bdf
"$RELAX" fp "${short[@]}" --landscape.tilt=0.5 --output.file=alone.h5 -- -fp_ts_type bdf >/dev/null 2>&1
check_h5 sweep-1.h5 'np.array_equal(f["fp/density"][:], h5py.File("alone.h5", "r")["fp/density"][:])' \
  'np.max(np.abs(f["fp/density"][-1] - h5py.File("sweep-0.h5", "r")["fp/density"][-1])) > 1e-3'
rm -f sweep-0.h5 sweep-0.xmf sweep-1.h5 sweep-1.xmf alone.h5 alone.xmf
expect 2 "^relax: error: temperature\.beta = '-1'" -- fp "${short[@]}" --sweep.key=temperature.beta \
  --sweep.values=1,-1 --output.file=bad.h5
expect 2 "^relax: error: grid\.n = 'x' \(sweep\.values, case 1\)" -- fp "${short[@]}" \
  --sweep.key=grid.n --sweep.values=40,x --output.file=bad.h5
expect 2 "^relax: error: sweep\.key = 'grid\.nn': expected a key of 'relax fp'" -- fp \
  --sweep.key=grid.nn --sweep.values=1
expect 0 "" -- fp "${short[@]}" --check-input --output.file=checked.h5
expect 0 "" -- fp "${short[@]}" --check-input --sweep.key=landscape.tilt --sweep.values=0,1 \
  --output.file=checked.h5
expect 2 "^relax: error: temperature\.beta = '0'" -- fp "${short[@]}" --check-input \
  --temperature.beta=0 --output.file=checked.h5
expect_only_files
finish
