#include "learning/sampler_table.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"
#include "models/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace relax {

namespace {

constexpr double tiny = 1e-300;

// ---- the shared key groups and their parsers ----

/// lr(t) for t in epochs: constant lr0, polynomial lr0 (1 + t/a)^-p, logarithmic lr0 log
/// 2/log(2+t), step lr0 factor^(number of drop epochs <= t).
struct StepSchedule {
  enum class Kind { constant, polynomial, logarithmic, step };
  Kind kind = Kind::constant;
  double lr0 = 0.1;
  double a = 1.0;
  double p = 0.55;
  std::vector<double> drops; ///< ascending epochs
  double factor = 0.1;
  double lr(double epoch) const {
    switch (kind) {
    case Kind::constant:
      break;
    case Kind::polynomial:
      return lr0 * std::pow(1.0 + epoch / a, -p);
    case Kind::logarithmic:
      return lr0 * std::log(2.0) / std::log(2.0 + epoch);
    case Kind::step: {
      const auto passed =
          std::upper_bound(drops.begin(), drops.end(), epoch + 1e-12) - drops.begin();
      return lr0 * std::pow(factor, static_cast<double>(passed));
    }
    }
    return lr0;
  }
};

const std::vector<std::string> step_keys = {"train.lr",   "train.lr_schedule", "train.lr_a",
                                            "train.lr_p", "train.lr_drops",    "train.lr_factor"};
const std::vector<std::string> temperature_keys = {"sgld.schedule", "sgld.temperature", "sgld.c",
                                                   "sgld.a", "sgld.p"};

StepSchedule parse_step_schedule(const Config& config) {
  StepSchedule s;
  s.lr0 = config.positive_real("train.lr");
  const std::string& kind = config.text("train.lr_schedule");
  s.kind = kind == "polynomial"    ? StepSchedule::Kind::polynomial
           : kind == "logarithmic" ? StepSchedule::Kind::logarithmic
           : kind == "step"        ? StepSchedule::Kind::step
                                   : StepSchedule::Kind::constant;
  s.a = config.positive_real("train.lr_a");
  s.p = config.non_negative_real("train.lr_p");
  s.drops = config.reals("train.lr_drops");
  for (std::size_t i = 0; i < s.drops.size(); ++i) {
    if (!(s.drops[i] > (i == 0 ? 0.0 : s.drops[i - 1])) || !std::isfinite(s.drops[i])) {
      reject_value("train.lr_drops", config.text("train.lr_drops"),
                   "ascending positive epochs, e.g. 10,20");
    }
  }
  s.factor = config.real_in("train.lr_factor", tiny, 1, "a number in (0, 1]");
  return s;
}

TemperatureSchedule parse_temperature_schedule(const Config& config) {
  const std::string& schedule = config.text("sgld.schedule");
  const double c = config.positive_real("sgld.c");
  if (schedule == "logarithmic") {
    return TemperatureSchedule::logarithmic(c);
  }
  if (schedule == "polynomial") {
    return TemperatureSchedule::polynomial(c, config.positive_real("sgld.a"),
                                           config.non_negative_real("sgld.p"));
  }
  return TemperatureSchedule::constant(1.0 / config.positive_real("sgld.temperature"));
}

double parse_momentum(const Config& config) {
  return config.real_in("train.momentum", 0, 0.999999, "a number in [0, 1)");
}

MomentumParameters parse_momentum_parameters(const Config& config) {
  MomentumParameters p;
  p.momentum = parse_momentum(config);
  p.nesterov = config.boolean("train.nesterov");
  p.weight_decay = config.non_negative_real("train.weight_decay");
  return p;
}

// ---- the rules ----

/// What SGD-like rules share: lr(t), the prior of train.weight_decay and the minibatch gradient.
template <typename Real> struct PriorGradient {
  PriorGradient(const Config& config)
      : step(parse_step_schedule(config)),
        weight_decay(config.non_negative_real("train.weight_decay")) {}
  /// record.lr and record.loss; the mean gradient plus wd theta at the parameters in d.gradient().
  StepRecord take(SamplerDriver<Real>& d) const {
    StepRecord record;
    record.lr = step.lr(d.epoch());
    SamplerState<Real>& s = d.state();
    record.loss = d.next_gradient(s.params.data());
    add_weight_decay(d.size(), weight_decay, s.params.data(), d.gradient());
    return record;
  }
  StepSchedule step;
  double weight_decay;
};

/// What the Langevin samplers (SGLD, pSGLD, SGHMC) add: T(t) and the step's normals.
template <typename Real> struct NoisyGradient {
  NoisyGradient(const Config& config, std::size_t n)
      : gradient(config), temperature(parse_temperature_schedule(config)), noise(n) {}
  /// As PriorGradient::take, with record.temperature = T(t) and the step's normals in `noise`.
  StepRecord take(SamplerDriver<Real>& d) {
    const double t = d.epoch();
    StepRecord record = gradient.take(d);
    record.temperature = temperature.temperature(t);
    d.fill_noise(train_stream::noise, static_cast<std::uint32_t>(d.state().steps), d.size(),
                 noise.data());
    return record;
  }
  PriorGradient<Real> gradient;
  TemperatureSchedule temperature;
  std::vector<Real> noise;
};

/// SGD with (Nesterov) momentum, PyTorch's semantics (momentum_step).
template <typename Real> class SgdRule final : public SamplerRule<Real> {
public:
  SgdRule(const Config& config, std::size_t)
      : step_(parse_step_schedule(config)), momentum_(parse_momentum_parameters(config)) {}
  StepRecord step(SamplerDriver<Real>& d) override {
    StepRecord record;
    record.lr = step_.lr(d.epoch());
    SamplerState<Real>& s = d.state();
    record.loss = d.next_gradient(s.params.data());
    MomentumParameters p = momentum_;
    p.lr = record.lr;
    momentum_step(p, d.size(), d.gradient(), s.velocity.data(), s.params.data());
    return record;
  }

private:
  StepSchedule step_;
  MomentumParameters momentum_;
};

/// SGLD with the prior of train.weight_decay: theta <- theta - lr (g + wd theta) + sqrt(2 lr T/N)
/// xi.
template <typename Real> class SgldRule final : public SamplerRule<Real> {
public:
  SgldRule(const Config& config, std::size_t n) : langevin_(config, n) {}
  StepRecord step(SamplerDriver<Real>& d) override {
    const StepRecord record = langevin_.take(d);
    sgld_step(d.size(), record.lr,
              sgld_noise_scale(record.lr, record.temperature, d.sample_count()), d.gradient(),
              langevin_.noise.data(), d.state().params.data());
    return record;
  }

private:
  NoisyGradient<Real> langevin_;
};

/// pSGLD (Li, Chen, Carlson, Carin 2016): RMSProp-preconditioned SGLD, G = 1 / (eps + sqrt(V)),
/// V <- a V + (1 - a) g^2, theta <- theta - lr G g + sqrt(2 lr T G / N) xi. The correction term
/// lr (T/N) dG/dtheta is dropped, as in the paper (V is a running average, not a function of
/// theta): docs/theory.md 7.4.
template <typename Real> class PsgldRule final : public SamplerRule<Real> {
public:
  PsgldRule(const Config& config, std::size_t n)
      : langevin_(config, n), moment_(make_second_moment(config)) {}
  StepRecord step(SamplerDriver<Real>& d) override {
    const StepRecord record = langevin_.take(d);
    SamplerState<Real>& s = d.state();
    const Real* g = d.gradient();
    update_second_moment(d.size(), moment_.decay, g, s.moment.data());
    const double noise =
        2.0 * record.lr * record.temperature / static_cast<double>(d.sample_count());
    for (std::size_t k = 0; k < d.size(); ++k) {
      const double preconditioner =
          1.0 / (moment_.epsilon + std::sqrt(static_cast<double>(s.moment[k])));
      s.params[k] += static_cast<Real>(-record.lr * preconditioner * g[k] +
                                       std::sqrt(noise * preconditioner) * langevin_.noise[k]);
    }
    return record;
  }

private:
  NoisyGradient<Real> langevin_;
  SecondMoment moment_;
};

/// SGHMC (Chen, Fox, Guestrin 2014) in SGD-momentum variables: theta <- theta + v, then
/// v <- mu v - lr (g + wd theta) + sqrt(2 (1 - mu) lr T / N) xi at the new theta. With lr = eta^2
/// N / T and mu = 1 - eta gamma it is Algorithm 1 of CTLD at g = 1 (v = eta r).
template <typename Real> class SghmcRule final : public SamplerRule<Real> {
public:
  SghmcRule(const Config& config, std::size_t n)
      : langevin_(config, n), momentum_(parse_momentum(config)) {}
  StepRecord step(SamplerDriver<Real>& d) override {
    SamplerState<Real>& s = d.state();
    drift_positions(d.size(), 1.0, s.velocity.data(), s.params.data());
    const StepRecord record = langevin_.take(d);
    const double noise = std::sqrt(2.0 * (1.0 - momentum_) * record.lr * record.temperature /
                                   static_cast<double>(d.sample_count()));
    kick_momentum(d.size(), momentum_, record.lr, noise, d.gradient(), langevin_.noise.data(),
                  s.velocity.data());
    return record;
  }

private:
  NoisyGradient<Real> langevin_;
  double momentum_;
};

/// RMSProp, PyTorch's semantics without momentum: d = g + wd theta, v <- a v + (1 - a) d^2,
/// theta <- theta - lr d / (sqrt(v) + eps).
template <typename Real> class RmspropRule final : public SamplerRule<Real> {
public:
  RmspropRule(const Config& config, std::size_t)
      : gradient_(config), moment_(make_second_moment(config)) {}
  StepRecord step(SamplerDriver<Real>& d) override {
    const StepRecord record = gradient_.take(d);
    SamplerState<Real>& s = d.state();
    const Real* g = d.gradient();
    update_second_moment(d.size(), moment_.decay, g, s.moment.data());
    const auto lr = static_cast<Real>(record.lr);
    const auto eps = static_cast<Real>(moment_.epsilon);
    for (std::size_t k = 0; k < d.size(); ++k) {
      s.params[k] -= lr * g[k] / (std::sqrt(s.moment[k]) + eps);
    }
    return record;
  }

private:
  PriorGradient<Real> gradient_;
  SecondMoment moment_;
};

/// Adam (Kingma and Ba), PyTorch's semantics (L2 weight decay in the gradient): m <- b1 m +
/// (1 - b1) d, v <- b2 v + (1 - b2) d^2, theta <- theta - lr (m / (1 - b1^t)) /
/// (sqrt(v / (1 - b2^t)) + eps) at step t = 1, 2, ...
template <typename Real> class AdamRule final : public SamplerRule<Real> {
public:
  AdamRule(const Config& config, std::size_t)
      : gradient_(config), beta1_(config.real_in("adam.beta1", 0, 0.999999, "a number in [0, 1)")),
        beta2_(config.real_in("adam.beta2", 0, 0.999999, "a number in [0, 1)")),
        epsilon_(config.positive_real("adam.eps")) {}
  StepRecord step(SamplerDriver<Real>& d) override {
    const StepRecord record = gradient_.take(d);
    SamplerState<Real>& s = d.state();
    const Real* g = d.gradient();
    const double t = static_cast<double>(s.steps + 1);
    const auto first = static_cast<Real>(1.0 / (1.0 - std::pow(beta1_, t)));
    const auto second = static_cast<Real>(1.0 / (1.0 - std::pow(beta2_, t)));
    const auto b1 = static_cast<Real>(beta1_);
    update_second_moment(d.size(), beta2_, g, s.moment.data());
    const auto lr = static_cast<Real>(record.lr);
    const auto eps = static_cast<Real>(epsilon_);
    for (std::size_t k = 0; k < d.size(); ++k) {
      s.velocity[k] = b1 * s.velocity[k] + (Real(1) - b1) * g[k];
      s.params[k] -= lr * (s.velocity[k] * first) / (std::sqrt(s.moment[k] * second) + eps);
    }
    return record;
  }

private:
  PriorGradient<Real> gradient_;
  double beta1_, beta2_, epsilon_;
};

CtldParameters parse_ctld(const Config& config) {
  CtldParameters p;
  static_cast<CtldTemperingParameters&>(p) = make_ctld_tempering(config);
  p.eta = config.positive_real("ctld.eta");
  p.friction = config.positive_real("ctld.friction");
  if (p.eta * p.friction > 1.0) {
    reject_value("ctld.friction", config.text("ctld.friction"),
                 "eta gamma <= 1 (ctld.eta = " + config.text("ctld.eta") + ")");
  }
  if (p.eta * p.alpha_friction > 1.0) {
    reject_value("ctld.alpha_friction", config.text("ctld.alpha_friction"),
                 "eta gamma_alpha <= 1 (ctld.eta = " + config.text("ctld.eta") + ")");
  }
  p.temperature = config.positive_real("ctld.temperature");
  return p;
}

/// CTLD as Algorithm 1 of Ye, Zhu and Mantiuk with U~ = N (L^ + wd |theta|^2 / 2) / T. Steps
/// t < L_s: theta <- theta + eta r; r <- (1 - eta gamma) r - eta grad U~(theta) + sqrt(2 eta gamma
/// / g(alpha_old)) xi; alpha <- alpha + eta r_alpha; deposit; r_alpha <- (1 - eta gamma_alpha)
/// r_alpha + eta h~ + sqrt(2 eta gamma_alpha) xi_alpha. Afterwards the same theta/r integrator
/// without noise (SGD-momentum with lr eta^2 N / T, momentum 1 - eta gamma), alpha frozen.
template <typename Real> class CtldRule final : public SamplerRule<Real> {
public:
  CtldRule(const Config& config, std::size_t n)
      : p_(parse_ctld(config)), weight_decay_(config.non_negative_real("train.weight_decay")),
        tempering_(p_), noise_(n) {}

  void start(SamplerDriver<Real>& d) override {
    SamplerState<Real>& s = d.state();
    d.fill_noise(train_stream::start, 0, d.size(), s.velocity.data()); // r^0 ~ N(0, I)
    Real r_alpha = 0;
    d.fill_noise(train_stream::start, 1, 1, &r_alpha); // r_alpha^0 ~ N(0, 1)
    s.alpha = {0.0, static_cast<double>(r_alpha)};
  }

  StepRecord step(SamplerDriver<Real>& d) override {
    SamplerState<Real>& s = d.state();
    const std::size_t n = d.size();
    const bool sampling = s.steps < p_.sampling_steps;
    const double scale = static_cast<double>(d.sample_count()) / p_.temperature; // U = scale L
    StepRecord record;
    record.lr = p_.eta;
    record.phase = sampling ? 0 : 1;
    const double g_old = tempering_.g(s.alpha.alpha);
    drift_positions(n, p_.eta, s.velocity.data(), s.params.data());
    record.loss = d.next_gradient(s.params.data());
    add_weight_decay(n, weight_decay_, s.params.data(), d.gradient());
    const double noise = sampling ? std::sqrt(2.0 * p_.eta * p_.friction / g_old) : 0.0;
    if (sampling) {
      d.fill_noise(train_stream::noise, static_cast<std::uint32_t>(s.steps), n, noise_.data());
    }
    kick_momentum(n, 1.0 - p_.eta * p_.friction, p_.eta * scale, noise, d.gradient(), noise_.data(),
                  s.velocity.data());
    if (sampling) {
      s.alpha.alpha += p_.eta * s.alpha.velocity;
      if (s.steps < p_.deposit_steps()) {
        tempering_.deposit(s.alpha.alpha, s.bias);
      }
      double squares = 0;
      double kinetic = 0;
      for (std::size_t k = 0; k < n; ++k) {
        squares += static_cast<double>(s.params[k]) * static_cast<double>(s.params[k]);
        kinetic += static_cast<double>(s.velocity[k]) * static_cast<double>(s.velocity[k]);
      }
      const double energy = scale * (record.loss + 0.5 * weight_decay_ * squares);
      record.alpha_force =
          ctld_alpha_force(tempering_, s.bias, s.alpha.alpha, energy, 0.5 * kinetic);
      Real xi = 0;
      d.fill_noise(train_stream::alpha_noise, static_cast<std::uint32_t>(s.steps), 1, &xi);
      ctld_alpha_kick(p_.eta, p_.alpha_friction, record.alpha_force.total(),
                      static_cast<double>(xi), s.alpha);
    }
    record.alpha = s.alpha.alpha;
    record.alpha_velocity = s.alpha.velocity;
    record.temperature = sampling ? 1.0 / tempering_.g(s.alpha.alpha) : 0.0;
    return record;
  }

private:
  CtldParameters p_;
  double weight_decay_;
  CtldTempering tempering_;
  std::vector<Real> noise_;
};

EntropyParameters parse_entropy(const Config& config) {
  EntropyParameters e = make_entropy_parameters(config);
  e.noise = config.non_negative_real("entropy.noise");
  e.inner_momentum = config.real_in("entropy.inner_momentum", 0, 0.999999, "a number in [0, 1)");
  e.inner_weight_decay = config.non_negative_real("entropy.inner_weight_decay");
  return e;
}

/// Entropy-SGD's inner loop, shared with Parle: from y, z <- x, L steps of y <- y - eta' (d +
/// gamma (y - x)) + eps sqrt(2 eta') xi, z <- (1 - a) z + a y, where d is the minibatch gradient
/// after the optional inner weight decay and (Nesterov) momentum of the reference code (d = g +
/// wd y, m <- mu m + d, d <- d + mu m or m; m zeroed at every outer step).
template <typename Real> class EntropyInnerLoop {
public:
  EntropyInnerLoop(const Config& config, std::size_t n)
      : p(parse_entropy(config)), nesterov_(config.boolean("train.nesterov")), noise_(n), y_(n),
        z(n), velocity_(n) {}
  /// Runs the loop from the anchor x (the replica's parameters); returns the first minibatch
  /// loss (at y = x). The average is left in z.
  double run(SamplerDriver<Real>& d, const Real* x, double gamma) {
    const std::size_t n = d.size();
    std::copy(x, x + n, y_.data());
    std::copy(x, x + n, z.data());
    std::fill(velocity_.begin(), velocity_.end(), Real(0));
    const auto wd = static_cast<Real>(p.inner_weight_decay);
    const auto mu = static_cast<Real>(p.inner_momentum);
    double first = 0;
    for (int l = 0; l < p.inner_steps; ++l) {
      const double loss = d.next_gradient(y_.data());
      if (l == 0) {
        first = loss;
      }
      Real* g = d.gradient();
      for (std::size_t k = 0; k < n; ++k) {
        Real dk = g[k] + wd * y_[k];
        if (p.inner_momentum > 0) {
          velocity_[k] = mu * velocity_[k] + dk;
          dk = nesterov_ ? dk + mu * velocity_[k] : velocity_[k];
        }
        g[k] = dk;
      }
      d.fill_noise(train_stream::noise, static_cast<std::uint32_t>(d.state().minibatches), n,
                   noise_.data());
      entropy_inner_step(n, p.inner_lr, gamma, p.noise, g, x, noise_.data(), y_.data());
      moving_average(n, p.average, y_.data(), z.data());
    }
    return first;
  }
  EntropyParameters p;

private:
  bool nesterov_;
  std::vector<Real> noise_, y_;

public:
  std::vector<Real> z; ///< the average of the last run

private:
  std::vector<Real> velocity_;
};

/// Entropy-SGD: the inner loop, then the outer direction x - z through momentum_step
/// (docs/theory.md 7.6).
template <typename Real> class EntropyRule final : public SamplerRule<Real> {
public:
  EntropyRule(const Config& config, std::size_t n)
      : step_(parse_step_schedule(config)), momentum_(parse_momentum_parameters(config)),
        inner_(config, n), direction_(n) {}
  StepRecord step(SamplerDriver<Real>& d) override {
    StepRecord record;
    SamplerState<Real>& s = d.state();
    record.lr = step_.lr(d.epoch());
    record.gamma = inner_.p.gamma(s.steps);
    record.temperature = inner_.p.noise * inner_.p.noise;
    Real* x = s.params.data();
    record.loss = inner_.run(d, x, record.gamma);
    entropy_outer_direction(d.size(), x, inner_.z.data(), direction_.data());
    MomentumParameters outer = momentum_;
    outer.lr = record.lr;
    momentum_step(outer, d.size(), direction_.data(), s.velocity.data(), x);
    return record;
  }

private:
  StepSchedule step_;
  MomentumParameters momentum_;
  EntropyInnerLoop<Real> inner_;
  std::vector<Real> direction_;
};

/// Parle (Chaudhari, Baldassi, Zecchina, Soatto, Talwalkar, Oberman): every replica a runs the
/// inner loop from its own x^a, then x^a <- x^a - eta (D + mu m) with D = (x^a - z) + rho_k (x^a -
/// x), m <- mu m + D (Nesterov per train.nesterov), the master x the replicas' mean, and the
/// scoping gamma_k = gamma0 (1 + gamma1)^k, rho_k = rho0 (1 + gamma1)^k (docs/theory.md 7.7).
template <typename Real> class ParleRule final : public SamplerRule<Real> {
public:
  ParleRule(const Config& config, std::size_t n)
      : step_(parse_step_schedule(config)), momentum_(parse_momentum_parameters(config)),
        inner_(config, n), master_(n), direction_(n) {}
  StepRecord step(SamplerDriver<Real>& d) override {
    StepRecord record;
    const std::size_t n = d.size();
    SamplerState<Real>& s = d.state();
    Real* x = s.params.data();
    std::copy(x, x + n, master_.data());
    d.replica_mean(master_.data()); // the master variable
    record.lr = step_.lr(d.epoch());
    record.gamma = inner_.p.gamma(s.steps);
    record.temperature = inner_.p.noise * inner_.p.noise;
    record.loss = inner_.run(d, x, record.gamma);
    parle_direction(n, inner_.p.rho(s.steps), x, inner_.z.data(), master_.data(),
                    direction_.data());
    MomentumParameters outer = momentum_;
    outer.lr = record.lr;
    outer.weight_decay = 0;
    momentum_step(outer, n, direction_.data(), s.velocity.data(), x);
    return record;
  }

private:
  StepSchedule step_;
  MomentumParameters momentum_;
  EntropyInnerLoop<Real> inner_;
  std::vector<Real> master_, direction_;
};

// ---- the optimizers of the Deep Relaxation paper: HEAT, HJ, H-ESGD (docs/theory.md 7.9) ----

/// The scoped PDE time t_k = t0 / (1 + gamma1)^k of outer step k: the paper's scoping of the
/// coupling gamma_k = 1 / t_k = gamma_0 (1 + gamma_1)^k with gamma_0 = 1 / t0.
struct ScopedTime {
  double t0;
  double scoping;
  double at(long step) const { return t0 * std::pow(1.0 + scoping, -static_cast<double>(step)); }
};

/// What HEAT, HJ and H-ESGD share: an estimate of grad u(x, t_k), u the relaxed loss of a PDE at
/// the scoped time, and the outer step x <- x - lr grad u through momentum_step (momentum, weight
/// decay). `section` names the rule's keys <section>.time and <section>.scoping.
template <typename Real> class RelaxedGradientRule : public SamplerRule<Real> {
public:
  RelaxedGradientRule(const Config& config, std::size_t n, const std::string& section)
      : step_(parse_step_schedule(config)),
        momentum_(parse_momentum_parameters(config)), time_{config.positive_real(section + ".time"),
                                                            config.non_negative_real(section +
                                                                                     ".scoping")},
        direction_(n) {}
  StepRecord step(SamplerDriver<Real>& d) override {
    StepRecord record;
    SamplerState<Real>& s = d.state();
    const double t = time_.at(s.steps);
    record.lr = step_.lr(d.epoch());
    record.gamma = 1.0 / t;
    record.temperature = temperature();
    record.loss = estimate(d, s.params.data(), t, direction_.data());
    MomentumParameters outer = momentum_;
    outer.lr = record.lr;
    momentum_step(outer, d.size(), direction_.data(), s.velocity.data(), s.params.data());
    return record;
  }
  bool relaxed_gradient(SamplerDriver<Real>& d, const Real* x, Real* out) override {
    estimate(d, x, time_.at(d.state().steps), out);
    return true;
  }

protected:
  /// grad u(x, t) into out[0..n); returns the mean minibatch loss of the estimate's evaluations
  /// (HJ: the first, at y = x).
  virtual double estimate(SamplerDriver<Real>& d, const Real* x, double t, Real* out) = 0;
  /// The noise magnitude /train/temperature reports (H-ESGD's 2 nu; 0 otherwise).
  virtual double temperature() const { return 0.0; }
  const ScopedTime& time() const { return time_; }

private:
  StepSchedule step_;
  MomentumParameters momentum_;
  ScopedTime time_;
  std::vector<Real> direction_;
};

/// y_l = x + sqrt(variance) xi_l with the normals of the next minibatch's counter, so repeated
/// estimates draw fresh perturbations.
template <typename Real>
void perturb(SamplerDriver<Real>& d, const Real* x, double variance, Real* xi, Real* y) {
  d.fill_noise(train_stream::noise, static_cast<std::uint32_t>(d.state().minibatches), d.size(),
               xi);
  const auto scale = static_cast<Real>(std::sqrt(variance));
  for (std::size_t k = 0; k < d.size(); ++k) {
    y[k] = x[k] + scale * xi[k];
  }
}

/// HEAT and H-ESGD: <section>.samples minibatch gradients at Gaussian perturbations y_l of x,
/// averaged with weights w_l. HEAT (nu = 0): u_t = Laplacian(u) / 2, u(., 0) = f, so u(., t) =
/// G_t * f and grad u(x, t) = E[grad f(x + sqrt(t) xi)]: variance t, w = 1 (unbiased). H-ESGD
/// (nu > 0): the local-entropy gradient of Entropy-SGD through the heat equation instead of
/// Langevin dynamics; the viscous u_t + |grad u|^2 / 2 = nu Laplacian(u) is, by Cole-Hopf, u = -2
/// nu log v with v_t = nu Laplacian(v), v(., 0) = exp(-f / (2 nu)), so grad u(x, t) = E[w grad
/// f(y)] / E[w] with y = x + sqrt(2 nu t) xi, w = exp(-f(y) / (2 nu)): self-normalized, the weights
/// rescaled by the running maximum of the log-weight (the ratio's bias is O(1 / samples)).
template <typename Real> class PerturbedGradientRule : public RelaxedGradientRule<Real> {
public:
  PerturbedGradientRule(const Config& config, std::size_t n, const std::string& section, double nu)
      : RelaxedGradientRule<Real>(config, n, section),
        samples_(config.integer_at_least(section + ".samples", 1)), nu_(nu), xi_(n), y_(n) {}

private:
  double temperature() const override { return 2.0 * nu_; }
  double estimate(SamplerDriver<Real>& d, const Real* x, double t, Real* out) override {
    const std::size_t n = d.size();
    const double variance = nu_ > 0 ? 2.0 * nu_ * t : t;
    std::fill(out, out + n, Real(0));
    double largest = -std::numeric_limits<double>::infinity(); // the largest log-weight so far
    double weights = 0;                                        // sum of exp(log-weight - largest)
    double loss = 0;
    for (long l = 0; l < samples_; ++l) {
      perturb(d, x, variance, xi_.data(), y_.data());
      const double f = d.next_gradient(y_.data());
      loss += f;
      const double log_weight = nu_ > 0 ? -f / (2.0 * nu_) : 0.0;
      double rescale = 1.0;
      double weight = 1.0;
      if (log_weight > largest) {
        rescale = std::exp(largest - log_weight);
        largest = log_weight;
      } else {
        weight = std::exp(log_weight - largest);
      }
      weights = weights * rescale + weight;
      const Real* g = d.gradient();
      const auto r = static_cast<Real>(rescale);
      const auto w = static_cast<Real>(weight);
      for (std::size_t k = 0; k < n; ++k) {
        out[k] = out[k] * r + w * g[k];
      }
    }
    const auto inverse = static_cast<Real>(1.0 / weights);
    for (std::size_t k = 0; k < n; ++k) {
      out[k] *= inverse;
    }
    return loss / static_cast<double>(samples_);
  }
  long samples_;
  double nu_;
  std::vector<Real> xi_, y_;
};

template <typename Real> class HeatRule final : public PerturbedGradientRule<Real> {
public:
  HeatRule(const Config& config, std::size_t n)
      : PerturbedGradientRule<Real>(config, n, "heat", 0.0) {}
};

template <typename Real> class HesgdRule final : public PerturbedGradientRule<Real> {
public:
  HesgdRule(const Config& config, std::size_t n)
      : PerturbedGradientRule<Real>(config, n, "hesgd", config.positive_real("hesgd.nu")) {}
};

/// HJ: the inviscid u_t + |grad u|^2 / 2 = 0, u(., 0) = f, solved by Hopf-Lax: u(x, t) = min_y f(y)
/// + |x - y|^2 / (2t) (the Moreau envelope), grad u(x, t) = (x - y*) / t with y* the proximal
/// point, reached by prox.inner_steps noise-free steps y <- y - eta' (grad f(y) + (y - x) / t) from
/// y = x (Entropy-SGD's inner loop at eps = 0; the estimate uses the last iterate).
template <typename Real> class HjRule final : public RelaxedGradientRule<Real> {
public:
  HjRule(const Config& config, std::size_t n)
      : RelaxedGradientRule<Real>(config, n, "prox"),
        steps_(config.integer_at_least("prox.inner_steps", 1)),
        inner_lr_(config.positive_real("prox.inner_lr")), y_(n), no_noise_(n, Real(0)) {
    if (inner_lr_ > this->time().t0) {
      reject_value("prox.inner_lr", config.text("prox.inner_lr"),
                   "at most prox.time = " + config.text("prox.time") +
                       " (the proximal term's step eta'/t <= 1)");
    }
  }

private:
  double estimate(SamplerDriver<Real>& d, const Real* x, double t, Real* out) override {
    const std::size_t n = d.size();
    std::copy(x, x + n, y_.data());
    double first = 0;
    for (long l = 0; l < steps_; ++l) {
      const double loss = d.next_gradient(y_.data());
      first = l == 0 ? loss : first;
      entropy_inner_step(n, inner_lr_, 1.0 / t, 0.0, d.gradient(), x, no_noise_.data(), y_.data());
    }
    const auto inverse = static_cast<Real>(1.0 / t);
    for (std::size_t k = 0; k < n; ++k) {
      out[k] = (x[k] - y_[k]) * inverse;
    }
    return first;
  }
  long steps_;
  double inner_lr_;
  std::vector<Real> y_, no_noise_;
};

template <template <typename> class Rule, typename Real>
std::unique_ptr<SamplerRule<Real>> make(const Config& config, std::size_t parameters) {
  return std::make_unique<Rule<Real>>(config, parameters);
}

template <template <typename> class Rule>
SamplerSpec row(std::string name, std::string help, std::vector<std::vector<std::string>> groups) {
  std::vector<std::string> keys;
  for (const auto& group : groups) {
    keys.insert(keys.end(), group.begin(), group.end());
  }
  return {std::move(name), std::move(help), std::move(keys), &make<Rule, float>,
          &make<Rule, double>};
}

/// A key that means something only while another key has one of some values.
struct KeyCondition {
  const char* key;
  const char* on;
  std::vector<std::string> values;
};
const std::vector<KeyCondition> key_conditions = {
    {"train.lr_a", "train.lr_schedule", {"polynomial"}},
    {"train.lr_p", "train.lr_schedule", {"polynomial"}},
    {"train.lr_drops", "train.lr_schedule", {"step"}},
    {"train.lr_factor", "train.lr_schedule", {"step"}},
    {"sgld.temperature", "sgld.schedule", {"constant"}},
    {"sgld.c", "sgld.schedule", {"logarithmic", "polynomial"}},
    {"sgld.a", "sgld.schedule", {"polynomial"}},
    {"sgld.p", "sgld.schedule", {"polynomial"}},
    {"parle.elastic", "parle.replicas", {"true"}},
};

} // namespace

