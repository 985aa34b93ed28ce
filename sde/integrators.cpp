#include "sde/integrators.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "models/finite_sum.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace relax {

namespace {

struct IntegratorName {
  IntegratorKind kind;
  const char* name;
};
constexpr IntegratorName integrator_names[] = {{IntegratorKind::euler_maruyama, "euler_maruyama"},
                                               {IntegratorKind::mala, "mala"},
                                               {IntegratorKind::baoab, "baoab"},
                                               {IntegratorKind::sgd, "sgd"},
                                               {IntegratorKind::sgld, "sgld"},
                                               {IntegratorKind::psgld, "psgld"},
                                               {IntegratorKind::sghmc, "sghmc"},
                                               {IntegratorKind::ctld, "ctld"},
                                               {IntegratorKind::entropy_sgd, "entropy_sgd"},
                                               {IntegratorKind::parle, "parle"}};

} // namespace

IntegratorKind parse_integrator(const std::string& text, const std::string& key) {
  std::string names;
  for (const auto& entry : integrator_names) {
    if (text == entry.name) {
      return entry.kind;
    }
    names += (names.empty() ? "" : ", ") + std::string(entry.name);
  }
  reject_value(key, text, "one of " + names);
}

std::string to_string(IntegratorKind kind) {
  for (const auto& entry : integrator_names) {
    if (kind == entry.kind) {
      return entry.name;
    }
  }
  return "euler_maruyama";
}

std::string describe_minibatch(const IntegratorSettings& settings) {
  if (settings.kind != IntegratorKind::sgd && settings.kind != IntegratorKind::sgld) {
    return {};
  }
  const char* rates = settings.rates == SgdRates::inverse_variance ? "inverse_variance"
                      : settings.rates == SgdRates::inverse_std    ? "inverse_std"
                                                                   : "constant";
  return "batch=" + std::to_string(settings.batch) +
         ", replacement=" + (settings.with_replacement ? "true" : "false") + ", rates=" + rates;
}

std::string describe_entropy(const IntegratorSettings& settings) {
  if (settings.kind != IntegratorKind::entropy_sgd && settings.kind != IntegratorKind::parle) {
    return {};
  }
  const EntropyParameters& p = settings.entropy;
  std::string text = "inner_steps=" + std::to_string(p.inner_steps) +
                     ", inner_lr=" + format_real(p.inner_lr) + ", gamma0=" + format_real(p.gamma0) +
                     ", gamma1=" + format_real(p.gamma1) + ", average=" + format_real(p.average);
  if (settings.kind == IntegratorKind::parle) {
    text +=
        ", elastic=" + format_real(p.elastic) + ", replicas=" + std::to_string(settings.replicas);
  }
  return text;
}

BlockIntegrator::BlockIntegrator(const Drift& drift, const TemperatureSchedule& schedule,
                                 std::uint32_t seed, const IntegratorSettings& settings,
                                 std::size_t capacity)
    : drift_(drift), schedule_(schedule), settings_(settings), capacity_(capacity),
      drift_sign_(drift.is_gradient() ? -1.0 : 1.0),
      x_(static_cast<std::size_t>(drift.dim()) * capacity),
      v_(has_velocities(settings.kind) ? x_.size() : 0), seed_(seed),
      float_increments_(CounterRng(seed, rng_stream::increments), StepDraws<float>::Kind::normal,
                        static_cast<std::size_t>(drift.dim()),
                        settings.noise == NoisePrecision::float32 ? capacity : 0),
      double_increments_(CounterRng(seed, rng_stream::increments), StepDraws<double>::Kind::normal,
                         static_cast<std::size_t>(drift.dim()),
                         settings.noise == NoisePrecision::float64 ? capacity : 0) {
  require_positive("sde.dt", settings.dt);
  require_positive("sde.friction", settings.friction);
  require_positive("sde.mass", settings.mass);
}

void BlockIntegrator::initial_aux(std::uint64_t, std::size_t count, const double*, double* aux,
                                  std::size_t stride) const {
  for (std::size_t j = 0; j < aux_width(); ++j) {
    std::fill_n(aux + j * stride, count, 0.0);
  }
}

void BlockIntegrator::load(std::uint64_t first_id, std::size_t count, const double* x,
                           const double* v, const double* aux, std::size_t stride) {
  if (count > capacity_) {
    throw Error("BlockIntegrator::load: block of " + std::to_string(count) + " exceeds capacity " +
                std::to_string(capacity_));
  }
  first_id_ = first_id;
  count_ = count;
  for (std::size_t k = 0; k < static_cast<std::size_t>(dim()); ++k) {
    std::copy_n(x + k * stride, count, x_.data() + k * capacity_);
    if (has_velocities()) {
      std::copy_n(v + k * stride, count, v_.data() + k * capacity_);
    }
  }
  aux_.resize(aux_width() * capacity_);
  for (std::size_t j = 0; j < aux_width(); ++j) {
    std::copy_n(aux + j * stride, count, aux_.data() + j * capacity_);
  }
  prepare();
}

void BlockIntegrator::store(double* x, double* v, double* aux, std::size_t stride) const {
  for (std::size_t k = 0; k < static_cast<std::size_t>(dim()); ++k) {
    std::copy_n(x_.data() + k * capacity_, count_, x + k * stride);
    if (has_velocities()) {
      std::copy_n(v_.data() + k * capacity_, count_, v + k * stride);
    }
  }
  for (std::size_t j = 0; j < aux_width(); ++j) {
    std::copy_n(aux_.data() + j * capacity_, count_, aux + j * stride);
  }
}

