#!/usr/bin/env bash
# A writer killed after its third flushed output leaves "<path>.part" with exactly three complete
# time levels, readable without repair, and nothing under the final name (docs/output.md).
# Run by ctest with MPIEXEC and WRITER (the io_killed_writer program) set.
set -u
: "${MPIEXEC:?}" "${WRITER:?}"
dir=$(mktemp -d /tmp/relax-killed-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

path="$dir/run.h5"
"$MPIEXEC" -n 2 "$WRITER" write "$path" >"$dir/writer.log" 2>&1
status=$?
if ! grep -q "^3 outputs flushed$" "$path.flushed" 2>/dev/null; then
  cat "$dir/writer.log" >&2
  fail "the writer did not reach its third flush (exit status $status)"
fi
[ "$status" -ne 0 ] || fail "the writer exited normally; it should have been killed"
[ -f "$path.part" ] || fail "no partial file $path.part"
[ ! -e "$path" ] || fail "the killed writer's file was renamed to $path"
[ ! -e "$dir/run.xmf" ] || fail "the killed writer wrote an XDMF sidecar"
"$MPIEXEC" -n 1 "$WRITER" check "$path.part" || fail "$path.part does not hold the three outputs"
echo "ok: a killed writer left three complete outputs in $path.part"