const std::vector<SamplerSpec>& sampler_table() {
  static const std::vector<SamplerSpec> table = [] {
    const std::vector<std::string> wd = {"train.weight_decay"};
    const std::vector<std::string> momentum = {"train.momentum", "train.nesterov"};
    const std::vector<std::string> rmsprop = {"rmsprop.alpha", "rmsprop.eps"};
    return std::vector<SamplerSpec>{
        row<SgdRule>("sgd", "SGD with (Nesterov) momentum", {step_keys, momentum, wd}),
        row<SgldRule>("sgld", "SGLD with the Gaussian prior of train.weight_decay",
                      {step_keys, temperature_keys, wd}),
        row<PsgldRule>("psgld", "RMSProp-preconditioned SGLD",
                       {step_keys, temperature_keys, wd, rmsprop}),
        row<SghmcRule>("sghmc", "stochastic-gradient Hamiltonian Monte Carlo",
                       {step_keys, temperature_keys, {"train.momentum"}, wd}),
        row<CtldRule>(
            "ctld", "continuously tempered Langevin dynamics (Algorithm 1)",
            {{"ctld.eta", "ctld.friction", "ctld.temperature"}, ctld_tempering_keys(), wd}),
        row<EntropyRule>("entropy_sgd", "Entropy-SGD",
                         {step_keys,
                          momentum,
                          wd,
                          {"entropy.inner_steps", "entropy.inner_lr", "entropy.noise",
                           "entropy.gamma0", "entropy.gamma1", "entropy.average",
                           "entropy.inner_momentum", "entropy.inner_weight_decay"}}),
        row<ParleRule>("parle", "Parle: Entropy-SGD replicas coupled elastically to a master",
                       {step_keys,
                        {"train.momentum", "train.nesterov"},
                        {"entropy.inner_steps", "entropy.inner_lr", "entropy.noise",
                         "entropy.gamma0", "entropy.gamma1", "entropy.average",
                         "entropy.inner_momentum", "entropy.inner_weight_decay", "parle.elastic"}}),
        row<HeatRule>("heat",
                      "HEAT: gradient of the loss smoothed by the heat equation (Gaussian "
                      "perturbations)",
                      {step_keys, momentum, wd, {"heat.samples", "heat.time", "heat.scoping"}}),
        row<HjRule>("hj",
                    "HJ: gradient of the Hopf-Lax (Moreau envelope) relaxation by a noise-free "
                    "proximal inner loop",
                    {step_keys,
                     momentum,
                     wd,
                     {"prox.inner_steps", "prox.inner_lr", "prox.time", "prox.scoping"}}),
        row<HesgdRule>("hesgd",
                       "H-ESGD: the local-entropy gradient through the heat equation "
                       "(Cole-Hopf, weighted Gaussian perturbations)",
                       {step_keys,
                        momentum,
                        wd,
                        {"hesgd.samples", "hesgd.time", "hesgd.nu", "hesgd.scoping"}}),
        row<AdamRule>("adam", "Adam", {step_keys, wd, {"adam.beta1", "adam.beta2", "adam.eps"}}),
        row<RmspropRule>("rmsprop", "RMSProp", {step_keys, wd, rmsprop}),
    };
  }();
  return table;
}