void BlockIntegrator::evaluate_drift(const double* x, double* out) const {
  if (drift_.is_gradient()) {
    drift_.landscape().evaluate_batch(count_, capacity_, x, nullptr, out);
  } else {
    drift_.evaluate_batch(count_, capacity_, x, out);
  }
}

double BlockIntegrator::beta(std::uint32_t n) const {
  return schedule_.beta(static_cast<double>(n) * settings_.dt);
}

template <typename F> void BlockIntegrator::with_increments(std::uint32_t n, F&& f) {
  if (settings_.noise == NoisePrecision::float32) {
    f(float_increments_.at(first_id_, count_, n));
  } else {
    f(double_increments_.at(first_id_, count_, n));
  }
}

namespace {

// ---- The pointwise updates (pure loops over a block; row k of a buffer at k*capacity). Each is
// compiled for x86-64, x86-64-v3 and x86-64-v4, the loader picking the best the CPU runs; the file
// is compiled with -ffp-contract=off (sde/CMakeLists.txt), so all give the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RELAX_UPDATE_CLONES                                                                        \
  __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define RELAX_UPDATE_CLONES
#endif

/// x += a * y + s * xi over the first `count` entries of each of `rows` rows.
template <typename Real>
RELAX_UPDATE_CLONES void add_scaled(std::size_t rows, std::size_t count, std::size_t capacity,
                                    double a, const double* y, double s, const Real* xi,
                                    double* x) {
  for (std::size_t k = 0; k < rows; ++k) {
    const std::size_t o = k * capacity;
    for (std::size_t p = 0; p < count; ++p) {
      x[o + p] += a * y[o + p] + s * static_cast<double>(xi[o + p]);
    }
  }
}

/// x += a * y.
RELAX_UPDATE_CLONES void add_scaled(std::size_t rows, std::size_t count, std::size_t capacity,
                                    double a, const double* y, double* x) {
  for (std::size_t k = 0; k < rows; ++k) {
    const std::size_t o = k * capacity;
    for (std::size_t p = 0; p < count; ++p) {
      x[o + p] += a * y[o + p];
    }
  }
}

/// x += a * y + s * xi with a noise scale s per entry.
template <typename Real>
RELAX_UPDATE_CLONES void add_scaled(std::size_t rows, std::size_t count, std::size_t capacity,
                                    double a, const double* y, const double* s, const Real* xi,
                                    double* x) {
  for (std::size_t k = 0; k < rows; ++k) {
    const std::size_t o = k * capacity;
    for (std::size_t p = 0; p < count; ++p) {
      x[o + p] += a * y[o + p] + s[o + p] * static_cast<double>(xi[o + p]);
    }
  }
}

class EulerMaruyama final : public BlockIntegrator {
public:
  EulerMaruyama(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
                const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity), b_(size()),
        sigma_(settings.diffusion ? size() : 0) {
    if (settings.diffusion) {
      settings.diffusion->check_dimension(drift.dim());
    }
  }

  void step(std::uint32_t n) override {
    if (settings_.diffusion) {
      step_with_diffusion(n);
      return;
    }
    const double dt = settings_.dt;
    const double sigma = std::sqrt(2.0 * dt / beta(n));
    evaluate_drift(x_.data(), b_.data());
    with_increments(n, [&](const auto* xi) {
      add_scaled(static_cast<std::size_t>(dim()), count_, capacity_, drift_sign_ * dt, b_.data(),
                 sigma, xi, x_.data());
    });
  }

private:
  void prepare() override {}

  /// sigma_i = sqrt(2 dt D_i(x_n, t_n)) per particle and axis, then the Itô step.
  void step_with_diffusion(std::uint32_t n) {
    const double dt = settings_.dt;
    const double t = static_cast<double>(n) * dt;
    const double b = beta(n);
    const int d = dim();
    std::array<double, 3> x{};
    std::array<double, 3> D{};
    for (std::size_t p = 0; p < count_; ++p) {
      for (int k = 0; k < d; ++k) {
        x[static_cast<std::size_t>(k)] = x_[static_cast<std::size_t>(k) * capacity_ + p];
      }
      settings_.diffusion->evaluate(d, x.data(), t, b, D.data());
      for (int k = 0; k < d; ++k) {
        // D <= 0 or NaN gives NaN: the ensemble's finiteness check names the particle and step.
        sigma_[static_cast<std::size_t>(k) * capacity_ + p] =
            D[static_cast<std::size_t>(k)] > 0
                ? std::sqrt(2.0 * dt * D[static_cast<std::size_t>(k)])
                : std::numeric_limits<double>::quiet_NaN();
      }
    }
    evaluate_drift(x_.data(), b_.data());
    with_increments(n, [&](const auto* xi) {
      add_scaled(static_cast<std::size_t>(d), count_, capacity_, drift_sign_ * dt, b_.data(),
                 sigma_.data(), xi, x_.data());
    });
  }

