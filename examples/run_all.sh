#!/usr/bin/env bash
# Runs every example as written: the command on the first line of each examples/*.ini (with its
# plot, where the line has one), from a scratch directory that sees the repository's examples/ and
# a relax on PATH, and reports the exit status and wall time of each. Too long for the test suite
# (the compare and train examples take minutes each); the suite's cli_examples checks that every
# example's keys resolve.
#   examples/run_all.sh [RELAX_BINARY_DIR] [REGEX]   (default: build/release/app; all examples)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bindir=$(cd "${1:-$root/build/release/app}" && pwd)
filter=${2:-}
export PATH="$bindir:$PATH"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
ln -s "$root/examples" "$scratch/examples"
cd "$scratch" || exit 1
echo "relax: $(command -v relax); load: $(cut -d' ' -f1-3 /proc/loadavg)"
failed=0
for example in "$root"/examples/*.ini; do
  [[ -z $filter || $example =~ $filter ]] || continue
  command=$(head -n 1 "$example" | sed -E 's/^# //')
  log="$(basename "$example" .ini).log"
  start=$(date +%s%N)
  if bash -c "$command" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed=$((failed + 1))
  fi
  elapsed_ms=$((($(date +%s%N) - start) / 1000000))
  printf '%-32s %6d.%01d s  %s\n' "$(basename "$example")" $((elapsed_ms / 1000)) \
    $((elapsed_ms % 1000 / 100)) "$status"
  [ "$status" = ok ] || tail -n 3 "$log" | sed 's/^/    /'
done
echo "$failed example(s) failed"
[ "$failed" -eq 0 ]
