// Runs a sampler of sde/samplers.hpp on a Model over MPI: the minibatch stream (shuffled per epoch
// with CounterRng), data-parallel gradients or Parle/elastic replicas (sde/parle.hpp), learning
// rate and temperature schedules, CTLD's alpha and metadynamics, Entropy-SGD's inner loop, and the
// state a bit-identical restart needs. Every random number depends only on (seed, stream, step,
// index), so a data-parallel run gives the same result at any rank count up to the float round-off
// of the gradient sum.
#pragma once

#include "core/config.hpp"
#include "learning/model.hpp"
#include "models/schedule.hpp"
#include "learning/samplers.hpp"

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace relax {

enum class SamplerKind { sgd, sgld, ctld, entropy_sgd };
enum class Parallelism { data, elastic };

/// lr(t) for t in epochs: constant lr0, polynomial lr0 (1 + t/a)^-p, logarithmic lr0 log
/// 2/log(2+t).
struct StepSchedule {
  enum class Kind { constant, polynomial, logarithmic };
  Kind kind = Kind::constant;
  double lr0 = 0.1;
  double a = 1.0;
  double p = 0.55;
  double lr(double epoch) const;
};

struct SamplerOptions {
  SamplerKind kind = SamplerKind::sgd;
  std::size_t batch = 128; ///< global minibatch (data-parallel) or per replica (elastic)
  std::uint32_t seed = 0;
  StepSchedule step;           ///< lr of SGD and SGLD, the outer lr of Entropy-SGD
  MomentumParameters momentum; ///< SGD, CTLD after L_s, Entropy-SGD's outer step (lr: step)
  TemperatureSchedule temperature = TemperatureSchedule::constant(1.0); ///< SGLD's T(t), t epochs
  CtldParameters ctld;
  EntropyParameters entropy;
  Parallelism parallelism = Parallelism::data;
  long coupling_every = 0; ///< elastic: couple every L sampler steps (0: never)
  double coupling = 1.0;   ///< elastic: rho
};

/// What one sampler step reports (collective values in data-parallel runs; per replica otherwise).
struct StepRecord {
  long step = 0;    ///< sampler steps done (outer steps for Entropy-SGD)
  double epoch = 0; ///< effective epochs: gradient evaluations / minibatches per epoch
  double loss = 0;  ///< mean minibatch loss at the parameters before the step
  double lr = 0;
  double temperature = 0; ///< SGLD T(t); CTLD 1/g(alpha); Entropy-SGD eps^2; SGD 0
  double alpha = 0;       ///< CTLD
  double gamma = 0;       ///< Entropy-SGD coupling gamma_k
};

/// Everything a bit-identical restart needs.
template <typename Real> struct SamplerState {
  long minibatches = 0; ///< gradient evaluations done (minibatches consumed)
  long steps = 0;       ///< sampler steps done
  std::vector<Real> params;
  std::vector<Real> velocity;
  CtldAlphaState alpha;
  std::vector<double> bias; ///< CTLD metadynamics bins
};

template <typename Real> class SamplerDriver {
public:
  /// `model` must outlive the driver. Parameters start at zero: fill state().params (e.g. with
  /// the model's initializer and rng(train_stream::init)).
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
  /// Restores a saved state (sizes must match) including the CTLD bias.
  void restore(const SamplerState<Real>& saved);
  const SamplerOptions& options() const { return options_; }
  double temperature_now() const;

private:
  // Mean loss of the next minibatch at `at`, mean gradient into gradient_ (data-parallel: sum
  // over ranks). Advances the minibatch stream.
  double next_gradient(const Real* at);
  StepRecord sgd_step();
  StepRecord sgld_step();
  StepRecord ctld_step();
  StepRecord entropy_step();

  MPI_Comm comm_;
  Model<Real>* model_;
  SamplerOptions options_;
  int replica_ = 0;
  std::size_t n_;
  long minibatches_per_epoch_;
  SamplerState<Real> state_;
  CtldTempering tempering_;
  long order_epoch_ = -1;
  std::vector<std::size_t> order_;
  std::vector<Real> gradient_, noise_, y_, mu_, direction_;
};

extern template class SamplerDriver<float>;
extern template class SamplerDriver<double>;

/// [train] sampler and hyper-parameters, [sgld] schedules, [ctld], [entropy], [parle] keys.
void declare_sampler_options(OptionSet& options);
/// InputError naming the key for out-of-range values (lr <= 0, momentum outside [0, 1), ...).
SamplerOptions make_sampler_options(const Config& config);
/// InputError naming train.sampler for an unknown name.
SamplerKind parse_sampler_kind(const std::string& name);
std::string to_string(SamplerKind kind);

} // namespace relax