  std::vector<double> b_;
  std::vector<double> sigma_;
};

/// MALA's proposal y = x + a g + s xi (a = -dt with g = grad f).
template <typename Real>
RELAX_UPDATE_CLONES void propose(std::size_t rows, std::size_t count, std::size_t capacity,
                                 const double* __restrict x, double a, const double* __restrict g,
                                 double s, const Real* __restrict xi, double* __restrict y) {
  for (std::size_t k = 0; k < rows; ++k) {
    const std::size_t o = k * capacity;
    for (std::size_t p = 0; p < count; ++p) {
      y[o + p] = x[o + p] + (a * g[o + p] + s * static_cast<double>(xi[o + p]));
    }
  }
}

/// The points x (with f(x) and grad f(x)) and the proposals y of a MALA block.
struct MalaPoints {
  const double* x;
  const double* f_x;
  const double* g_x;
  const double* y;
  const double* f_y;
  const double* g_y;
};

/// log of the Metropolis–Hastings ratio at beta: -beta (f(y) - f(x)) + (|fwd|^2 - |bwd|^2)
/// beta/(4 dt), fwd = y - x + grad f(x) dt, bwd = x - y + grad f(y) dt; axis 0 in the pass of the
/// energies, the others added axis by axis.
RELAX_UPDATE_CLONES void mala_log_ratio(std::size_t rows, std::size_t count, std::size_t capacity,
                                        double b, double dt, const MalaPoints& points,
                                        double* __restrict log_ratio) {
  const double c = b / (4.0 * dt);
  const auto squares = [c, dt](double x, double y, double g_x, double g_y) {
    const double forward = y - x + dt * g_x;
    const double backward = x - y + dt * g_y;
    return c * (forward * forward - backward * backward);
  };
  const double* __restrict f_x = points.f_x;
  const double* __restrict f_y = points.f_y;
  const double* __restrict x = points.x;
  const double* __restrict y = points.y;
  const double* __restrict g_x = points.g_x;
  const double* __restrict g_y = points.g_y;
  for (std::size_t p = 0; p < count; ++p) {
    log_ratio[p] = -b * (f_y[p] - f_x[p]) + squares(x[p], y[p], g_x[p], g_y[p]);
  }
  for (std::size_t k = 1; k < rows; ++k) {
    const std::size_t o = k * capacity;
    for (std::size_t p = 0; p < count; ++p) {
      log_ratio[p] += squares(x[o + p], y[o + p], g_x[o + p], g_y[o + p]);
    }
  }
}

/// Where keep[p]: x[., p] = y[., p], f_x[p] = f_y[p], g_x[., p] = g_y[., p], as blends (no branch).
RELAX_UPDATE_CLONES void take_accepted(std::size_t rows, std::size_t count, std::size_t capacity,
                                       const unsigned char* __restrict keep, const MalaPoints& from,
                                       double* __restrict x, double* __restrict f_x,
                                       double* __restrict g_x) {
  const double* __restrict f_y = from.f_y;
  for (std::size_t p = 0; p < count; ++p) {
    f_x[p] = keep[p] != 0 ? f_y[p] : f_x[p];
  }
  for (std::size_t k = 0; k < rows; ++k) {
    const std::size_t o = k * capacity;
    const double* __restrict y = from.y + o;
    const double* __restrict g_y = from.g_y + o;
    for (std::size_t p = 0; p < count; ++p) {
      x[o + p] = keep[p] != 0 ? y[p] : x[o + p];
      g_x[o + p] = keep[p] != 0 ? g_y[p] : g_x[o + p];
    }
  }
}

/// keep[p] = 1 where log u_p < log_ratio_p is decided without the log: log_ratio_p >= 0, or
/// u_p - 1 < log_ratio_p with 1 - u_p >= 2^-50. Then the test holds: relax's log (log_units) is < 0
/// on (0, 1), and with t = 1 - u, log u <= -t - t^2/2, so a log within 1 ulp (2^-52 relative)
/// stays <= -t = u - 1 once t >= 2^-50 (u - 1 is exact for u >= 1/2; below, t^2/2 covers its
/// rounding). keep[p] = 0 elsewhere: undecided (a NaN ratio included).
/// Returns how many are kept.
RELAX_UPDATE_CLONES std::int64_t accept_by_bound(std::size_t count, const double* __restrict u,
                                                 const double* __restrict log_ratio,
                                                 unsigned char* __restrict keep) {
  constexpr double largest_bounded = 1.0 - 0x1p-50;
  std::int64_t kept = 0;
  for (std::size_t p = 0; p < count; ++p) {
    // bitwise, not short-circuit: one vector of comparisons, no branch
    keep[p] = static_cast<unsigned char>(static_cast<unsigned>(log_ratio[p] >= 0.0) |
                                         (static_cast<unsigned>(u[p] <= largest_bounded) &
                                          static_cast<unsigned>(u[p] - 1.0 < log_ratio[p])));
    kept += keep[p];
  }
  return kept;
}

RELAX_UPDATE_CLONES std::int64_t count_kept(std::size_t count, const unsigned char* keep) {
  std::int64_t kept = 0;
  for (std::size_t p = 0; p < count; ++p) {
    kept += keep[p];
  }
  return kept;
}

/// MALA's Metropolis test keep[p] = (log u_p < log_ratio_p), false for a NaN ratio, with log u by
/// relax's log kernel (sde/rng.hpp): the proposals accept_by_bound cannot decide (at MALA's usual
/// acceptance a few in 10^4) are gathered and pay one batch log; the rest pay none.
class MetropolisTest {
public:
  explicit MetropolisTest(std::size_t capacity)
      : undecided_(capacity), u_(capacity), log_u_(capacity) {}

