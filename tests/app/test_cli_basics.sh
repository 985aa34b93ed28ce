#!/usr/bin/env bash
# The relax CLI as a user meets it: help, info, config resolution, and bad input (exit 2, one line).
source "$(dirname "$0")/cli_lib.sh"

expect 0 "PETSc: Petsc Release Version 3\.18" -- info
expect 0 "SLEPc: SLEPc Release Version 3\.18" -- info
expect 0 "HDF5: 1\.10\.[0-9]+ \(parallel\)" -- info
expect 0 "commands:" -- --help
expect 0 "usage: relax info" -- info --help
expect 2 "no command given" --
expect 2 "unknown command 'frobnicate'" -- frobnicate
expect 2 "unrecognised option '--nosuch.key=1'" -- info --nosuch.key=1
expect 2 "config file 'missing\.ini': cannot be opened" -- info --config missing.ini
printf '[grid]\nnot a key value line\n' >malformed.ini
expect 2 "malformed\.ini.*not a key value line" -- info --config malformed.ini
printf '[petsc]\nts_type = bdf\n' >petsc.ini
expect 0 "ts_type = bdf" -- info --config petsc.ini --print-config
rm -f malformed.ini petsc.ini

# Bad values of the shared keys, checked before any output is created (relax fp stands for every
# command that reads them).
expect 2 "grid\.n = 'abc' \(command line\): expected a comma-separated list of integers" -- fp --grid.n=abc
expect 2 "temperature\.beta = '1e' \(command line\): expected a finite number" -- fp --temperature.beta=1e
expect 2 "grid\.n = '1': expected integers >= 2" -- fp --grid.n=1
expect 2 "grid\.lo = '1', grid\.hi = '0': expected lo < hi" -- fp --grid.lo=1 --grid.hi=0
expect 2 "grid\.bc = 'open': expected reflecting, periodic or absorbing" -- fp --grid.bc=open
expect 2 "landscape\.expr = '\(x\^2-1': muParser: Missing parenthesis at position 6" -- \
  fp --landscape.type=expression "--landscape.expr=(x^2-1"
expect 2 "output file '/nonexistent/dir/out\.h5': cannot create" -- \
  fp --output.file=/nonexistent/dir/out.h5
mkdir readonly && chmod 555 readonly
if [ "$(id -u)" -ne 0 ]; then # root writes anywhere; the missing directory above covers it
  expect 2 "output file 'readonly/out\.h5': cannot create" -- fp --output.file=readonly/out.h5
fi
rmdir readonly
expect_only_files
finish
