#!/usr/bin/env bash
# What a user sees on a terminal (tmux, 160 columns): relax compare and relax train draw their
# progress bar on stderr between the rows they print, and every table row, epoch line and PETSc
# monitor line starts on a line of its own: none is glued onto the bar.
source "$(dirname "$0")/cli_lib.sh"
command -v tmux >/dev/null || { echo "FAIL: no tmux (scripts/setup.sh installs it)"; exit 1; }
socket="$workdir/tmux.socket"
trap 'tmux -S "$socket" kill-server 2>/dev/null; rm -rf "$workdir"' EXIT

# on_terminal NAME COMMAND...: runs COMMAND in a detached 160x60 tmux pane and writes the pane
# (with its scrollback) to NAME.pane once the command has ended.
on_terminal() {
  local name=$1
  shift
  printf '%q ' "$@" >"$name.cmd"
  tmux -S "$socket" new-session -d -s "$name" -x 160 -y 60 \
    "cd '$workdir' && bash $name.cmd; echo RELAX_EXIT=\$?; sleep 600"
  for _ in $(seq 600); do
    tmux -S "$socket" capture-pane -p -S -3000 -t "$name" >"$name.pane"
    grep -q "^RELAX_EXIT=" "$name.pane" && break
    sleep 0.5
  done
  tmux -S "$socket" kill-session -t "$name"
}

# pane_check NAME DESCRIPTION EXTENDED-REGEX [COUNT]: the pane shows RELAX_EXIT=0, no line holds
# the bar ("[###") and anything after the bar's own text, and COUNT lines (default >= 1) match
# the regex from column 0.
pane_check() {
  local name=$1 what=$2 regex=$3 count=${4:-}
  local matching glued
  matching=$(grep -Ec -- "$regex" "$name.pane")
  glued=$(grep -E '^\[#* *\] ' "$name.pane" | grep -Ec -- "agree within noise|^.*\] .*(epoch [0-9]|TS dt)")
  if ! grep -q "^RELAX_EXIT=0" "$name.pane"; then
    echo "FAIL: $name did not exit 0:"; cat "$name.pane"; failures=$((failures + 1))
  elif [ "$glued" -ne 0 ]; then
    echo "FAIL: $name: $glued line(s) glued onto the progress bar:"; cat "$name.pane"
    failures=$((failures + 1))
  elif [ -n "$count" ] && [ "$matching" -ne "$count" ] || [ "$matching" -lt 1 ]; then
    echo "FAIL: $name: $matching $what (expected ${count:-some}):"; cat "$name.pane"
    failures=$((failures + 1))
  else
    echo "ok: $name on a terminal: $matching $what, each on a line of its own"
  fi
}

on_terminal compare "$RELAX" compare --sde.particles=100000 --sde.dt=2e-3 --time.end=1 \
  --time.outputs=5 --output.file=c.h5 -- -fp_ts_monitor
pane_check compare "table rows" '^ +[0-9.]+ +[0-9.]+e[-+][0-9]+ +[0-9.]+e[-+][0-9]+ +[0-9.]+ +[0-9.e+-]+ +[0-9.]+ \([a-z_0-9]+\) +agree within noise$' 6
pane_check compare "monitor lines" '^ *[0-9]+ TS dt ' 1001
if grep -Eq '^\[#{30}\] compare step 500 t=1 \(100%\)' compare.pane; then
  echo "ok: compare ends its bar at 100%"
else
  echo "FAIL: compare's final bar line is missing"; failures=$((failures + 1))
fi

on_terminal train "$RELAX" train --net.layers=784,32,10 --data.train_size=20000 --data.test_size=500 \
  --train.threads=1 --train.epochs=3 --output.file=t.h5
pane_check train "epoch lines" '^epoch [0-9.]+: loss ' 3
finish
