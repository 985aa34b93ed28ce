#!/usr/bin/env bash
# Installs every Debian package relax needs to build, test and plot. Idempotent: packages already
# present are skipped, so a second run does nothing. Works as root on a fresh Debian bookworm with only
# apt reachable; as a normal user it uses sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  petsc-dev slepc-dev libhdf5-openmpi-dev openmpi-bin libopenmpi-dev
  libboost-program-options-dev libboost-math-dev catch2 librandom123-dev
  libopenblas-dev libmuparser-dev zlib1g-dev
  python3-h5py python3-matplotlib python3-scipy python3-numpy
  dataset-fashion-mnist hdf5-tools
  paraview python3-paraview python3-xarray python3-h5netcdf tmux xvfb xauth
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
