#!/usr/bin/env bash
# The bad-input suite: every command refuses what it cannot do before it writes anything. Each case
# asserts exit 2, one stderr line naming the key, option or file and what was expected, no new file
# in the directory (no output, .part, .lock or .xmf), and every existing file byte-identical
# afterwards; unless a case names its own output it aims at keep.h5, a finished earlier output.
# Then the clobber cases (an output that is an input) and two runs on one output (the second exits
# 2 while the first completes its file). Numbers in the comments are the failures of issue 14.
source "$(dirname "$0")/cli_lib.sh"

fp_small=(--grid.n=20 --time.end=0.1 --time.outputs=1)
sde_small=(--sde.particles=200 --grid.n=20 --time.end=0.1 --time.outputs=1 --sde.dt=0.01)
cmp_small=(--sde.particles=500 --grid.n=20 --time.end=0.1 --time.outputs=1 --sde.dt=0.01 --fp.dt=0.01)
hj_small=(--grid.n=40 --hj.gamma=0.1 --hj.chains=4 --hj.samples=20)
fb_small=(--grid.n=20 --time.end=0.1 --fb.steps=5 --time.outputs=1)
train_data=(--data.train_size=200 --data.test_size=100 --train.threads=1 --train.epochs=1)
train_small=(--net.layers=784,8,10 "${train_data[@]}")

"$RELAX" fp "${fp_small[@]}" --output.file=keep.h5 >/dev/null 2>&1 || { echo "FAIL: setup fp"; exit 1; }
"$RELAX" sde "${sde_small[@]}" --sde.checkpoint=true --output.file=ck.h5 >/dev/null 2>&1 ||
  { echo "FAIL: setup sde"; exit 1; }