  /// Writes keep[0..count) and returns how many are kept.
  std::int64_t operator()(std::size_t count, const double* u, const double* log_ratio,
                          unsigned char* keep) {
    const std::int64_t decided = accept_by_bound(count, u, log_ratio, keep);
    if (decided == static_cast<std::int64_t>(count)) {
      return decided; // the usual block: every proposal accepted by the bound
    }
    std::size_t m = 0;
    for (std::size_t p = 0; p < count; ++p) { // branch-free compaction of the undecided
      undecided_[m] = static_cast<std::uint32_t>(p);
      u_[m] = u[p];
      m += keep[p] == 0 ? 1 : 0;
    }
    log_units(m, u_.data(), log_u_.data());
    for (std::size_t i = 0; i < m; ++i) {
      const std::uint32_t p = undecided_[i];
      keep[p] = log_u_[i] < log_ratio[p] ? 1 : 0;
    }
    return count_kept(count, keep);
  }

private:
  std::vector<std::uint32_t> undecided_;
  std::vector<double> u_;
  std::vector<double> log_u_;
};

/// MALA with every pass over the block a vector loop: the proposal, one evaluate_batch of f and
/// grad f at all proposals, the log ratio, the Metropolis test against stream 1's uniforms
/// (MetropolisTest) and branch-free blends of the accepted proposals into the state.
class Mala final : public BlockIntegrator {
public:
  Mala(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
       const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity), f_x_(capacity), g_x_(size()),
        y_(size()), f_y_(capacity), g_y_(size()), log_ratio_(capacity), keep_(capacity),
        metropolis_(capacity), uniforms_(CounterRng(seed, rng_stream::acceptance),
                                         StepDraws<double>::Kind::uniform, 1, capacity) {
    if (!drift.is_gradient()) {
      throw InputError("sde.integrator = mala needs a gradient drift (drift.rotation = 0), got "
                       "drift.rotation = " +
                       format_real(drift.rotation()));
    }
  }

  void step(std::uint32_t n) override {
    const double dt = settings_.dt;
    const double b = beta(n);
    const auto rows = static_cast<std::size_t>(dim());
    // Proposal y = x - grad f(x) dt + sqrt(2 dt / beta) xi.
    with_increments(n, [&](const auto* xi) {
      propose(rows, count_, capacity_, x_.data(), -dt, g_x_.data(), std::sqrt(2.0 * dt / b), xi,
              y_.data());
    });
    drift_.landscape().evaluate_batch(count_, capacity_, y_.data(), f_y_.data(), g_y_.data());
    const MalaPoints points{x_.data(), f_x_.data(), g_x_.data(),
                            y_.data(), f_y_.data(), g_y_.data()};
    mala_log_ratio(rows, count_, capacity_, b, dt, points, log_ratio_.data());
    const std::int64_t accepted =
        metropolis_(count_, uniforms_.at(first_id_, count_, n), log_ratio_.data(), keep_.data());
    take_accepted(rows, count_, capacity_, keep_.data(), points, x_.data(), f_x_.data(),
                  g_x_.data());
    acceptance_.proposed += static_cast<std::int64_t>(count_);
    acceptance_.accepted += accepted;
  }

private:
  void prepare() override {
    drift_.landscape().evaluate_batch(count_, capacity_, x_.data(), f_x_.data(), g_x_.data());
  }

  std::vector<double> f_x_;
  std::vector<double> g_x_;
  std::vector<double> y_;
  std::vector<double> f_y_;
  std::vector<double> g_y_;
  std::vector<double> log_ratio_;
  std::vector<unsigned char> keep_;
  MetropolisTest metropolis_;
  StepDraws<double> uniforms_;
};

class Baoab final : public BlockIntegrator {
public:
  Baoab(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
        const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity), force_(size()),
        damping_(std::exp(-settings.friction * settings.dt)) {}

  void step(std::uint32_t n) override {
    const double dt = settings_.dt;
    const double kick = drift_sign_ * 0.5 * dt / settings_.mass; // force_ holds sign * F
    const auto rows = static_cast<std::size_t>(dim());
    const double noise =
        std::sqrt((1.0 - damping_ * damping_) / (beta(n) * settings_.mass)); // O: exact OU
    add_scaled(rows, count_, capacity_, kick, force_.data(), v_.data());     // B
    add_scaled(rows, count_, capacity_, 0.5 * dt, v_.data(), x_.data());     // A
    with_increments(n, [&](const auto* xi) {                                 // O
      for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t o = k * capacity_;
        for (std::size_t p = 0; p < count_; ++p) {
          v_[o + p] = damping_ * v_[o + p] + noise * static_cast<double>(xi[o + p]);
        }
      }
    });
    add_scaled(rows, count_, capacity_, 0.5 * dt, v_.data(), x_.data()); // A
    evaluate_drift(x_.data(), force_.data());
    add_scaled(rows, count_, capacity_, kick, force_.data(), v_.data()); // B
  }

private:
  void prepare() override { evaluate_drift(x_.data(), force_.data()); }

  std::vector<double> force_;
  double damping_;
};

/// SGHMC (Chen, Fox, Guestrin) on a landscape: Algorithm 1's integrator at g = 1 with mass m,
/// x += v dt, then v = (1 - gamma dt) v + b(x) dt / m + sqrt(2 gamma dt / (beta m)) xi.
class Sghmc final : public BlockIntegrator {
public:
  Sghmc(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
        const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity), force_(size()) {
    if (settings.friction * settings.dt > 1.0) {
      throw InputError("sde.friction = " + format_real(settings.friction) +
                       ": expected gamma dt <= 1 for sde.integrator = sghmc (sde.dt = " +
                       format_real(settings.dt) + ")");
    }
  }

  void step(std::uint32_t n) override {
    const double dt = settings_.dt;
    const auto rows = static_cast<std::size_t>(dim());
    const double keep = 1.0 - settings_.friction * dt;
    const double noise = std::sqrt(2.0 * settings_.friction * dt / (beta(n) * settings_.mass));
    const double kick = drift_sign_ * dt / settings_.mass;
    add_scaled(rows, count_, capacity_, dt, v_.data(), x_.data());
    evaluate_drift(x_.data(), force_.data());
    with_increments(n, [&](const auto* xi) {
      for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t o = k * capacity_;
        for (std::size_t p = 0; p < count_; ++p) {
          v_[o + p] =
              keep * v_[o + p] + kick * force_[o + p] + noise * static_cast<double>(xi[o + p]);
        }
      }
    });
  }

