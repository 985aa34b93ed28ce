// Time steppers of Langevin dynamics on a block of particles (docs/theory.md): Euler–Maruyama
// (ULA), MALA (Metropolis-adjusted, exact Gibbs for any dt), BAOAB (underdamped, friction and
// mass), and the learning samplers on a landscape: SGLD (with one sample and the full gradient it
// is Euler–Maruyama), pSGLD (RMSProp-preconditioned), SGHMC and CTLD (Algorithm 1's integrator,
// with alpha, its momentum and a metadynamics bias per particle), each following beta(t) of a
// TemperatureSchedule, so annealing is the same code. A particle may carry an auxiliary state
// (pSGLD's second moments, CTLD's alpha, r_alpha and bias) that the ensemble stores and
// checkpoints with it. A block is
// held in structure-of-arrays form and evaluated through Drift/Landscape batch calls: one virtual
// call per block and step, no allocation after construction. Pure: no MPI; the ensemble
// (sde/ensemble.hpp) distributes particles and feeds blocks through an integrator.
//
// Step n goes from t_n = n dt to t_{n+1} with beta_n = beta(t_n):
//   EM:    x += b(x) dt + sqrt(2 dt / beta_n) xi, or with diffusion.expr (Itô)
//          x_i += b_i(x) dt + sqrt(2 dt D_i(x, t_n)) xi_i
//   MALA:  y = x - grad f(x) dt + sqrt(2 dt / beta_n) xi, accepted with probability
//          min(1, exp(-beta_n (f(y) - f(x))) q(x|y) / q(y|x)), q the Gaussian proposal density
//   BAOAB: v += F dt/2m; x += v dt/2; v = c v + sqrt((1 - c^2)/(beta_n m)) xi with c = exp(-gamma
//   dt);
//          x += v dt/2; F = b(x); v += F dt/2m  (F is cached from step to step: one evaluation)
//   SGHMC: x += v dt; v = (1 - gamma dt) v + b(x) dt/m + sqrt(2 gamma dt / (beta_n m)) xi
//   pSGLD: V = a V + (1 - a) b^2; G = 1/(eps + sqrt V); x += G b dt + sqrt(2 G dt / beta_n) xi
//   CTLD:  Algorithm 1 with U = beta_n f, eta = dt, unit mass (sde/sampler_kernels.hpp)
//   Entropy-SGD: one step is one outer step k = n: y = mu = x, L times { y -= eta' (grad f(y) +
//          gamma_k (y - x)) - sqrt(2 eta' / beta_n) xi; mu += a (y - mu) }, then
//          x -= dt gamma_k (x - mu) (gamma_k (x - mu) estimates grad f_gamma(x): t = k dt is the
//          time of the gradient flow on the local entropy, docs/theory.md 7.8)
//   Parle: R replicas x_a per particle, each the Entropy-SGD inner loop from x_a, then
//          x_a -= dt gamma_k ((x_a - mu_a) + rho_k (x_a - x)); the particle's x is the master, the
//          replicas' mean (replica a's inner step l draws at step (n R + a) L + l)
//   SGD:   theta_i -= eta_i g_B,i(theta), g_B the mean gradient of B points of a finite-sum loss
//          (landscape.type = wells, least_squares, logistic) drawn with or without replacement,
//          eta_i = dt, dt / Sigma_ii(theta) or dt / sqrt(Sigma_ii(theta)) (sde.sgd_rates); t = k dt
//   SGLD:  on a finite-sum loss the SGD step plus sqrt(2 eta_i / beta_n) xi; on any other landscape
//          (one sample, the full gradient) SGLD's update is Euler–Maruyama's
// Random draws follow sde/noise.hpp (stream 0: Gaussian increments, stream 1: MALA's uniforms), so
// a particle's trajectory depends only on (seed, particle id, steps), not on the block it sits in.
#pragma once

