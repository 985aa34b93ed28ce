#include "models/landscapes.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/validate.hpp"
#include "models/expression_landscape.hpp"
#include "models/finite_sum.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace relax {

namespace {

constexpr double two_pi = 6.283185307179586476925286766559;

/// The InputError of the house format unless `ok`: "key = 'value': expected ...".
void require(bool ok, const std::string& key, const std::string& value,
             const std::string& expected) {
  if (!ok) {
    reject_value(key, value, expected);
  }
}

void require_all_positive(const std::vector<double>& values, const std::string& key) {
  const bool ok =
      std::all_of(values.begin(), values.end(), [](double v) { return v > 0 && std::isfinite(v); });
  require(ok, key, join_reals(values), "finite values > 0");
}

void require_dim(int dim, const std::string& what) {
  require(dim >= 1, "landscape.dim", std::to_string(dim), "an integer >= 1 for " + what);
}

} // namespace

// ---- BlockLandscape -----------------------------------------------------------------------------

double BlockLandscape::value(const double* x) const {
  double f = 0.0;
  evaluate_block(1, 1, x, &f, nullptr);
  return f;
}

double BlockLandscape::gradient(const double* x, double* g) const {
  double f = 0.0;
  evaluate_block(1, 1, x, &f, g);
  return f;
}

void BlockLandscape::evaluate_batch(std::size_t n, std::size_t stride, const double* x, double* f,
                                    double* g) const {
  if (f == nullptr && g == nullptr) {
    return;
  }
  for (std::size_t first = 0; first < n; first += block_size) {
    const std::size_t m = std::min(block_size, n - first);
    evaluate_block(m, stride, x + first, f != nullptr ? f + first : nullptr,
                   g != nullptr ? g + first : nullptr);
  }
}

// ---- quadratic ----------------------------------------------------------------------------------

namespace {

// The particles' hot kernels, one copy per instruction-set level (BlockLandscape): GCC emits an
// ifunc that the loader resolves once from the CPU's features. -ffp-contract=off
// (models/CMakeLists.txt) keeps FMA out of the x86-64-v3/v4 copies, so all give the same bits.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RELAX_LANDSCAPE_CLONES                                                                     \
  __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define RELAX_LANDSCAPE_CLONES
#endif

/// Axes [first, first + axes) of sum_d a_d (x_d - c_d)^2 / 2 (a, c indexed by d - first; c null:
/// centre 0): adds the terms to f[p] and writes g_d = a_d (x_d - c_d), each when not null. Two
/// loops rather than one with a branch, so each is a plain vector loop.
RELAX_LANDSCAPE_CLONES void quadratic_terms(std::size_t first, std::size_t axes, const double* a,
                                            const double* c, std::size_t m, std::size_t stride,
                                            const double* x, double* f, double* g) {
  for (std::size_t i = 0; i < axes; ++i) {
    const double* xd = x + (first + i) * stride;
    const double centre = c != nullptr ? c[i] : 0.0;
    if (f != nullptr) {
      const double half_a = 0.5 * a[i];
      for (std::size_t p = 0; p < m; ++p) {
        const double t = xd[p] - centre;
        f[p] += half_a * t * t;
      }
    }
    if (g != nullptr) {
      const double slope = a[i];
      double* gd = g + (first + i) * stride;
      for (std::size_t p = 0; p < m; ++p) {
        gd[p] = slope * (xd[p] - centre);
      }
    }
  }
}

/// Axis 0 of the double well: f = h (x^2 - 1)^2 + tilt x and g = 4 h x (x^2 - 1) + tilt, each
/// when not null.
RELAX_LANDSCAPE_CLONES void double_well_axis(double h, double tilt, std::size_t m, const double* x,
                                             double* f, double* g) {
  if (f != nullptr) {
    for (std::size_t p = 0; p < m; ++p) {
      const double u = x[p] * x[p] - 1.0;
      f[p] = h * u * u + tilt * x[p];
    }
  }
  if (g != nullptr) {
    const double four_h = 4.0 * h;
    for (std::size_t p = 0; p < m; ++p) {
      const double u = x[p] * x[p] - 1.0;
      g[p] = four_h * x[p] * u + tilt;
    }
  }
}

} // namespace

