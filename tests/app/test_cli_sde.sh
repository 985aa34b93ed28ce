#!/usr/bin/env bash
# `relax sde` as a user meets it: a run writes /sde and /checkpoint with the same bits at 1 and 2
# ranks, a restart continues bit for bit, bad input exits 2 with one line naming the key and writes
# nothing, and a particle that becomes non-finite exits 3 after the last good output.
source "$(dirname "$0")/cli_lib.sh"

small=(--sde.dt=0.01 --grid.n=50)

# Bad input: exit 2, one line naming the key, no file left behind.
expect 2 "sde.particles = '0': expected an integer >= 1" -- sde --sde.particles=0
expect 2 "sde.dt = '0': expected a finite number > 0" -- sde --sde.dt=0
expect 2 "sde.integrator = 'leapfrog'.*expected one of euler_maruyama\|mala\|baoab" -- \
  sde --sde.integrator=leapfrog
expect 2 "initial.mean = 'nan'.*expected" -- sde --initial.mean=nan
expect 2 "sde.friction = '0': expected a finite number > 0" -- sde --sde.integrator=baoab --sde.friction=0
expect 2 "output time [0-9.]+ .*not a whole number of steps of sde.dt = 0.003" -- sde --sde.dt=0.003
expect 2 "sde.passage_axis = '1': expected an axis in \[0, 1\)" -- sde --sde.passage=up --sde.passage_axis=1
expect 2 "sde.integrator = mala needs a gradient drift" -- \
  sde --landscape.type=quadratic --landscape.dim=2 --drift.rotation=0.5 --sde.integrator=mala
expect 2 "sde.restart: input file 'missing.h5'" -- sde --sde.restart=missing.h5
expect 2 "sde.integrator = mala with diffusion.expr = 'x\^2': a position-dependent diffusion runs with euler_maruyama only" -- \
  sde --sde.integrator=mala "--diffusion.expr=x^2"
expect 2 "diffusion.expr = 'x': D_0 = -[0-9.e]+ at x = " -- sde --diffusion.expr=x
# A non-finite initial state read from a file names the first bad particle.
"$PYTHON" -c "
import h5py, numpy as np
x = np.linspace(-1, 1, 2000).reshape(2000, 1); x[1234, 0] = np.nan
h5py.File('start.h5', 'w')['x'] = x"
from_file=(--initial.kind=file --initial.file=start.h5 --initial.dataset=x)
expect 2 "initial.file 'start.h5', dataset 'x': particle 1234 has a non-finite coordinate" -- \
  sde "${small[@]}" --sde.particles=2000 "${from_file[@]}"
expect 2 "initial.file 'start.h5', dataset 'x': shape \(2000, 1\); expected \(3000, 1\)" -- \
  sde "${small[@]}" --sde.particles=3000 "${from_file[@]}"
rm -f start.h5
expect_only_files

# A particle that becomes non-finite: exit 3 with one error line naming it (or the moments that
# overflowed first, at one step per output) and its step (after the progress line of the last good
# output); the outputs before it remain in the file, every one with finite moments.
# Euler–Maruyama on the double well is unstable for dt * f''(1) = 8 dt > 2.
"$RELAX" sde --sde.particles=1000 --sde.dt=0.3 --time.end=3 --time.outputs=10 --output.file=bad.h5 \
  >/dev/null 2>err.txt
status=$?
if [ "$status" -ne 3 ] || [ "$(grep -c "^relax: error:" err.txt)" -ne 1 ] ||
  ! grep -Eq "^relax: error: (particle [0-9]+ became non-finite|sde: the particle moments are not finite) at step [0-9]+ \(t = " err.txt; then
  echo "FAIL: non-finite particle: exit $status, stderr:"; cat err.txt; failures=$((failures + 1))
else
  echo "ok: non-finite particle -> 3: $(grep '^relax: error:' err.txt)"
