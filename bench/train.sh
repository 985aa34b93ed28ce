#!/usr/bin/env bash
# bench/train.sh: relax train against PyTorch (Debian python3-torch) on Fashion-MNIST.
#   bench/train.sh speed  [RELAX] [THREADS]   one epoch of each net, samples/s and the ratio
#   bench/train.sh parity [RELAX] [RANKS]     accuracy runs of issue 8 (about an hour on 2 cores)
# Same net, batch 128, SGD lr 0.1 with Nesterov momentum 0.9, same thread count; relax's figure is
# the training throughput of the epoch (evaluation excluded), as is PyTorch's.
set -euo pipefail
mode=${1:-speed}
RELAX=${2:-$(dirname "$0")/../build/release/app/relax}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1

ensure_torch() { # installs Debian's python3-torch when missing (as scripts/setup.sh installs)
  /usr/bin/python3 -c "import torch" 2>/dev/null && return 0
  echo "installing python3-torch (Debian) for the baseline" >&2
  local sudo="" attempt
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # A failed install is most often a stale package list (a 404 on a superseded version): refresh
  # the list and try again, a few times in case the mirror is in the middle of an update.
  for attempt in 1 2 3; do
    if DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-torch >/dev/null; then
      return 0
    fi
    echo "apt-get install python3-torch failed (attempt $attempt of 3)" >&2
    [ "$attempt" -eq 3 ] && break
    sleep $((10 * (attempt - 1)))
    $sudo apt-get update -q >/dev/null || true
  done
  echo "bench/train.sh: cannot install python3-torch; install it and run again" >&2
  exit 1
}

relax_rate() { # relax_rate LAYERS THREADS: samples/s of one SGD epoch
  OPENBLAS_NUM_THREADS=$2 "$RELAX" train --net.layers="$1" --train.epochs=1 --train.threads="$2" \
    --train.trace_every=0 --output.file="$work/speed.h5" 2>/dev/null |
    sed -n 's/^epoch 1: .*samples\/s \([0-9]*\)$/\1/p'
}

case $mode in
speed)
  threads=${3:-2}
  ensure_torch
  # PyTorch's BLAS_INFO is "generic": libblas.so.3, which Debian points at OpenBLAS when installed.
  echo "libblas.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
  for layers in 784,1024,1024,10 784,256,10; do
    r=$(relax_rate $layers "$threads")
    echo "relax $layers threads $threads: $r samples/s"
    # PyTorch's fastest setting at this thread count: its OpenMP pool of `threads` next to
    # OpenBLAS's `threads` oversubscribes the cores (ten times slower here), so also run with one
    # OpenMP thread and OpenBLAS's `threads`, and compare against the better of the two.
    t=0
    for omp in "$threads" 1; do
      line=$(OMP_NUM_THREADS=$omp OPENBLAS_NUM_THREADS=$threads \
        /usr/bin/python3 "$here/train_torch.py" $layers "$omp")
      echo "$line (OpenBLAS threads $threads)"
      rate=$(echo "$line" | sed -n 's/.*: \([0-9]*\) samples\/s.*/\1/p')
      [ "$rate" -gt "$t" ] && t=$rate
    done
    /usr/bin/python3 -c "print('ratio relax/torch (best torch setting) %s: %.2f' % ('$layers', $r / $t))"
  done
  ;;
parity)
  ranks=${3:-1}
  run() { # run NAME ARGS...: trains mnistfc, prints the last epoch line
    local name=$1
    shift
    mpiexec -n "$ranks" "$RELAX" train --train.trace_every=10 --output.file="$work/$name.h5" "$@" \
      2>/dev/null | tail -1 | sed "s/^/$name: /"
  }
  run sgd --train.sampler=sgd --train.epochs=5
  run entropy_sgd --train.sampler=entropy_sgd --train.epochs=10 --train.lr=1
  run sgld --train.sampler=sgld --train.epochs=10 --train.lr=0.1 --sgld.temperature=1e-4
  run ctld --config "$(dirname "$0")/../examples/train_ctld.ini"
  ;;
*)
  echo "usage: bench/train.sh speed|parity [RELAX] [THREADS|RANKS]" >&2
  exit 2
  ;;
esac
