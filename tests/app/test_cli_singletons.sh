#!/usr/bin/env bash
# Many relax processes started without mpiexec (singletons) at once, as ctest -j and sweeps in
# shell loops start them: every one exits 0, and none leaves an Open MPI session directory behind.
# Open MPI names every isolated singleton alike, so with one shared session directory one process's
# MPI_Finalize removed it while another's MPI_Init created it, and that MPI_Init failed (measured:
# 29 of 2000 such runs, five at a time; the chance that 400 runs all pass with that fault is 0.3 %).
source "$(dirname "$0")/cli_lib.sh"

mkdir tmp
export TMPDIR="$workdir/tmp"
stream() {
  local i
  for i in $(seq 1 80); do
    "$RELAX" fp --grid.n=60 --time.end=0.2 --time.outputs=2 --fp.dt=0.01 --check-input \
      --output.file=c.h5 >/dev/null 2>"err_$1_$i" && rm -f "err_$1_$i"
  done
}
for s in 1 2 3 4 5; do stream "$s" & done
wait
failed=$(find . -maxdepth 1 -name 'err_*' | wc -l)
if [ "$failed" -ne 0 ]; then
  echo "FAIL: $failed of 400 concurrent singleton runs failed; the first said:"
  cat "$(find . -maxdepth 1 -name 'err_*' | head -1)"
  failures=$((failures + 1))
else
  echo "ok: 400 concurrent singleton runs exited 0"
fi
if [ -n "$(ls -A tmp)" ]; then
  echo "FAIL: left in TMPDIR: $(ls -A tmp | head -3)"; failures=$((failures + 1))
else
  echo "ok: TMPDIR is empty afterwards"
fi
rm -rf tmp
finish