fi
rm -f err.txt
levels=$("$PYTHON" -c "import h5py; print(len(h5py.File('bad.h5')['sde/time']))")
[ "$levels" -ge 2 ] || { echo "FAIL: bad.h5 keeps $levels output levels, expected >= 2"; failures=$((failures + 1)); }
check_h5 bad.h5 'np.all(np.isfinite(f["sde/moments"][:]))'
rm -f bad.h5 bad.xmf

# The same run at 1 and 2 ranks: identical datasets, bit for bit (h5diff without tolerance).
run=(sde "${small[@]}" --sde.particles=2000 --time.end=0.5 --time.outputs=5 --sde.integrator=mala --sde.passage=up --sde.passage_level=0 --sde.passage_times=true
  --sde.snapshot_every=2 --initial.mean=-1 --initial.std=0.3)
expect 0 "sde: wrote one.h5" -- "${run[@]}" --output.file=one.h5
"$MPIEXEC" -n 2 "$RELAX" "${run[@]}" --output.file=two.h5 >/dev/null 2>&1 ||
  { echo "FAIL: 2-rank run"; failures=$((failures + 1)); }
for dataset in /sde/time /sde/histogram /sde/moments /sde/acceptance /sde/passage \
  /sde/passage_time /sde/particles /checkpoint/positions; do
  if h5diff one.h5 two.h5 "$dataset" "$dataset" >/dev/null; then
    echo "ok: $dataset identical at 1 and 2 ranks"
  else
    echo "FAIL: $dataset differs between 1 and 2 ranks"; failures=$((failures + 1))
  fi
done

# Restart: 50 steps, then a restart from its checkpoint to t = 1, equals 100 steps at once.
long=(sde "${small[@]}" --sde.particles=2000 --sde.integrator=baoab --time.outputs=2)
expect 0 "" -- "${long[@]}" --time.end=1 --output.file=straight.h5
expect 0 "" -- "${long[@]}" --time.end=0.5 --output.file=half.h5
expect 0 "" -- "${long[@]}" --time.end=1 --sde.restart=half.h5 --output.file=resumed.h5
for dataset in /checkpoint/positions /checkpoint/velocities; do
  if h5diff straight.h5 resumed.h5 "$dataset" "$dataset" >/dev/null; then
    echo "ok: restarted $dataset identical"
  else
    echo "FAIL: restarted $dataset differs"; failures=$((failures + 1))
  fi
done
expect 2 "sde.restart = 'half.h5': checkpoint written with sde.seed = 1, but sde.seed = 2" -- \
  "${long[@]}" --sde.seed=2 --sde.restart=half.h5 --output.file=other.h5
# A changed dynamics key is refused by name; the new file says where the history is; a restart into
# the file it came from keeps its history: every series equals the straight run's, level for level.
expect 2 "sde\.restart = 'half\.h5': its run had temperature\.beta = '1', this run has '0\.5'; expected the same problem" -- \
  "${long[@]}" --temperature.beta=0.5 --time.end=1 --sde.restart=half.h5 --output.file=other.h5
check_h5 resumed.h5 'f.attrs["restart_of"] in ("half.h5", b"half.h5")' 'f["sde/time"].shape == (2,)'
cp half.h5 inplace.h5
expect 0 "" -- "${long[@]}" --time.end=1 --sde.restart=inplace.h5 --output.file=inplace.h5
check_h5 inplace.h5 'list(f["sde/time"][:]) == [0, 0.25, 0.5, 1]' '"restart_of" not in f.attrs' \
  'all(np.array_equal(f[k][:3], h5py.File("half.h5", "r")[k][:]) for k in ("sde/moments", "sde/histogram"))' \
  'all(np.array_equal(f[k][-1], h5py.File("straight.h5", "r")[k][-1]) for k in ("sde/moments", "sde/histogram"))' \
  'np.array_equal(f["checkpoint/positions"][:], h5py.File("straight.h5", "r")["checkpoint/positions"][:])'
rm -f inplace.h5 inplace.xmf
rm -f one.h5 one.xmf two.h5 two.xmf straight.h5 straight.xmf half.h5 half.xmf resumed.h5 resumed.xmf
expect_only_files
finish
