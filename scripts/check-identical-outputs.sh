#!/usr/bin/env bash
# Proof that a restructuring changed no behaviour: runs every example with two relax binaries (OLD,
# e.g. a build of the commit before, and NEW) and checks that their HDF5 outputs are identical object
# by object, bit for bit, apart from the attributes that legitimately differ between builds.
# Usage: scripts/check-identical-outputs.sh [--quick] [--keep] OLD_RELAX NEW_RELAX [EXAMPLE.ini ...]
#   default examples: every examples/*.ini of the repository this script lives in.
#   --quick  adds the same size-reducing overrides on both sides (see quick_overrides below);
#            without it every example runs exactly as written.
#   --keep   keeps the outputs (under ${TMPDIR:-/tmp}/check-identical-outputs.XXXXXX) also when
#            everything is identical; they are always kept when something differs.
# Prints `identical  <name>  (<s> s old, <s> s new)` or `DIFFERENT <name>: <first difference>` per
# example and `N identical, M different` last; exits 0 only when all are identical (2: bad usage).
#
# Each example runs as its first line says: the command is the word after `relax` (what follows
# `&&` or `;`, the plot, is not run), at the ranks of a leading `mpiexec -n N` (train_parle.ini:
# one elastic replica per rank, so its result depends on the rank count; 3 as written), else at 2
# ranks (RELAX_RANKS overrides the 2; MPIEXEC the launcher). Both binaries always run at the same
# ranks: the particles are rank-invariant bit for bit, but the PDE side only to round-off, and
# `relax train` sums per-rank gradients, so outputs at different rank counts are not comparable bit
# for bit. Only `--config` is taken from the first line besides the command.
#   <OLD|NEW> <cmd> --config <example.ini> --output.file=<name>.h5   (mpiexec -n <ranks>)
# runs in its own fresh scratch directory (mktemp -d) as working directory, whose files are then
# moved to <dir>/old/ resp. <dir>/new/. The output path is the same relative name on both sides
# because the root attribute `config` (the resolved INI) records output.file: an absolute
# <dir>/old/... vs <dir>/new/... path would make it differ, and `config` must stay compared.
#
# Compared: the exit codes; the set of files each run leaves; <name>.h5 with /usr/bin/python3 +
# h5py (bookworm's h5diff 1.10.8 has --exclude-attribute, but it excludes every attribute of the
# named object, so it cannot drop /relax_version while keeping /config; and h5diff compares values,
# not bytes): every group's member names and link kinds, every dataset's HDF5 type, shape, maximum
# shape, chunking, filters and bytes, every attribute's HDF5 type, shape and value, depth first in
# name order, reporting the first difference; the XDMF sidecar <name>.xmf as text (the scratch
# directory's name normalised) and any other file byte for byte. Not compared: stdout/stderr (they
# hold timings and progress), kept as <dir>/<old|new>/<name>.out/.err.
# Excluded, because they differ between builds or runs of identical code:
#   /@relax_version  the project version baked in at configure time (core/version.hpp.in); the other
#                    root attributes (command, config, nranks, seed) are compared.
#   /train/samples_per_second  (values only; type and shape are compared) the training throughput per
#                    epoch, wall-clock time (app/train.cpp), different on every run.
#
# OpenBLAS: OPENBLAS_CORETYPE is left as it is (both sides see the same); train.threads is as the
# example says (0: OpenBLAS's default), the same on both sides.
set -euo pipefail

usage() {
  sed -n '5,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

quick=0
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) echo "check-identical-outputs: unknown option '$1'" >&2; usage ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  usage
fi

resolve_binary() {
  local path
  path=$(realpath -e -- "$1" 2>/dev/null) || { echo "check-identical-outputs: no '$1'" >&2; exit 2; }
  if [ ! -x "$path" ] || [ -d "$path" ]; then
    echo "check-identical-outputs: '$1' is not executable" >&2
    exit 2
  fi
  echo "$path"
}
old_relax=$(resolve_binary "$1")
new_relax=$(resolve_binary "$2")
shift 2

