#!/usr/bin/env bash
# Entropy-SGD and Parle on a landscape from the command line (sde.integrator = entropy_sgd, parle),
# checked against relax hj: the slow variable follows the gradient flow x' = -grad f_gamma(x) on
# the local entropy (Theorem 15 of Deep Relaxation; docs/theory.md 7.8), with f_gamma = u(., 1/gamma)
# of the viscous HJ equation at nu = T/2 from relax hj's Cole-Hopf solver. Also the particles'
# own estimates gamma (x - mu) of grad f_gamma against relax hj's, the error shrinking as the inner
# loop lengthens, bit-identical results at 1, 2 and 3 ranks and across a restart, and the keys.
source "$(dirname "$0")/cli_lib.sh"
PY=${PYTHON:-/usr/bin/python3}

# --- keys: each integrator's own, refused for the others ---
expect 2 "entropy\.inner_steps = '5' \(command line\): not used by sde\.integrator = euler_maruyama" \
  -- sde --entropy.inner_steps=5
expect 2 "parle\.elastic = '1' \(command line\): not used by sde\.integrator = entropy_sgd" \
  -- sde --sde.integrator=entropy_sgd --parle.elastic=1
expect 2 "sde\.replicas = '3' \(command line\): not used by sde\.integrator = ctld" \
  -- sde --sde.integrator=ctld --sde.replicas=3
expect 2 "sde\.friction = '2' \(command line\): not used by sde\.integrator = parle" \
  -- sde --sde.integrator=parle --sde.friction=2
expect 2 "entropy\.gamma0 = 0: sde\.integrator = entropy_sgd steps x by dt gamma" \
  -- sde --sde.integrator=entropy_sgd --entropy.gamma0=0
expect 2 "sde\.replicas = '0': expected an integer >= 1" \
  -- sde --sde.integrator=parle --sde.replicas=0
expect 2 "sde\.integrator = parle: relax compare tests the Fokker-Planck density of f" \
  -- compare --sde.integrator=parle --entropy.gamma0=2
expect_only_files

# --- the slow variable against the ODE on f_gamma from relax hj ---
# f = (x^2 - 1)^2 + 0.3 x at T = 1/beta = 0.25; gamma = 2 (gamma1 = 0: no scoping), so f_gamma =
# u(., 1/gamma = 0.5) of relax hj at nu = T/2 = 0.125. Outer step dt = 0.02 up to t = 2 from the
# point x = 1.3. The outer step is the Euler step of x' = -grad f_gamma(x) at dt: once the inner
# loop has equilibrated, every particle's step is -dt grad f_gamma(x) plus noise of mean zero, so
# (1) the mean of x_{k+1} - x_k + dt grad f_gamma(x_k) over the particles is zero within 4 SE at
# every step (Parle: the master's step against the replicas' mean -dt grad f_gamma(x_a)); (2) the
# particles' mean follows the Euler map of the ODE, its distance to the continuous ODE (O(dt)) is
# printed. The inner loop's errors: too few steps L (mu biased toward x: the error shrinks as L
# grows, measured at eta' = 0.01, a = 0.05) and the O(eta') bias of the inner Langevin step; with
# the O(dt) effect of the particles' spread on a curved grad f_gamma they leave the mean within
# 0.01 of the distance travelled (2.6 and 5.2 SE at eta' = 0.005, L = 400: measured, stated).
land=(--landscape.type=double_well --landscape.tilt=0.3 --grid.lo=-3 --grid.hi=3 --grid.n=1200)
expect 0 "wrote hj\.h5" -- hj "${land[@]}" --hj.nu=0.125 --hj.gamma=0.5 --output.file=hj.h5
entropy=("${land[@]}" --temperature.beta=4 --initial.kind=point --initial.mean=1.3 --sde.dt=0.02
  --entropy.gamma0=2 --entropy.gamma1=0 --time.end=2 --sde.snapshot_every=1
  --sde.histogram=false)
for L in 10 40 200; do
  expect 0 "wrote esgd_$L\.h5" -- sde "${entropy[@]}" --sde.integrator=entropy_sgd \
    --entropy.inner_steps=$L --entropy.inner_lr=0.01 --entropy.average=0.05 --time.outputs=10 \
    --sde.particles=2000 \
    --output.file=esgd_$L.h5
done
fine=(--entropy.inner_steps=400 --entropy.inner_lr=0.005 --entropy.average=0.025 --time.outputs=100)
expect 0 "wrote esgd_fine\.h5" -- sde "${entropy[@]}" --sde.integrator=entropy_sgd "${fine[@]}" \
  --sde.particles=2000 --output.file=esgd_fine.h5
expect 0 "wrote parle\.h5" -- sde "${entropy[@]}" --sde.integrator=parle --sde.replicas=4 \
  --parle.elastic=1 "${fine[@]}" --sde.particles=1000 --output.file=parle.h5
# Parle's elastic coupling: near the end point the replicas' deviations e_a = x_a - x relax at rate
# k + gamma rho (k = f_gamma''), so their spread shrinks by sqrt(k / (k + gamma rho)) against rho = 0.
for rho in 0 1; do
  expect 0 "wrote parle_rho$rho\.h5" -- sde "${entropy[@]}" --sde.integrator=parle --sde.replicas=4 \
    --parle.elastic=$rho --entropy.inner_steps=100 --entropy.inner_lr=0.01 --entropy.average=0.05 \
    --time.outputs=1 --sde.particles=1000 --output.file=parle_rho$rho.h5
done
"$PY" - <<'PYEOF' || failures=$((failures + 1))
import h5py, numpy as np
hj = h5py.File("hj.h5", "r")
lo, hi, n = -3.0, 3.0, 1200
xc = lo + (np.arange(n) + 0.5) * (hi - lo) / n
grad_hj = hj["hj/grad/x0"][0].reshape(-1)
g = lambda x: np.interp(x, xc, grad_hj)
gamma, dt, x0 = 2.0, 0.02, 1.3