QuadraticLandscape::QuadraticLandscape(std::vector<double> stiffness, std::vector<double> centre)
    : stiffness_(std::move(stiffness)), centre_(std::move(centre)) {
  require(!stiffness_.empty(), "landscape.stiffness", "", "at least one value");
  require_all_positive(stiffness_, "landscape.stiffness");
  require(centre_.size() == stiffness_.size(), "landscape.centre", join_reals(centre_),
          std::to_string(stiffness_.size()) + " values (one per axis)");
}

std::string QuadraticLandscape::describe() const {
  return "quadratic(stiffness=" + join_reals(stiffness_) + "; centre=" + join_reals(centre_) + ")";
}

void QuadraticLandscape::evaluate_block(std::size_t m, std::size_t stride, const double* x,
                                        double* f, double* g) const {
  if (f != nullptr) {
    std::fill(f, f + m, 0.0);
  }
  quadratic_terms(0, stiffness_.size(), stiffness_.data(), centre_.data(), m, stride, x, f, g);
}

// ---- double well --------------------------------------------------------------------------------

DoubleWellLandscape::DoubleWellLandscape(int dim, double height, double tilt,
                                         std::vector<double> transverse)
    : dim_(dim), height_(height), tilt_(tilt), transverse_(std::move(transverse)) {
  require_dim(dim_, "double_well");
  require_positive("landscape.height", height_);
  require(std::isfinite(tilt_), "landscape.tilt", format_real(tilt_), "a finite number");
  const auto axes = static_cast<std::size_t>(dim_ - 1);
  require(transverse_.size() == 1 || transverse_.size() == axes, "landscape.stiffness",
          join_reals(transverse_),
          "1 or " + std::to_string(axes) + " values (one per transverse axis x1..x" +
              std::to_string(dim_ - 1) + ")");
  require_all_positive(transverse_, "landscape.stiffness");
  if (transverse_.size() != axes) {
    transverse_.assign(axes, transverse_.front());
  }
}

std::string DoubleWellLandscape::describe() const {
  return "double_well(dim=" + std::to_string(dim_) + ", height=" + format_real(height_) +
         ", tilt=" + format_real(tilt_) +
         (transverse_.empty() ? "" : ", stiffness=" + join_reals(transverse_)) + ")";
}

void DoubleWellLandscape::evaluate_block(std::size_t m, std::size_t stride, const double* x,
                                         double* f, double* g) const {
  double_well_axis(height_, tilt_, m, x, f, g);
  if (!transverse_.empty()) {
    quadratic_terms(1, transverse_.size(), transverse_.data(), nullptr, m, stride, x, f, g);
  }
}

// ---- Müller–Brown -------------------------------------------------------------------------------

namespace {

struct MullerBrownTerm {
  double A, a, b, c, x0, y0;
};

constexpr std::array<MullerBrownTerm, 4> muller_brown_terms{{
    {-200.0, -1.0, 0.0, -10.0, 1.0, 0.0},
    {-100.0, -1.0, 0.0, -10.0, 0.0, 0.5},
    {-170.0, -6.5, 11.0, -6.5, -0.5, 1.5},
    {15.0, 0.7, 0.6, 0.7, -1.0, 1.0},
}};

} // namespace

MullerBrownLandscape::MullerBrownLandscape(double scale) : scale_(scale) {
  require_positive("landscape.scale", scale_);
}

std::string MullerBrownLandscape::describe() const {
  return "muller_brown(scale=" + format_real(scale_) + ")";
}

