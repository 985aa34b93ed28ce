#!/usr/bin/env bash
# Every plot script of examples/ on a small output of its command: the same command line
# (`script.py RUN.h5 [OUT.png]`, --help), and a PNG that is not blank: at least 0.3 % of its pixels
# are coloured (data: axes and text are grey), and it has more than 16 distinct colours. plot_compare.py runs
# on a 1D and a 2D comparison; plot_train.py on two runs of the same sampler; plot_sgd.py on SGD
# against its SDE model in 1D (wells) and 2D (least squares, with a sweep file of the studies' shape).
source "$(dirname "$0")/cli_lib.sh"
examples="$RELAX_SOURCE_DIR/examples"

# plotted SCRIPT ARGS...: runs the script; the last argument is the PNG it must write.
plotted() {
  local script=$1
  shift
  local png=${*: -1}
  rm -f "$png"
  if ! "$examples/$script" "$@" >plot.log 2>&1; then
    echo "FAIL: $script $*:"; cat plot.log; failures=$((failures + 1)); return
  fi
  if "$PYTHON" - "$png" <<'PY'; then
import sys
import matplotlib.image as image
import numpy as np
pixels = image.imread(sys.argv[1])[..., :3].reshape(-1, 3)
colours = np.unique((pixels * 255).astype(np.uint8), axis=0)
coloured = np.mean(pixels.max(axis=1) - pixels.min(axis=1) > 0.25)
print("%s: %d colours, %.1f %% of the pixels coloured" % (sys.argv[1], len(colours), 100 * coloured))
sys.exit(0 if coloured >= 0.003 and len(colours) > 16 else 1)
PY
    echo "ok: $script drew $png"
  else
    echo "FAIL: $script: $png is blank"; failures=$((failures + 1))
  fi
}

for script in plot_compare.py plot_fp.py plot_sde.py plot_hj.py plot_fb.py plot_train.py plot_sgd.py; do
  if "$examples/$script" --help | grep -q "RUN.h5"; then
    echo "ok: $script --help"
  else
    echo "FAIL: $script --help names no RUN.h5"; failures=$((failures + 1))
  fi
  if "$examples/$script" >/dev/null 2>&1; then
    echo "FAIL: $script without arguments exits 0"; failures=$((failures + 1))
  fi
done

"$RELAX" compare --sde.particles=5000 --time.end=0.6 --time.outputs=3 --output.file=c1.h5 >/dev/null &&
  plotted plot_compare.py c1.h5 c1.png
"$RELAX" compare --landscape.type=muller_brown --grid.lo=-1.5,-0.5 --grid.hi=1.2,2 --grid.n=40 \
  --initial.mean=0.6,0 --initial.std=0.1 --sde.particles=5000 --time.end=0.2 --time.outputs=2 \
  --output.file=c2.h5 >/dev/null && plotted plot_compare.py c2.h5 c2.png
"$RELAX" fp --grid.n=50 --time.end=0.5 --time.outputs=3 --output.file=fp.h5 >/dev/null &&
  plotted plot_fp.py fp.h5 fp.png
"$RELAX" sde --sde.particles=2000 --sde.dt=0.01 --grid.n=40 --time.end=0.6 --time.outputs=3 \
  --output.file=sde.h5 >/dev/null && plotted plot_sde.py sde.h5 sde.png
"$RELAX" hj --grid.lo=-2 --grid.hi=2 --grid.n=80 --hj.gamma=0.1,0.3,1 --hj.dt=0.01 \
  --output.file=hj.h5 >/dev/null && plotted plot_hj.py hj.h5 hj.png
"$RELAX" fb --grid.n=50 --time.end=0.5 --time.outputs=2 --fb.steps=50 --fb.particles=2000 \
  --output.file=fb.h5 >/dev/null && plotted plot_fb.py fb.h5 fb.png
"$PYTHON" - <<'PY'
import h5py
import numpy as np
rng = np.random.default_rng(2)
with h5py.File("points.h5", "w") as f:
    f["centres"] = 5 * rng.standard_normal((20, 1))
    a = rng.standard_normal((50, 2))
    f["regression"] = np.column_stack([a, a @ [1.0, -0.5] + 0.5 * rng.standard_normal(50)])
with h5py.File("sweep.h5", "w") as f:  # the layout examples/sgd_sde_studies.py --save writes
    eta = np.array([0.2, 0.1, 0.05])
    f["a/eta"], f["a/model_error"], f["a/gibbs_error"] = eta, eta / (2 - eta), 1 - eta
    f["a"].attrs["kappa"], f["a"].attrs["order"] = 2.0, 1.0
    f["c/eta"], f["c/slope"], f["c/error"] = eta, 0.1 + 0.2 * eta, 0.01 + 0 * eta
    for name, value in (("intercept", 0.1), ("coefficient", 0.2), ("predicted", 0.1)):
        f["c"].attrs[name] = value
PY
sgd=(--sde.integrator=sgd --sde.batch=1 --sde.particles=5000 --time.end=1 --time.outputs=1
  --landscape.type=finite_sum_file --landscape.points_file=points.h5)
"$RELAX" compare "${sgd[@]}" --landscape.points_dataset=centres --landscape.loss=wells \
  --sde.dt=0.01 --grid.lo=-6 --grid.hi=6 --grid.n=60 --output.file=s1.h5 >/dev/null &&
  plotted plot_sgd.py s1.h5 s1.png
"$RELAX" compare "${sgd[@]}" --landscape.points_dataset=regression --sde.dt=0.05 \
  --grid.lo=-1,-2 --grid.hi=3,1 --grid.n=30 --initial.mean=1,-0.5 --initial.std=0.2 \
  --output.file=s2.h5 >/dev/null && plotted plot_sgd.py s2.h5 sweep.h5 s2.png
train=(train --net.layers=784,16,10 --data.train_size=1000 --data.test_size=500 --train.threads=1
  --train.epochs=2)
"$RELAX" "${train[@]}" --output.file=t1.h5 >/dev/null && "$RELAX" "${train[@]}" --train.seed=2 \
  --output.file=t2.h5 >/dev/null && plotted plot_train.py t1.h5 t2.h5 train.png
finish