source_dir=$(cd "$(dirname "$0")/.." && pwd)
examples=()
if [ $# -eq 0 ]; then
  for ini in "$source_dir"/examples/*.ini; do
    examples+=("$ini")
  done
else
  for ini in "$@"; do
    if [ ! -f "$ini" ]; then
      echo "check-identical-outputs: no example '$ini'" >&2
      exit 2
    fi
    examples+=("$(realpath -- "$ini")")
  done
fi

# Size-reducing overrides of --quick, per command, the same on both sides. As written the 23
# examples take about 10 min per binary at 2 ranks on 2 cores (train_entropy_sgd 1.5-3.5 min,
# train_ctld 1.3-2 min, compare_muller_brown 1-2 min, train_sgd 1 min, compare_double_well and
# compare_rotation 0.5 min), 20 min for both; --quick: about 2 min for both. The overrides shrink
# the run, not what runs: the schedules, samplers, outputs and rates of every example are still taken.
quick_overrides() {
  case $1 in
    # compare, sde: the particles are the cost (compare_double_well: 10^6 MALA particles); the
    # time span, grid and outputs stay as written.
    compare | sde) echo "--sde.particles=20000" ;;
    # train: 2 (effective) epochs, so series are appended to and /checkpoint rewritten, on the
    # first 10000 training and 1000 test images (158 minibatches: Entropy-SGD 8 outer steps, so
    # train_parle's every-5 elastic pull happens); CTLD hands over to its noiseless phase after
    # 50 steps (ctld.sampling_steps is given to train_ctld only: another sampler refuses the key).
    train)
      echo "--train.epochs=2 --data.train_size=10000 --data.test_size=1000"
      if [ "$2" = train_ctld ]; then echo "--ctld.sampling_steps=50"; fi
      ;;
    # fp, hj, fb take seconds as written.
    *) echo "" ;;
  esac
}

# OpenMPI refuses to run as root, and to start more ranks than cores, unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none

work=$(mktemp -d "${TMPDIR:-/tmp}/check-identical-outputs.XXXXXX")
mkdir -p "$work/old" "$work/new"
echo "check-identical-outputs: old $old_relax"
echo "check-identical-outputs: new $new_relax"
echo "check-identical-outputs: outputs in $work (removed when all are identical, unless --keep)"

# The HDF5 comparison: exit 0 identical, 1 different (the first difference on stdout), 2 error.
compare_h5=$(
  cat <<'PYTHON'
import sys

import h5py
import numpy as np

# (object, attribute) pairs not compared: they differ between builds of the same code.
EXCLUDED_ATTRIBUTES = {("/", "relax_version")}  # core/version.hpp.in, set at configure time
# Datasets compared by type and shape but not by value: wall-clock measurements.
VALUE_EXCLUDED = {"/train/samples_per_second"}  # app/train.cpp: samples per second of each epoch


class Different(Exception):
    pass


def join(path, name):
    return path.rstrip("/") + "/" + name


def first_difference(a, b):
    """Index and values of the first element whose bytes differ (a, b same dtype and shape)."""
    a = np.ascontiguousarray(a)
    b = np.ascontiguousarray(b)
    if a.dtype.kind == "O":
        flat_a, flat_b = a.reshape(-1).tolist(), b.reshape(-1).tolist()
        bad = [i for i, (x, y) in enumerate(zip(flat_a, flat_b)) if x != y or type(x) is not type(y)]
        count = len(bad)
    else:
        rows_a = a.reshape(-1).view(np.uint8).reshape(a.size, -1)
        rows_b = b.reshape(-1).view(np.uint8).reshape(b.size, -1)
        bad = np.flatnonzero(np.any(rows_a != rows_b, axis=1))
        count = bad.size
    if count == 0:
        return None
    first = int(bad[0])
    index = np.unravel_index(first, a.shape) if a.shape else ()
    return "%d of %d elements differ, first at %s: %r vs %r" % (
        count, a.size, tuple(int(i) for i in index), a.reshape(-1)[first], b.reshape(-1)[first])


def same_values(where, a, b):
    if isinstance(a, h5py.Empty) or isinstance(b, h5py.Empty):
        if repr(a) != repr(b):
            raise Different("%s: %r vs %r" % (where, a, b))
        return
    if isinstance(a, (str, bytes)) or isinstance(b, (str, bytes)):
        if type(a) is not type(b) or a != b:
            text_a, text_b = str(a).splitlines(), str(b).splitlines()
            for line, (x, y) in enumerate(zip(text_a, text_b), 1):
                if x != y:
                    raise Different("%s differs at line %d: %r vs %r" % (where, line, x, y))
            raise Different("%s differs: %d vs %d lines (%r vs %r)" % (
                where, len(text_a), len(text_b), text_a[len(text_b):][:1], text_b[len(text_a):][:1]))
        return
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        raise Different("%s: %s%s vs %s%s" % (where, a.dtype, a.shape, b.dtype, b.shape))
    detail = first_difference(a, b)
    if detail:
        raise Different("%s: %s" % (where, detail))


def same_attributes(path, a, b):
    names_a, names_b = set(a.attrs.keys()), set(b.attrs.keys())
    names_a -= {n for (p, n) in EXCLUDED_ATTRIBUTES if p == path}
    names_b -= {n for (p, n) in EXCLUDED_ATTRIBUTES if p == path}
    if names_a != names_b:
        raise Different("%s: attributes only in old: %s, only in new: %s" % (
            path, sorted(names_a - names_b), sorted(names_b - names_a)))
    for name in sorted(names_a):
        where = "attribute %s of %s" % (name, path)
        id_a, id_b = a.attrs.get_id(name), b.attrs.get_id(name)
        if id_a.get_type() != id_b.get_type():
            raise Different("%s: HDF5 type %s vs %s" % (where, id_a.dtype, id_b.dtype))
        if id_a.shape != id_b.shape:
            raise Different("%s: shape %s vs %s" % (where, id_a.shape, id_b.shape))
        same_values(where, a.attrs[name], b.attrs[name])


def same_dataset(path, a, b):
    if a.id.get_type() != b.id.get_type():
        raise Different("%s: HDF5 type %s vs %s" % (path, a.dtype, b.dtype))
    for what in ("shape", "maxshape", "chunks", "compression", "compression_opts", "shuffle",
                 "fletcher32", "scaleoffset"):
        if getattr(a, what) != getattr(b, what):
            raise Different("%s: %s %s vs %s" % (path, what, getattr(a, what), getattr(b, what)))
    if path not in VALUE_EXCLUDED:
        same_values(path, a[()], b[()])


def same_object(path, a, b):
    kinds = (h5py.Group, h5py.Dataset, h5py.Datatype)
    kind_a = next((k for k in kinds if isinstance(a, k)), type(a))
    kind_b = next((k for k in kinds if isinstance(b, k)), type(b))
    if kind_a is not kind_b:
        raise Different("%s: %s vs %s" % (path, kind_a.__name__, kind_b.__name__))
    same_attributes(path, a, b)
    if kind_a is h5py.Dataset:
        same_dataset(path, a, b)
    elif kind_a is h5py.Datatype:
        if a.id != b.id:
            raise Different("%s: named datatype %s vs %s" % (path, a.dtype, b.dtype))
    elif kind_a is h5py.Group:
        names_a, names_b = set(a.keys()), set(b.keys())
        if names_a != names_b:
            raise Different("%s: members only in old: %s, only in new: %s" % (
                path, sorted(names_a - names_b), sorted(names_b - names_a)))
        for name in sorted(names_a):
            where = join(path, name)
            link_a, link_b = a.get(name, getlink=True), b.get(name, getlink=True)
            if type(link_a) is not type(link_b):
                raise Different("%s: %s vs %s" % (where, type(link_a).__name__, type(link_b).__name__))
            if isinstance(link_a, h5py.SoftLink):
                if link_a.path != link_b.path:
                    raise Different("%s: soft link to %s vs %s" % (where, link_a.path, link_b.path))
            elif isinstance(link_a, h5py.ExternalLink):
                if (link_a.filename, link_a.path) != (link_b.filename, link_b.path):
                    raise Different("%s: external link %s:%s vs %s:%s" % (
                        where, link_a.filename, link_a.path, link_b.filename, link_b.path))
            else:
                same_object(where, a[name], b[name])


try:
    with h5py.File(sys.argv[1], "r") as old, h5py.File(sys.argv[2], "r") as new:
        same_object("/", old, new)
except Different as difference:
    print(difference)
    sys.exit(1)
except Exception as error:  # an unreadable file is a finding, not a crash of the check
    print("cannot compare: %s: %s" % (type(error).__name__, error))
    sys.exit(2)
PYTHON
)

# run <side> <binary> <name> <ranks> <cmd> <ini> [overrides...]: runs one example in a fresh scratch
# directory, moves its files to $work/<side>/ (<name>.h5, <name>.xmf; anything else into
# <name>.extra/) and sets run_rc and run_seconds.
run() {
  local side=$1 binary=$2 name=$3 ranks=$4 cmd=$5 ini=$6
  shift 6
  local scratch start end file
  scratch=$(mktemp -d "$work/scratch.XXXXXX")
  start=$(date +%s.%N)
  set +e
  (cd "$scratch" && "${MPIEXEC:-mpiexec}" -n "$ranks" "$binary" "$cmd" --config "$ini" \
    --output.file="$name.h5" "$@" >"$work/$side/$name.out" 2>"$work/$side/$name.err" </dev/null)
  run_rc=$?
  set -e
  end=$(date +%s.%N)
  run_seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }')
  for file in "$name.h5" "$name.xmf"; do
    if [ -e "$scratch/$file" ]; then
      mv "$scratch/$file" "$work/$side/$file"
    fi
  done
  if [ -n "$(ls -A "$scratch")" ]; then
    mv "$scratch" "$work/$side/$name.extra"
  else
    rmdir "$scratch"
  fi
  last_scratch=$scratch
}

# files_of <side> <name>: the files the run of <name> left, one a line.
files_of() {
  local file
  for file in "$1/$2.h5" "$1/$2.xmf"; do
    if [ -e "$work/$file" ]; then echo "${file#*/}"; fi
  done
  if [ -d "$work/$1/$2.extra" ]; then
    (cd "$work/$1/$2.extra" && find . -type f | sort | sed "s|^\\./|$2.extra/|")
  fi
}

