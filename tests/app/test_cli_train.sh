#!/usr/bin/env bash
# relax train as a user meets it: bad data files and keys (exit 2, one line naming the file or key,
# nothing written), small runs of every sampler with the /train and /checkpoint layout, a restart
# that continues bit for bit, 2 ranks against 1, and a NaN loss (exit 3 with the checkpoint saved).
source "$(dirname "$0")/cli_lib.sh"
PY=${PYTHON:-/usr/bin/python3}
base=(--data.test_size=500 --train.threads=1)
small=(--net.layers=784,32,10 --data.train_size=1000 "${base[@]}")

# --- bad input: corrupt IDX files in a scratch directory (outside the working directory) ---
data=$(mktemp -d)
trap 'rm -rf "$workdir" "$data"' EXIT
fm=/usr/share/datasets/fashion-mnist
make_idx() { # make_idx FILE MAGIC_HEX DIMS_HEX... : a header followed by the bytes of stdin
  local file=$1 magic=$2
  shift 2
  { printf "$magic"; for d in "$@"; do printf "$d"; done; cat; } | gzip -c >"$file"
}
mkdir "$data/magic" "$data/truncated" "$data/mismatch"
for d in magic truncated mismatch; do cp $fm/t10k-* "$data/$d/"; done
head -c 100 /dev/zero | make_idx "$data/magic/train-images-idx3-ubyte.gz" '\x00\x00\x08\x01' '\x00\x00\x00\x04'
cp $fm/train-labels-idx1-ubyte.gz "$data/magic/"
head -c 3000 /dev/zero | make_idx "$data/truncated/train-images-idx3-ubyte.gz" '\x00\x00\x08\x03' \
  '\x00\x00\x00\x04' '\x00\x00\x00\x1c' '\x00\x00\x00\x1c'
cp $fm/train-labels-idx1-ubyte.gz "$data/truncated/"
head -c 3136 /dev/zero | make_idx "$data/mismatch/train-images-idx3-ubyte.gz" '\x00\x00\x08\x03' \
  '\x00\x00\x00\x04' '\x00\x00\x00\x1c' '\x00\x00\x00\x1c'
head -c 3 /dev/zero | make_idx "$data/mismatch/train-labels-idx1-ubyte.gz" '\x00\x00\x08\x01' \
  '\x00\x00\x00\x03'
expect 2 "magic/train-images-idx3-ubyte\.gz': magic number 0x00000801, expected 0x00000803" \
  -- train "${base[@]}" --data.path="$data/magic"
expect 2 "truncated/train-images-idx3-ubyte\.gz': truncated: header promises 3136 data bytes, found 3000" \
  -- train "${base[@]}" --data.path="$data/truncated"
expect 2 "mismatch/train-labels-idx1-ubyte\.gz': 4 images but 3 labels" \
  -- train "${base[@]}" --data.path="$data/mismatch"
expect 2 "IDX file '/nonexistent/train-images-idx3-ubyte\.gz': cannot be opened" \
  -- train "${small[@]}" --data.path=/nonexistent
expect 2 "net\.layers = '784-32-9'" -- train "${base[@]}" --data.train_size=100 --net.layers=784,32,9
expect 2 "train\.sampler = 'nadam'" -- train "${small[@]}" --train.sampler=nadam
expect 2 "ctld\.s = '1': expected a number in \[0, 1\)" -- train "${small[@]}" --train.sampler=ctld --ctld.s=1
# a sampler key the chosen sampler does not read is refused, naming it (tests/learning covers
# every sampler x key)
expect 2 "train\.momentum = '0\.5' \(command line\): not used by train\.sampler = sgld" \
  -- train "${small[@]}" --train.sampler=sgld --train.momentum=0.5
expect 2 "ctld\.sampling_steps = '50' \(command line\): not used by train\.sampler = sgd" \
  -- train "${small[@]}" --ctld.sampling_steps=50
expect 2 "data\.train_size = 70000" -- train "${base[@]}" --data.train_size=70000
expect_only_files # rejected runs write nothing

# --- every sampler runs and writes /train per epoch and /checkpoint ---
expect 0 "epoch 2: .*test_error" -- train "${small[@]}" --train.epochs=2 --output.file=sgd.h5
expect 0 "epoch 2: .*temperature 0.001 " -- train "${small[@]}" --train.epochs=2 --train.sampler=sgld \
  --train.lr=0.1 --sgld.temperature=1e-3 --output.file=sgld.h5
