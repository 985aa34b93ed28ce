#!/usr/bin/env bash
# The relax CLI as a user meets it: help, info, config resolution, and bad input (exit 2, one line).
source "$(dirname "$0")/cli_lib.sh"

expect 0 "PETSc: Petsc Release Version 3\.18" -- info
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
expect_only_files
finish