void MullerBrownLandscape::evaluate_block(std::size_t m, std::size_t stride, const double* x,
                                          double* f, double* g) const {
  const double* xs = x;
  const double* ys = x + stride;
  double* gx = g;
  double* gy = g != nullptr ? g + stride : nullptr;
  if (f != nullptr) {
    std::fill(f, f + m, 0.0);
  }
  if (g != nullptr) {
    std::fill(gx, gx + m, 0.0);
    std::fill(gy, gy + m, 0.0);
  }
  for (const MullerBrownTerm& term : muller_brown_terms) {
    const double amplitude = scale_ * term.A;
    for (std::size_t p = 0; p < m; ++p) {
      const double dx = xs[p] - term.x0;
      const double dy = ys[p] - term.y0;
      const double e = amplitude * std::exp(term.a * dx * dx + term.b * dx * dy + term.c * dy * dy);
      if (f != nullptr) {
        f[p] += e;
      }
      if (g != nullptr) {
        gx[p] += e * (2.0 * term.a * dx + term.b * dy);
        gy[p] += e * (term.b * dx + 2.0 * term.c * dy);
      }
    }
  }
}

// ---- Gaussian mixture ---------------------------------------------------------------------------

GaussianMixtureLandscape::GaussianMixtureLandscape(int dim, std::vector<double> weights,
                                                   std::vector<double> means,
                                                   std::vector<double> stds)
    : dim_(dim), weights_(std::move(weights)), means_(std::move(means)), stds_(std::move(stds)) {
  require_dim(dim_, "gaussian_mixture");
  require(!weights_.empty(), "landscape.weights", "", "at least one weight");
  require_all_positive(weights_, "landscape.weights");
  const std::size_t K = weights_.size();
  const auto d = static_cast<std::size_t>(dim_);
  require(means_.size() == K * d, "landscape.means", join_reals(means_),
          std::to_string(K * d) + " values (" + std::to_string(K) + " components x dim " +
              std::to_string(dim_) + ", row-major)");
  for (double v : means_) {
    require(std::isfinite(v), "landscape.means", join_reals(means_), "finite values");
  }
  require(stds_.size() == K, "landscape.stds", join_reals(stds_),
          std::to_string(K) + " values (one per component)");
  require_all_positive(stds_, "landscape.stds");

  const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  for (std::size_t k = 0; k < K; ++k) {
    weights_[k] /= total;
    const double variance = stds_[k] * stds_[k];
    log_normalizer_.push_back(std::log(weights_[k]) -
                              0.5 * static_cast<double>(d) * std::log(two_pi * variance));
    precision_.push_back(1.0 / variance);
  }
}

std::string GaussianMixtureLandscape::describe() const {
  return "gaussian_mixture(dim=" + std::to_string(dim_) + ", weights=" + join_reals(weights_) +
         "; means=" + join_reals(means_) + "; stds=" + join_reals(stds_) + ")";
}

