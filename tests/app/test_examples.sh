#!/usr/bin/env bash
# Every examples/*.ini is accepted by the command its first line names ("# relax CMD --config ..."
# or "# mpiexec -n N relax CMD ..."): keys, values and sections resolve (--print-config), so an
# example cannot drift from the options it configures. Running them is the business of the other
# CLI tests and of the user (some take minutes).
source "$(dirname "$0")/cli_lib.sh"
: "${RELAX_SOURCE_DIR:?RELAX_SOURCE_DIR must point to the source tree}"

count=0
for example in "$RELAX_SOURCE_DIR"/examples/*.ini; do
  command=$(head -n 1 "$example" | sed -nE 's/^#.*relax ([a-z]+) --config.*/\1/p')
  if [ -z "$command" ]; then
    echo "FAIL: $example: first line does not name 'relax CMD --config'"
    failures=$((failures + 1))
    continue
  fi
  expect 0 "" -- "$command" --config "$example" --print-config
  count=$((count + 1))
done
[ "$count" -ge 20 ] || { echo "FAIL: only $count examples found"; failures=$((failures + 1)); }
expect_only_files # --print-config writes nothing
finish