void declare_sampler_keys(OptionSet& options) {
  std::vector<std::string> names;
  std::string help;
  for (const SamplerSpec& spec : sampler_table()) {
    names.push_back(spec.name);
    help += (help.empty() ? "" : ", ") + spec.name + ": " + spec.help;
  }
  options.choice("train.sampler", "sgd", names, help)
      .real("train.lr", 0.1, "", "learning rate (Entropy-SGD: outer step eta)")
      .choice("train.lr_schedule", "constant", {"constant", "polynomial", "logarithmic", "step"},
              "lr(t), t in effective epochs: lr, lr (1 + t/a)^-p, lr log 2 / log(2 + t), lr "
              "f^(drops passed)")
      .real("train.lr_a", 1.0, "epochs", "a of the polynomial lr schedule")
      .real("train.lr_p", 0.55, "", "p of the polynomial lr schedule")
      .reals("train.lr_drops", "10,20", "epochs",
             "effective epochs at which the step schedule multiplies lr by train.lr_factor")
      .real("train.lr_factor", 0.1, "", "f of the step lr schedule, in (0, 1]")
      .real("train.momentum", 0.9, "", "momentum mu (SGD, SGHMC, Entropy-SGD outer)")
      .boolean("train.nesterov", true, "Nesterov momentum (SGD, Entropy-SGD outer)")
      .real("train.weight_decay", 0.0, "",
            "L2 weight decay wd added to the mean gradient; for the samplers the Gaussian prior "
            "exp(-N wd |theta|^2 / (2 T))")
      .choice("sgld.schedule", "constant", {"constant", "logarithmic", "polynomial"},
              "temperature T(t) of SGLD, pSGLD, SGHMC, t in epochs: T, c/log(2+t), c/(a+t)^p")
      .real("sgld.temperature", 1.0, "", "T of the constant schedule (posterior: 1)")
      .real("sgld.c", 1.0, "", "c of the annealing schedules")
      .real("sgld.a", 1.0, "epochs", "a of the polynomial temperature schedule")
      .real("sgld.p", 1.0, "", "p of the polynomial temperature schedule")
      .real("adam.beta1", 0.9, "", "decay of Adam's first moment")
      .real("adam.beta2", 0.999, "", "decay of Adam's second moment")
      .real("adam.eps", 1e-8, "", "eps added to sqrt(v)")
      .real("ctld.eta", 0.01, "", "eta: step of Algorithm 1 (SGD-momentum lr eta^2 N / T)")
      .real("ctld.friction", 10.0, "", "gamma: momentum kept per step is 1 - eta gamma")
      .real("ctld.temperature", 1.0, "",
            "T: the energy is U = N (L + wd |theta|^2 / 2) / T (1: the Bayesian posterior)")
      .real("entropy.noise", 1e-4, "", "eps: inner noise (temperature eps^2)")
      .real("entropy.inner_momentum", 0.0, "",
            "momentum of the inner loop's gradient (Nesterov per train.nesterov; 0: none)")
      .real("entropy.inner_weight_decay", 0.0, "", "weight decay of the inner loop's gradient")
      .integer("heat.samples", 8, "", "HEAT: Gaussian perturbations (minibatch gradients) per step")
      .real("heat.time", 1e-4, "", "HEAT: smoothing time t0 (perturbation variance per coordinate)")
      .real("heat.scoping", 1e-3, "", "HEAT: gamma1 of the scoping t_k = t0 / (1 + gamma1)^k")
      .integer("prox.inner_steps", 5, "", "HJ: noise-free proximal steps per outer step")
      .real("prox.inner_lr", 0.1, "", "HJ: eta' of the proximal steps (at most prox.time)")
      .real("prox.time", 1.0, "", "HJ: Hopf-Lax time t0 (proximal coupling 1/t0)")
      .real("prox.scoping", 1e-3, "", "HJ: gamma1 of the scoping t_k = t0 / (1 + gamma1)^k")
      .integer("hesgd.samples", 8, "", "H-ESGD: Gaussian perturbations per step")
      .real("hesgd.time", 1e-4, "", "H-ESGD: time t0 of the viscous HJ (local-entropy scope)")
      .real("hesgd.nu", 0.05, "",
            "H-ESGD: viscosity nu (weights exp(-f / (2 nu)), perturbation variance 2 nu t)")
      .real("hesgd.scoping", 1e-3, "", "H-ESGD: gamma1 of the scoping t_k = t0 / (1 + gamma1)^k");
  declare_entropy_options(options);
  declare_rmsprop_options(options);
  declare_ctld_tempering_options(options);
}

