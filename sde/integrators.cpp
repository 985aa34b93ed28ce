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

IntegratorKind parse_integrator(const std::string& text, const std::string& key) {
  if (text == "euler_maruyama") {
    return IntegratorKind::euler_maruyama;
  }
  if (text == "mala") {
    return IntegratorKind::mala;
  }
  if (text == "baoab") {
    return IntegratorKind::baoab;
  }
  if (text == "sgd") {
    return IntegratorKind::sgd;
  }
  if (text == "sgld") {
    return IntegratorKind::sgld;
  }
  reject_value(key, text, "euler_maruyama, mala, baoab, sgd or sgld");
}

std::string to_string(IntegratorKind kind) {
  switch (kind) {
  case IntegratorKind::euler_maruyama:
    return "euler_maruyama";
  case IntegratorKind::mala:
    return "mala";
  case IntegratorKind::baoab:
    return "baoab";
  case IntegratorKind::sgd:
    return "sgd";
  case IntegratorKind::sgld:
    return "sgld";
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

BlockIntegrator::BlockIntegrator(const Drift& drift, const TemperatureSchedule& schedule,
                                 std::uint32_t seed, const IntegratorSettings& settings,
                                 std::size_t capacity)
    : drift_(drift), schedule_(schedule), settings_(settings), capacity_(capacity),
      drift_sign_(drift.is_gradient() ? -1.0 : 1.0),
      x_(static_cast<std::size_t>(drift.dim()) * capacity),
      v_(settings.kind == IntegratorKind::baoab ? x_.size() : 0),
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

void BlockIntegrator::load(std::uint64_t first_id, std::size_t count, const double* x,
                           const double* v, std::size_t stride) {
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
  prepare();
}

void BlockIntegrator::store(double* x, double* v, std::size_t stride) const {
  for (std::size_t k = 0; k < static_cast<std::size_t>(dim()); ++k) {
    std::copy_n(x_.data() + k * capacity_, count_, x + k * stride);
    if (has_velocities()) {
      std::copy_n(v_.data() + k * capacity_, count_, v + k * stride);
    }
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

class Mala final : public BlockIntegrator {
public:
  Mala(const Drift& drift, const TemperatureSchedule& schedule, std::uint32_t seed,
       const IntegratorSettings& settings, std::size_t capacity)
      : BlockIntegrator(drift, schedule, seed, settings, capacity), f_x_(capacity), g_x_(size()),
        y_(size()), f_y_(capacity), g_y_(size()), log_ratio_(capacity),
        uniforms_(CounterRng(seed, rng_stream::acceptance), StepDraws<double>::Kind::uniform, 1,
                  capacity) {
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
    std::copy(x_.begin(), x_.end(), y_.begin());
    with_increments(n, [&](const auto* xi) {
      add_scaled(rows, count_, capacity_, -dt, g_x_.data(), std::sqrt(2.0 * dt / b), xi, y_.data());
    });
    drift_.landscape().evaluate_batch(count_, capacity_, y_.data(), f_y_.data(), g_y_.data());
    // log of the Metropolis–Hastings ratio: -beta (f(y) - f(x)) + (|fwd|^2 - |bwd|^2) beta/(4 dt),
    // fwd = y - x + grad f(x) dt, bwd = x - y + grad f(y) dt.
    for (std::size_t p = 0; p < count_; ++p) {
      log_ratio_[p] = -b * (f_y_[p] - f_x_[p]);
    }
    const double c = b / (4.0 * dt);
    for (std::size_t k = 0; k < rows; ++k) {
      const std::size_t o = k * capacity_;
      for (std::size_t p = 0; p < count_; ++p) {
        const double forward = y_[o + p] - x_[o + p] + dt * g_x_[o + p];
        const double backward = x_[o + p] - y_[o + p] + dt * g_y_[o + p];
        log_ratio_[p] += c * (forward * forward - backward * backward);
      }
    }
    const double* u = uniforms_.at(first_id_, count_, n);
    std::int64_t accepted = 0;
    for (std::size_t p = 0; p < count_; ++p) {
      if (std::log(u[p]) < log_ratio_[p]) { // false for a NaN ratio: rejected
        ++accepted;
        f_x_[p] = f_y_[p];
        for (std::size_t k = 0; k < rows; ++k) {
          x_[k * capacity_ + p] = y_[k * capacity_ + p];
          g_x_[k * capacity_ + p] = g_y_[k * capacity_ + p];
        }
      }
    }
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
  case IntegratorKind::sgd:
  case IntegratorKind::sgld:
    return std::make_unique<MinibatchSgd>(drift, schedule, seed, settings, capacity);
  case IntegratorKind::euler_maruyama:
    break;
  }
  return std::make_unique<EulerMaruyama>(drift, schedule, seed, settings, capacity);
}

} // namespace relax