expect 0 "epoch 2: " -- train "${small[@]}" --train.epochs=2 --train.sampler=ctld \
  --ctld.sampling_steps=12 --ctld.temperature=1e-3 --ctld.eta=3e-4 --ctld.friction=333 \
  --output.file=ctld.h5
# the samplers added with the table: SGHMC, pSGLD (lr is per unit preconditioned gradient), Adam, RMSProp
expect 0 "epoch 2: " -- train "${small[@]}" --train.epochs=2 --train.sampler=sghmc --train.lr=0.05 \
  --sgld.temperature=1e-4 --output.file=sghmc.h5
expect 0 "epoch 2: " -- train "${small[@]}" --train.epochs=2 --train.sampler=psgld --train.lr=1e-3 \
  --sgld.temperature=1e-4 --output.file=psgld.h5
expect 0 "epoch 2: " -- train "${small[@]}" --train.epochs=2 --train.sampler=adam --train.lr=1e-3 \
  --output.file=adam.h5
expect 0 "epoch 2: " -- train "${small[@]}" --train.epochs=2 --train.sampler=rmsprop \
  --train.lr=1e-3 --output.file=rmsprop.h5
expect 0 "epoch 2\.5: " -- train "${small[@]}" --train.epochs=2 --train.sampler=entropy_sgd \
  --entropy.inner_steps=5 --train.lr=1 --output.file=entropy.h5
"$PY" - <<'EOF' || failures=$((failures + 1))
import h5py, numpy as np
for name, epochs in [("sgd", [1, 2]), ("sgld", [1, 2]), ("ctld", [1, 2]), ("entropy", [1.25, 2.5]),
                     ("sghmc", [1, 2]), ("psgld", [1, 2]), ("adam", [1, 2]), ("rmsprop", [1, 2])]:
    f = h5py.File(name + ".h5", "r")
    t = f["train"]
    for key in ["step", "epoch", "loss", "train_error", "temperature", "alpha", "gamma"]:
        assert t[key].shape == (len(epochs),), (name, key, t[key].shape)
    # the test set once, at the end (no validation split here: no validation series)
    assert t["test_error"].shape == (1,) and t["test_epoch"][0] == epochs[-1], name
    assert "validation_error" not in t and t.attrs["validation_size"] == 0, name
    assert np.allclose(t["epoch"][:], epochs), (name, t["epoch"][:])
    assert f.attrs["command"] == b"train" or f.attrs["command"] == "train"
    trace = t["trace"][:]
    assert trace.shape[1] == 7 and np.all(np.isfinite(trace)), name
    assert f["checkpoint/params"].shape == (1, 784 * 32 + 32 + 32 * 10 + 10), name
    # 1000 samples, batch 128: 8 minibatches per epoch
    assert f["checkpoint"].attrs["minibatches"] == round(8 * epochs[-1]), name
    assert t["test_error"][-1] < 0.5, (name, t["test_error"][:])  # far better than chance (0.9)
c = h5py.File("ctld.h5", "r")["train/trace"][:]
temperature, alpha = c[:, 4], c[:, 5]
sampling = c[:, 0] <= 12
assert np.all(temperature[~sampling] == 0.0)  # after L_s: the same integrator without noise
g = 1 / temperature[sampling]  # recorded 1/g(alpha): check it against alpha
a = np.abs(alpha[sampling]); z = np.clip((a - 0.4) / 1.1, 0, 1)
assert np.allclose(g, 1 - 0.85 * z * z * (3 - 2 * z)), (g, alpha)
f = h5py.File("ctld.h5", "r")["train/ctld"]
ct = f["trace"][:]
assert ct.shape == (16, 8), ct.shape
assert np.array_equal(ct[:, 1], (ct[:, 0] > 12).astype(float))  # the phase marker
assert np.array_equal(ct[:, 2], alpha) and np.all(ct[ct[:, 1] == 1, 4:] == 0)
assert np.all(np.isfinite(ct))
assert f["bias"].shape == (2, 101) and np.all(f["bias"][:] > 0)  # K + 1 edges, deposited
hist = f["alpha_histogram"][:]
assert hist.shape == (2, 100) and hist[0].sum() + f["alpha_outside"][0] == 8  # 8 sampling steps
assert hist[1].sum() + f["alpha_outside"][1] == 4                              # steps 9..12
assert f["flatness"].shape == (2,)
e = h5py.File("entropy.h5", "r")["train/gamma"][:]
# gamma_k = gamma0 (1 + gamma1)^k of the last outer step k of each epoch (steps 2 and 4)
assert np.allclose(e, 1e-4 * (1 + 1e-3) ** np.array([1, 3]), rtol=1e-12), e
print("ok: /train and /checkpoint layout of sgd, sgld, ctld, entropy_sgd")
EOF

