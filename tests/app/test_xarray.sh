#!/usr/bin/env bash
# What an xarray user sees: the groups /fp, /sde and /compare of a compare file (and /fp of a 2D
# fp file, /hj, /hj/particles, /fb, /fb/particles) open with xarray's h5netcdf engine with named dimensions whose coordinates are the
# stored time and cell centres, long_name and units on every data variable, integer counts and
# int8 flags; /sde/passage_time only when asked for (sde.passage_times); snapshots along their own
# times.
source "$(dirname "$0")/cli_lib.sh"

# xarray_check FILE PYTHON-EXPRESSIONS...: evaluates each with `xr` (xarray), `np`, `h5` (the file
# opened by h5py) and `g(name)` (the xarray Dataset of a group); a false one fails.
xarray_check() {
  local file=$1
  shift
  if ! "$PYTHON" - "$file" "$@" <<'PY'; then
import sys
import h5py
import numpy as np
import xarray as xr
h5 = h5py.File(sys.argv[1], "r")
def g(name):
    return xr.open_dataset(sys.argv[1], group=name, engine="h5netcdf")
for check in sys.argv[2:]:
    if not eval(check):
        sys.exit("FAIL: %s: %s" % (sys.argv[1], check))
print("ok: %s: %d xarray checks" % (sys.argv[1], len(sys.argv) - 2))
PY
    failures=$((failures + 1))
  fi
}

expect 0 "wrote c\.h5" -- compare --sde.particles=5000 --time.end=0.5 --time.outputs=2 --output.file=c.h5
xarray_check c.h5 \
  'g("fp").density.dims == ("time", "x0")' \
  'np.array_equal(g("fp").time.values, h5["fp/time"][:])' \
  'np.array_equal(g("fp").x0.values, h5["grid/x0"][:])' \
  'np.array_equal(g("fp").density.values, h5["fp/density"][:])' \
  'g("fp").steps.dtype == np.int64 and g("fp").steps.dims == ("time",)' \
  'all("units" in v.attrs and "long_name" in v.attrs for v in g("fp").data_vars.values())' \
  'g("fp").density.attrs["units"] == "1/length"' \
  'float(g("fp").density.isel(time=-1).sel(x0=-1.0, method="nearest")) == h5["fp/density"][-1][np.argmin(np.abs(h5["grid/x0"][:] + 1))]' \
  'g("sde").histogram.dims == ("time", "x0")' \
  'np.array_equal(g("sde").time.values, h5["sde/time"][:])' \
  'g("sde").step.dtype == np.int64' \
  'g("sde").moments.dims == ("time", "moment")' \
  'list(g("sde").moment.values) == h5["sde"].attrs["moments_columns"].split(",")' \
  'float(g("sde").moments.sel(moment="energy")[-1]) == h5["sde/moments"][-1, -1]' \
  'list(g("sde").passage_column.values) == h5["sde"].attrs["passage_columns"].split(",")' \
  '"passage_time" not in h5["sde"]' \
  'all("units" in v.attrs and "long_name" in v.attrs for v in g("sde").data_vars.values())' \
  'g("compare").pvalue.dims == ("time",) and np.array_equal(g("compare").time.values, h5["compare/time"][:])' \
  'g("compare").agree.dtype == np.int8 and set(np.unique(g("compare").agree.values)) <= {0, 1}' \
  'list(h5["compare/agree"].attrs["flag_values"]) == [0, 1]' \
  'g("compare").dof.dtype == np.int64' \
  'g("compare").rates.dims == ("method",) and list(g("compare").method.values) == ["pde", "particles", "kramers"]' \
  'all("units" in v.attrs and "long_name" in v.attrs for v in g("compare").data_vars.values())'

expect 0 "wrote p\.h5" -- compare --sde.particles=2000 --time.end=0.5 --time.outputs=1 \
  --sde.passage_times=true --output.file=p.h5
xarray_check p.h5 'g("sde").passage_time.dims == ("particle", "one")' \
  'g("sde").passage_time.shape == (2000, 1)'

expect 0 "sde: wrote s\.h5" -- sde --sde.particles=500 --sde.dt=0.01 --grid.n=20 --time.end=0.5 \
  --time.outputs=5 --sde.passage=up --sde.passage_level=0 --sde.passage_times=true \
  --sde.snapshot_every=2 --output.file=s.h5
xarray_check s.h5 'g("sde").particles.dims == ("particles_time", "particle", "coordinate")' \
  'np.array_equal(g("sde").particles_time.values, h5["sde/particles_time"][:])' \
  'g("sde").passage_time.dims == ("particle", "one")' \
  'g("sde").passage.dims == ("time", "passage_column")'

expect 0 "hj: wrote hj\.h5" -- hj --grid.lo=-2 --grid.hi=2 --grid.n=80 --hj.gamma=0.1,0.3,1 --hj.dt=0.01 \
  --hj.points=-1,0.3 --hj.chains=8 --hj.burn_in=100 --hj.samples=10 --output.file=hj.h5
xarray_check hj.h5 'g("hj").u.dims == ("gamma", "x0")' \
  'np.array_equal(g("hj").gamma.values, h5["hj/gamma"][:])' \
  'g("hj/particles").z.dims == ("gamma", "point", "coordinate")' \
  'all("units" in v.attrs for v in list(g("hj").data_vars.values()) + list(g("hj/particles").data_vars.values()))'
expect 0 "fb: wrote fb\.h5" -- fb --grid.n=50 --time.end=0.5 --time.outputs=2 --fb.steps=50 \
  --fb.particles=2000 --output.file=fb.h5
xarray_check fb.h5 'g("fb").u.dims == ("time", "x0")' \
  'g("fb/particles").l1.dims == ("time", "side") and list(g("fb/particles").side.values) == ["csgd", "sgd"]' \
  'g("fb").theorem7.dims == ("quantity", "estimate")' \
  'all("units" in v.attrs for v in list(g("fb").data_vars.values()) + list(g("fb/particles").data_vars.values()))'

expect 0 "fp: wrote mb\.h5" -- fp --landscape.type=muller_brown --grid.n=20,30 --grid.lo=-1.5,-0.5 \
  --grid.hi=1,2 --time.end=0.1 --time.outputs=2 --output.file=mb.h5
xarray_check mb.h5 'g("fp").density.dims == ("time", "x1", "x0")' \
  'np.array_equal(g("fp").x1.values, h5["grid/x1"][:])' \
  'g("fp").density.attrs["units"] == "1/length^2"' \
  'g("fp").density.shape == (3, 30, 20)'
finish
