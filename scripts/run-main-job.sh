#!/usr/bin/env bash
# The run-and-plot half of the README's first command (scripts/main-job.sh sets up and builds, then
# calls this): `relax compare` on its default problem at 2 MPI ranks, writing
#   <outdir>/compare.h5   /grid, /fp, /sde, /compare (open with h5dump, h5py, or ParaView via
#   <outdir>/compare.xmf) the XDMF sidecar of the density and histogram series
#   <outdir>/compare.txt  the table relax prints (time, L1, noise, p-value, verdict, rates)
#   <outdir>/compare.png  examples/plot_compare.py: density vs histogram, L1 vs time with noise band
# Usage: scripts/run-main-job.sh <relax binary> <output directory> [relax compare arguments...]
# (extra arguments go to relax compare, e.g. --sde.particles=100000; RELAX_RANKS sets the ranks).
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n '2,10p' "$0" >&2
  exit 2
fi
relax=$(realpath "$1")
outdir=$2
shift 2
source_dir=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$outdir"
# OpenMPI refuses to run as root, and to start more ranks than cores, unless told.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
"${MPIEXEC:-mpiexec}" -n "${RELAX_RANKS:-2}" "$relax" compare --output.file="$outdir/compare.h5" \
  "$@" | tee "$outdir/compare.txt"
/usr/bin/python3 "$source_dir/examples/plot_compare.py" "$outdir/compare.h5" "$outdir/compare.png"
