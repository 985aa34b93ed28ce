#!/usr/bin/env bash
# Command (a) of the README: install what is missing, build, and run the main job: `relax compare`
# on its default problem at 2 MPI ranks (the Fokker-Planck density against 10^6 particles in the
# double well, through relaxation to Gibbs, with escape rates), into results/: compare.h5 (+ .xmf),
# compare.txt (the printed table) and compare.png (examples/plot_compare.py). It also installs
# relax into RELAX_PREFIX (default /usr/local: bin/relax on PATH, share/relax/examples).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release
cmake --build --preset release
prefix=${RELAX_PREFIX:-/usr/local}
sudo=""
if [ ! -w "$prefix" ] && [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo cmake --install build/release --prefix "$prefix"
./build/release/app/relax info
./scripts/run-main-job.sh build/release/app/relax results
