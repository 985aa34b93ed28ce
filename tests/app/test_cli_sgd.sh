#!/usr/bin/env bash
# relax compare with minibatch SGD / SGLD particles: the PDE diffuses with the SDE model of SGD
# (docs/theory.md section 8) and agrees with the histogram; finite sums on the points of an HDF5
# file (landscape.type = finite_sum_file) give the same loss as the seeded ones; what the model
# cannot do and bad point files are exit 2 with one line, before any output exists.
source "$(dirname "$0")/cli_lib.sh"

# Points: 20 wells' centres in 1D, least squares in 2D (features and target), and broken files.
"$PYTHON" - <<'PY'
import h5py
import numpy as np
rng = np.random.default_rng(3)
with h5py.File("points.h5", "w") as f:
    f["centres"] = 10 * rng.standard_normal((20, 1))
    a = rng.standard_normal((50, 2))
    f["regression"] = np.column_stack([a, a @ [1.0, -0.5] + 0.5 * rng.standard_normal(50)])
    f["flat"] = np.zeros(20)
    f["wide"] = np.zeros((20, 5))
    nan = 10 * rng.standard_normal((20, 1))
    nan[7, 0] = np.nan
    f["with_nan"] = nan
    labels = np.column_stack([a, np.where(a[:, 0] > 0, 1.0, 0.5)])
    f["bad_labels"] = labels
PY
echo "not hdf5" >text.h5

wells=(--landscape.type=finite_sum_file --landscape.points_file=points.h5
       --landscape.points_dataset=centres --landscape.loss=wells --landscape.stiffness=2)
run=(--grid.lo=-9 --grid.hi=9 --grid.n=288 --initial.mean=0 --initial.std=0.5
     --sde.particles=40000 --sde.batch=1 --sde.dt=0.0025 --fp.dt=0.002 --time.end=4 --time.outputs=2)

# SGD and SGLD on the file's wells: agreement at every output and at stationarity.
for integrator in sgd sgld; do
  expect 0 "agree within noise at all 3 outputs" -- compare "${wells[@]}" "${run[@]}" \
    --sde.integrator=$integrator --output.file=$integrator.h5
  check_h5 $integrator.h5 "'SDE model of minibatch' in f['fp'].attrs['diffusion']" \
    "np.all(f['compare/agree'][:] == 1)"
done
check_h5 sgd.h5 "f['fp'].attrs['diffusion'].startswith('(eta/2) c_B Sigma_ii')"
check_h5 sgld.h5 "f['fp'].attrs['diffusion'].startswith('1/beta(t) + (eta/2) c_B Sigma_ii')"

# Least squares from the file: relax sde runs SGD on it.
expect 0 "" -- sde --landscape.type=finite_sum_file --landscape.points_file=points.h5 \
  --landscape.points_dataset=regression --sde.integrator=sgd --sde.particles=100 --sde.dt=0.01 \
  --time.end=0.1 --time.outputs=1 --grid.n=20 --output.file=ls.h5
check_h5 ls.h5 "f['sde/moments'].shape == (2, 5)"

# What cannot be done: exit 2, one line, no new file.
files_before=$(ls -A | sort | tr '\n' ' ')
small=(--sde.particles=200 --grid.n=20 --time.end=0.1 --time.outputs=1 --sde.dt=0.01
       --output.file=no.h5)
expect 2 "sde\.sgd_rates = inverse_variance: relax compare's SDE model" -- compare \
  --landscape.type=wells --sde.integrator=sgd --sde.sgd_rates=inverse_variance "${small[@]}" --fp.dt=0.01
expect 2 "sde\.integrator = sgd \(the PDE diffuses with its SDE model.*D_0 = 0 at x = " -- compare \
  --landscape.type=wells --landscape.points=20 --sde.integrator=sgd --sde.batch=20 \
  --sde.replacement=false "${small[@]}" --fp.dt=0.01
for_file() { # for_file PATTERN DATASET [FILE] [LOSS]
  expect 2 "$1" -- sde --landscape.type=finite_sum_file --landscape.points_file="${3:-points.h5}" \
    --landscape.points_dataset="$2" --landscape.loss="${4:-wells}" "${small[@]}"
}
for_file "missing\.h5" centres missing.h5
for_file "text\.h5" centres text.h5
for_file "nothere" nothere
for_file "dataset 'flat': expected a dataset of shape \(n, dim\) centres, dim 1\.\.3 for landscape\.loss = wells, got \(20\)" flat
for_file "dataset 'wide': expected a dataset of shape \(n, dim \+ 1\)" wide points.h5 least_squares
for_file "dataset 'with_nan'.*(finite|NaN|nan)" with_nan
for_file "dataset 'bad_labels'.*1" bad_labels points.h5 logistic
expect 2 "landscape\.points_file = '': landscape\.type = finite_sum_file needs" -- sde \
  --landscape.type=finite_sum_file "${small[@]}"
[ "$(ls -A | sort | tr '\n' ' ')" = "$files_before" ] ||
  { echo "FAIL: a refused run left a file"; failures=$((failures + 1)); }

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all ok"
