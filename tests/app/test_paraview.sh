#!/usr/bin/env bash
# What a ParaView 5.11 user sees: the XDMF sidecar of every command that writes one (fp in 1D and
# 2D, sde, compare, hj, fb), opened by pvpython (headless) with both Xdmf3 readers, from another
# directory, has one time step per output with the exact times (compare: the PDE's 0.35 and the
# particles' 0.35000000000000003 are one step), and every array has the range of its HDF5 level.
source "$(dirname "$0")/cli_lib.sh"
: "${PVPYTHON:=pvpython}"
check="$RELAX_SOURCE_DIR/tests/app/check_paraview.py"
command -v "$PVPYTHON" >/dev/null || { echo "FAIL: no pvpython (scripts/setup.sh installs paraview)"; exit 1; }

# viewed FILE TIMES: checks FILE.xmf from the subdirectory "elsewhere" by a relative path.
viewed() {
  mkdir -p elsewhere
  local report status
  report=$(cd elsewhere && "$PVPYTHON" --force-offscreen-rendering "$check" "../$1.xmf" "$2" 2>&1)
  status=$?
  grep -E "^(Xdmf3|FAIL)" <<<"$report"
  if [ "$status" -eq 0 ]; then
    echo "ok: ParaView reads $1.xmf"
  else
    echo "FAIL: ParaView and $1.xmf (exit $status)"; failures=$((failures + 1))
  fi
}

expect 0 "fp: wrote fp1\.h5" -- fp --grid.n=40 --time.end=0.5 --time.outputs=2 --output.file=fp1.h5
viewed fp1 0,0.25,0.5
expect 0 "fp: wrote fp2\.h5" -- fp --landscape.type=muller_brown --grid.n=20,30 --grid.lo=-1.5,-0.5 \
  --grid.hi=1,2 --time.end=0.1 --time.outputs=2 --output.file=fp2.h5
viewed fp2 0,0.05,0.1
expect 0 "sde: wrote sde\.h5" -- sde --sde.particles=2000 --sde.dt=0.01 --grid.n=40 --time.end=0.5 \
  --time.outputs=2 --output.file=sde.h5
viewed sde 0,0.25,0.5
expect 0 "wrote compare\.h5" -- compare --sde.particles=5000 --time.end=0.7 --time.outputs=2 \
  --output.file=compare.h5
check_h5 compare.h5 'f["sde/time"][1] != 0.35 and f["fp/time"][1] == 0.35'
viewed compare 0,0.35,0.7
expect 0 "hj: wrote hj\.h5" -- hj --grid.lo=-2 --grid.hi=2 --grid.n=80 --hj.gamma=0.1,0.3,1 \
  --hj.dt=0.01 --output.file=hj.h5
viewed hj 0.1,0.3,1
expect 0 "fb: wrote fb\.h5" -- fb --grid.n=50 --time.end=0.5 --time.outputs=2 --fb.steps=50 \
  --fb.particles=2000 --output.file=fb.h5
viewed fb 0,0.25,0.5
finish
