#!/usr/bin/env bash
# PETSc's habits hold for relax's runs, which are one TSSolve per output interval: a TS monitor
# reports every step exactly once (steps 0..N in order, N the steps /fp/steps stores), -ts_view
# prints one view, and -log_view has relax's phases as stages, each with its event run.
source "$(dirname "$0")/cli_lib.sh"

"$RELAX" fp --grid.n=50 --fp.dt=0.01 --time.end=0.4 --time.outputs=4 --output.file=m.h5 \
  -- -fp_ts_monitor -fp_ts_view >out.txt 2>&1 || { echo "FAIL: fp with monitors"; failures=$((failures + 1)); }
steps=$("$PYTHON" -c "import h5py; print(int(h5py.File('m.h5')['fp/steps'][-1]))")
monitored=$(grep -E "^ *[0-9]+ TS dt" out.txt | awk '{print $1}' | tr '\n' ' ')
wanted=$(seq 0 "$steps" | tr '\n' ' ')
if [ "$monitored" = "$wanted" ]; then
  echo "ok: -fp_ts_monitor reports steps 0..$steps once each over 4 output intervals"
else
  echo "FAIL: -fp_ts_monitor reported '$monitored', expected '$wanted'"; failures=$((failures + 1))
fi
views=$(grep -c "^TS Object: (fp_)" out.txt)
[ "$views" -eq 1 ] && echo "ok: -fp_ts_view prints one view" ||
  { echo "FAIL: -fp_ts_view printed $views views"; failures=$((failures + 1)); }

"$MPIEXEC" -n 2 "$RELAX" compare --sde.particles=20000 --time.end=0.5 --time.outputs=2 \
  --output.file=c.h5 -- -log_view >log.txt 2>&1 || { echo "FAIL: compare -log_view"; failures=$((failures + 1)); }
for phase in "FP stepping" "Particle stepping" "Histograms" "Comparison" "HDF5 output"; do
  # a stage line " k: <phase>: <time> ..." and, in that stage's table, the event "<phase> <count>"
  if grep -Eq "^ *[0-9]+: +$phase: [0-9.e+-]+ " log.txt &&
    grep -Eq "^$phase +[1-9][0-9]* " log.txt; then
    echo "ok: -log_view shows the stage and event '$phase'"
  else
    echo "FAIL: -log_view lacks the stage or event '$phase'"; failures=$((failures + 1))
  fi
done
finish
