#!/usr/bin/env bash
# relax spectrum as a user meets it: the OU rates 0, a, 2a, ... with Gibbs as mode 0 and the
# attributes that define the datasets; a rotating 2D OU with its complex pair a (1 +- i eps); the
# same rates at 3 ranks; bad input (exit 2, one line, nothing written).
source "$(dirname "$0")/cli_lib.sh"

ou=(--landscape.type=quadratic --landscape.stiffness=2 --grid.lo=-5 --grid.hi=5 --grid.n=400)
expect 0 "^   1 +1\.99" -- spectrum "${ou[@]}" --spectrum.count=4 --output.file=ou.h5
check_h5 ou.h5 'f["spectrum/rate"].shape == (4,)' 'f["spectrum/mode"].shape == (4, 400)' \
  'abs(f["spectrum/rate"][0]) < 1e-10' \
  'np.all(np.abs(f["spectrum/rate"][1:] / (2 * np.arange(1, 4)) - 1) < 1e-3)' \
  'np.all(f["spectrum/rate_imag"][:] == 0)' 'np.all(f["spectrum/residual"][:] < 1e-10)' \
  'abs(np.sum(f["spectrum/mode"][0]) * 10 / 400 - 1) < 1e-12' \
  'f["spectrum"].attrs["symmetric"] == 1' \
  'f["spectrum/rate"].attrs["units"] in ("1/time", b"1/time")' \
  'f.attrs["command"] in ("spectrum", b"spectrum")'
[ -f ou.xmf ] || { echo "FAIL: no ou.xmf"; failures=$((failures + 1)); }

rot=(--landscape.type=quadratic --landscape.dim=2 --drift.rotation=0.5 --grid.lo=-6 --grid.hi=6
     --grid.n=60 --spectrum.count=3)
expect 0 "non-symmetric" -- spectrum "${rot[@]}" --output.file=rot.h5
check_h5 rot.h5 'f["spectrum"].attrs["symmetric"] == 0' 'f["spectrum/mode_imag"].shape == (3, 60, 60)' \
  'abs(f["spectrum/rate"][1] - 1) < 1e-2 and abs(f["spectrum/rate_imag"][1] + 0.5) < 1e-2' \
  'f["spectrum/rate"][1] == f["spectrum/rate"][2] and f["spectrum/rate_imag"][1] == -f["spectrum/rate_imag"][2]'
"$MPIEXEC" -n 3 "$RELAX" spectrum "${rot[@]}" --output.file=rot3.h5 >/dev/null 2>&1 ||
  { echo "FAIL: relax spectrum at 3 ranks"; failures=$((failures + 1)); }
check_h5 rot3.h5 'np.max(np.abs(f["spectrum/rate"][:] - h5py.File("rot.h5", "r")["spectrum/rate"][:])) < 1e-10' \
  'np.max(np.abs(f["spectrum/rate_imag"][:] - h5py.File("rot.h5", "r")["spectrum/rate_imag"][:])) < 1e-10'
rm -f ou.h5 ou.xmf rot.h5 rot.xmf rot3.h5 rot3.xmf

expect 2 "spectrum\.count = '0'" -- spectrum --spectrum.count=0
expect 2 "spectrum\.count = 5000: expected between 1 and the number of cells \(200\)" -- spectrum --spectrum.count=5000
expect 2 "spectrum\.time = '-1'" -- spectrum --spectrum.time=-1
expect_only_files
finish
