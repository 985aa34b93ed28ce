// Time steppers of Langevin dynamics on a block of particles (docs/theory.md): Euler–Maruyama
// (ULA), MALA (Metropolis-adjusted, exact Gibbs for any dt) and BAOAB (underdamped, friction and
// mass), each following beta(t) of a TemperatureSchedule, so annealing is the same code. A block is
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
//   SGD:   theta_i -= eta_i g_B,i(theta), g_B the mean gradient of B points of a finite-sum loss
//          (landscape.type = wells, least_squares, logistic) drawn with or without replacement,
//          eta_i = dt, dt / Sigma_ii(theta) or dt / sqrt(Sigma_ii(theta)) (sde.sgd_rates); t = k dt
//   SGLD:  the SGD step plus sqrt(2 eta_i / beta_n) xi
// Random draws follow sde/noise.hpp (stream 0: Gaussian increments, stream 1: MALA's uniforms), so
// a particle's trajectory depends only on (seed, particle id, steps), not on the block it sits in.
#pragma once

#include "core/config.hpp"
#include "models/diffusion.hpp"
#include "models/drift.hpp"
#include "models/schedule.hpp"
#include "sde/noise.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace relax {

enum class IntegratorKind { euler_maruyama, mala, baoab, sgd, sgld };

/// Per-parameter rates of SGD / SGLD: eta_i = dt, dt / Sigma_ii(theta) (one temperature for a
/// diagonal noise), or dt / sqrt(Sigma_ii(theta)) (RMSProp's normalization, with the exact
/// per-sample gradient variance in place of its running estimate).
enum class SgdRates { constant, inverse_variance, inverse_std };

/// "euler_maruyama" | "mala" | "baoab" | "sgd" | "sgld"; InputError naming `key` otherwise.
IntegratorKind parse_integrator(const std::string& text, const std::string& key);
std::string to_string(IntegratorKind kind);

struct IntegratorSettings {
  IntegratorKind kind = IntegratorKind::euler_maruyama;
  double dt = 1e-3;
  double friction = 1.0; ///< gamma of BAOAB, 1/time
  double mass = 1.0;     ///< m of BAOAB
  NoisePrecision noise = NoisePrecision::float64;
  std::size_t batch = 1;        ///< B of SGD / SGLD
  bool with_replacement = true; ///< minibatch indices drawn with replacement (else distinct)
  SgdRates rates = SgdRates::constant;
  /// Null: D = 1/beta(t). Else the D_i(x, t) of diffusion.expr (Euler–Maruyama only).
  std::shared_ptr<const Diffusion> diffusion = nullptr;
};

/// "batch=B, replacement=true|false, rates=constant|inverse_variance|inverse_std" for SGD / SGLD,
/// empty for the other kinds: what a checkpoint records of the minibatch keys.
std::string describe_minibatch(const IntegratorSettings& settings);

/// The key streams (CounterRng stream word) of a run with one seed.
namespace rng_stream {
constexpr std::uint32_t increments = 0; ///< Gaussian increments of the dynamics
constexpr std::uint32_t acceptance = 1; ///< MALA's accept/reject uniforms
constexpr std::uint32_t initial = 2;    ///< initial positions (step 0) and velocities (step 1)
constexpr std::uint32_t minibatch = 3;  ///< SGD / SGLD minibatch indices
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
  /// True for BAOAB, the one integrator with a velocity per particle.
  bool has_velocities() const { return settings_.kind == IntegratorKind::baoab; }

  /// Copies particles first_id .. first_id + count - 1 in (coordinate k of particle p at
  /// x[k*stride + p], v likewise; v is ignored unless has_velocities()) and evaluates what the
  /// first step needs (forces, energies).
  void load(std::uint64_t first_id, std::size_t count, const double* x, const double* v,
            std::size_t stride);
  /// Advances the loaded particles from step n to n + 1.
  virtual void step(std::uint32_t n) = 0;
  /// Copies the loaded particles out, in the layout of load().
  void store(double* x, double* v, std::size_t stride) const;

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
  AcceptanceCounts acceptance_;

private:
  StepDraws<float> float_increments_;
  StepDraws<double> double_increments_;
};

} // namespace relax
