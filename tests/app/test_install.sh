#!/usr/bin/env bash
# The install target as a user meets it: `cmake --install <build> --prefix DIR` gives DIR/bin/relax
# (runnable from anywhere: PETSc's, MPI's and HDF5's run paths kept) and DIR/share/relax/examples
# with every INI file and plot script of the source tree (the scripts executable); with DIR/bin on
# PATH, the first line of examples/fp_double_well.ini runs as written from DIR/share/relax.
source "$(dirname "$0")/cli_lib.sh"
: "${RELAX_BUILD_DIR:?RELAX_BUILD_DIR must point to the build tree}"
prefix="$workdir/prefix"
if ! cmake --install "$RELAX_BUILD_DIR" --prefix "$prefix" >install.log 2>&1; then
  echo "FAIL: cmake --install:"; cat install.log; exit 1
fi
export PATH="$prefix/bin:$PATH"
[ "$(command -v relax)" = "$prefix/bin/relax" ] && relax --help | grep -q "^usage: relax" &&
  echo "ok: $prefix/bin/relax is on PATH and runs" ||
  { echo "FAIL: installed relax"; failures=$((failures + 1)); }
for file in "$RELAX_SOURCE_DIR"/examples/*.ini "$RELAX_SOURCE_DIR"/examples/*.py; do
  installed="$prefix/share/relax/examples/$(basename "$file")"
  if ! cmp -s "$file" "$installed"; then
    echo "FAIL: $installed missing or different"; failures=$((failures + 1))
  elif [ -x "$file" ] && [ ! -x "$installed" ]; then
    echo "FAIL: $installed is not executable"; failures=$((failures + 1))
  fi
done
echo "ok: $(ls "$prefix"/share/relax/examples | wc -l) example files installed"
line=$(head -n 1 "$RELAX_SOURCE_DIR/examples/fp_double_well.ini" | sed 's/^# //')
if (cd "$prefix/share/relax" && bash -c "$line" >run.log 2>&1) &&
  [ -s "$prefix/share/relax/fp_double_well.png" ] && [ -s "$prefix/share/relax/fp_double_well.xmf" ]; then
  echo "ok: '$line' runs as written"
else
  echo "FAIL: '$line':"; cat "$prefix/share/relax/run.log"; failures=$((failures + 1))
fi
finish
