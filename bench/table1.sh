#!/usr/bin/env bash
# bench/table1.sh: the Table-1-shaped comparison of the Deep Relaxation paper (validation error %
# at effective epochs, mean ± std over seeds) for SGD, ESGD, HEAT, HJ and H-ESGD on Fashion-MNIST,
# for mnistfc (784-1024-1024-10) and LeNet, both with the reference code's batch norm and dropout.
#   bench/table1.sh [OUT.md] [RELAX]
# Environment (defaults: the CPU budget of a 2-core machine, <= 40 min for mnistfc at a load of
# 17 (5 min quiet); LeNet, when present, gets the same effective epochs on the same subset):
#   TRAIN_SIZE=8000 VALIDATION=2000 TEST_SIZE=10000 EPOCHS=10 SEEDS="0 1 2" THREADS=2
#   DATA=/usr/share/datasets/fashion-mnist (or a directory of MNIST IDX files: the same table on
#   MNIST). JOBS=1: seeds of one optimizer run at once (each with THREADS threads). RUNS=DIR keeps
#   the run files there (default: a scratch directory removed at the end); a run whose file exists
#   in DIR is reused, so an interrupted table can be finished. Full size, as in the paper's protocol: TRAIN_SIZE=0 VALIDATION=10000 EPOCHS=100
#   (75M sample-gradients: about 2 hours for mnistfc on a quiet 2-core machine at 16000 samples/s).
# Every optimizer gets the same budget in effective epochs (minibatch gradient evaluations /
# minibatches per epoch: an inner-loop step or a perturbation is one gradient evaluation), the same
# validation split (data.validation_seed = 0, held out of the training subset), the same step
# learning-rate drop (factor 0.2 at 2/3 of the budget), and the test set is evaluated once at the
# end. Settings per optimizer below; each is a row of learning/sampler_table.cpp.
set -euo pipefail
out=${1:-table1.md}
RELAX=${2:-$(dirname "$0")/../build/release/app/relax}
TRAIN_SIZE=${TRAIN_SIZE:-8000}
VALIDATION=${VALIDATION:-2000}
TEST_SIZE=${TEST_SIZE:-10000}
EPOCHS=${EPOCHS:-10}
SEEDS=${SEEDS:-0 1 2}
THREADS=${THREADS:-2}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
JOBS=${JOBS:-1}
if [[ -n ${RUNS:-} ]]; then
  work=$RUNS
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
drop=$(( (2 * EPOCHS + 2) / 3 ))

common=(--data.path="$DATA" --data.train_size="$TRAIN_SIZE" --data.validation_size="$VALIDATION"
  --data.test_size="$TEST_SIZE" --train.epochs="$EPOCHS" --train.threads="$THREADS"
  --train.trace_every=0 --train.lr_schedule=step --train.lr_drops="$drop" --train.lr_factor=0.2)
declare -A settings=(
  [sgd]="--train.sampler=sgd --train.lr=0.1"
  [esgd]="--train.sampler=entropy_sgd --train.lr=1 --entropy.inner_steps=5"
  [heat]="--train.sampler=heat --train.lr=0.1 --heat.samples=5 --heat.time=1e-4"
  [hj]="--train.sampler=hj --train.lr=0.5 --prox.inner_steps=5 --prox.inner_lr=0.1 --prox.time=0.5"
  [hesgd]="--train.sampler=hesgd --train.lr=0.1 --hesgd.samples=5 --hesgd.time=1e-3 --hesgd.nu=0.05"
)
optimizers=(esgd heat hesgd hj sgd) # the paper's column order