# Sets difference to the first difference between the two runs of <name>, or to "".
compare_runs() {
  local name=$1 old_scratch=$2 new_scratch=$3 file listing_old listing_new
  difference=""
  if [ "$old_rc" -ne "$new_rc" ]; then
    difference="exit code $old_rc (old) vs $new_rc (new)"
    return
  fi
  listing_old=$(files_of old "$name")
  listing_new=$(files_of new "$name")
  if [ "$listing_old" != "$listing_new" ]; then
    difference="files old: [${listing_old//$'\n'/ }] vs new: [${listing_new//$'\n'/ }]"
    return
  fi
  if [ -e "$work/old/$name.h5" ]; then
    local rc=0 detail
    detail=$(/usr/bin/python3 -c "$compare_h5" "$work/old/$name.h5" "$work/new/$name.h5") || rc=$?
    if [ "$rc" -ne 0 ]; then
      difference="$name.h5 $detail"
      return
    fi
  elif [ "$old_rc" -eq 0 ]; then
    difference="no $name.h5 from either run"
    return
  fi
  if [ -e "$work/old/$name.xmf" ]; then
    local hunk
    hunk=$(diff <(sed "s|$old_scratch|@OUTDIR@|g" "$work/old/$name.xmf") \
      <(sed "s|$new_scratch|@OUTDIR@|g" "$work/new/$name.xmf") | head -n 3 | tr '\n' ' ' || true)
    if [ -n "$hunk" ]; then
      difference="$name.xmf differs: $hunk"
      return
    fi
  fi
  if [ -d "$work/old/$name.extra" ]; then
    while IFS= read -r file; do
      if ! cmp -s "$work/old/$name.extra/$file" "$work/new/$name.extra/$file"; then
        difference="${file#./} differs"
        return
      fi
    done < <(cd "$work/old/$name.extra" && find . -type f | sort)
  fi
}

