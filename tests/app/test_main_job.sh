#!/usr/bin/env bash
# The README's first command produces the main job's files: scripts/run-main-job.sh (the part of
# scripts/main-job.sh after setup and build) run from a clean directory writes results/compare.h5
# with /grid, /fp, /sde and /compare, its XDMF sidecar, the printed table and the PNG plot. With
# 25 000 instead of 250 000 particles, to keep the suite fast; everything else is the default problem.
source "$(dirname "$0")/cli_lib.sh"
: "${PYTHON:=/usr/bin/python3}"
: "${RELAX_SOURCE_DIR:?RELAX_SOURCE_DIR must point to the source tree}"

if "$RELAX_SOURCE_DIR/scripts/run-main-job.sh" "$RELAX" results --sde.particles=25000 \
  >run.log 2>&1; then
  echo "ok: scripts/run-main-job.sh exited 0"
else
  echo "FAIL: scripts/run-main-job.sh exited $?:"; cat run.log; failures=$((failures + 1))
fi
for file in compare.h5 compare.xmf compare.txt compare.png; do
  if [ -s "results/$file" ]; then
    echo "ok: results/$file written"
  else
    echo "FAIL: results/$file missing or empty"; failures=$((failures + 1))
  fi
done
# A real PNG (its 8-byte signature), a table with the verdict, and every group in the file.
if [ "$(head -c 8 results/compare.png | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; then
  echo "ok: results/compare.png is a PNG"
else
  echo "FAIL: results/compare.png is not a PNG"; failures=$((failures + 1))
fi
if grep -q "agree within noise at all 11 outputs" results/compare.txt &&
  grep -q "PDE slow mode" results/compare.txt; then
  echo "ok: the table reports agreement at every output and the escape rates"
else
  echo "FAIL: results/compare.txt:"; cat results/compare.txt; failures=$((failures + 1))
fi
"$PYTHON" - results/compare.h5 <<'PY' || failures=$((failures + 1))
import sys
import h5py
f = h5py.File(sys.argv[1], "r")
missing = [n for n in ["grid/x0", "fp/density", "fp/time", "sde/histogram", "sde/moments",
                       "compare/time", "compare/l1", "compare/pvalue", "compare/noise",
                       "compare/rates", "compare/stationary"] if n not in f]
if missing or f.attrs["nranks"] != 2 or f["compare/time"][-1] != 8:
    sys.exit("FAIL: results/compare.h5: missing %s, nranks %s" % (missing, f.attrs["nranks"]))
print("ok: results/compare.h5 holds /grid, /fp, /sde, /compare from 2 ranks to t = 8")
PY
rm -rf results run.log
expect_only_files
finish