"$RELAX" train "${train_small[@]}" --output.file=tr.h5 >/dev/null 2>&1 || { echo "FAIL: setup train"; exit 1; }
"$RELAX" fp "${fp_small[@]}" --print-config >good.ini
mkdir adir data
for f in /usr/share/datasets/fashion-mnist/*; do ln -s "$f" data/; done # a data directory of our own
printf '[grid]\nn = 10\n[time]\nend = 1\n[grid]\nn = 20\n' >dup.ini
printf '[petsc]\nfp_ts_type = bdf\nfp_ts_type = cn\n' >dup_petsc.ini
printf '[grid\nn = 10\n' >header.ini
printf '[landscape]\nexpr = "x^2\n' >quote.ini
printf '[grid]\n= 3\n' >nokey.ini
printf '[grid]\nnn = 3\n' >unknown.ini
printf '[petsc]\nfp_pc_typo = lu\n' >typo.ini
snapshot() { find . -type f -o -type d -o -type l | sort | while read -r f; do
  if [ -f "$f" ]; then echo "$f $(sha256sum <"$f" | cut -c1-16)"; else echo "$f"; fi; done; }
baseline=$(snapshot)
cases=0

# unchanged LABEL: the directory holds exactly the files of the baseline, byte for byte.
unchanged() {
  local now
  now=$(snapshot)
  if [ "$now" != "$baseline" ]; then
    echo "FAIL: $1 changed the directory:"; diff <(echo "$baseline") <(echo "$now")
    failures=$((failures + 1))
  fi
}

# bad PATTERN ARGS...: relax ARGS (with --output.file=keep.h5 before any "--" unless ARGS name an
# output) exits 2 with one line matching PATTERN, and nothing in the directory changes.
bad() {
  local pattern=$1
  shift
  local args=() own=1 seen=0 a
  for a in "$@"; do
    case "$a" in --output.file=*) seen=1 ;; esac
  done
  for a in "$@"; do
    if [ "$a" = "--" ] && [ $own -eq 1 ] && [ $seen -eq 0 ]; then args+=(--output.file=keep.h5); own=0; fi
    args+=("$a")
  done
  if [ $own -eq 1 ] && [ $seen -eq 0 ]; then args+=(--output.file=keep.h5); fi
  expect 2 "$pattern" -- "${args[@]}"
  unchanged "relax ${args[*]}"
  cases=$((cases + 1))
}

# --- the command line (3, 7 and the lesser ones) ---
bad "argument 'foo' is not an option" sde "${sde_small[@]}" foo
bad "argument 'good\.ini' is not an option" fp "${fp_small[@]}" good.ini
bad "argument 'x' is not an option" compare "${cmp_small[@]}" x
bad "argument 'extra' is not an option" train "${train_small[@]}" extra
bad "argument '1' is not an option" hj "${hj_small[@]}" 1
bad "argument 'now' is not an option" fb "${fb_small[@]}" now
bad "config file 'adir': is not a regular file" fp --config adir
bad "config file '/dev/null': is not a regular file" sde --config /dev/null
bad "config file 'nosuch\.ini': cannot be opened" compare --config nosuch.ini
bad "config file 'dup\.ini', line 6: key 'grid\.n' given twice \(first at dup\.ini:2\)" fp --config dup.ini
bad "config file 'dup_petsc\.ini', line 3: key 'petsc\.fp_ts_type' given twice" fp --config dup_petsc.ini
bad "config file 'header\.ini', line 1: .*malformed section header" fp --config header.ini
bad "config file 'quote\.ini', line 2: .*no closing quote" fp --config quote.ini
bad "config file 'nokey\.ini', line 2: .*no key before '='" fp --config nokey.ini
bad "unknown key 'grid\.nn' \(unknown\.ini\)" fp --config unknown.ini
bad "landscape\.expr = 'x\^2\\\\n\+1' \(command line\): expected a value on one line" \
  fp --landscape.type=expression "--landscape.expr=x^2
+1"
bad "output\.file = 'a\\\\nb\.h5' \(command line\): expected a value on one line" fp "--output.file=a
b.h5"
bad "unrecognised option '--grid\.nn=3'" fp --grid.nn=3
bad "unrecognised option '--sde\.nosuch=1'" sde --sde.nosuch=1
bad "unrecognised option '--stationary'" sde --stationary
bad "unrecognised option '--fail-on-mismatch'" fp --fail-on-mismatch
bad "grid\.n = 'abc' \(command line\): expected a comma-separated list of integers" hj --grid.n=abc
bad "temperature\.beta = 'inf' \(command line\): expected a finite number" fb --temperature.beta=inf
bad "train\.epochs = '1\.5' \(command line\): expected an integer" train --train.epochs=1.5
bad "sde\.histogram = 'maybe' \(command line\): expected true or false" sde --sde.histogram=maybe

# --- PETSc options: checked before the output exists (2), none silently ignored ---
bad "-fp_ts_type euler: this time stepper cannot integrate the equation" fp "${fp_small[@]}" -- -fp_ts_type euler
bad "-fp_ts_type rk: this time stepper cannot integrate the equation" fp "${fp_small[@]}" -- -fp_ts_type rk
bad "-fp_ts_type ssp: this time stepper cannot integrate the equation" compare "${cmp_small[@]}" -- -fp_ts_type ssp
bad "PETSc error: Unknown EPS type given: nonsense" compare "${cmp_small[@]}" -- -fp_spectrum_eps_type nonsense
bad "PETSc error: .*nonsense" fp "${fp_small[@]}" -- -fp_stationary_pc_type nonsense
bad "PETSc error: .*nosuch" fp "${fp_small[@]}" -- -fp_ts_type nosuch
# a PC that cannot be built on this grid (19 cells per axis do not halve twice)
bad "-fp_pc_type mg: this preconditioner cannot be built on the problem .*Ratio between levels" \
  fp "${fp_small[@]}" --landscape.dim=2 -- -fp_pc_type mg -fp_pc_mg_galerkin both -fp_pc_mg_levels 3
bad "PETSc option '-fp_ts_tyep bdf': no solver of this run reads it" fp "${fp_small[@]}" -- -fp_ts_tyep bdf
bad "PETSc option '-ts_type bdf': no solver of this run reads it" fp "${fp_small[@]}" -- -ts_type bdf
bad "PETSc option '-fp_ts_type bdf': no solver of this run reads it" sde "${sde_small[@]}" -- -fp_ts_type bdf
bad "PETSc option '-hj_ts_type cn': no solver of this run reads it" fp "${fp_small[@]}" -- -hj_ts_type cn
bad "PETSc option '-fp_ts_monitor': no solver of this run reads it" train "${train_small[@]}" -- -fp_ts_monitor
bad "PETSc option '-fb_backward_pc_type lu': no solver of this run reads it" hj "${hj_small[@]}" -- -fb_backward_pc_type lu
bad "PETSc option '-info': no solver of this run reads it" fb "${fb_small[@]}" -- -info
bad "PETSc option '-fp_pc_typo lu': no solver of this run reads it" fp "${fp_small[@]}" --config typo.ini
bad "PETSc option '-options_file missing\.opts': cannot be read" fp "${fp_small[@]}" -- -options_file missing.opts
bad "PETSc option '-options_file': expected a file name" fp "${fp_small[@]}" -- -options_file
bad "PETSc option 'fp_ts_type': expected an option name starting with '-'" fp "${fp_small[@]}" -- fp_ts_type bdf

# --- values every command checks before its output ---
bad "grid\.n = '1': expected integers >= 2" fp --grid.n=1
bad "grid\.lo = '1', grid\.hi = '0': expected lo < hi" compare "${cmp_small[@]}" --grid.lo=1 --grid.hi=0
bad "grid\.bc = 'open': expected reflecting, periodic or absorbing" fp --grid.bc=open
bad "temperature\.beta = '0'" sde "${sde_small[@]}" --temperature.beta=0
bad "time\.end = '-1': expected a final time >= 0" fp --time.end=-1
bad "fp\.dt = '0': expected a time step > 0" fp --fp.dt=0
bad "initial\.mean = '7': the point mass lies outside" fp --initial.kind=point --initial.mean=7
bad "landscape\.expr = '\(x\^2-1': muParser: Missing parenthesis" sde --landscape.type=expression "--landscape.expr=(x^2-1"
bad "landscape expression.* is not finite at every cell centre of the grid" fp "${fp_small[@]}" \
  --landscape.type=expression "--landscape.expr=log(x)"
bad "landscape expression.* is not finite at every cell centre of the grid" compare "${cmp_small[@]}" \
  --landscape.type=expression "--landscape.expr=log(x)"
# 6: a landscape not finite where the particles start is bad input for sde too
bad "the landscape expression.* or its gradient is not finite at particle [0-9]+; expected a landscape finite where the initial distribution lives" \
  sde "${sde_small[@]}" --landscape.type=expression "--landscape.expr=log(x)"
bad "sde\.particles = '0': expected an integer >= 1" sde --sde.particles=0
bad "sde\.dt = '0': expected a finite number > 0" sde --sde.dt=0
bad "sde\.integrator = 'leapfrog'" sde --sde.integrator=leapfrog
bad "sde\.seed = '-1'" sde "${sde_small[@]}" --sde.seed=-1
bad "sde\.friction = '0': expected a finite number > 0" sde --sde.integrator=baoab --sde.friction=0
bad "output time [0-9.]+ .*not a whole number of steps of sde\.dt = 0\.003" sde --sde.dt=0.003
bad "sde\.passage_axis = '1': expected an axis in \[0, 1\)" sde --sde.passage=up --sde.passage_axis=1
bad "initial\.file 'nosuch\.h5'|nosuch\.h5" fp "${fp_small[@]}" --initial.kind=file --initial.file=nosuch.h5 --initial.dataset=x
bad "compare\.noise_factor = '0': expected a finite number > 0" compare "${cmp_small[@]}" --compare.noise_factor=0
bad "compare\.false_alarm_rate = '1': expected a probability in \(0, 1\)" compare "${cmp_small[@]}" --compare.false_alarm_rate=1
bad "sde\.restart = 'ck\.h5': relax compare cannot restart" compare "${cmp_small[@]}" --sde.restart=ck.h5
bad "hj\.gamma = '0': expected values > 0 in increasing order" hj --hj.gamma=0
bad "hj\.nu = '0': expected a viscosity > 0" hj --hj.nu=0
bad "hj\.chains = '1': expected an integer >= 2" hj --hj.chains=1
bad "hj\.points = '9': point 0 lies outside the grid box" hj --hj.points=9
bad "time\.end = '0': expected a horizon T > 0" fb --time.end=0
bad "fb\.c = '0': expected a control weight c > 0" fb --fb.c=0
bad "fb\.terminal = 'log\(x\)': not finite at every cell centre" fb --fb.terminal="log(x)"
bad "fb\.steps = '0': expected an integer >= 1" fb --fb.steps=0
bad "landscape\.dim = 3: relax fb runs in 1 or 2 dimensions" fb --landscape.type=quadratic --landscape.dim=3
bad "train\.sampler" train "${train_small[@]}" --train.sampler=lbfgs
bad "net\.layers = '784-32-9': expected at least two widths" train "${train_data[@]}" --net.layers=784,32,9
bad "ctld\.s = '1': expected a number in \[0, 1\)" train "${train_small[@]}" --train.sampler=ctld --ctld.s=1
bad "IDX file '/nonexistent/train-images-idx3-ubyte\.gz': cannot be opened" train "${train_small[@]}" --data.path=/nonexistent
bad "train\.restart: input file 'missing\.h5'|missing\.h5" train "${train_small[@]}" --train.restart=missing.h5
bad "sde\.restart: input file 'missing\.h5'" sde "${sde_small[@]}" --sde.restart=missing.h5
bad "sde\.restart = 'keep\.h5': the file has no /checkpoint" sde "${sde_small[@]}" --sde.restart=keep.h5 --output.file=new.h5

# --- output paths ---
bad "output file '/nonexistent/dir/out\.h5': cannot create the lock file" fp "${fp_small[@]}" --output.file=/nonexistent/dir/out.h5
bad "output file 'adir': is a directory" fp "${fp_small[@]}" --output.file=adir
bad "output file 'keep\.h5/x\.h5': cannot create the lock file 'keep\.h5/x\.h5\.lock' \(Not a directory\)" \
  sde "${sde_small[@]}" --output.file=keep.h5/x.h5

# --- clobber: an output that is one of the run's inputs (4) ---
bad "output file 'good\.ini' is the input --config = 'good\.ini'" fp --config good.ini --output.file=good.ini
bad "output file '\./good\.ini' is the input --config = 'good\.ini'" fp --config good.ini --output.file=./good.ini
bad "output file 'keep\.h5' is the input initial\.file = 'keep\.h5'" fp "${fp_small[@]}" \
  --initial.kind=file --initial.file=keep.h5 --initial.dataset=/fp/density --output.file=keep.h5
ln -s keep.h5 alias.h5
baseline=$(snapshot)
bad "output file 'alias\.h5' is the input initial\.file = 'keep\.h5'" compare "${cmp_small[@]}" \
  --initial.kind=file --initial.file=keep.h5 --initial.dataset=/fp/density --output.file=alias.h5
rm -f alias.h5
baseline=$(snapshot)
# --- restarts continue the same problem (8): only time, outputs, output file and threads change ---
bad "sde\.restart = 'ck\.h5': its run had temperature\.beta = '1', this run has '2'; expected the same problem" \
  sde "${sde_small[@]}" --sde.checkpoint=true --sde.restart=ck.h5 --temperature.beta=2
bad "sde\.restart = 'ck\.h5': its run had landscape\.type = 'double_well', this run has 'quadratic'" \
  sde "${sde_small[@]}" --sde.checkpoint=true --sde.restart=ck.h5 --landscape.type=quadratic --output.file=ck.h5
bad "sde\.restart = 'ck\.h5': its run had landscape\.tilt = '0', this run has '0\.1'" \
  sde "${sde_small[@]}" --sde.checkpoint=true --sde.restart=ck.h5 --landscape.tilt=0.1
bad "sde\.restart = 'ck\.h5': checkpoint written with sde\.seed = 1, but sde\.seed = 2" \
  sde "${sde_small[@]}" --sde.checkpoint=true --sde.restart=ck.h5 --sde.seed=2
bad "train\.restart = 'tr\.h5': its run had train\.seed = '0', this run has '3'" \
  train "${train_small[@]}" --train.restart=tr.h5 --train.seed=3
bad "train\.restart = 'tr\.h5': its run had train\.sampler = 'sgd', this run has 'sgld'" \
  train "${train_small[@]}" --train.restart=tr.h5 --train.sampler=sgld --output.file=tr.h5
bad "train\.restart = 'tr\.h5': its run had data\.train_size = '200', this run has '300'" \
  train --net.layers=784,8,10 --data.train_size=300 --data.test_size=100 --train.threads=1 --train.epochs=1 \
  --train.restart=tr.h5
bad "train\.restart = 'tr\.h5': checkpoint of [0-9]+ parameters, expected [0-9]+" \
  train "${train_data[@]}" --net.layers=784,16,10 --train.restart=tr.h5
bad "output file 'keep\.h5' \(its temporary 'keep\.h5\.part'\) is the input initial\.file = 'keep\.h5\.part'" \
  sde "${sde_small[@]}" --initial.kind=file --initial.file=keep.h5.part --initial.dataset=x --output.file=keep.h5
bad "output file 'tr\.h5' \(its temporary 'tr\.h5\.part'\) is the input train\.restart = 'tr\.h5\.part'" \
  train "${train_small[@]}" --train.restart=tr.h5.part --output.file=tr.h5
bad "output file 'data/out\.h5': lies in the input directory data\.path = 'data'" \
  train "${train_small[@]}" --data.path=data --output.file=data/out.h5

# --- a size that cannot fit (9): exit 2 naming the key and the bytes, estimated before allocating ---
mem="needs [0-9.e+]+ bytes, [0-9.e+]+ available$"
bad "grid\.n = '1000000' \(2 axes: 1e\+12 cells\): $mem" fp "${fp_small[@]/--grid.n=20/--grid.n=1000000}" \
  --landscape.type=muller_brown
bad "grid\.n = '3000000,3000000' \(2 axes: 9e\+12 cells\): $mem" hj --grid.n=3000000,3000000 \
  --landscape.type=muller_brown --hj.gamma=0.1
bad "grid\.n = '100000000' \(2 axes: 1e\+16 cells\): $mem" fb --grid.n=100000000 \
  --landscape.type=muller_brown --time.end=0.1 --fb.steps=5 --time.outputs=1
bad "grid\.n = '1000000' \(2 axes: 1e\+12 cells\): $mem" spectrum --grid.n=1000000 \
  --landscape.type=muller_brown
bad "grid\.n = '1000000' \(2 axes: 1e\+12 cells\): $mem" compare "${cmp_small[@]/--grid.n=20/--grid.n=1000000}" \
  --landscape.type=muller_brown
bad "grid\.n = '1000000' \(2 axes: 1e\+12 cells\): $mem" sde --grid.n=1000000 --sde.particles=10 \
  --landscape.type=muller_brown
bad "sde\.particles = 10000000000000 \(dimension 1, 8 bytes each\): $mem" sde --sde.particles=10000000000000
bad "sde\.particles = 10000000000000 \(dimension 1, 24 bytes each\): $mem" compare \
  --sde.particles=10000000000000 --sde.integrator=baoab
bad "sde\.particles = 10000000000 \(dimension 1, 4e\+04 bytes each\): $mem" sde \
  --sde.particles=10000000000 --sde.integrator=ctld --ctld.bins=5000
bad "net\.layers = '784,2000000000,10' \(1\.59e\+12 parameters, train\.batch = 128\): $mem" train \
  "${train_data[@]}" --net.layers=784,2000000000,10
# (compare's particles: position, velocity and a passage step for the escape rates)
# at 2 ranks the need and the memory are per rank (the ranks of a node share it)
"$MPIEXEC" -n 2 "$RELAX" sde --sde.particles=10000000000000 --output.file=keep.h5 >/dev/null 2>mpi.err
status=$?
if [ $status -ne 2 ] || ! grep -Eq "^relax: error: sde\.particles = 10000000000000 \(dimension 1, 8 bytes each\): needs 4e\+13 bytes per rank, [0-9.e+]+ available per rank$" mpi.err; then
  echo "FAIL: 2-rank memory refusal exited $status:"; cat mpi.err; failures=$((failures + 1))
else
  echo "ok: 2-rank memory refusal"
fi
rm -f mpi.err
unchanged "2-rank memory refusal"
cases=$((cases + 1))
# a normal size is not refused: a 400 x 400 grid, 10^6 particles, the mnistfc net
expect 0 "fp: wrote fits\.h5" -- fp --grid.n=400 --landscape.type=muller_brown --time.end=1e-3 \
  --fp.dt=1e-3 --time.outputs=1 --output.file=fits.h5
expect 0 "sde: wrote fits_sde\.h5" -- sde --sde.particles=1000000 --time.end=1e-3 --sde.dt=1e-3 \
  --time.outputs=1 --output.file=fits_sde.h5
expect 0 "^epoch 1: loss" -- train "${train_data[@]}" --net.layers=784,1024,1024,10 \
  --output.file=fits_train.h5
rm -f fits.h5 fits.xmf fits_sde.h5 fits_sde.xmf fits_train.h5 fits_train.xmf
baseline=$(snapshot)

# --- two runs on one output (1): the second exits 2 naming it, before any work; the first
# finishes its file, which holds its own data only. Also its temporary as the other's output.
"$RELAX" compare --sde.particles=300000 --grid.n=100 --time.end=2 --time.outputs=5 --output.file=busy.h5 \
  --compare.rates=false >/dev/null 2>busy.err &
first=$!
for _ in $(seq 100); do [ -e busy.h5.part ] && break; sleep 0.05; done
[ -e busy.lock ] || [ -e busy.h5.lock ] || { echo "FAIL: the first run holds no lock"; failures=$((failures + 1)); }
before=$(snapshot)
baseline=$before
expect 2 "output file 'busy\.h5': is being written by another run \(pid $first on host [^,]+, lock 'busy\.h5\.lock'\)" -- \
  sde "${sde_small[@]}" --output.file=busy.h5
expect 2 "output file 'busy\.h5\.part': is being written by another run \(pid $first" -- \
  fp "${fp_small[@]}" --output.file=busy.h5.part
expect 2 "output file '\./busy\.h5': is being written by another run" -- fp "${fp_small[@]}" --output.file=./busy.h5
cases=$((cases + 3))
wait $first
status=$?
[ $status -eq 0 ] || { echo "FAIL: the first run exited $status:"; cat busy.err; failures=$((failures + 1)); }
check_h5 busy.h5 'f.attrs["command"] in ("compare", b"compare")' 'f["sde/time"].shape == (6,)' \
  'f["fp/density"].shape == (6, 100)'
[ ! -e busy.h5.lock ] && [ ! -e busy.h5.part ] ||
  { echo "FAIL: the finished run left its lock or temporary"; failures=$((failures + 1)); }
rm -f busy.h5 busy.xmf busy.err
# A lock file left by a killed run holds no lock: a new run takes it and removes it at the end.
echo "pid 1 on host gone" >stale.h5.lock
expect 0 "fp: wrote stale\.h5" -- fp "${fp_small[@]}" --output.file=stale.h5
[ ! -e stale.h5.lock ] || { echo "FAIL: the stale lock stayed"; failures=$((failures + 1)); }
rm -f stale.h5 stale.xmf

echo "bad-input cases: $cases"
[ "$cases" -ge 80 ] || { echo "FAIL: only $cases cases"; failures=$((failures + 1)); }
rm -rf keep.h5 keep.xmf ck.h5 ck.xmf tr.h5 good.ini adir data ./*.ini
expect_only_files
finish
