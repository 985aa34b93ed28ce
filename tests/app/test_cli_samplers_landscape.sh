#!/usr/bin/env bash
# The learning samplers on a landscape from the command line (sde.integrator = sgld, psgld, sghmc,
# ctld): relax compare against the Fokker-Planck Gibbs density, CTLD's joint law exp(-H_e) in
# (theta, alpha) from independent chains, its metadynamics flattening alpha, bit-identical results
# at 1 and 3 ranks and across a restart, and the keys an integrator does not read refused.
source "$(dirname "$0")/cli_lib.sh"
PY=${PYTHON:-/usr/bin/python3}
dw="$RELAX_SOURCE_DIR/examples/compare_double_well.ini"

# --- keys an integrator does not read: exit 2 naming the key, nothing written ---
expect 2 "sde\.friction = '2' \(command line\): not used by sde\.integrator = sgld" \
  -- sde --sde.integrator=sgld --sde.friction=2
expect 2 "ctld\.height = '1' \(command line\): not used by sde\.integrator = euler_maruyama" \
  -- sde --ctld.height=1
expect 2 "rmsprop\.alpha = '0\.9' \(command line\): not used by sde\.integrator = ctld" \
  -- sde --sde.integrator=ctld --rmsprop.alpha=0.9
expect 2 "sde\.friction = 1e\+02: expected gamma dt <= 1 for sde\.integrator = sghmc" \
  -- sde --sde.integrator=sghmc --sde.friction=100 --sde.dt=0.1
expect_only_files

# --- SGLD, pSGLD, SGHMC against the PDE (double well, beta = 1) ---
# SGLD with one sample and the full gradient is Euler-Maruyama: it follows the FP density at every
# output. SGHMC and pSGLD have other paths (momentum; a preconditioner G = 1/sqrt(V)) but the Gibbs
# stationary state: compare's stationary line must agree within noise at the end (pSGLD with its
# V averaged over 10^4 steps; with a short average it is biased, tests/learning). SGLD's step: the
# Euler-Maruyama bias at dt = 2.5e-3 is about 0.8 standard errors at 10^4 particles
# (bench/compare_calibration.py), well below what the verdict flags (4.3 SE).
expect 0 "agree within noise at all 11 outputs" -- compare --config "$dw" --sde.integrator=sgld \
  --sde.particles=10000 --sde.dt=0.0025 --output.file=sgld.h5
expect 0 "^stationary .*: stationary within noise" -- compare --config "$dw" \
  --sde.integrator=sghmc --sde.friction=2 --sde.particles=20000 --sde.dt=0.005 --time.end=30 \
  --fp.dt=0.01 --output.file=sghmc.h5
expect 0 "^stationary .*: stationary within noise" -- compare --config "$dw" \
  --sde.integrator=psgld --rmsprop.alpha=0.9999 --sde.particles=10000 --sde.dt=0.005 \
  --time.end=150 --time.outputs=3 --fp.dt=0.05 --output.file=psgld.h5

# --- CTLD: the joint stationary law of (theta, alpha) without metadynamics ---
# U = beta f, f = (x^2 - 1)^2 + 0.3 x at beta = 4; eta = dt = 0.025, gamma = gamma_alpha = 2, no
# bias (ctld.height = 0), C = 20. 20000 independent chains, 4000 steps: the final (theta, alpha) are
# independent draws of exp(-g U - phi) g^(-1/2) (r integrated out). Chi-square on a 20 x 12 grid
# against it (z = (chi2 - dof)/sqrt(2 dof) < 4) and against the law without the kinetic term of h~
# (no g^(-1/2), z > 20); theta reweighted by exp(-(1 - g) U) against Gibbs within 4 SE.
ctld=(--landscape.type=double_well --landscape.tilt=0.3 --temperature.beta=4 --initial.kind=gaussian
  --initial.mean=-1 --initial.std=0.2 --grid.lo=-2.5 --grid.hi=2.5 --grid.n=100
  --sde.integrator=ctld --sde.dt=0.025 --sde.friction=2 --ctld.alpha_friction=2 --ctld.confining=20
  --ctld.sampling_steps=1000000 --sde.snapshot_every=1)
expect 0 "wrote ctld0\.h5" -- sde "${ctld[@]}" --ctld.height=0 --sde.particles=20000 \
  --time.end=100 --time.outputs=1 --output.file=ctld0.h5
