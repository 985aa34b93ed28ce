// Runs a training sampler of learning/sampler_table.hpp on a Model over MPI: the minibatch stream
// (shuffled per epoch with CounterRng), data-parallel gradients or Parle/elastic replicas
// (learning/parle.hpp), and the state a bit-identical restart needs. The sampler itself (its update
// rule, keys and defaults) is one row of the sampler table; the driver gives it gradients, noise
// and the state. Every random number depends only on (seed, stream, step, index), so a
// data-parallel run gives the same result at any rank count up to the float round-off of the
// gradient sum.
#pragma once

#include "core/config.hpp"
#include "learning/model.hpp"
#include "learning/samplers.hpp"

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace relax {

enum class Parallelism { data, elastic };

/// What one sampler step reports (collective values in data-parallel runs; per replica otherwise).
struct StepRecord {
  long step = 0;    ///< sampler steps done (outer steps for Entropy-SGD)
  double epoch = 0; ///< effective epochs: gradient evaluations / minibatches per epoch
  double loss = 0;  ///< mean minibatch loss (at the parameters the step's gradient is taken at)
  double lr = 0;
  double temperature = 0;    ///< noise magnitude: SGLD/pSGLD/SGHMC T(t); CTLD 1/g(alpha) (0 after
                             ///< L_s); Entropy-SGD eps^2; 0 for the optimizers
  double alpha = 0;          ///< CTLD
  double gamma = 0;          ///< Entropy-SGD coupling gamma_k
  int phase = 0;             ///< CTLD: 0 sampling (t < L_s), 1 the noiseless integrator after
  CtldForce alpha_force;     ///< CTLD: the parts of h~ at this step (zero after L_s)
  double alpha_velocity = 0; ///< CTLD: r_alpha
};

/// Everything a bit-identical restart needs.
template <typename Real> struct SamplerState {
  long minibatches = 0; ///< gradient evaluations done (minibatches consumed)
  long steps = 0;       ///< sampler steps done
  std::vector<Real> params;
  std::vector<Real> velocity; ///< momentum buffer (SGD, SGHMC, Entropy-SGD outer), CTLD's r,
                              ///< Adam's first moment
  std::vector<Real> moment;   ///< second-moment average (Adam, RMSProp, pSGLD)
  CtldAlphaState alpha;
  std::vector<double> bias; ///< CTLD metadynamics bias at the K + 1 bin edges
};

/// The [train] keys every sampler shares, the parallelism, and the resolved configuration the
/// sampler's row reads its own keys from (make_sampler_options).
struct SamplerOptions {
  std::string sampler = "sgd";
  std::size_t batch = 128; ///< global minibatch (data-parallel) or per replica (elastic)
  std::uint32_t seed = 0;
  Parallelism parallelism = Parallelism::data;
  long coupling_every = 0; ///< elastic: couple every L sampler steps (0: never)
  double coupling = 1.0;   ///< elastic: rho
  std::shared_ptr<const Config> config;
};

template <typename Real> class SamplerDriver;

/// One sampler's update rule, built by its row of the sampler table from the configuration.
template <typename Real> class SamplerRule {
public:
  virtual ~SamplerRule() = default;
  /// A fresh run (not a restart): e.g. the initial momenta of CTLD.
  virtual void start(SamplerDriver<Real>& /*driver*/) {}
  /// One step: reads minibatches through driver.next_gradient, updates driver.state().
  virtual StepRecord step(SamplerDriver<Real>& driver) = 0;
  /// The optimizers of the Deep Relaxation paper (HEAT, HJ, H-ESGD): one estimate of the gradient
  /// of the relaxed loss u(x, t_k) at `x` into out[0..size()) at the scoped time of outer step k =
  /// state().steps, consuming minibatches and noise as a step would (docs/theory.md 7.9); returns
  /// false (out untouched) for a sampler without one.
  virtual bool relaxed_gradient(SamplerDriver<Real>& /*driver*/, const Real* /*x*/, Real* /*out*/) {
    return false;
  }
};

template <typename Real> class SamplerDriver {
public:
  /// `model` must outlive the driver. Parameters start at zero: fill state().params (e.g. with
  /// the model's initializer and rng(train_stream::init)). InputError from the sampler's keys.
  SamplerDriver(MPI_Comm comm, Model<Real>& model, const SamplerOptions& options);

  /// Collective: one sampler step (one minibatch; L minibatches for Entropy-SGD).
  StepRecord step();

  long minibatches_per_epoch() const { return minibatches_per_epoch_; }
  double epoch() const {
    return static_cast<double>(state_.minibatches) / static_cast<double>(minibatches_per_epoch_);
  }
  /// This replica's Philox generator for `stream` (replica 0 in data-parallel runs).
  CounterRng rng(std::uint32_t stream) const;
  SamplerState<Real>& state() { return state_; }
  const SamplerState<Real>& state() const { return state_; }
  /// Collective: one estimate of the relaxed-loss gradient at `x` by the sampler's rule
  /// (SamplerRule::relaxed_gradient), advancing the minibatch and noise counters, so repeated calls
  /// give independent estimates. Error for a sampler without one.
  void relaxed_gradient(const Real* x, Real* out);
  /// Restores a saved state (sizes must match) including the CTLD bias.
  void restore(const SamplerState<Real>& saved);
  const SamplerOptions& options() const { return options_; }

  // ---- services of the sampler rules ----
  /// Collective: mean loss of the next minibatch at `at`, its mean gradient into gradient()
  /// (data-parallel: summed over ranks). Advances the minibatch stream.
  double next_gradient(const Real* at);
  Real* gradient() { return gradient_.data(); }
  std::size_t size() const { return n_; }
  std::size_t sample_count() const { return model_->sample_count(); }
  /// Standard normals of `stream` for counter `step` into out[0..n).
  void fill_noise(std::uint32_t stream, std::uint32_t step, std::size_t n, Real* out) const;
  /// Collective in elastic runs: values[0..size()) <- their mean over the replicas (one replica,
  /// nothing to do, in data-parallel runs).
  void replica_mean(Real* values) const;

private:
  MPI_Comm comm_;
  Model<Real>* model_;
  SamplerOptions options_;
  int replica_ = 0;
  std::size_t n_;
  long minibatches_per_epoch_;
  SamplerState<Real> state_;
  std::unique_ptr<SamplerRule<Real>> rule_;
  long order_epoch_ = -1;
  std::vector<std::size_t> order_;
  std::vector<Real> gradient_, mean_;
};

extern template class SamplerDriver<float>;
extern template class SamplerDriver<double>;

/// train.sampler, train.batch and the [parle] keys, and every sampler's keys (the table's).
void declare_sampler_options(OptionSet& options);
/// The keys of declare_sampler_options alone (tests, programs that build a sampler in code).
OptionSet sampler_option_set();
/// Validates the sampler's keys (its row builds its rule once) and rejects, naming the key, any
/// sampler key set for a sampler that does not use it. InputError for out-of-range values.
SamplerOptions make_sampler_options(const Config& config);
/// make_sampler_options of the defaults with `values` set, as if given on the command line.
SamplerOptions sampler_options(const std::map<std::string, std::string>& values);

} // namespace relax
