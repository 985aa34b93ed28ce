#!/usr/bin/env bash
# Mutation check (issue 21): applies each mutation of tests/mutations/mutations.txt, one at a time,
# to a scratch copy of the working tree (never to the tree itself), rebuilds only the test targets
# that must kill it, runs those tests, and reports KILLED (some test failed) or SURVIVED.
# Exits non-zero if any mutation survived, did not apply exactly once, or broke the build, or if the
# unmutated baseline fails.
#
# Usage: tests/mutations/run.sh [-k] [-j JOBS] [-l LIST] [ID_REGEX]
#   -k       keep the scratch directory (printed at the end)
#   -j JOBS  parallel build jobs (default 2)
#   -l LIST  the mutation list (default tests/mutations/mutations.txt)
#   ID_REGEX run only the mutations whose id matches (grep -E)
# Environment: RELAX_MUTATION_SCRATCH=dir reuses (or creates) that scratch directory, so a second
#   run skips the configure and most of the build.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
list="$here/mutations.txt"
jobs=2
keep=0
filter=""
while [[ $# -gt 0 ]]; do
  case "$1" in
  -k) keep=1; shift ;;
  -j) jobs="$2"; shift 2 ;;
  -l) list="$2"; shift 2 ;;
  -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
  *) filter="$1"; shift ;;
  esac
done

scratch="${RELAX_MUTATION_SCRATCH:-}"
if [[ -z "$scratch" ]]; then
  scratch=$(mktemp -d /tmp/relax-mutations.XXXXXX)
else
  keep=1
  mkdir -p "$scratch"
fi
tree="$scratch/src"
build="$scratch/build"
log="$scratch/log"
mkdir -p "$tree" "$log"
cleanup() { if [[ $keep -eq 0 ]]; then rm -rf "$scratch"; else echo "scratch kept: $scratch"; fi; }
trap cleanup EXIT

# The working tree as it is (tracked and untracked-but-not-ignored files, uncommitted edits
# included, deleted files left out); files whose bytes did not change keep their mtime, so a reused
# scratch build does not rebuild them.
(cd "$source_dir" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [[ -f "$f" ]] && printf '%s\0' "$f"; done) >"$scratch/files"
/usr/bin/python3 - "$source_dir" "$tree" "$scratch/files" <<'PY'
import os, shutil, stat, sys
source, tree, listing = sys.argv[1:4]
for name in open(listing, "rb").read().decode().split("\0"):
    if not name:
        continue
    src, dst = os.path.join(source, name), os.path.join(tree, name)
    data = open(src, "rb").read()
    if os.path.exists(dst) and open(dst, "rb").read() == data:
        continue  # unchanged: keep its mtime, so a reused build does not redo it
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    open(dst, "wb").write(data)
    shutil.copymode(src, dst)
PY

# Parse the list: id | kernel | file | search | replacement | ctest names | why.
mapfile -t lines < <(grep -v '^[[:space:]]*#' "$list" | grep -v '^[[:space:]]*$')
ids=() kernels=() files=() tests=() whys=() mlines=()
all_tests=""
for line in "${lines[@]}"; do
  id=$(/usr/bin/python3 -c 'import sys; f=sys.argv[1].split(" | "); assert len(f)==7, "expected 7 fields: "+sys.argv[1]; print(f[0].strip())' "$line")
  if [[ -n "$filter" ]] && ! grep -Eq -- "$filter" <<<"$id"; then continue; fi
  ids+=("$id")
  mlines+=("$line")
  kernels+=("$(/usr/bin/python3 -c 'import sys; print(sys.argv[1].split(" | ")[1].strip())' "$line")")
  files+=("$(/usr/bin/python3 -c 'import sys; print(sys.argv[1].split(" | ")[2].strip())' "$line")")
  tests+=("$(/usr/bin/python3 -c 'import sys; print(sys.argv[1].split(" | ")[5].strip())' "$line")")
  whys+=("$(/usr/bin/python3 -c 'import sys; print(sys.argv[1].split(" | ")[6].strip())' "$line")")
  all_tests="$all_tests ${tests[-1]}"