#include "core/config.hpp"
#include "models/diffusion.hpp"
#include "models/drift.hpp"
#include "models/schedule.hpp"
#include "sde/noise.hpp"
#include "sde/sampler_kernels.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace relax {

enum class IntegratorKind {
  euler_maruyama,
  mala,
  baoab,
  sgd,
  sgld,
  psgld,
  sghmc,
  ctld,
  entropy_sgd,
  parle
};

/// Per-parameter rates of SGD / SGLD: eta_i = dt, dt / Sigma_ii(theta) (one temperature for a
/// diagonal noise), or dt / sqrt(Sigma_ii(theta)) (RMSProp's normalization, with the exact
/// per-sample gradient variance in place of its running estimate).
enum class SgdRates { constant, inverse_variance, inverse_std };

/// "euler_maruyama" | "mala" | "baoab" | "sgd" | "sgld" | "psgld" | "sghmc" | "ctld" |
/// "entropy_sgd" | "parle"; InputError
/// naming `key` otherwise.
IntegratorKind parse_integrator(const std::string& text, const std::string& key);
std::string to_string(IntegratorKind kind);

struct IntegratorSettings {
  IntegratorKind kind = IntegratorKind::euler_maruyama;
  double dt = 1e-3;
  double friction = 1.0; ///< gamma of BAOAB, 1/time
  double mass = 1.0;     ///< m of BAOAB and SGHMC
  NoisePrecision noise = NoisePrecision::float64;
  SecondMoment second_moment{};   ///< pSGLD's preconditioner average
  CtldTemperingParameters ctld{}; ///< CTLD's alpha side
  EntropyParameters entropy{};    ///< Entropy-SGD's and Parle's loop (noise unused: 1/beta(t))
  std::size_t replicas = 2;       ///< R: Parle's replicas per particle
  std::size_t batch = 1;          ///< B of SGD / SGLD
  bool with_replacement = true;   ///< minibatch indices drawn with replacement (else distinct)
  SgdRates rates = SgdRates::constant;
  /// Null: D = 1/beta(t). Else the D_i(x, t) of diffusion.expr (Euler–Maruyama only).
  std::shared_ptr<const Diffusion> diffusion = nullptr;
};

/// "batch=B, replacement=true|false, rates=constant|inverse_variance|inverse_std" for SGD / SGLD,
/// empty for the other kinds: what a checkpoint records of the minibatch keys.
std::string describe_minibatch(const IntegratorSettings& settings);

/// "inner_steps=L, inner_lr=eta', gamma0=g0, gamma1=g1, average=a" (Parle: plus ", elastic=rho0,
/// replicas=R") for Entropy-SGD and Parle, empty for the other kinds: what a checkpoint records of
/// their keys.
std::string describe_entropy(const IntegratorSettings& settings);

/// The key streams (CounterRng stream word) of a run with one seed.
namespace rng_stream {
constexpr std::uint32_t increments = 0; ///< Gaussian increments of the dynamics
constexpr std::uint32_t acceptance = 1; ///< MALA's accept/reject uniforms
constexpr std::uint32_t initial = 2; ///< initial positions (step 0), velocities (1), auxiliary (2)
constexpr std::uint32_t tempering = 3; ///< CTLD's alpha noise
constexpr std::uint32_t minibatch = 4; ///< SGD / SGLD minibatch indices
} // namespace rng_stream

struct AcceptanceCounts {
  std::int64_t proposed = 0;
  std::int64_t accepted = 0;
};

class BlockIntegrator {
public:
  /// InputError (naming the sde.* key) unless dt > 0, friction > 0 and mass > 0 are finite, for
  /// MALA unless the drift is a gradient, and with a diffusion unless the kind is Euler–Maruyama.
  /// `capacity` is the largest block.
  static std::unique_ptr<BlockIntegrator>
  create(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
         const IntegratorSettings& settings, std::size_t capacity);
  virtual ~BlockIntegrator() = default;
  BlockIntegrator(const BlockIntegrator&) = delete;
  BlockIntegrator& operator=(const BlockIntegrator&) = delete;