private:
  void prepare() override {}
  std::vector<double> force_;
};

/// pSGLD (Li, Chen, Carlson, Carin) on a landscape, the second moments V as auxiliary state:
/// V = a V + (1 - a) b^2, G = 1 / (eps + sqrt V), x += G b dt + sqrt(2 G dt / beta) xi; the
/// correction term dt Gamma / beta (Gamma_i = dG_i/dx_i) dropped as in the paper.
class Psgld final : public BlockIntegrator {
public:
  Psgld(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
        const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity), b_(size()) {}

  std::size_t aux_width() const override { return static_cast<std::size_t>(dim()); }
  std::string aux_columns() const override {
    std::string names;
    for (int k = 0; k < dim(); ++k) {
      names += (k > 0 ? "," : "") + std::string("V_") + std::to_string(k);
    }
    return names;
  }

  void step(std::uint32_t n) override {
    const double dt = settings_.dt;
    const double temperature = 1.0 / beta(n);
    const double a = settings_.second_moment.decay;
    const double eps = settings_.second_moment.epsilon;
    const auto rows = static_cast<std::size_t>(dim());
    evaluate_drift(x_.data(), b_.data());
    with_increments(n, [&](const auto* xi) {
      for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t o = k * capacity_;
        for (std::size_t p = 0; p < count_; ++p) {
          const double b = drift_sign_ * b_[o + p];
          aux_[o + p] = a * aux_[o + p] + (1.0 - a) * b * b;
          const double g = 1.0 / (eps + std::sqrt(aux_[o + p]));
          x_[o + p] +=
              g * b * dt + std::sqrt(2.0 * g * dt * temperature) * static_cast<double>(xi[o + p]);
        }
      }
    });
  }

private:
  void prepare() override {}
  std::vector<double> b_;
};

/// CTLD (Algorithm 1 of Ye, Zhu and Mantiuk) on a landscape with U = beta f, eta = dt, unit mass,
/// gamma = sde.friction. Auxiliary state per particle: alpha, r_alpha and the bias at the K + 1
/// edges (each particle its own metadynamics).
class Ctld final : public BlockIntegrator {
public:
  Ctld(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
       const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity), tempering_(settings.ctld),
        f_(capacity), gradient_(size()), g_old_(capacity),
        alpha_noise_(CounterRng(seed, rng_stream::tempering), StepDraws<double>::Kind::normal, 1,
                     capacity) {
    if (!drift.is_gradient()) {
      throw InputError("sde.integrator = ctld needs a gradient drift (drift.rotation = 0), got "
                       "drift.rotation = " +
                       format_real(drift.rotation()));
    }
    if (settings.friction * settings.dt > 1.0) {
      throw InputError("sde.friction = " + format_real(settings.friction) +
                       ": expected gamma dt <= 1 for sde.integrator = ctld (sde.dt = " +
                       format_real(settings.dt) + ")");
    }
    if (settings.ctld.alpha_friction * settings.dt > 1.0) {
      throw InputError("ctld.alpha_friction = " + format_real(settings.ctld.alpha_friction) +
                       ": expected gamma_alpha dt <= 1 (sde.dt = " + format_real(settings.dt) +
                       ")");
    }
  }

  double initial_velocity_std(double) const override { return 1.0; }
  std::size_t aux_width() const override { return 2 + tempering_.edges(); }
  std::string aux_columns() const override {
    return "alpha,r_alpha,bias_0..bias_" + std::to_string(tempering_.edges() - 1);
  }
  void initial_aux(std::uint64_t first_id, std::size_t count, const double* x, double* aux,
                   std::size_t stride) const override {
    BlockIntegrator::initial_aux(first_id, count, x, aux, stride);
    const CounterRng rng(seed_, rng_stream::initial);
    for (std::size_t p = 0; p < count; ++p) {
      aux[stride + p] = rng.normal_pair(first_id + p, 2, 0)[0]; // r_alpha^0 ~ N(0, 1)
    }
  }

  void step(std::uint32_t n) override {
    const double dt = settings_.dt;
    const double b = beta(n);
    const auto rows = static_cast<std::size_t>(dim());
    const bool sampling = n < settings_.ctld.sampling_steps;
    const double keep = 1.0 - settings_.friction * dt;
    for (std::size_t p = 0; p < count_; ++p) {
      g_old_[p] = tempering_.g(aux_[p]);
    }
    add_scaled(rows, count_, capacity_, dt, v_.data(), x_.data());
    drift_.landscape().evaluate_batch(count_, capacity_, x_.data(), f_.data(), gradient_.data());
    with_increments(n, [&](const auto* xi) {
      for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t o = k * capacity_;
        for (std::size_t p = 0; p < count_; ++p) {
          const double noise = sampling ? std::sqrt(2.0 * settings_.friction * dt / g_old_[p]) *
                                              static_cast<double>(xi[o + p])
                                        : 0.0;
          v_[o + p] = keep * v_[o + p] - dt * b * gradient_[o + p] + noise;
        }
      }
    });
    if (!sampling) {
      return;
    }
    const double* xi_alpha = alpha_noise_.at(first_id_, count_, n);
    const bool deposits = n < settings_.ctld.deposit_steps();
    for (std::size_t p = 0; p < count_; ++p) {
      CtldAlphaState state{aux_[p], aux_[capacity_ + p]};
      state.alpha += dt * state.velocity;
      double* bias = aux_.data() + 2 * capacity_ + p; // edge j at bias[j * capacity_]
      if (deposits) {
        tempering_.deposit(state.alpha, bias, capacity_);
      }
      double kinetic = 0;
      for (std::size_t k = 0; k < rows; ++k) {
        kinetic += 0.5 * v_[k * capacity_ + p] * v_[k * capacity_ + p];
      }
      const CtldForce force =
          ctld_alpha_force(tempering_, bias, capacity_, state.alpha, b * f_[p], kinetic);
      ctld_alpha_kick(dt, settings_.ctld.alpha_friction, force.total(), xi_alpha[p], state);
      aux_[p] = state.alpha;
      aux_[capacity_ + p] = state.velocity;
    }
  }

