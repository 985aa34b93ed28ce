#include "models/finite_sum.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace relax {

namespace {

/// Standard normals by Box–Muller from a 64-bit Mersenne twister: fixed by the C++ standard (unlike
/// std::normal_distribution), so the synthetic points are the same everywhere.
class SeededNormals {
public:
  explicit SeededNormals(std::uint64_t seed) : engine_(seed) {}
  double uniform() { // in (0, 1)
    return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53;
  }
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double phi = 2.0 * M_PI * uniform();
    spare_ = r * std::sin(phi);
    has_spare_ = true;
    return r * std::cos(phi);
  }

private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

double dot(const double* a, const double* b, int dim) {
  double s = 0;
  for (int k = 0; k < dim; ++k) {
    s += a[k] * b[k];
  }
  return s;
}

/// log(1 + e^z) without overflow.
double softplus(double z) {
  return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

/// 1 / (1 + e^-z) without overflow.
double logistic_function(double z) {
  return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

std::string kind_name(FiniteSumKind kind) {
  switch (kind) {
  case FiniteSumKind::least_squares:
    return "least_squares";
  case FiniteSumKind::logistic:
    return "logistic";
  case FiniteSumKind::wells:
    return "wells";
  }
  return "least_squares";
}

} // namespace

FiniteSumLoss::FiniteSumLoss(FiniteSumKind kind, int dim, std::vector<double> points,
                             std::vector<double> targets, std::vector<double> stiffness,
                             const std::string& source)
    : kind_(kind), dim_(dim), n_(0), points_(std::move(points)), targets_(std::move(targets)),
      stiffness_(std::move(stiffness)), source_(source) {
  const std::string where = source + " (" + kind_name(kind) + " loss)";
  if (dim < 1 || dim > 3) {
    throw InputError(where + ": dimension " + std::to_string(dim) + ", expected 1 to 3");
  }
  if (points_.empty() || points_.size() % dim_u() != 0) {
    throw InputError(where + ": " + std::to_string(points_.size()) +
                     " point values, expected a positive multiple of the dimension " +
                     std::to_string(dim));
  }
  n_ = points_.size() / dim_u();
  if (kind != FiniteSumKind::wells && targets_.size() != n_) {
    throw InputError(where + ": " + std::to_string(targets_.size()) + " targets for " +
                     std::to_string(n_) + " points");
  }
  const auto is_finite = [](double v) { return std::isfinite(v); };
  if (!std::all_of(points_.begin(), points_.end(), is_finite) ||
      !std::all_of(targets_.begin(), targets_.end(), is_finite)) {
    throw InputError(where + ": a point or target is not finite");
  }
  if (kind == FiniteSumKind::logistic &&
      !std::all_of(targets_.begin(), targets_.end(), [](double y) { return y == 1 || y == -1; })) {
    throw InputError(where + ": a label is not +1 or -1");
  }
  if (kind == FiniteSumKind::wells) {
    if (stiffness_.size() != dim_u() ||
        !std::all_of(stiffness_.begin(), stiffness_.end(),
                     [](double k) { return std::isfinite(k) && k > 0; })) {
      throw InputError(where + ": expected " + std::to_string(dim) +
                       " finite stiffnesses > 0, one per axis");
    }
  }
}

std::string FiniteSumLoss::describe() const {
  return kind_name(kind_) + "(dim=" + std::to_string(dim_) + ", n=" + std::to_string(n_) + ", " +
         source_ + ")";
}

double FiniteSumLoss::sample_value(std::size_t i, const double* theta) const {
  const double* a = point(i);
  switch (kind_) {
  case FiniteSumKind::least_squares: {
    const double r = dot(a, theta, dim_) - targets_[i];
    return 0.5 * r * r;
  }
  case FiniteSumKind::logistic:
    return softplus(-targets_[i] * dot(a, theta, dim_));
  case FiniteSumKind::wells:
    break;
  }
  double l = 0;
  for (int k = 0; k < dim_; ++k) {
    const double d = theta[k] - a[k];
    l += 0.5 * stiffness_[static_cast<std::size_t>(k)] * d * d;
  }
  return l;
}

void FiniteSumLoss::sample_gradient(std::size_t i, const double* theta, double* g) const {
  const double* a = point(i);
  switch (kind_) {
  case FiniteSumKind::least_squares: {
    const double r = dot(a, theta, dim_) - targets_[i];
    for (int k = 0; k < dim_; ++k) {
      g[k] = r * a[k];
    }
    return;
  }
  case FiniteSumKind::logistic: {
    // d/dtheta log(1 + e^{-m}) = -y a / (1 + e^{m}), m = y a . theta
    const double y = targets_[i];
    const double weight = -y * logistic_function(-y * dot(a, theta, dim_));
    for (int k = 0; k < dim_; ++k) {
      g[k] = weight * a[k];
    }
    return;
  }
  case FiniteSumKind::wells:
    break;
  }
  for (int k = 0; k < dim_; ++k) {
    g[k] = stiffness_[static_cast<std::size_t>(k)] * (theta[k] - a[k]);
  }
}

double FiniteSumLoss::value(const double* theta) const {
  double sum = 0;
  for (std::size_t i = 0; i < n_; ++i) {
    sum += sample_value(i, theta);
  }
  return sum / static_cast<double>(n_);
}

double FiniteSumLoss::gradient(const double* theta, double* g) const {
  std::fill(g, g + dim_, 0.0);
  double gi[3] = {0, 0, 0};
  for (std::size_t i = 0; i < n_; ++i) {
    sample_gradient(i, theta, gi);
    for (int k = 0; k < dim_; ++k) {
      g[k] += gi[k];
    }
  }
  for (int k = 0; k < dim_; ++k) {
    g[k] /= static_cast<double>(n_);
  }
  return value(theta);
}

void FiniteSumLoss::batch_gradient(const std::uint32_t* indices, std::size_t count,
                                   const double* theta, double* g) const {
  std::fill(g, g + dim_, 0.0);
  double gi[3] = {0, 0, 0};
  for (std::size_t b = 0; b < count; ++b) {
    sample_gradient(indices[b], theta, gi);
    for (int k = 0; k < dim_; ++k) {
      g[k] += gi[k];
    }
  }
  for (int k = 0; k < dim_; ++k) {
    g[k] /= static_cast<double>(count);
  }
}

void FiniteSumLoss::gradient_covariance(const double* theta, double* sigma) const {
  // Two passes over the samples (mean, then deviations): no L, which SGD's rates do not need.
  double mean[3] = {0, 0, 0};
  double gi[3] = {0, 0, 0};
  for (std::size_t i = 0; i < n_; ++i) {
    sample_gradient(i, theta, gi);
    for (int k = 0; k < dim_; ++k) {
      mean[k] += gi[k] / static_cast<double>(n_);
    }
  }
  std::fill(sigma, sigma + dim_ * dim_, 0.0);
  for (std::size_t i = 0; i < n_; ++i) {
    sample_gradient(i, theta, gi);
    for (int k = 0; k < dim_; ++k) {
      for (int l = 0; l < dim_; ++l) {
        sigma[k * dim_ + l] += (gi[k] - mean[k]) * (gi[l] - mean[l]);
      }
    }
  }
  for (int k = 0; k < dim_ * dim_; ++k) {
    sigma[k] /= static_cast<double>(n_);
  }
}

double minibatch_covariance_factor(std::size_t n, std::size_t batch, bool with_replacement) {
  const auto b = static_cast<double>(batch);
  if (with_replacement || n < 2) {
    return 1.0 / b;
  }
  return (static_cast<double>(n) - b) / (b * (static_cast<double>(n) - 1.0));
}

namespace {

/// n points with features a_i ~ N(0, I) and targets label(a_i . theta_star, normals), drawn point
/// by point (features first, then whatever `label` draws).
template <typename Label>
FiniteSumLoss labelled_points(FiniteSumKind kind, int dim, std::size_t n, std::uint64_t seed,
                              const std::vector<double>& theta_star, Label&& label) {
  SeededNormals normals(seed);
  std::vector<double> points(n * static_cast<std::size_t>(std::max(dim, 0)));
  std::vector<double> targets(n);
  for (std::size_t i = 0; i < n; ++i) {
    double margin = 0;
    for (int k = 0; k < dim; ++k) {
      const double a = normals.normal();
      points[i * static_cast<std::size_t>(dim) + static_cast<std::size_t>(k)] = a;
      margin += a * theta_star.at(static_cast<std::size_t>(k));
    }
    targets[i] = label(margin, normals);
  }
  return {kind,
          dim,
          std::move(points),
          std::move(targets),
          {},
          "synthetic seed " + std::to_string(seed)};
}

} // namespace

FiniteSumLoss synthetic_least_squares(int dim, std::size_t n, std::uint64_t seed,
                                      const std::vector<double>& theta_star, double noise) {
  return labelled_points(
      FiniteSumKind::least_squares, dim, n, seed, theta_star,
      [noise](double m, SeededNormals& normals) { return m + noise * normals.normal(); });
}

FiniteSumLoss synthetic_logistic(int dim, std::size_t n, std::uint64_t seed,
                                 const std::vector<double>& theta_star) {
  return labelled_points(FiniteSumKind::logistic, dim, n, seed, theta_star,
                         [](double m, SeededNormals& normals) {
                           return normals.uniform() < logistic_function(m) ? 1.0 : -1.0;
                         });
}

FiniteSumLoss synthetic_wells(int dim, std::size_t n, std::uint64_t seed,
                              const std::vector<double>& spread,
                              const std::vector<double>& stiffness) {
  SeededNormals normals(seed);
  std::vector<double> points(n * static_cast<std::size_t>(std::max(dim, 0)));
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < dim; ++k) {
      points[i * static_cast<std::size_t>(dim) + static_cast<std::size_t>(k)] =
          spread.at(static_cast<std::size_t>(k)) * normals.normal();
    }
  }
  return {FiniteSumKind::wells,
          dim,
          std::move(points),
          {},
          stiffness,
          "synthetic seed " + std::to_string(seed)};
}

} // namespace relax