  const IntegratorSettings& settings() const { return settings_; }
  int dim() const { return drift_.dim(); }
  std::size_t capacity() const { return capacity_; }
  /// True for BAOAB, SGHMC and CTLD, the integrators with a velocity per particle.
  bool has_velocities() const { return has_velocities(settings_.kind); }
  static bool has_velocities(IntegratorKind kind) {
    return kind == IntegratorKind::baoab || kind == IntegratorKind::sghmc ||
           kind == IntegratorKind::ctld;
  }
  /// Standard deviation of the initial velocities at beta: Maxwellian sqrt(1/(beta m)), CTLD's
  /// r^0 ~ N(0, I) in units where U = beta f.
  virtual double initial_velocity_std(double beta) const {
    return std::sqrt(1.0 / (beta * settings_.mass));
  }
  /// Values of the auxiliary state per particle (0: none) and their names.
  virtual std::size_t aux_width() const { return 0; }
  virtual std::string aux_columns() const { return ""; }
  /// The auxiliary state at the start for particles first_id .. first_id + count - 1 at the
  /// initial positions x (coordinate k of particle p at x[k * stride + p]; row j of the state at
  /// aux[j * stride + p]); zeros unless an integrator says otherwise.
  virtual void initial_aux(std::uint64_t first_id, std::size_t count, const double* x, double* aux,
                           std::size_t stride) const;

  /// Copies particles first_id .. first_id + count - 1 in (coordinate k of particle p at
  /// x[k*stride + p], v and the auxiliary rows likewise; v is ignored unless has_velocities(),
  /// aux unless aux_width() > 0) and evaluates what the first step needs (forces, energies).
  void load(std::uint64_t first_id, std::size_t count, const double* x, const double* v,
            const double* aux, std::size_t stride);
  /// Advances the loaded particles from step n to n + 1.
  virtual void step(std::uint32_t n) = 0;
  /// Copies the loaded particles out, in the layout of load().
  void store(double* x, double* v, double* aux, std::size_t stride) const;

  std::size_t count() const { return count_; }
  std::uint64_t first_id() const { return first_id_; }
  /// Coordinate k of loaded particle p at positions()[k*capacity() + p].
  const double* positions() const { return x_.data(); }
  const double* velocities() const { return v_.data(); }

  /// MALA's proposals and acceptances since construction (zero for the others).
  const AcceptanceCounts& acceptance() const { return acceptance_; }

protected:
  BlockIntegrator(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
                  const IntegratorSettings& settings, std::size_t capacity);
  /// Called by load() once the state is in place.
  virtual void prepare() = 0;

  double beta(std::uint32_t n) const;
  /// Writes b(x) / drift_sign_ for the loaded block into `out`: grad f itself for a gradient drift
  /// (b = -grad f; the sign goes into the update's coefficient, which saves a pass), else b.
  void evaluate_drift(const double* x, double* out) const;
  std::size_t size() const { return static_cast<std::size_t>(dim()) * capacity_; }
  /// Gaussian increments of step n for the loaded block, in the precision of the settings, passed
  /// to f as `const Real*` with the layout of positions().
  template <typename F> void with_increments(std::uint32_t n, F&& f);

  Drift drift_;
  TemperatureSchedule schedule_;
  IntegratorSettings settings_;
  std::size_t capacity_;
  double drift_sign_;
  std::size_t count_ = 0;
  std::uint64_t first_id_ = 0;
  std::vector<double> x_;
  std::vector<double> v_;
  std::vector<double> aux_; ///< row j of loaded particle p at aux_[j * capacity_ + p]
  std::uint32_t seed_;
  AcceptanceCounts acceptance_;

private:
  StepDraws<float> float_increments_;
  StepDraws<double> double_increments_;
};

} // namespace relax