done
[[ ${#ids[@]} -gt 0 ]] || { echo "no mutation matches '$filter'" >&2; exit 2; }

targets_of() { # ctest names -> build targets
  local t out=""
  for t in $1; do
    case "$t" in
    cli_*|main_job) out="$out relax" ;;
    *) out="$out ${t%_np[0-9]}" ;;
    esac
  done
  tr ' ' '\n' <<<"$out" | sed '/^$/d' | sort -u | tr '\n' ' '
}
regex_of() { echo "^($(tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -u | paste -sd'|'))\$"; }

# apply FILE LINE: replace the search string (exactly one occurrence) by the replacement.
apply() {
  /usr/bin/python3 - "$tree/$1" "$2" <<'PY'
import sys
path, line = sys.argv[1], sys.argv[2]
fields = line.split(" | ")
search, replacement = fields[3].strip(), fields[4].strip()
text = open(path).read()
count = text.count(search)
if count != 1:
    sys.exit(f"{fields[0].strip()}: search string found {count} times in {fields[2].strip()}: {search!r}")
open(path, "w").write(text.replace(search, replacement))
PY
}

echo "source: $source_dir"
echo "scratch: $scratch"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$tree" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$log/configure.txt" 2>&1 ||
    { cat "$log/configure.txt"; exit 1; }
fi
echo "baseline: building $(targets_of "$all_tests")"
cmake --build "$build" -j "$jobs" --target $(targets_of "$all_tests") >"$log/baseline_build.txt" 2>&1 ||
  { tail -40 "$log/baseline_build.txt"; exit 1; }
echo "baseline: running $(regex_of "$all_tests")"
if ! ctest --test-dir "$build" -R "$(regex_of "$all_tests")" >"$log/baseline_ctest.txt" 2>&1; then
  cat "$log/baseline_ctest.txt"
  echo "the unmutated baseline fails: fix that first" >&2
  exit 1
fi

status=()
seconds=()
for i in "${!ids[@]}"; do
  id=${ids[$i]}
  file=${files[$i]}
  line=${mlines[$i]}
  cp -p "$tree/$file" "$scratch/original"
  start=$SECONDS
  if ! apply "$file" "$line" 2>"$log/$id.apply.txt"; then
    status+=("NOT-APPLIED")
    cat "$log/$id.apply.txt" >&2
  elif ! cmake --build "$build" -j "$jobs" --target $(targets_of "${tests[$i]}") >"$log/$id.build.txt" 2>&1; then
    status+=("BUILD-FAILED")
  elif ctest --test-dir "$build" -R "$(regex_of "${tests[$i]}")" >"$log/$id.ctest.txt" 2>&1; then
    status+=("SURVIVED")
  else
    status+=("KILLED")
  fi
  seconds+=($((SECONDS - start)))
  # Revert: the original bytes, with a fresh mtime so that the next build sees the change back.
  cat "$scratch/original" >"$tree/$file"
  touch "$tree/$file"
  killers=""
  if [[ -f "$log/$id.ctest.txt" ]]; then
    killers=$(grep -Eo '[0-9]+ - [A-Za-z0-9_]+ \(Failed|[0-9]+ - [A-Za-z0-9_]+ \(SEGFAULT|[0-9]+ - [A-Za-z0-9_]+ \(Timeout|[0-9]+ - [A-Za-z0-9_]+ \(Subprocess' "$log/$id.ctest.txt" |
      awk '{print $3}' | sort -u | paste -sd, || true)
  fi
  printf '%-26s %-12s %-12s %4ss  %s\n' "$id" "${kernels[$i]}" "${status[-1]}" "${seconds[-1]}" "${killers:-}"
done

# Restore the build to the unmutated state so a kept scratch directory is reusable.
cmake --build "$build" -j "$jobs" --target $(targets_of "$all_tests") >"$log/final_build.txt" 2>&1 || true

echo
echo "| mutation | kernel | result | what it breaks |"
echo "|---|---|---|---|"
for i in "${!ids[@]}"; do
  echo "| ${ids[$i]} | ${kernels[$i]} | ${status[$i]} | ${whys[$i]} |"
done
echo
echo "| kernel | mutations | killed |"
echo "|---|---|---|"
for k in $(printf '%s\n' "${kernels[@]}" | awk '!seen[$0]++'); do
  total=0 killed=0
  for i in "${!ids[@]}"; do
    [[ "${kernels[$i]}" == "$k" ]] || continue
    total=$((total + 1))
    [[ "${status[$i]}" == KILLED ]] && killed=$((killed + 1))
  done
  echo "| $k | $total | $killed |"
done
bad=0
for s in "${status[@]}"; do [[ "$s" == KILLED ]] || bad=$((bad + 1)); done
echo
echo "${#ids[@]} mutations, $(( ${#ids[@]} - bad )) killed, $bad not killed"
[[ $bad -eq 0 ]]
