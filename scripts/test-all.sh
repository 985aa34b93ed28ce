#!/usr/bin/env bash
# Command (b) of the README: install what is missing, build (release preset) and run every test:
# unit, convergence, cli, and the [mpi] tests at 2 and 3 ranks. Exit status is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release
cmake --build --preset release
ctest --preset release "$@"