private:
  void prepare() override {}
  CtldTempering tempering_;
  std::vector<double> f_, gradient_, g_old_;
  StepDraws<double> alpha_noise_;
};

bool is_finite_sum(const Landscape& landscape) {
  return dynamic_cast<const FiniteSumLandscape*>(&landscape) != nullptr;
}

/// Minibatch SGD (and SGLD: plus Langevin noise) on the finite-sum loss of the drift's landscape.
/// Each particle is an independent run; its minibatch at step n comes from the minibatch stream at
/// (particle id, n), so it does not depend on the block or the rank count.
class MinibatchSgd final : public BlockIntegrator {
public:
  MinibatchSgd(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
               const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity),
        loss_(finite_sum_of(drift, settings.kind)), indices_(settings.batch),
        draws_(CounterRng(seed, rng_stream::minibatch)) {
    if (!drift.is_gradient()) {
      throw InputError("sde.integrator = " + to_string(settings.kind) +
                       " descends the loss: expected drift.rotation = 0, got " +
                       format_real(drift.rotation()));
    }
    if (settings.batch < 1 || (!settings.with_replacement && settings.batch > loss_.size())) {
      reject_value("sde.batch", std::to_string(settings.batch),
                   "a batch size in [1, " + std::to_string(loss_.size()) +
                       "] (the points of the loss) without replacement, >= 1 with");
    }
  }

  void step(std::uint32_t n) override {
    const int d = dim();
    const auto rows = static_cast<std::size_t>(d);
    const double dt = settings_.dt;
    const bool is_langevin = settings_.kind == IntegratorKind::sgld;
    const double temperature = is_langevin ? 1.0 / beta(n) : 0.0;
    std::array<double, 3> theta{};
    std::array<double, 3> g{};
    std::array<double, 3> rate{};
    std::array<double, 9> sigma{};
    const auto update = [&](const auto* xi) {
      for (std::size_t p = 0; p < count_; ++p) {
        for (std::size_t k = 0; k < rows; ++k) {
          theta[k] = x_[k * capacity_ + p];
        }
        draw_minibatch(first_id_ + p, n);
        loss_.batch_gradient(indices_.data(), indices_.size(), theta.data(), g.data());
        if (settings_.rates != SgdRates::constant) {
          loss_.gradient_covariance(theta.data(), sigma.data());
        }
        for (std::size_t k = 0; k < rows; ++k) {
          const double variance = sigma[k * rows + k];
          rate[k] = settings_.rates == SgdRates::constant           ? dt
                    : settings_.rates == SgdRates::inverse_variance ? dt / variance
                                                                    : dt / std::sqrt(variance);
          double next = theta[k] - rate[k] * g[k];
          if (is_langevin) {
            next +=
                std::sqrt(2.0 * rate[k] * temperature) * static_cast<double>(xi[k * capacity_ + p]);
          }
          x_[k * capacity_ + p] = next;
        }
      }
    };
    if (is_langevin) {
      with_increments(n, update);
    } else {
      update(static_cast<const double*>(nullptr));
    }
  }

private:
  static const FiniteSumLoss& finite_sum_of(const Drift& drift, IntegratorKind kind) {
    const auto* landscape = dynamic_cast<const FiniteSumLandscape*>(&drift.landscape());
    if (landscape == nullptr) {
      throw InputError("sde.integrator = " + to_string(kind) +
                       " needs a finite-sum loss to take minibatches of: expected "
                       "landscape.type = wells, least_squares or logistic, got " +
                       drift.landscape().describe());
    }
    return landscape->loss();
  }

  /// The B indices of particle `id` at step n, from uniforms (u_0, u_1, ...) of the minibatch
  /// stream: floor(u n) with replacement; without, Floyd's algorithm (for j = n-B .. n-1 take
  /// r = floor(u (j+1)), or j if r is already taken), which gives every B-subset the same
  /// probability with B draws.
  void draw_minibatch(std::uint64_t id, std::uint32_t n) {
    const std::size_t points = loss_.size();
    const std::size_t batch = indices_.size();
    for (std::size_t b = 0; b < batch; b += 2) {
      const std::array<double, 2> u = draws_.uniform_pair(id, n, static_cast<std::uint32_t>(b / 2));
      for (std::size_t c = 0; c < 2 && b + c < batch; ++c) {
        const std::size_t slot = b + c;
        if (settings_.with_replacement) {
          indices_[slot] = static_cast<std::uint32_t>(
              std::min(points - 1, static_cast<std::size_t>(u[c] * static_cast<double>(points))));
          continue;
        }
        const std::size_t j = points - batch + slot;
        const auto r = static_cast<std::uint32_t>(
            std::min(j, static_cast<std::size_t>(u[c] * static_cast<double>(j + 1))));
        const bool is_taken =
            std::find(indices_.begin(), indices_.begin() + static_cast<long>(slot), r) !=
            indices_.begin() + static_cast<long>(slot);
        indices_[slot] = is_taken ? static_cast<std::uint32_t>(j) : r;
      }
    }
  }