# --- the Deep Relaxation optimizers, with a validation split: per-epoch validation error, the test
# set once at the end, budgets in effective epochs (an inner-loop step or perturbation is one
# minibatch gradient), every /train dataset described ---
expect 0 "epoch 2\.29: test_error" -- train "${small[@]}" --train.epochs=2 --train.sampler=heat \
  --data.validation_size=200 --heat.samples=4 --output.file=heat.h5
expect 0 "epoch 2\.14: test_error" -- train "${small[@]}" --train.epochs=2 --train.sampler=hj \
  --data.validation_size=200 --prox.inner_steps=5 --train.lr=0.5 --prox.time=0.5 --output.file=hj.h5
expect 0 "epoch 2: " -- train "${small[@]}" --train.epochs=2 --train.sampler=hesgd \
  --data.validation_size=200 --hesgd.samples=1 --train.seed=3 --output.file=hesgd.h5
expect 0 "epoch 2: " -- train "${small[@]}" --train.epochs=2 --data.validation_size=200 \
  --data.validation_seed=5 --train.lr_schedule=step --train.lr_drops=1 --output.file=split5.h5
expect 2 "data\.validation_size = '1000': expected fewer than the 1000 training samples" \
  -- train "${small[@]}" --data.validation_size=1000 --output.file=x.h5
expect 2 "heat\.samples = '4' \(command line\): not used by train\.sampler = sgd" \
  -- train "${small[@]}" --heat.samples=4 --output.file=x.h5
"$PY" - <<'EOF' || failures=$((failures + 1))
import h5py, numpy as np
# 800 training samples after the split, batch 128: 7 minibatches per epoch
for name, epochs, steps in [("heat", [8 / 7, 16 / 7], [2, 4]), ("hj", [10 / 7, 15 / 7], [2, 3]),
                            ("hesgd", [1, 2], [7, 14])]:
    f = h5py.File(name + ".h5", "r")
    t = f["train"]
    assert np.allclose(t["epoch"][:], epochs) and list(t["step"][:]) == steps, (name, t["epoch"][:])
    assert f["checkpoint"].attrs["minibatches"] == round(7 * epochs[-1]), name
    assert t["validation_error"].shape == (2,) and t["validation_loss"].shape == (2,), name
    assert t["test_error"].shape == (1,) and t["test_error"][0] < 0.5, (name, t["test_error"][:])
    assert t["validation_error"][-1] < 0.6, (name, t["validation_error"][:])
# the split: 200 distinct indices of the 1000, recorded; the same for every train.seed (hesgd ran
# with seed 3, heat with 0), another for another data.validation_seed
v = h5py.File("heat.h5", "r")["train/validation_indices"][:]
assert v.shape == (200,) and len(set(v)) == 200 and v.min() >= 0 and v.max() < 1000
assert np.all(np.diff(v) > 0)
assert np.array_equal(v, h5py.File("hesgd.h5", "r")["train/validation_indices"][:])
s5 = h5py.File("split5.h5", "r")["train"]
assert not np.array_equal(v, s5["validation_indices"][:]) and s5.attrs["validation_seed"] == 5
# every /train dataset (except the unnamed dimensions n<size>) has long_name and units
for name in ["heat", "split5", "sgd", "ctld", "entropy"]:
    def check(path, obj):
        if isinstance(obj, h5py.Dataset) and not path.split("/")[-1][1:].isdigit():
            assert "long_name" in obj.attrs and "units" in obj.attrs, (name, path)
    h5py.File(name + ".h5", "r")["train"].visititems(check)
print("ok: heat, hj, hesgd; validation split; test once; /train described")
EOF

# --- Parle at 2 replicas: per-replica losses and the distance to the master per epoch ---
"$MPIEXEC" -n 2 "$RELAX" train "${small[@]}" --train.epochs=2 --train.sampler=parle \
  --parle.replicas=true --entropy.inner_steps=4 --train.lr=1 --output.file=parle.h5 >/dev/null 2>&1 ||
  { echo "FAIL: 2-replica Parle run"; failures=$((failures + 1)); }
check_h5 parle.h5 'f["train/replica_minibatch_loss"].shape == (2, 2)' \
  'np.all(f["train/replica_distance"][:] > 0)' \
  'f["checkpoint/params"].shape[0] == 2 and not np.array_equal(f["checkpoint/params"][0], f["checkpoint/params"][1])' \
  'f["train/test_error"][-1] < 0.5'

