#!/usr/bin/env bash
# relax train on the networks with state beside the parameters (net.type = lenet, net.batch_norm,
# net.dropout): a restart continues bit for bit (batch norm's running statistics and the dropout
# counter are in /checkpoint/network), 2 and 3 ranks match 1 rank to float round-off (batch
# statistics over the global minibatch, dropout keyed by sample), and keys a network does not use
# are refused by name.
source "$(dirname "$0")/cli_lib.sh"
PY=${PYTHON:-/usr/bin/python3}
base=(--data.train_size=600 --data.test_size=200 --train.threads=1 --train.batch=60)
lenet=(--net.type=lenet --net.batch_norm=true --net.dropout=0.5 "${base[@]}")

# --- bad input: exit 2, one line naming the key, nothing written ---
expect 2 "net\.layers = '784,32,10' \(command line\): not used by net\.type = lenet" -- \
  train "${lenet[@]}" --net.layers=784,32,10 --output.file=x.h5
expect 2 "net\.dropout = '1': expected a drop rate in \[0, 0\.999\]" -- \
  train "${base[@]}" --net.dropout=1 --output.file=x.h5
expect 2 "net\.type = 'resnet'" -- train "${base[@]}" --net.type=resnet --output.file=x.h5
expect_only_files

# --- LeNet with batch norm and dropout: two epochs, and one epoch continued by a restart ---
expect 0 "epoch 2:" -- train "${lenet[@]}" --train.epochs=2 --output.file=full.h5
expect 0 "epoch 1:" -- train "${lenet[@]}" --train.epochs=1 --output.file=first.h5
expect 0 "epoch 2:" -- train "${lenet[@]}" --train.epochs=2 --train.restart=first.h5 \
  --output.file=second.h5
check_h5 full.h5 'f["train"].attrs["net"].startswith("lenet(1x28x28, conv 5x5x20")' \
  'f["checkpoint/network"].shape == (1, 2 * (20 + 50 + 500) + 1)' \
  'f["checkpoint/network"][0, -1] == 20' \
  'f["train/test_error"][-1] < 0.6'
check_h5 second.h5 \
  'np.array_equal(f["checkpoint/params"][:], h5py.File("full.h5", "r")["checkpoint/params"][:])' \
  'np.array_equal(f["checkpoint/network"][:], h5py.File("full.h5", "r")["checkpoint/network"][:])' \
  'np.array_equal(f["train/test_error"][:], h5py.File("full.h5", "r")["train/test_error"][-1:])'
# A restart from a checkpoint without the network's buffers is refused by name (the config check
# of a changed net.batch_norm comes first, so remove the dataset from a copy).
cp first.h5 stripped.h5
"$PY" -c 'import h5py; del h5py.File("stripped.h5", "r+")["checkpoint/network"]'
expect 2 "train\.restart = 'stripped\.h5': the checkpoint has no /checkpoint/network" -- \
  train "${lenet[@]}" --train.epochs=2 --train.restart=stripped.h5 --output.file=x.h5
rm -f stripped.h5

# --- the reference mnistfc's layers (batch norm, dropout 0.5, input dropout 0.2) at 1, 2, 3 ranks
mnistfc=(--net.layers=784,64,64,10 --net.batch_norm=true --net.dropout=0.5 --net.input_dropout=0.2
  "${base[@]}" --train.epochs=2)
expect 0 "epoch 2:" -- train "${mnistfc[@]}" --output.file=np1.h5
for np in 2 3; do
  "$MPIEXEC" -n $np "$RELAX" train "${mnistfc[@]}" --output.file=np$np.h5 >/dev/null 2>&1 ||
    { echo "FAIL: $np-rank run"; failures=$((failures + 1)); }
done
"$PY" - <<'PYEOF' || failures=$((failures + 1))
import h5py, numpy as np
one = h5py.File("np1.h5", "r")
for np_ in (2, 3):
    other = h5py.File("np%d.h5" % np_, "r")
    for name in ("checkpoint/params", "checkpoint/network"):
        a, b = one[name][:], other[name][:]
        # 20 steps whose sums (gradients, batch statistics) differ in order: a few hundred float
        # ulps of the largest entry; local-only statistics or rank-keyed masks differ by O(1).
        diff = np.abs(a - b).max()
        assert diff <= 1000 * 6e-8 * np.abs(a).max(), (np_, name, diff)
    print("ok: %d ranks vs 1: max difference %.3g" % (np_, diff))
PYEOF
finish