echo "bench/table1.sh: $(date -u '+%F %T UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data $DATA: train_size $TRAIN_SIZE (of which $VALIDATION validation), test_size $TEST_SIZE,"
echo "$EPOCHS effective epochs, lr x0.2 at epoch $drop, seeds $SEEDS, $THREADS OpenBLAS threads"
models=(mlp lenet)
for model in "${models[@]}"; do
  case $model in # the reference code's networks: batch norm, dropout 0.5 (mnistfc: inputs 0.2)
  mlp) net=(--net.layers=784,1024,1024,10 --net.batch_norm=true --net.dropout=0.5
    --net.input_dropout=0.2) ;;
  lenet) net=(--net.type=lenet --net.batch_norm=true --net.dropout=0.5) ;;
  esac
  for opt in "${optimizers[@]}"; do
    running=0
    for seed in $SEEDS; do
      file="$work/${model}_${opt}_$seed.h5"
      # shellcheck disable=SC2206
      cmd=("$RELAX" train "${net[@]}" "${common[@]}" ${settings[$opt]} --train.seed="$seed"
        --output.file="$file")
      if [[ -f $file ]]; then
        echo "= reused $file"
        continue
      fi
      echo "+ ${cmd[*]}"
      (
        start=$(date +%s)
        "${cmd[@]}" >"$file.log" 2>&1 || { cat "$file.log"; exit 1; }
        echo "  ${model} ${opt} seed ${seed}: $(tail -1 "$file.log" | sed 's/ (the test set.*//')," \
          "$(($(date +%s) - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg)"
      ) &
      running=$((running + 1))
      if [[ $running -ge $JOBS ]]; then
        wait -n || exit 1
        running=$((running - 1))
      fi
    done
    while [[ $running -gt 0 ]]; do
      wait -n || exit 1
      running=$((running - 1))
    done
  done
done

/usr/bin/python3 - "$work" "$out" "$EPOCHS" "$DATA" "$TRAIN_SIZE" "$VALIDATION" "$SEEDS" \
  "${models[*]}" <<'PY'
import sys, glob, os, h5py, numpy as np
work, out, epochs, data, train_size, validation, seeds, models = sys.argv[1:9]
names = {"esgd": "ESGD", "heat": "HEAT", "hesgd": "H-ESGD", "hj": "HJ", "sgd": "SGD"}
order = ["esgd", "heat", "hesgd", "hj", "sgd"]
label = {"mlp": "mnistfc", "lenet": "LeNet"}
def curves(model, opt):
    runs = []
    for path in sorted(glob.glob(os.path.join(work, f"{model}_{opt}_*.h5"))):
        t = h5py.File(path, "r")["train"]
        runs.append((t["epoch"][:], 100 * t["validation_error"][:], 100 * t["test_error"][0]))
    return runs
lines = ["| Model | " + " | ".join(names[o] for o in order) + " |",
         "|---|" + "---|" * len(order)]
reach = ["| Model | " + " | ".join(names[o] for o in order) + " |", "|---|" + "---|" * len(order)]
tests = list(lines[:2])
for model in models.split():
    runs = {o: curves(model, o) for o in order}
    sgd_level = np.mean([v.min() for _, v, _ in runs["sgd"]])
    row, row_reach, row_test = [label[model]], [label[model]], [label[model]]
    for o in order:
        best = np.array([v.min() for _, v, _ in runs[o]])
        at = np.array([e[np.argmin(v)] for e, v, _ in runs[o]])
        row.append(f"{best.mean():.2f} ± {best.std(ddof=1):.2f} @ {at.mean():.1f}")
        hit = [e[np.argmax(v <= sgd_level)] if (v <= sgd_level).any() else np.nan
               for e, v, _ in runs[o]]
        reached = [h for h in hit if not np.isnan(h)]
        row_reach.append(f"{np.mean(reached):.1f} ({len(reached)}/{len(hit)})" if reached
                         else f"not reached (0/{len(hit)})")
        test = np.array([x for _, _, x in runs[o]])
        row_test.append(f"{test.mean():.2f} ± {test.std(ddof=1):.2f}")
    lines.append("| " + " | ".join(row) + " |")
    reach.append("| " + " | ".join(row_reach) + " |")
    tests.append("| " + " | ".join(row_test) + " |")
text = [f"Validation error (%) @ effective epochs: the minimum over the per-epoch evaluations, "
        f"mean ± std over seeds {seeds}, @ the mean effective epoch of that minimum. Data {data}, "
        f"{train_size} training samples of which {validation} are the validation split, "
        f"budget {epochs} effective epochs.", ""] + lines + [
        "", "Effective epochs until the validation error first reaches SGD's mean minimum "
        "(mean over the seeds that reach it; how many did):", ""] + reach + [
        "", "Test error (%), evaluated once at the end, mean ± std over seeds:", ""] + tests
open(out, "w").write("\n".join(text) + "\n")
print("\n".join(text))
print(f"table written to {out}")
PY