  void prepare() override {}

  const FiniteSumLoss& loss_;
  std::vector<std::uint32_t> indices_;
  CounterRng draws_;
};

/// Entropy-SGD's inner loop on a block (docs/theory.md 7.8): from y = mu = anchor, L steps of
/// y -= eta' (grad f(y) + gamma (y - anchor)) - sqrt(2 eta' / beta) xi, mu += a (y - mu), with the
/// kernels of the network sampler (sde/sampler_kernels.hpp). The anchor and mu are blocks of rows
/// at stride capacity; the draws of inner step l come from `draw_step(l)`.
class EntropyInnerBlock {
public:
  EntropyInnerBlock(const EntropyParameters& p, std::size_t size) : p_(p), y_(size), g_(size) {}

  template <typename Evaluate, typename WithDraws>
  void run(std::size_t rows, std::size_t count, std::size_t capacity, double gamma,
           double temperature, const double* anchor, double* mu, Evaluate&& gradient_at,
           WithDraws&& with_draws) {
    for (std::size_t k = 0; k < rows; ++k) {
      std::copy_n(anchor + k * capacity, count, y_.data() + k * capacity);
      std::copy_n(anchor + k * capacity, count, mu + k * capacity);
    }
    const double eps = std::sqrt(temperature);
    for (int l = 0; l < p_.inner_steps; ++l) {
      gradient_at(y_.data(), g_.data());
      with_draws(static_cast<std::uint32_t>(l), [&](const auto* xi) {
        for (std::size_t k = 0; k < rows; ++k) {
          const std::size_t o = k * capacity;
          entropy_inner_step(count, p_.inner_lr, gamma, eps, g_.data() + o, anchor + o, xi + o,
                             y_.data() + o);
          moving_average(count, p_.average, y_.data() + o, mu + o);
        }
      });
    }
  }

private:
  EntropyParameters p_;
  std::vector<double> y_, g_;
};

/// The draw index of inner step l of replica a at outer step n: (n R + a) L + l, refused beyond
/// the 2^32 steps of the noise streams.
std::uint32_t inner_draw_index(std::uint32_t n, std::size_t replica, std::size_t replicas,
                               int inner_steps, std::uint32_t l) {
  const std::uint64_t index = (static_cast<std::uint64_t>(n) * replicas + replica) *
                                  static_cast<std::uint64_t>(inner_steps) +
                              l;
  if (index > std::numeric_limits<std::uint32_t>::max()) {
    throw Error("entropy.inner_steps x steps exceed the 2^32 draws of a noise stream at step " +
                std::to_string(n));
  }
  return static_cast<std::uint32_t>(index);
}

/// Refuses a drift Entropy-SGD and Parle cannot descend and an inner step beyond stability.
void check_entropy_settings(const Drift& drift, const IntegratorSettings& settings) {
  if (!drift.is_gradient()) {
    throw InputError("sde.integrator = " + to_string(settings.kind) +
                     " needs a gradient drift (drift.rotation = 0), got drift.rotation = " +
                     format_real(drift.rotation()));
  }
  if (settings.entropy.gamma(0) <= 0) {
    throw InputError("entropy.gamma0 = 0: sde.integrator = " + to_string(settings.kind) +
                     " steps x by dt gamma (x - mu); expected gamma0 > 0");
  }
}

/// Entropy-SGD (Chaudhari et al.) on a landscape: per particle one run, the auxiliary state the
/// last average mu (gamma (x - mu) is the particle's estimate of grad f_gamma(x)).
class EntropySgd final : public BlockIntegrator {
public:
  EntropySgd(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
             const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity),
        inner_(settings.entropy, size()), direction_(size()) {
    check_entropy_settings(drift, settings);
  }

  std::size_t aux_width() const override { return static_cast<std::size_t>(dim()); }
  std::string aux_columns() const override {
    std::string names;
    for (int k = 0; k < dim(); ++k) {
      names += (k > 0 ? "," : "") + std::string("mu_") + std::to_string(k);
    }
    return names;
  }
  void initial_aux(std::uint64_t, std::size_t count, const double* x, double* aux,
                   std::size_t stride) const override {
    for (int k = 0; k < dim(); ++k) {
      std::copy_n(x + static_cast<std::size_t>(k) * stride, count,
                  aux + static_cast<std::size_t>(k) * stride);
    }
  }

  void step(std::uint32_t n) override {
    const auto rows = static_cast<std::size_t>(dim());
    const EntropyParameters& p = settings_.entropy;
    const double gamma = p.gamma(n);
    inner_.run(
        rows, count_, capacity_, gamma, 1.0 / beta(n), x_.data(), aux_.data(),
        [&](const double* y, double* g) { evaluate_drift(y, g); },
        [&](std::uint32_t l, auto&& f) {
          with_increments(inner_draw_index(n, 0, 1, p.inner_steps, l), f);
        });
    for (std::size_t k = 0; k < rows; ++k) {
      const std::size_t o = k * capacity_;
      entropy_outer_direction(count_, x_.data() + o, aux_.data() + o, direction_.data() + o);
    }
    add_scaled(rows, count_, capacity_, -settings_.dt * gamma, direction_.data(), x_.data());
  }

private:
  void prepare() override {}
  EntropyInnerBlock inner_;
  std::vector<double> direction_;
};

