# Shared by the CLI tests (sourced). RELAX is the relax binary, MPIEXEC the MPI launcher, PYTHON the
# Python with h5py and numpy; each test works in a fresh temporary directory that is removed on exit.
set -u
: "${RELAX:?RELAX must point to the relax binary}"
: "${MPIEXEC:=mpiexec}"
: "${PYTHON:=/usr/bin/python3}"
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
cd "$workdir"
failures=0

# expect CODE PATTERN -- ARGS...: runs `relax ARGS`, requires exit code CODE and, for CODE != 0, a
# stderr of exactly one line that matches the extended regex PATTERN.
expect() {
  local code=$1 pattern=$2
  shift 3
  local out err status
  out=$(mktemp) err=$(mktemp)
  "$RELAX" "$@" >"$out" 2>"$err"
  status=$?
  local ok=1
  if [ "$status" -ne "$code" ]; then
    echo "FAIL: relax $* exited $status, expected $code; stderr:"; head -20 "$err"; ok=0
  elif [ "$code" -ne 0 ]; then
    if [ "$(wc -l <"$err")" -ne 1 ]; then
      echo "FAIL: relax $*: expected a one-line error, got:"; cat "$err"; ok=0
    elif ! grep -Eq -- "$pattern" "$err"; then
      echo "FAIL: relax $*: error does not match '$pattern':"; cat "$err"; ok=0
    fi
  elif [ -n "$pattern" ] && ! grep -Eq -- "$pattern" "$out"; then
    echo "FAIL: relax $*: output does not match '$pattern':"; head -20 "$out"; ok=0
  fi
  [ $ok -eq 1 ] && echo "ok: relax $* -> $status"
  [ $ok -eq 1 ] || failures=$((failures + 1))
  rm -f "$out" "$err"
}

# expect_only_files FILE...: the working directory holds exactly the given files.
expect_only_files() {
  local present
  present=$(ls -A | sort | tr '\n' ' ')
  local wanted=""
  [ $# -eq 0 ] || wanted=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
  if [ "$present" != "$wanted" ]; then
    echo "FAIL: files present: '$present', expected: '$wanted'"
    failures=$((failures + 1))
  fi
}

# check_h5 FILE PYTHON-EXPRESSIONS...: evaluates each expression with `f` the open HDF5 file (h5py)
# and numpy as np; a false one fails the check, naming the file and the expression.
check_h5() {
  local file=$1
  shift
  if ! "$PYTHON" - "$file" "$@" <<'EOF'; then
import sys
import h5py
import numpy as np
f = h5py.File(sys.argv[1], "r")
for check in sys.argv[2:]:
    if not eval(check):
        sys.exit("FAIL: %s: %s" % (sys.argv[1], check))
print("ok: %s: %d checks" % (sys.argv[1], len(sys.argv) - 2))
EOF
    failures=$((failures + 1))
  fi
}

# expect_particles_identical NAME SDE_ARGS...: `relax sde SDE_ARGS` to t = 1 (2 outputs) at 1, 2
# and 3 ranks, and restarted at 2 ranks from a 1-rank run to t = 0.5, write bit-identical
# checkpoints (positions, and velocities and auxiliary state where the integrator has them), which
# moved from the half-way state.
expect_particles_identical() {
  local name=$1
  shift
  local full=(--time.end=1 --time.outputs=2) np
  "$RELAX" sde "$@" "${full[@]}" --output.file="${name}_1.h5" >/dev/null 2>&1 ||
    failures=$((failures + 1))
  for np in 2 3; do
    "$MPIEXEC" -n $np "$RELAX" sde "$@" "${full[@]}" --output.file="${name}_$np.h5" \
      >/dev/null 2>&1 || failures=$((failures + 1))
  done
  "$RELAX" sde "$@" --time.end=0.5 --time.outputs=1 --output.file="${name}_half.h5" \
    >/dev/null 2>&1 || failures=$((failures + 1))
  "$MPIEXEC" -n 2 "$RELAX" sde "$@" "${full[@]}" --sde.restart="${name}_half.h5" \
    --output.file="${name}_restart.h5" >/dev/null 2>&1 || failures=$((failures + 1))
  "$PYTHON" - "$name" <<'PYEOF' || failures=$((failures + 1))
import sys, h5py, numpy as np
name = sys.argv[1]
files = [h5py.File("%s_%s.h5" % (name, s), "r") for s in ("1", "2", "3", "restart")]
for key in ["checkpoint/positions", "checkpoint/velocities", "checkpoint/auxiliary"]:
    if key in files[0]:
        a = files[0][key][:]
        for other in files[1:]:
            assert np.array_equal(a, other[key][:]), (name, key)
assert not np.array_equal(files[0]["checkpoint/positions"][:],
                          h5py.File("%s_half.h5" % name, "r")["checkpoint/positions"][:])
print("ok: %s bit-identical at 1, 2 and 3 ranks and across a restart at 2 ranks" % name)
PYEOF
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
  fi
  echo "all checks passed"
}