identical=0
different=0
for ini in "${examples[@]}"; do
  name=$(basename "$ini" .ini)
  # "# mpiexec -n 3 relax train --config examples/x.ini && plot ..." -> ranks 3, command train
  line=$(head -n 1 "$ini")
  line=${line#\#}
  line=${line%%&&*}
  line=${line%%;*}
  read -r -a words <<<"$line"
  cmd=""
  ranks=${RELAX_RANKS:-2}
  for ((i = 0; i < ${#words[@]}; i++)); do
    case ${words[i]} in
      -n | -np) if [ -z "$cmd" ] && [ $((i + 1)) -lt ${#words[@]} ]; then ranks=${words[i + 1]}; fi ;;
      relax | */relax) if [ -z "$cmd" ] && [ $((i + 1)) -lt ${#words[@]} ]; then cmd=${words[i + 1]}; fi ;;
    esac
  done
  if [ -z "$cmd" ] || [[ ! $ranks =~ ^[0-9]+$ ]]; then
    echo "DIFFERENT $name: cannot read the command from its first line: $(head -n 1 "$ini")"
    different=$((different + 1))
    continue
  fi
  overrides=()
  if [ "$quick" -eq 1 ]; then
    read -r -a overrides <<<"$(quick_overrides "$cmd" "$name" | tr '\n' ' ')"
  fi
  run old "$old_relax" "$name" "$ranks" "$cmd" "$ini" "${overrides[@]}"
  old_rc=$run_rc old_seconds=$run_seconds old_scratch=$last_scratch
  run new "$new_relax" "$name" "$ranks" "$cmd" "$ini" "${overrides[@]}"
  new_rc=$run_rc new_seconds=$run_seconds new_scratch=$last_scratch
  compare_runs "$name" "$old_scratch" "$new_scratch"
  if [ -z "$difference" ]; then
    note=""
    if [ "$old_rc" -ne 0 ]; then note=", exit $old_rc on both"; fi
    echo "identical  $name  ($old_seconds s old, $new_seconds s new$note)"
    identical=$((identical + 1))
  else
    echo "DIFFERENT $name: $difference"
    different=$((different + 1))
  fi
done

if [ "$different" -eq 0 ] && [ "$keep" -eq 0 ]; then
  rm -rf "$work"
fi
echo "$identical identical, $different different"
[ "$different" -eq 0 ]