/// Parle (Chaudhari, Baldassi, Zecchina, Soatto, Talwalkar, Oberman) on a landscape: per particle
/// one run of R replicas (auxiliary rows a * dim + k: coordinate k of replica a), each Entropy-SGD
/// from its own x_a with the elastic pull rho_k toward the master x, the replicas' mean (the
/// particle's position). The replicas start at the particle's initial position.
class Parle final : public BlockIntegrator {
public:
  Parle(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
        const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity),
        inner_(settings.entropy, size()), mu_(size()), direction_(size()) {
    check_entropy_settings(drift, settings);
    if (settings.replicas < 1) {
      reject_value("sde.replicas", std::to_string(settings.replicas), "at least 1 replica");
    }
  }

  std::size_t aux_width() const override {
    return settings_.replicas * static_cast<std::size_t>(dim());
  }
  std::string aux_columns() const override {
    std::string names;
    for (std::size_t a = 0; a < settings_.replicas; ++a) {
      for (int k = 0; k < dim(); ++k) {
        names += (names.empty() ? "" : ",") + std::string("x") + std::to_string(a) + "_" +
                 std::to_string(k);
      }
    }
    return names;
  }
  void initial_aux(std::uint64_t, std::size_t count, const double* x, double* aux,
                   std::size_t stride) const override {
    const auto rows = static_cast<std::size_t>(dim());
    for (std::size_t a = 0; a < settings_.replicas; ++a) {
      for (std::size_t k = 0; k < rows; ++k) {
        std::copy_n(x + k * stride, count, aux + (a * rows + k) * stride);
      }
    }
  }

  void step(std::uint32_t n) override {
    const auto rows = static_cast<std::size_t>(dim());
    const std::size_t replicas = settings_.replicas;
    const EntropyParameters& p = settings_.entropy;
    const double gamma = p.gamma(n);
    const double rho = p.rho(n);
    for (std::size_t a = 0; a < replicas; ++a) {
      double* replica = aux_.data() + a * rows * capacity_;
      inner_.run(
          rows, count_, capacity_, gamma, 1.0 / beta(n), replica, mu_.data(),
          [&](const double* y, double* g) { evaluate_drift(y, g); },
          [&](std::uint32_t l, auto&& f) {
            with_increments(inner_draw_index(n, a, replicas, p.inner_steps, l), f);
          });
      for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t o = k * capacity_;
        parle_direction(count_, rho, replica + o, mu_.data() + o, x_.data() + o,
                        direction_.data() + o);
      }
      add_scaled(rows, count_, capacity_, -settings_.dt * gamma, direction_.data(), replica);
    }
    update_master();
  }

private:
  void prepare() override {}
  /// x = the replicas' mean.
  void update_master() {
    const auto rows = static_cast<std::size_t>(dim());
    const std::size_t replicas = settings_.replicas;
    for (std::size_t k = 0; k < rows; ++k) {
      for (std::size_t q = 0; q < count_; ++q) {
        double sum = 0;
        for (std::size_t a = 0; a < replicas; ++a) {
          sum += aux_[(a * rows + k) * capacity_ + q];
        }
        x_[k * capacity_ + q] = sum / static_cast<double>(replicas);
      }
    }
  }
  EntropyInnerBlock inner_;
  std::vector<double> mu_, direction_;
};

} // namespace

std::unique_ptr<BlockIntegrator>
BlockIntegrator::create(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
                        const IntegratorSettings& settings, std::size_t capacity) {
  if (settings.diffusion && settings.kind != IntegratorKind::euler_maruyama) {
    throw InputError("sde.integrator = " + to_string(settings.kind) + " with diffusion.expr = '" +
                     settings.diffusion->describe() +
                     "': a position-dependent diffusion runs with euler_maruyama only (MALA's "
                     "target and BAOAB's thermostat assume D = 1/beta)");
  }
  switch (settings.kind) {
  case IntegratorKind::mala:
    return std::make_unique<Mala>(drift, schedule, seed, settings, capacity);
  case IntegratorKind::baoab:
    return std::make_unique<Baoab>(drift, schedule, seed, settings, capacity);
  case IntegratorKind::sghmc:
    return std::make_unique<Sghmc>(drift, schedule, seed, settings, capacity);
  case IntegratorKind::psgld:
    return std::make_unique<Psgld>(drift, schedule, seed, settings, capacity);
  case IntegratorKind::ctld:
    return std::make_unique<Ctld>(drift, schedule, seed, settings, capacity);
  case IntegratorKind::entropy_sgd:
    return std::make_unique<EntropySgd>(drift, schedule, seed, settings, capacity);
  case IntegratorKind::parle:
    return std::make_unique<Parle>(drift, schedule, seed, settings, capacity);
  case IntegratorKind::sgd:
    return std::make_unique<MinibatchSgd>(drift, schedule, seed, settings, capacity);
  case IntegratorKind::sgld:
    // On a finite-sum loss SGLD takes minibatch gradients; on any other landscape there is one
    // sample, the gradient is exact and SGLD's update is Euler-Maruyama's.
    if (is_finite_sum(drift.landscape())) {
      return std::make_unique<MinibatchSgd>(drift, schedule, seed, settings, capacity);
    }
    if (describe_minibatch(settings) != describe_minibatch(IntegratorSettings{settings.kind})) {
      throw InputError(
          "sde.batch, sde.replacement, sde.sgd_rates = " + describe_minibatch(settings) +
          ": read by sde.integrator = sgld only on a "
          "finite-sum landscape (wells, least_squares, logistic), got " +
          drift.landscape().describe() + "; expected them unset");
    }
    break;
  case IntegratorKind::euler_maruyama:
    break;
  }
  return std::make_unique<EulerMaruyama>(drift, schedule, seed, settings, capacity);
}

} // namespace relax
