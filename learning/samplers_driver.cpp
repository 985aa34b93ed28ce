#include "learning/samplers_driver.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/validate.hpp"
#include "learning/parle.hpp"
#include "learning/sampler_table.hpp"

#include <algorithm>
#include <cmath>

namespace relax {

template <typename Real>
SamplerDriver<Real>::SamplerDriver(MPI_Comm comm, Model<Real>& model, const SamplerOptions& options)
    : comm_(comm), model_(&model), options_(options), n_(model.parameter_count()) {
  if (!options_.config) {
    throw Error("SamplerDriver: options without a configuration (use make_sampler_options)");
  }
  if (options_.parallelism == Parallelism::elastic) {
    replica_ = comm_rank(comm_);
  }
  const std::size_t samples = model.sample_count();
  const std::size_t batch = std::min(options_.batch, samples);
  options_.batch = batch;
  minibatches_per_epoch_ = static_cast<long>((samples + batch - 1) / batch);
  state_.params.assign(n_, Real(0));
  state_.velocity.assign(n_, Real(0));
  state_.moment.assign(n_, Real(0));
  const SamplerSpec& spec = find_sampler(options_.sampler);
  if (spec.name == "ctld") {
    state_.bias.assign(static_cast<std::size_t>(options_.config->integer("ctld.bins")) + 1, 0.0);
  }
  gradient_.assign(n_, Real(0));
  if (options_.parallelism == Parallelism::elastic) {
    mean_.assign(n_, Real(0));
  }
  rule_ = make_sampler_rule<Real>(spec, *options_.config, n_);
  rule_->start(*this);
}

template <typename Real> CounterRng SamplerDriver<Real>::rng(std::uint32_t stream) const {
  return CounterRng(options_.seed,
                    stream + static_cast<std::uint32_t>(replica_) * train_stream::replica_stride);
}

template <typename Real>
void SamplerDriver<Real>::fill_noise(std::uint32_t stream, std::uint32_t step, std::size_t n,
                                     Real* out) const {
  fill_normal(rng(stream), step, 0, n, out);
}

template <typename Real> void SamplerDriver<Real>::replica_mean(Real* values) const {
  if (options_.parallelism != Parallelism::elastic) {
    return;
  }
  allreduce_sum(comm_, values, n_);
  const auto inverse = static_cast<Real>(1.0 / comm_size(comm_));
  for (std::size_t k = 0; k < n_; ++k) {
    values[k] *= inverse;
  }
}

template <typename Real> void SamplerDriver<Real>::restore(const SamplerState<Real>& saved) {
  if (saved.params.size() != n_ || saved.velocity.size() != n_ || saved.moment.size() != n_ ||
      saved.bias.size() != state_.bias.size()) {
    throw InputError("checkpoint: state sizes (" + std::to_string(saved.params.size()) +
                     " parameters, " + std::to_string(saved.bias.size()) +
                     " bias edges) do not match the configured run (" + std::to_string(n_) +
                     " parameters, " + std::to_string(state_.bias.size()) + " edges)");
  }
  state_ = saved;
}

template <typename Real> double SamplerDriver<Real>::next_gradient(const Real* at) {
  const long epoch = state_.minibatches / minibatches_per_epoch_;
  const long position = state_.minibatches % minibatches_per_epoch_;
  if (epoch != order_epoch_) {
    shuffled_indices(rng(train_stream::shuffle), static_cast<std::uint32_t>(epoch),
                     model_->sample_count(), order_);
    order_epoch_ = epoch;
  }
  const std::size_t first = static_cast<std::size_t>(position) * options_.batch;
  const std::size_t count = std::min(options_.batch, order_.size() - first);
  ++state_.minibatches;
  // The mean gradient: each rank's shard scaled by 1/count, summed over ranks.
  const auto inverse = static_cast<Real>(1.0 / static_cast<double>(count));
  double loss = 0;
  if (options_.parallelism == Parallelism::data) {
    const auto [begin, end] = shard(count, comm_rank(comm_), comm_size(comm_));
    loss = model_->loss_and_gradient(at, order_.data() + first + begin, end - begin,
                                     gradient_.data(), inverse);
    allreduce_sum(comm_, gradient_.data(), n_);
    allreduce_sum(comm_, &loss, 1);
  } else {
    loss = model_->loss_and_gradient(at, order_.data() + first, count, gradient_.data(), inverse);
  }
  return loss / static_cast<double>(count);
}

template <typename Real> void SamplerDriver<Real>::relaxed_gradient(const Real* x, Real* out) {
  if (!rule_->relaxed_gradient(*this, x, out)) {
    throw Error("train.sampler = " + options_.sampler +
                ": no relaxed-loss gradient estimate (only heat, hj and hesgd have one)");
  }
}

template <typename Real> StepRecord SamplerDriver<Real>::step() {
  StepRecord record = rule_->step(*this);
  ++state_.steps;
  if (options_.parallelism == Parallelism::elastic && options_.coupling_every > 0 &&
      state_.steps % options_.coupling_every == 0) {
    elastic_couple(comm_, options_.coupling, n_, state_.params.data(), mean_.data());
  }
  record.step = state_.steps;
  record.epoch = epoch();
  return record;
}

template class SamplerDriver<float>;
template class SamplerDriver<double>;

// ---- configuration ----

void declare_sampler_options(OptionSet& options) {
  declare_sampler_keys(options);
  options
      .integer("train.batch", 128, "samples",
               "global minibatch (split over ranks; per replica when parle.replicas)")
      .boolean("parle.replicas", false,
               "elastic replicas, one per rank (else data-parallel over ranks)")
      .integer("parle.every", 20, "steps", "L: couple the replicas every L sampler steps")
      .real("parle.rho", 0.5, "", "rho: pull x <- x - rho (x - mean) at each coupling");
}

OptionSet sampler_option_set() {
  OptionSet options;
  declare_sampler_options(options);
  return options;
}

SamplerOptions make_sampler_options(const Config& config) {
  SamplerOptions o;
  const SamplerSpec& spec = find_sampler(config.text("train.sampler"));
  reject_unused_sampler_keys(config, spec);
  o.sampler = spec.name;
  o.batch = static_cast<std::size_t>(config.integer_at_least("train.batch", 1));
  o.parallelism = config.boolean("parle.replicas") ? Parallelism::elastic : Parallelism::data;
  o.coupling_every = config.integer_at_least("parle.every", 0);
  if (spec.name == "parle") { // its coupling is elastic inside every step, not a periodic pull
    config.reject_unread({"parle.every", "parle.rho"}, {}, "train.sampler = parle",
                         [](const std::string&) { return "its coupling is parle.elastic"; });
    o.coupling_every = 0;
  }
  const double rho = config.real("parle.rho");
  if (!(rho >= 0 && rho <= 1)) {
    reject_value("parle.rho", config.text("parle.rho"), "a number in [0, 1]");
  }
  o.coupling = rho;
  o.config = std::make_shared<const Config>(config);
  make_sampler_rule<double>(spec, config, 1); // every value of the sampler's keys checked now
  return o;
}

SamplerOptions sampler_options(const std::map<std::string, std::string>& values) {
  return make_sampler_options(Config::from_values(sampler_option_set(), values));
}

} // namespace relax