void GaussianMixtureLandscape::evaluate_block(std::size_t m, std::size_t stride, const double* x,
                                              double* f, double* g) const {
  // f = -log sum_k exp(l_k), l_k = log w_k - (d/2) log(2 pi s_k^2) - |x - m_k|^2 / (2 s_k^2),
  // by log-sum-exp: l_max first, then sum_k exp(l_k - l_max) in (0, K]. The gradient is the
  // posterior average of (x - m_k) / s_k^2 with weights exp(l_k - l_max) / sum.
  const auto d = static_cast<std::size_t>(dim_);
  std::array<double, block_size> log_term;
  std::array<double, block_size> log_max;
  std::array<double, block_size> sum;
  const auto compute_log_term = [&](std::size_t k) {
    std::fill_n(log_term.begin(), m, log_normalizer_[k]);
    const double half_precision = 0.5 * precision_[k];
    for (std::size_t j = 0; j < d; ++j) {
      const double mean = means_[k * d + j];
      const double* xj = x + j * stride;
      for (std::size_t p = 0; p < m; ++p) {
        const double t = xj[p] - mean;
        log_term[p] -= half_precision * t * t;
      }
    }
  };

  std::fill_n(log_max.begin(), m, -std::numeric_limits<double>::infinity());
  for (std::size_t k = 0; k < weights_.size(); ++k) {
    compute_log_term(k);
    for (std::size_t p = 0; p < m; ++p) {
      log_max[p] = std::max(log_max[p], log_term[p]);
    }
  }
  std::fill_n(sum.begin(), m, 0.0);
  if (g != nullptr) {
    for (std::size_t j = 0; j < d; ++j) {
      std::fill(g + j * stride, g + j * stride + m, 0.0);
    }
  }
  for (std::size_t k = 0; k < weights_.size(); ++k) {
    compute_log_term(k);
    for (std::size_t p = 0; p < m; ++p) {
      log_term[p] = std::exp(log_term[p] - log_max[p]); // now the unnormalized posterior weight
      sum[p] += log_term[p];
    }
    if (g == nullptr) {
      continue;
    }
    const double precision = precision_[k];
    for (std::size_t j = 0; j < d; ++j) {
      const double mean = means_[k * d + j];
      const double* xj = x + j * stride;
      double* gj = g + j * stride;
      for (std::size_t p = 0; p < m; ++p) {
        gj[p] += log_term[p] * precision * (xj[p] - mean);
      }
    }
  }
  if (f != nullptr) {
    for (std::size_t p = 0; p < m; ++p) {
      f[p] = -(log_max[p] + std::log(sum[p]));
    }
  }
  if (g != nullptr) {
    for (std::size_t j = 0; j < d; ++j) {
      double* gj = g + j * stride;
      for (std::size_t p = 0; p < m; ++p) {
        gj[p] /= sum[p];
      }
    }
  }
}

// ---- periodic cosine ----------------------------------------------------------------------------

PeriodicCosineLandscape::PeriodicCosineLandscape(int dim, double amplitude, double period)
    : dim_(dim), amplitude_(amplitude), period_(period) {
  require_dim(dim_, "periodic_cosine");
  require_positive("landscape.amplitude", amplitude_);
  require_positive("landscape.period", period_);
}

std::string PeriodicCosineLandscape::describe() const {
  return "periodic_cosine(dim=" + std::to_string(dim_) + ", amplitude=" + format_real(amplitude_) +
         ", period=" + format_real(period_) + ")";
}

void PeriodicCosineLandscape::evaluate_block(std::size_t m, std::size_t stride, const double* x,
                                             double* f, double* g) const {
  const double wavenumber = two_pi / period_;
  const double A = amplitude_;
  const double slope = amplitude_ * wavenumber;
  if (f != nullptr) {
    std::fill(f, f + m, 0.0);
  }
  for (std::size_t d = 0; d < static_cast<std::size_t>(dim_); ++d) {
    const double* xd = x + d * stride;
    double* gd = g != nullptr ? g + d * stride : nullptr;
    for (std::size_t p = 0; p < m; ++p) {
      const double phase = wavenumber * xd[p];
      if (f != nullptr) {
        f[p] += A * (1.0 - std::cos(phase));
      }
      if (gd != nullptr) {
        gd[p] = slope * std::sin(phase);
      }
    }
  }
}

// ---- rugged -------------------------------------------------------------------------------------

RuggedLandscape::RuggedLandscape(const RuggedParameters& parameters) : parameters_(parameters) {
  const RuggedParameters& q = parameters_;
  const std::pair<const char*, double> lengths[] = {{"valley_width", q.valley_width},
                                                    {"ripple_period", q.ripple_period},
                                                    {"sharp_width", q.sharp_width},
                                                    {"wall", q.wall}};
  for (const auto& [name, value] : lengths) {
    require_positive(std::string("RuggedParameters.") + name, value);
  }
  const std::pair<const char*, double> heights[] = {
      {"plateau", q.plateau}, {"ripple", q.ripple}, {"sharp_depth", q.sharp_depth}};
  for (const auto& [name, value] : heights) {
    require(value >= 0 && std::isfinite(value), std::string("RuggedParameters.") + name,
            format_real(value), "a finite number >= 0");
  }
  require(std::isfinite(q.valley_centre) && std::isfinite(q.sharp_centre),
          "RuggedParameters.valley_centre/sharp_centre",
          format_real(q.valley_centre) + "," + format_real(q.sharp_centre), "finite numbers");
}