# --- restart continues bit for bit; 2 ranks match 1 rank to float round-off ---
expect 0 "epoch 1:" -- train "${small[@]}" --train.epochs=1 --train.sampler=sgld --train.lr=0.1 \
  --sgld.temperature=1e-3 --output.file=first.h5
expect 0 "epoch 2:" -- train "${small[@]}" --train.epochs=2 --train.sampler=sgld --train.lr=0.1 \
  --sgld.temperature=1e-3 --train.restart=first.h5 --output.file=second.h5
expect 2 "train\.restart = 'sgd\.h5': checkpoint of 25450 parameters, expected 50890" \
  -- train "${base[@]}" --data.train_size=1000 --net.layers=784,64,10 --train.restart=sgd.h5 \
  --output.file=x.h5
# A restart into its own file keeps the epochs before (it kept only the new ones) and equals the
# uninterrupted run; a changed sampler or seed is refused by name.
cp first.h5 own.h5
expect 0 "epoch 2:" -- train "${small[@]}" --train.epochs=2 --train.sampler=sgld --train.lr=0.1 \
  --sgld.temperature=1e-3 --train.restart=own.h5 --output.file=own.h5
check_h5 own.h5 'list(f["train/epoch"][:]) == list(h5py.File("sgld.h5", "r")["train/epoch"][:])' \
  'np.array_equal(f["train/loss"][:], h5py.File("sgld.h5", "r")["train/loss"][:])' \
  'np.array_equal(f["checkpoint/params"][:], h5py.File("sgld.h5", "r")["checkpoint/params"][:])'
expect 2 "train\.restart = 'first\.h5': its run had train\.sampler = 'sgld', this run has 'sgd'" -- \
  train "${small[@]}" --train.epochs=2 --train.sampler=sgd --train.lr=0.1 \
  --train.restart=first.h5 --output.file=x.h5
expect 2 "train\.restart = 'first\.h5': its run had train\.seed = '0', this run has '7'" -- \
  train "${small[@]}" --train.epochs=2 --train.sampler=sgld --train.lr=0.1 --train.seed=7 \
  --sgld.temperature=1e-3 --train.restart=first.h5 --output.file=x.h5
rm -f own.h5
"$MPIEXEC" -n 2 "$RELAX" train "${small[@]}" --train.epochs=2 --output.file=sgd_np2.h5 >/dev/null 2>&1 ||
  { echo "FAIL: 2-rank run"; failures=$((failures + 1)); }
"$PY" - <<'EOF' || failures=$((failures + 1))
import h5py, numpy as np
full = h5py.File("sgld.h5", "r")["checkpoint/params"][:]
restarted = h5py.File("second.h5", "r")["checkpoint/params"][:]
assert np.array_equal(full, restarted), np.abs(full - restarted).max()
one = h5py.File("sgd.h5", "r")["checkpoint/params"][:]
two = h5py.File("sgd_np2.h5", "r")["checkpoint/params"][:]
# 16 steps whose gradient sums differ in order: a few hundred float ulps of the largest weight
diff = np.abs(one - two).max()
assert diff <= 1000 * 6e-8 * np.abs(one).max(), diff
print("ok: restart bit-identical; 2 ranks vs 1 rank max difference %.3g" % diff)
EOF

# --- a NaN loss: exit 3, the error names the file holding the last good checkpoint ---
err=$(mktemp)
"$RELAX" train "${small[@]}" --train.lr=1e30 --train.epochs=2 --output.file=nan.h5 2>"$err" >/dev/null
status=$?
if [ $status -ne 3 ] || ! tail -1 "$err" | grep -Eq "^relax: error: train: non-finite loss at step [0-9]+ .*'nan\.h5' holds the checkpoint of the last completed epoch 0$"; then
  echo "FAIL: NaN loss: exit $status, stderr:"; cat "$err"; failures=$((failures + 1))
else
  echo "ok: NaN loss -> exit 3"
fi
rm -f "$err"
"$PY" - <<'EOF' || failures=$((failures + 1))
import h5py, numpy as np
f = h5py.File("nan.h5", "r")
assert f["checkpoint"].attrs["minibatches"] == 0
p = f["checkpoint/params"][:]
# the initial state: PyTorch's bounds 1/sqrt(784) (first layer) and 1/sqrt(32) (second)
first = 784 * 32 + 32
assert np.abs(p[0, :first]).max() <= 1 / 28 and np.abs(p[0, first:]).max() <= 32 ** -0.5, p
print("ok: nan.h5 holds the finite initial checkpoint")
EOF
rm -f ./*.h5
finish