def ode(times, h=1e-3):
    out, x, t = [], x0, 0.0
    for target in times:
        while t < target - 1e-12:
            s = min(h, target - t)
            k1 = -g(x); k2 = -g(x + s * k1 / 2); k3 = -g(x + s * k2 / 2); k4 = -g(x + s * k3)
            x += s * (k1 + 2 * k2 + 2 * k3 + k4) / 6; t += s
        out.append(x)
    return np.array(out)

def euler(times):
    out, x, k = [], x0, 0
    for target in times:
        while k * dt < target - 1e-12:
            x -= dt * g(x); k += 1
        out.append(x)
    return np.array(out)

def trajectory(name):
    f = h5py.File(name, "r")
    t = f["sde/time"][:]
    m = f["sde/moments"][:]
    n = f["sde/particles"].shape[1]
    mean, se = m[1:, 0], np.sqrt(m[1:, 1] / n)
    return mean, se, np.abs(mean - euler(t[1:])), np.abs(mean - ode(t[1:])).max(), f

def report(label, name):
    mean, se, err, ode_err, f = trajectory(name)
    print("%s: max |E x(t) - Euler map| = %.4f = %.1f SE (SE <= %.4f); max |E x(t) - x_ode(t)| "
          "= %.4f" % (label, err.max(), (err / se).max(), se.max(), ode_err))
    return err, se, f

errors = {}
for L in (10, 40, 200):
    err, se, f = report("entropy_sgd L = %3d, eta' = 0.01" % L, "esgd_%d.h5" % L)
    errors[L] = err.max()
    # the particles' estimates gamma (x_prev - mu) of grad f_gamma at their anchors x_prev
    # (x = x_prev - dt gamma (x_prev - mu)), averaged per output: z against relax hj's gradient
    x, mu = f["sde/particles"][1:, :, 0], f["sde/auxiliary"][1:, :, 0]
    prev = (x - dt * gamma * mu) / (1 - dt * gamma)
    d = gamma * (prev - mu) - g(prev)
    z = d.mean(axis=1) / (d.std(axis=1, ddof=1) / np.sqrt(d.shape[1]))
    print("    its estimates of grad f_gamma against relax hj's: max |z| = %.1f" % np.abs(z).max())
    if L == 200:
        assert np.abs(z).max() < 4, z
    if L == 10:
        assert np.abs(z).max() > 10, z
assert errors[10] > 4 * errors[40] > 4 * errors[200], errors

def step_z(f, replicas):
    x = f["sde/particles"][:, :, 0]
    at = f["sde/auxiliary"][:-1] if replicas else x[:-1, :, None]
    d = x[1:] - x[:-1] + dt * g(at).mean(axis=2)
    return d.mean(axis=1) / (d.std(axis=1, ddof=1) / np.sqrt(d.shape[1]))

for label, name, replicas in (("entropy_sgd L = 400, eta' = 0.005", "esgd_fine.h5", False),
                              ("parle R = 4, L = 400, eta' = 0.005", "parle.h5", True)):
    err, se, f = report(label, name)
    z = step_z(f, replicas)
    travelled = abs(f["sde/moments"][-1, 0] - x0)
    print("    step against -dt grad f_gamma: max |z| = %.2f over %d steps; distance travelled %.3f"
          % (np.abs(z).max(), len(z), travelled))
    assert np.abs(z).max() < 4, z
    assert err.max() < 0.01 * travelled, (err, travelled)
replicas = f["sde/auxiliary"][-1]
assert replicas.shape == (1000, 4)
assert np.allclose(replicas.mean(axis=1), f["sde/particles"][-1][:, 0], rtol=0, atol=1e-12)
print("    replicas' mean spread about the master %.4f" % replicas.std(axis=1).mean())
spread = {}
for rho in (0, 1):
    f = h5py.File("parle_rho%d.h5" % rho, "r")
    spread[rho] = np.sqrt(f["sde/auxiliary"][-1].var(axis=1, ddof=1).mean())
    end = f["sde/particles"][-1][:, 0].mean()
k = np.interp(end, xc, np.gradient(grad_hj, xc[1] - xc[0]))
predicted = np.sqrt(k / (k + gamma * 1.0))
print("parle: replica spread %.4f (rho = 1) / %.4f (rho = 0) = %.3f, predicted sqrt(k/(k + gamma "
      "rho)) = %.3f (k = f_gamma'' = %.3f)" % (spread[1], spread[0], spread[1] / spread[0],
                                                 predicted, k))
assert abs(spread[1] / spread[0] / predicted - 1) < 0.1
PYEOF

# --- bit-identical at 1, 2 and 3 ranks, and across a restart ---
for integrator in "entropy_sgd --entropy.inner_steps=7" "parle --entropy.inner_steps=5 --sde.replicas=3"; do
  read -r -a opts <<<"$integrator"
  expect_particles_identical "${opts[0]}" --sde.integrator="${opts[0]}" "${opts[@]:1}" \
    --entropy.gamma0=2 --entropy.inner_lr=0.01 --sde.particles=301 --sde.dt=0.01
done
# a restart with another inner loop is refused
expect 2 "checkpoint written with entropy\.\*, parle\.elastic, sde\.replicas = inner_steps=5" \
  -- sde --sde.integrator=parle --entropy.inner_steps=6 --sde.replicas=3 --entropy.gamma0=2 \
  --entropy.inner_lr=0.01 --sde.particles=301 --sde.dt=0.01 --sde.restart=parle_half.h5 \
  --output.file=refused.h5
rm -f ./*.h5 ./*.xmf
finish