std::string RuggedLandscape::describe() const {
  const RuggedParameters& q = parameters_;
  return "rugged(valley=" + format_real(q.valley_centre) + " width " + format_real(q.valley_width) +
         ", plateau=" + format_real(q.plateau) + ", ripple=" + format_real(q.ripple) + " period " +
         format_real(q.ripple_period) + ", sharp=" + format_real(q.sharp_centre) + " width " +
         format_real(q.sharp_width) + " depth " + format_real(q.sharp_depth) +
         ", wall=" + format_real(q.wall) + ")";
}

void RuggedLandscape::evaluate_block(std::size_t m, std::size_t /*stride*/, const double* x,
                                     double* f, double* g) const {
  const RuggedParameters& q = parameters_;
  const double wavenumber = two_pi / q.ripple_period;
  const double inv_valley = 1.0 / q.valley_width;
  const double inv_sharp = 1.0 / q.sharp_width;
  const double inv_wall = 1.0 / q.wall;
  for (std::size_t p = 0; p < m; ++p) {
    const double xp = x[p];
    const double v = (xp - q.valley_centre) * inv_valley;
    const double valley = std::exp(-0.5 * v * v);
    const double s = (xp - q.sharp_centre) * inv_sharp;
    const double sharp = q.sharp_depth * std::exp(-0.5 * s * s);
    const double phase = wavenumber * xp;
    const double ripple = q.ripple * (1.0 - std::cos(phase));
    const double w = xp * inv_wall;
    const double w2 = w * w;
    const double w4 = w2 * w2;
    if (f != nullptr) {
      f[p] = q.plateau * (1.0 - valley) + ripple * valley - sharp + w4 * w4;
    }
    if (g != nullptr) {
      // d/dx of each term: E' = -E v / width, S' = -S s / width, (w^8)' = 8 w^7 / wall.
      const double valley_slope = -valley * v * inv_valley;
      g[p] = (ripple - q.plateau) * valley_slope +
             q.ripple * wavenumber * std::sin(phase) * valley + sharp * s * inv_sharp +
             8.0 * w4 * w2 * w * inv_wall;
    }
  }
}

// ---- The table -------------------------------------------------------------------------------