"$PY" - <<'PYEOF' || failures=$((failures + 1))
import h5py, numpy as np
f = h5py.File("ctld0.h5", "r")
assert f["sde"].attrs["auxiliary_columns"].startswith("alpha,r_alpha,bias_0")
beta, d, dp, S, C = 4.0, 0.4, 1.5, 0.85, 20.0
theta = f["sde/particles"][-1][:, 0]
alpha = f["sde/auxiliary"][-1][:, 0]
def g(a):
    a = np.abs(a); z = np.clip((a - d) / (dp - d), 0, 1)
    return np.where(a <= d, 1.0, 1 - S * z * z * (3 - 2 * z))
U = lambda x: beta * ((x * x - 1) ** 2 + 0.3 * x)
phi = lambda a: C * np.maximum(np.abs(a) - dp, 0)
te, ae = np.linspace(-2.5, 2.5, 21), np.linspace(-1.8, 1.8, 13)
# cell masses by the midpoint rule on a 100 x 150 subgrid of each cell
tt = te[0] + (np.arange(2000) + 0.5) * (te[-1] - te[0]) / 2000
aa = ae[0] + (np.arange(1800) + 0.5) * (ae[-1] - ae[0]) / 1800
T, A = np.meshgrid(tt, aa, indexing="ij")
H, _, _ = np.histogram2d(theta, alpha, [te, ae])
n = H.sum()
z = {}
for kinetic in (True, False):
    density = np.exp(-g(A) * U(T) - phi(A)) * (g(A) ** -0.5 if kinetic else 1.0)
    cells = density.reshape(20, 100, 12, 150).sum(axis=(1, 3))
    e = n * cells / cells.sum()
    m = e > 5
    chi2 = ((H[m] - e[m]) ** 2 / e[m]).sum()
    dof = m.sum() - 1
    z[kinetic] = (chi2 - dof) / np.sqrt(2 * dof)
w = np.exp(-(1 - g(alpha)) * U(theta))
left = (w * (theta < 0)).sum() / w.sum()
n_eff = w.sum() ** 2 / (w * w).sum()
se = np.sqrt(left * (1 - left) / n_eff)
gibbs = np.exp(-U(tt)); p_left = gibbs[tt < 0].sum() / gibbs.sum()
raw = (theta < 0).mean()
print("ctld joint law: chi-square z = %.2f (without the kinetic term: %.1f); reweighted P(x<0) = "
      "%.4f +- %.4f, Gibbs %.4f, unweighted %.4f" % (z[True], z[False], left, se, p_left, raw))
assert abs(z[True]) < 4 and z[False] > 20, z
assert abs(left - p_left) < 4 * se and abs(raw - p_left) > 10 * se, (left, se, p_left, raw)
PYEOF

# --- CTLD with metadynamics: each chain's bias flattens its alpha marginal ---
# 30 bins, w = 0.01, sigma^2 = 0.01, deposits during the first 8000 steps, 10000 steps in all;
# 2000 chains: alpha's six bins of [-delta', delta'] within 25 % of uniform (without the bias the
# outer bins carry 1.6x the inner ones: Z(g) g^(-1/2)).
expect 0 "wrote ctld1\.h5" -- sde "${ctld[@]}" --ctld.height=1e-2 --ctld.width2=0.01 \
  --ctld.bins=30 --ctld.metadynamics_steps=8000 --sde.particles=2000 --time.end=250 \
  --time.outputs=1 --output.file=ctld1.h5
check_h5 ctld1.h5 \
  'f["sde/auxiliary"].shape == (2, 2000, 33)' \
  'np.all(np.abs(np.histogram(f["sde/auxiliary"][-1][:, 0], np.linspace(-1.5, 1.5, 7))[0] / np.sum(np.abs(f["sde/auxiliary"][-1][:, 0]) < 1.5) * 6 - 1) < 0.25)' \
  'np.all(f["sde/auxiliary"][-1][:, 2:] > 0)'

# --- bit-identical at 1, 2 and 3 ranks, and across a restart ---
for integrator in "ctld --ctld.bins=10 --ctld.height=0.01 --sde.friction=2" "sghmc --sde.friction=2" \
  "psgld --rmsprop.alpha=0.99"; do
  read -r -a opts <<<"$integrator"
  expect_particles_identical "${opts[0]}" --sde.integrator="${opts[0]}" "${opts[@]:1}" \
    --sde.particles=301 --sde.dt=0.01
done
rm -f ./*.h5 ./*.xmf
finish
