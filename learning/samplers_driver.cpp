#include "learning/samplers_driver.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/validate.hpp"
#include "learning/parle.hpp"

#include <algorithm>
#include <cmath>

namespace relax {

double StepSchedule::lr(double epoch) const {
  switch (kind) {
  case Kind::constant:
    return lr0;
  case Kind::polynomial:
    return lr0 * std::pow(1.0 + epoch / a, -p);
  case Kind::logarithmic:
    return lr0 * std::log(2.0) / std::log(2.0 + epoch);
  }
  return lr0;
}

template <typename Real>
SamplerDriver<Real>::SamplerDriver(MPI_Comm comm, Model<Real>& model, const SamplerOptions& options)
    : comm_(comm), model_(&model), options_(options), n_(model.parameter_count()),
      tempering_(options.ctld) {
  if (options_.parallelism == Parallelism::elastic) {
    replica_ = comm_rank(comm);
  }
  const std::size_t samples = model.sample_count();
  const std::size_t batch = std::min(options_.batch, samples);
  options_.batch = batch;
  minibatches_per_epoch_ = static_cast<long>((samples + batch - 1) / batch);
  state_.params.assign(n_, Real(0));
  state_.velocity.assign(n_, Real(0));
  state_.bias = tempering_.bias();
  gradient_.assign(n_, Real(0));
  noise_.assign(n_, Real(0));
  if (options_.kind == SamplerKind::entropy_sgd) {
    y_.assign(n_, Real(0));
    mu_.assign(n_, Real(0));
    direction_.assign(n_, Real(0));
  }
  if (options_.parallelism == Parallelism::elastic) {
    direction_.assign(n_, Real(0)); // the replicas' mean
  }
}

template <typename Real> CounterRng SamplerDriver<Real>::rng(std::uint32_t stream) const {
  return CounterRng(options_.seed,
                    stream + static_cast<std::uint32_t>(replica_) * train_stream::replica_stride);
}

template <typename Real> void SamplerDriver<Real>::restore(const SamplerState<Real>& saved) {
  if (saved.params.size() != n_ || saved.velocity.size() != n_ ||
      saved.bias.size() != tempering_.bias().size()) {
    throw InputError("checkpoint: state sizes (" + std::to_string(saved.params.size()) +
                     " parameters, " + std::to_string(saved.bias.size()) +
                     " bias bins) do not match the configured run (" + std::to_string(n_) +
                     " parameters, " + std::to_string(tempering_.bias().size()) + " bins)");
  }
  state_ = saved;
  tempering_.bias() = saved.bias;
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

template <typename Real> double SamplerDriver<Real>::temperature_now() const {
  switch (options_.kind) {
  case SamplerKind::sgld:
    return options_.temperature.temperature(epoch());
  case SamplerKind::ctld:
    return state_.steps < options_.ctld.sampling_steps ? 1.0 / tempering_.g(state_.alpha.alpha)
                                                       : 1.0;
  case SamplerKind::entropy_sgd:
    return options_.entropy.noise * options_.entropy.noise;
  case SamplerKind::sgd:
    break;
  }
  return 0.0;
}

template <typename Real> StepRecord SamplerDriver<Real>::sgd_step() {
  StepRecord record;
  record.lr = options_.step.lr(epoch());
  record.loss = next_gradient(state_.params.data());
  MomentumParameters p = options_.momentum;
  p.lr = record.lr;
  momentum_step(p, n_, gradient_.data(), state_.velocity.data(), state_.params.data());
  return record;
}

template <typename Real> StepRecord SamplerDriver<Real>::sgld_step() {
  StepRecord record;
  const double t = epoch();
  record.lr = options_.step.lr(t);
  record.temperature = options_.temperature.temperature(t);
  record.loss = next_gradient(state_.params.data());
  fill_normal(rng(train_stream::noise), static_cast<std::uint32_t>(state_.steps), 0, n_,
              noise_.data());
  relax::sgld_step(n_, record.lr,
                   sgld_noise_scale(record.lr, record.temperature, model_->sample_count()),
                   gradient_.data(), noise_.data(), state_.params.data());
  return record;
}

template <typename Real> StepRecord SamplerDriver<Real>::ctld_step() {
  const CtldParameters& p = options_.ctld;
  StepRecord record;
  if (state_.steps >= p.sampling_steps) { // second phase: SGD-momentum at g = 1
    if (state_.steps == p.sampling_steps) {
      std::fill(state_.velocity.begin(), state_.velocity.end(), Real(0));
    }
    record = sgd_step();
    record.temperature = 1.0;
    record.alpha = state_.alpha.alpha;
    return record;
  }
  record.lr = p.lr;
  const double g = tempering_.g(state_.alpha.alpha);
  record.loss = next_gradient(state_.params.data());
  const auto step = static_cast<std::uint32_t>(state_.steps);
  fill_normal(rng(train_stream::noise), step, 0, n_, noise_.data());
  const std::size_t samples = model_->sample_count();
  const double scale =
      std::sqrt(2.0 * p.friction * p.lr * p.temperature / static_cast<double>(samples));
  // alpha sees the same theta as the gradient (both before the step).
  double xi_alpha = 0;
  fill_normal(rng(train_stream::alpha_noise), step, 0, 1, &xi_alpha);
  ctld_alpha_step(p, tempering_, record.loss, samples, xi_alpha, state_.alpha);
  ctld_theta_step(n_, p.lr, p.friction, g, scale, gradient_.data(), noise_.data(),
                  state_.velocity.data(), state_.params.data());
  const long deposit_until = p.metadynamics_steps < 0 ? p.sampling_steps : p.metadynamics_steps;
  if (state_.steps < deposit_until) {
    tempering_.deposit(state_.alpha.alpha);
  }
  record.alpha = state_.alpha.alpha;
  record.temperature = 1.0 / tempering_.g(state_.alpha.alpha);
  return record;
}

template <typename Real> StepRecord SamplerDriver<Real>::entropy_step() {
  const EntropyParameters& p = options_.entropy;
  StepRecord record;
  record.lr = options_.step.lr(epoch());
  record.gamma = p.gamma(state_.steps);
  record.temperature = p.noise * p.noise;
  Real* x = state_.params.data();
  std::copy(x, x + n_, y_.data());
  std::copy(x, x + n_, mu_.data());
  for (int l = 0; l < p.inner_steps; ++l) {
    const double loss = next_gradient(y_.data());
    if (l == 0) {
      record.loss = loss; // at y = x
    }
    fill_normal(rng(train_stream::noise), static_cast<std::uint32_t>(state_.minibatches), 0, n_,
                noise_.data());
    entropy_inner_step(n_, p.inner_lr, record.gamma, p.noise, gradient_.data(), x, noise_.data(),
                       y_.data());
    moving_average(n_, p.average, y_.data(), mu_.data());
  }
  entropy_outer_direction(n_, x, mu_.data(), direction_.data());
  MomentumParameters outer = options_.momentum;
  outer.lr = record.lr;
  momentum_step(outer, n_, direction_.data(), state_.velocity.data(), x);
  return record;
}

template <typename Real> StepRecord SamplerDriver<Real>::step() {
  StepRecord record;
  switch (options_.kind) {
  case SamplerKind::sgd:
    record = sgd_step();
    break;
  case SamplerKind::sgld:
    record = sgld_step();
    break;
  case SamplerKind::ctld:
    record = ctld_step();
    break;
  case SamplerKind::entropy_sgd:
    record = entropy_step();
    break;
  }
  ++state_.steps;
  state_.bias = tempering_.bias();
  if (options_.parallelism == Parallelism::elastic && options_.coupling_every > 0 &&
      state_.steps % options_.coupling_every == 0) {
    elastic_couple(comm_, options_.coupling, n_, state_.params.data(), direction_.data());
  }
  record.step = state_.steps;
  record.epoch = epoch();
  return record;
}

template class SamplerDriver<float>;
template class SamplerDriver<double>;

// ---- configuration ----

namespace {

struct SamplerName {
  SamplerKind kind;
  const char* name;
};
constexpr SamplerName sampler_names[] = {{SamplerKind::sgd, "sgd"},
                                         {SamplerKind::sgld, "sgld"},
                                         {SamplerKind::ctld, "ctld"},
                                         {SamplerKind::entropy_sgd, "entropy_sgd"}};

} // namespace

SamplerKind parse_sampler_kind(const std::string& name) {
  for (const auto& entry : sampler_names) {
    if (name == entry.name) {
      return entry.kind;
    }
  }
  reject_value("train.sampler", name, "sgd, sgld, ctld or entropy_sgd");
}

std::string to_string(SamplerKind kind) {
  for (const auto& entry : sampler_names) {
    if (kind == entry.kind) {
      return entry.name;
    }
  }
  return "?";
}

void declare_sampler_options(OptionSet& options) {
  options
      .choice("train.sampler", "sgd", {"sgd", "sgld", "ctld", "entropy_sgd"},
              "sampler/optimizer: SGD with momentum, SGLD, CTLD, Entropy-SGD")
      .integer("train.batch", 128, "samples",
               "global minibatch (split over ranks; per replica when parle.replicas)")
      .real("train.lr", 0.1, "", "learning rate (Entropy-SGD: outer step eta)")
      .choice("train.lr_schedule", "constant", {"constant", "polynomial", "logarithmic"},
              "lr(t), t in epochs: lr, lr (1 + t/a)^-p, lr log 2 / log(2 + t)")
      .real("train.lr_a", 1.0, "epochs", "a of the polynomial lr schedule")
      .real("train.lr_p", 0.55, "", "p of the polynomial lr schedule")
      .real("train.momentum", 0.9, "", "momentum mu (SGD, CTLD's second phase, Entropy-SGD outer)")
      .boolean("train.nesterov", true, "Nesterov momentum")
      .real("train.weight_decay", 0.0, "", "L2 weight decay added to the gradient")
      .choice("sgld.schedule", "constant", {"constant", "logarithmic", "polynomial"},
              "SGLD temperature T(t), t in epochs: T, c/log(2+t), c/(a+t)^p")
      .real("sgld.temperature", 1.0, "", "T of the constant schedule (posterior: 1)")
      .real("sgld.c", 1.0, "", "c of the annealing schedules")
      .real("sgld.a", 1.0, "epochs", "a of the polynomial temperature schedule")
      .real("sgld.p", 1.0, "", "p of the polynomial temperature schedule")
      .real("ctld.lr", 0.1, "", "eta of the CTLD sampling phase")
      .real("ctld.friction", 0.1, "", "gamma: velocity kept per step is 1 - gamma")
      .real("ctld.temperature", 1.0, "", "T of the extended system")
      .real("ctld.delta", 0.4, "", "g(alpha) = 1 on |alpha| <= delta")
      .real("ctld.delta_prime", 1.5, "", "g(alpha) = 1 - S beyond delta'")
      .real("ctld.s", 0.85, "", "S: lowest g is 1 - S (highest temperature 1/(1-S))")
      .real("ctld.confining", 10.0, "loss",
            "C: confining force outside [-delta', delta'] (per sample)")
      .integer("ctld.bins", 100, "", "K: metadynamics bins on [-delta', delta']")
      .real("ctld.height", 0.01, "loss", "w: height of each deposited Gaussian (per sample)")
      .real("ctld.width2", 0.01, "", "sigma^2: variance of each deposited Gaussian")
      .integer("ctld.sampling_steps", 1000, "steps", "L_s: CTLD steps before SGD-momentum")
      .integer("entropy.inner_steps", 20, "", "L: inner Langevin steps per outer step")
      .real("entropy.inner_lr", 0.1, "", "eta': inner step")
      .real("entropy.noise", 1e-4, "", "eps: inner noise (temperature eps^2)")
      .real("entropy.gamma0", 1e-4, "", "gamma0 of the scoping gamma0 (1 + gamma1)^k")
      .real("entropy.gamma1", 1e-3, "", "gamma1 of the scoping")
      .real("entropy.average", 0.25, "", "a in mu <- (1 - a) mu + a y")
      .boolean("parle.replicas", false,
               "elastic replicas, one per rank (else data-parallel over ranks)")
      .integer("parle.every", 20, "steps", "L: couple the replicas every L sampler steps")
      .real("parle.rho", 0.5, "", "rho: pull x <- x - rho (x - mean) at each coupling");
}

namespace {

/// config.real(key) in [lo, hi]; an open end is a bound moved by `tiny`.
double require_in(const Config& config, const std::string& key, double lo, double hi,
                  const std::string& expected) {
  const double value = config.real(key);
  if (!(value >= lo && value <= hi)) {
    reject_value(key, config.text(key), expected);
  }
  return value;
}

} // namespace

SamplerOptions make_sampler_options(const Config& config) {
  constexpr double inf = HUGE_VAL;
  constexpr double tiny = 1e-300;
  SamplerOptions o;
  o.kind = parse_sampler_kind(config.text("train.sampler"));
  o.batch = static_cast<std::size_t>(config.integer_at_least("train.batch", 1));
  o.step.lr0 = config.positive_real("train.lr");
  const std::string& lr_schedule = config.text("train.lr_schedule");
  o.step.kind = lr_schedule == "polynomial"    ? StepSchedule::Kind::polynomial
                : lr_schedule == "logarithmic" ? StepSchedule::Kind::logarithmic
                                               : StepSchedule::Kind::constant;
  o.step.a = config.positive_real("train.lr_a");
  o.step.p = config.non_negative_real("train.lr_p");
  o.momentum.momentum = require_in(config, "train.momentum", 0, 0.999999, "a number in [0, 1)");
  o.momentum.nesterov = config.boolean("train.nesterov");
  o.momentum.weight_decay = config.non_negative_real("train.weight_decay");

  const std::string& schedule = config.text("sgld.schedule");
  const double c = config.positive_real("sgld.c");
  o.temperature =
      schedule == "logarithmic" ? TemperatureSchedule::logarithmic(c)
      : schedule == "polynomial"
          ? TemperatureSchedule::polynomial(c, config.positive_real("sgld.a"),
                                            config.non_negative_real("sgld.p"))
          : TemperatureSchedule::constant(1.0 / config.positive_real("sgld.temperature"));

  CtldParameters& ctld = o.ctld;
  ctld.lr = config.positive_real("ctld.lr");
  ctld.friction = require_in(config, "ctld.friction", tiny, 1, "a number in (0, 1]");
  ctld.temperature = config.positive_real("ctld.temperature");
  ctld.delta = config.non_negative_real("ctld.delta");
  ctld.delta_prime =
      require_in(config, "ctld.delta_prime", ctld.delta + tiny, inf, "a number > ctld.delta");
  ctld.s = require_in(config, "ctld.s", 0, 0.999999, "a number in [0, 1)");
  ctld.confining = config.non_negative_real("ctld.confining");
  ctld.bins = static_cast<int>(config.integer_at_least("ctld.bins", 2));
  ctld.height = config.non_negative_real("ctld.height");
  ctld.width2 = config.positive_real("ctld.width2");
  ctld.sampling_steps = config.integer_at_least("ctld.sampling_steps", 0);

  EntropyParameters& e = o.entropy;
  e.inner_steps = static_cast<int>(config.integer_at_least("entropy.inner_steps", 1));
  e.inner_lr = config.positive_real("entropy.inner_lr");
  e.noise = config.non_negative_real("entropy.noise");
  e.gamma0 = config.non_negative_real("entropy.gamma0");
  e.gamma1 = config.non_negative_real("entropy.gamma1");
  e.average = require_in(config, "entropy.average", tiny, 1, "a number in (0, 1]");

  o.parallelism = config.boolean("parle.replicas") ? Parallelism::elastic : Parallelism::data;
  o.coupling_every = config.integer_at_least("parle.every", 0);
  o.coupling = require_in(config, "parle.rho", 0, 1, "a number in [0, 1]");
  return o;
}

} // namespace relax