namespace {

/// The InputError for landscape.dim: "landscape.dim = '3': expected ...".
[[noreturn]] void bad_dim(long dim, const std::string& expected) {
  reject_value("landscape.dim", std::to_string(dim), expected);
}

/// landscape.dim, or `automatic` when it is 0.
int resolved_dim(long dim, std::size_t automatic) {
  return dim == 0 ? static_cast<int>(std::max<std::size_t>(automatic, 1)) : static_cast<int>(dim);
}

/// Shared by double_well (transverse axes) and quadratic.
void declare_stiffness(OptionSet& options) {
  options.reals("landscape.stiffness", "1", "energy/length^2",
                "quadratic: a_i of a_i (x_i-c_i)^2/2, one or per axis; double_well: k of k x_i^2/2 "
                "for i >= 1, one or per transverse axis; wells (and finite_sum_file with loss "
                "wells): kappa_k, one or per axis");
}

std::shared_ptr<const Landscape> make_double_well(const Config& config, long dim) {
  const std::vector<double> stiffness = config.reals("landscape.stiffness");
  const int d = resolved_dim(dim, stiffness.size() > 1 ? stiffness.size() + 1 : 1);
  return std::make_shared<DoubleWellLandscape>(d, config.real("landscape.height"),
                                               config.real("landscape.tilt"), stiffness);
}

std::shared_ptr<const Landscape> make_quadratic(const Config& config, long dim) {
  const std::size_t longest =
      std::max(config.reals("landscape.stiffness").size(), config.reals("landscape.centre").size());
  const int n = resolved_dim(dim, longest);
  return std::make_shared<QuadraticLandscape>(
      config.reals_per_axis("landscape.stiffness", n, "one per axis"),
      config.reals_per_axis("landscape.centre", n, "one per axis"));
}

std::shared_ptr<const Landscape> make_gaussian_mixture(const Config& config, long dim) {
  const std::vector<double> weights = config.reals("landscape.weights");
  const std::vector<double> means = config.reals("landscape.means");
  const std::size_t K = weights.size();
  if (K == 0) {
    reject_value("landscape.weights", "", "one weight > 0 per mixture component");
  }
  if (dim == 0 && (means.empty() || means.size() % K != 0)) {
    reject_value("landscape.means", config.text("landscape.means"),
                 "K x dim values for the K = " + std::to_string(K) +
                     " components of landscape.weights (row-major)");
  }
  const int d = resolved_dim(dim, means.size() / K);
  return std::make_shared<GaussianMixtureLandscape>(
      d, weights, means,
      config.reals_per_axis("landscape.stds", static_cast<int>(K), "one per component"));
}

/// The keys every finite-sum type reads: its n seeded points.
void declare_finite_sum_points(OptionSet& options) {
  options.integer("landscape.points", 100, "", "wells, least_squares, logistic: number of points n")
      .integer("landscape.data_seed", 1, "",
               "wells, least_squares, logistic: seed of the synthetic points");
}

void declare_theta_star(OptionSet& options) {
  options.reals("landscape.theta_star", "1", "",
                "least_squares, logistic: true parameter of the synthetic points, one or per axis");
}

/// landscape.dim resolved from the longest per-axis list, 1..3 for a finite sum.
int finite_sum_dim(long dim, std::size_t longest, const std::string& type) {
  const int d = resolved_dim(dim, longest);
  if (d > 3) {
    bad_dim(dim, "1..3 (or 0) for landscape.type = " + type);
  }
  return d;
}

std::size_t point_count(const Config& config) {
  return static_cast<std::size_t>(config.integer_at_least("landscape.points", 1));
}

std::uint64_t data_seed(const Config& config) {
  return static_cast<std::uint64_t>(config.integer_at_least("landscape.data_seed", 0));
}

std::shared_ptr<const Landscape> finite_sum_landscape(FiniteSumLoss loss) {
  return std::make_shared<FiniteSumLandscape>(
      std::make_shared<const FiniteSumLoss>(std::move(loss)));
}

std::shared_ptr<const Landscape> make_wells(const Config& config, long dim) {
  const std::size_t longest =
      std::max(config.reals("landscape.spread").size(), config.reals("landscape.stiffness").size());
  const int d = finite_sum_dim(dim, longest, "wells");
  return finite_sum_landscape(
      synthetic_wells(d, point_count(config), data_seed(config),
                      config.reals_per_axis("landscape.spread", d, "one per axis"),
                      config.reals_per_axis("landscape.stiffness", d, "one per axis")));
}

std::shared_ptr<const Landscape> make_least_squares(const Config& config, long dim) {
  const int d = finite_sum_dim(dim, config.reals("landscape.theta_star").size(), "least_squares");
  return finite_sum_landscape(synthetic_least_squares(
      d, point_count(config), data_seed(config),
      config.reals_per_axis("landscape.theta_star", d, "one per axis"),
      require_non_negative("landscape.noise", config.real("landscape.noise"))));
}

std::shared_ptr<const Landscape> make_logistic(const Config& config, long dim) {
  const int d = finite_sum_dim(dim, config.reals("landscape.theta_star").size(), "logistic");
  return finite_sum_landscape(
      synthetic_logistic(d, point_count(config), data_seed(config),
                         config.reals_per_axis("landscape.theta_star", d, "one per axis")));
}

} // namespace

