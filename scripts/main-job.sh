#!/usr/bin/env bash
# Command (a) of the README: install what is missing, build, and run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release
cmake --build --preset release
./build/release/app/relax info