const SamplerSpec& find_sampler(const std::string& name) {
  std::string choices;
  for (const SamplerSpec& spec : sampler_table()) {
    if (spec.name == name) {
      return spec;
    }
    choices += (choices.empty() ? "" : ", ") + spec.name;
  }
  reject_value("train.sampler", name, "one of " + choices);
}

void reject_unused_sampler_keys(const Config& config, const SamplerSpec& spec) {
  std::vector<std::string> all;
  for (const SamplerSpec& other : sampler_table()) {
    all.insert(all.end(), other.keys.begin(), other.keys.end());
  }
  config.reject_unread(all, spec.keys, "train.sampler = " + spec.name, [](const std::string& key) {
    std::string users;
    for (const SamplerSpec& user : sampler_table()) {
      if (std::find(user.keys.begin(), user.keys.end(), key) != user.keys.end()) {
        users += (users.empty() ? "" : ", ") + user.name;
      }
    }
    return "it is used by " + users;
  });
  for (const KeyCondition& c : key_conditions) {
    const bool listed = std::find(spec.keys.begin(), spec.keys.end(), c.key) != spec.keys.end();
    if (!listed || config.is_default(c.key)) {
      continue;
    }
    if (std::find(c.values.begin(), c.values.end(), config.text(c.on)) == c.values.end()) {
      std::string values;
      for (const std::string& v : c.values) {
        values += (values.empty() ? "" : " or ") + v;
      }
      throw InputError(std::string(c.key) + " = '" + config.text(c.key) + "' (" +
                       config.origin(c.key) + "): used only with " + c.on + " = " + values +
                       ", which is '" + config.text(c.on) + "'; expected it unset");
    }
  }
}

template <>
std::unique_ptr<SamplerRule<float>>
make_sampler_rule<float>(const SamplerSpec& spec, const Config& config, std::size_t parameters) {
  return spec.make_float(config, parameters);
}

template <>
std::unique_ptr<SamplerRule<double>>
make_sampler_rule<double>(const SamplerSpec& spec, const Config& config, std::size_t parameters) {
  return spec.make_double(config, parameters);
}

} // namespace relax