std::shared_ptr<const Landscape> make_finite_sum_from_file(const Config& config, long dim,
                                                           const std::vector<double>& values,
                                                           const std::vector<std::size_t>& shape) {
  const std::string& loss = config.text("landscape.loss");
  const FiniteSumKind kind = loss == "wells"           ? FiniteSumKind::wells
                             : loss == "least_squares" ? FiniteSumKind::least_squares
                                                       : FiniteSumKind::logistic;
  const std::size_t extra = kind == FiniteSumKind::wells ? 0 : 1; // the target column
  const std::string source = "landscape.points_file = '" + config.text("landscape.points_file") +
                             "', dataset '" + config.text("landscape.points_dataset") + "'";
  const std::string expected = kind == FiniteSumKind::wells
                                   ? "(n, dim) centres, dim 1..3"
                                   : "(n, dim + 1): features and the target y_i, dim 1..3";
  if (shape.size() != 2 || shape[0] == 0 || shape[1] < 1 + extra || shape[1] > 3 + extra) {
    std::string got;
    for (std::size_t k = 0; k < shape.size(); ++k) {
      got += (k ? ", " : "") + std::to_string(shape[k]);
    }
    throw InputError(source + ": expected a dataset of shape " + expected +
                     " for landscape.loss = " + loss + ", got (" + got + ")");
  }
  const std::size_t n = shape[0];
  const std::size_t columns = shape[1];
  const int d = static_cast<int>(columns - extra);
  if (dim != 0 && dim != d) {
    bad_dim(dim, std::to_string(d) + " (or 0): the points of " + source + " have " +
                     std::to_string(d) + " coordinates");
  }
  std::vector<double> points(n * static_cast<std::size_t>(d));
  std::vector<double> targets(extra ? n : 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < static_cast<std::size_t>(d); ++k) {
      points[i * static_cast<std::size_t>(d) + k] = values[i * columns + k];
    }
    if (extra) {
      targets[i] = values[i * columns + columns - 1];
    }
  }
  std::vector<double> stiffness;
  if (kind == FiniteSumKind::wells) {
    stiffness = config.reals_per_axis("landscape.stiffness", d, "one per axis");
  } else if (!config.is_default("landscape.stiffness")) {
    throw InputError(
        "landscape.stiffness = '" + config.text("landscape.stiffness") +
        "': read by landscape.type = finite_sum_file only with landscape.loss = wells, "
        "not " +
        loss);
  }
  return finite_sum_landscape(
      FiniteSumLoss(kind, d, std::move(points), std::move(targets), std::move(stiffness), source));
}

