#!/usr/bin/env bash
# The direction of dependencies between the source folders (docs/architecture.md), checked on every
# #include "folder/..." of the tree: a folder may include only itself and the folders listed for it.
# solvers/ (the PDEs) and sde/ (the particle engine) never see each other; studies/ uses both.
# Tests follow the folder they test (tests/<folder>/ may also include tests/); bench/ is free.
set -euo pipefail
root="${RELAX_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
declare -A allowed=(
  [core]="core"
  [grids]="core grids"
  [models]="core grids models"
  [io]="core grids io"
  [solvers]="core grids models io solvers"
  [sde]="core grids models io sde"
  [learning]="core grids models io sde learning"
  [studies]="core grids models io solvers sde studies"
  [app]="core grids models io solvers sde learning studies app"
)
violations=0
for folder in "${!allowed[@]}"; do
  for dir in "$root/$folder" "$root/tests/$folder"; do
    [ -d "$dir" ] || continue
    while IFS= read -r hit; do
      file="${hit%%:*}"
      target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$hit")
      ok=0
      for a in ${allowed[$folder]} $([ "$dir" = "$root/tests/$folder" ] && echo tests); do
        [ "$target" = "$a" ] && ok=1
      done
      if [ $ok -eq 0 ]; then
        echo "layering: ${file#$root/} includes $target/, which $folder/ may not (allowed: ${allowed[$folder]})"
        violations=$((violations + 1))
      fi
    done < <(grep -rnE '^#include "[a-z_]+/' --include='*.hpp' --include='*.cpp' "$dir" || true)
  done
done
# A folder that is not in the table is a folder nobody placed: say where it belongs.
for dir in "$root"/*/; do
  name=$(basename "$dir")
  case "$name" in build|tests|bench|examples|scripts|docs|cmake) continue ;; esac
  if ls "$dir"*.cpp "$dir"*.hpp >/dev/null 2>&1 && [ -z "${allowed[$name]+set}" ]; then
    echo "layering: folder $name/ has sources but no place in tests/test_layering.sh"
    violations=$((violations + 1))
  fi
done
if [ $violations -gt 0 ]; then
  echo "layering: $violations violation(s)"
  exit 1
fi
echo "layering: every include follows the direction of dependencies"