std::vector<LandscapeType> landscape_types() {
  return {
      {"double_well", "tilted",
       [](OptionSet& options) {
         options
             .real("landscape.height", 1.0, "energy",
                   "double_well: barrier height h of h (x0^2-1)^2")
             .real("landscape.tilt", 0.0, "energy/length", "double_well: tilt t of + t x0");
         declare_stiffness(options);
       },
       make_double_well},
      {"quadratic", "Ornstein-Uhlenbeck",
       [](OptionSet& options) {
         declare_stiffness(options);
         options.reals("landscape.centre", "0", "length", "quadratic: centre c_i, one or per axis");
       },
       make_quadratic},
      {"muller_brown", "2D",
       [](OptionSet& options) {
         options.real("landscape.scale", 0.1, "",
                      "muller_brown: overall factor of the standard potential");
       },
       [](const Config& config, long dim) -> std::shared_ptr<const Landscape> {
         if (dim != 0 && dim != 2) {
           bad_dim(dim, "2 (or 0) for landscape.type = muller_brown");
         }
         return std::make_shared<MullerBrownLandscape>(config.real("landscape.scale"));
       }},
      {"periodic_cosine", "",
       [](OptionSet& options) {
         options
             .real("landscape.amplitude", 1.0, "energy",
                   "periodic_cosine: A of A sum(1 - cos(2 pi x/L))")
             .real("landscape.period", 1.0, "length", "periodic_cosine: period L");
       },
       [](const Config& config, long dim) -> std::shared_ptr<const Landscape> {
         return std::make_shared<PeriodicCosineLandscape>(resolved_dim(dim, 1),
                                                          config.real("landscape.amplitude"),
                                                          config.real("landscape.period"));
       }},
      {"gaussian_mixture", "",
       [](OptionSet& options) {
         options
             .reals("landscape.weights", "1", "",
                    "gaussian_mixture: K component weights > 0 (normalized to sum 1)")
             .reals("landscape.means", "0", "length",
                    "gaussian_mixture: K x dim component means, row-major")
             .reals("landscape.stds", "1", "length",
                    "gaussian_mixture: component standard deviations, one or per component");
       },
       make_gaussian_mixture},
      {"rugged", "1D Entropy-SGD picture", [](OptionSet&) {},
       [](const Config&, long dim) -> std::shared_ptr<const Landscape> {
         if (dim != 0 && dim != 1) {
           bad_dim(dim, "1 (or 0) for landscape.type = rugged");
         }
         return std::make_shared<RuggedLandscape>();
       }},
      {"wells", "finite sum of kappa |x - c_i|^2/2, seeded centres c_i (sde.integrator = sgd)",
       [](OptionSet& options) {
         declare_stiffness(options);
         declare_finite_sum_points(options);
         options.reals("landscape.spread", "1", "length",
                       "wells: std of the centres c_ik ~ N(0, spread_k^2), one or per axis");
       },
       make_wells},
      {"least_squares", "finite sum of (a_i.x - y_i)^2/2 on seeded points",
       [](OptionSet& options) {
         declare_finite_sum_points(options);
         declare_theta_star(options);
         options.real("landscape.noise", 0.5, "",
                      "least_squares: noise std of y_i = a_i.theta_star + noise e_i");
       },
       make_least_squares},
      {"logistic", "finite sum of log(1 + exp(-y_i a_i.x)) on seeded points",
       [](OptionSet& options) {
         declare_finite_sum_points(options);
         declare_theta_star(options);
       },
       make_logistic},
      {finite_sum_file_type, "finite sum landscape.loss on the points of an HDF5 file",
       [](OptionSet& options) {
         declare_stiffness(options);
         options
             .input_file("landscape.points_file",
                         "finite_sum_file: HDF5 file of the points of the finite sum")
             .text("landscape.points_dataset", "points",
                   "finite_sum_file: dataset of (n, dim) centres (wells) or (n, dim + 1) "
                   "features and target (least_squares: y_i, logistic: +-1)")
             .choice("landscape.loss", "least_squares", {"wells", "least_squares", "logistic"},
                     "finite_sum_file: the loss l_i of each point");
       },
       [](const Config&, long) -> std::shared_ptr<const Landscape> {
         throw InputError("landscape.type = finite_sum_file: the points need a file reader");
       }},
      {"expression", "landscape.expr",
       [](OptionSet& options) {
         options
             .text("landscape.expr", "",
                   "expression: f in x, y, z (muParser), e.g. (x^2-1)^2 + 0.5*y^2")
             .text("landscape.gradient", "",
                   "expression: df/dx; df/dy; ... separated by ';' (empty: central differences)")
             .real("landscape.fd_step", 0.0, "length",
                   "expression: central-difference step (0: eps^(1/3) max(1,|x_i|))");
       },
       [](const Config& config, long dim) -> std::shared_ptr<const Landscape> {
         if (dim > 3) {
           bad_dim(dim, "0 (inferred) or 1..3 for an expression in x, y, z");
         }
         return std::make_shared<ExpressionLandscape>(
             config.text("landscape.expr"), config.text("landscape.gradient"),
             static_cast<int>(dim), config.real("landscape.fd_step"));
       }},
  };
}

} // namespace relax
