// Shared by the tests of sde/: sample statistics with their standard errors, the Kolmogorov
// distribution, Gibbs quadratures, and the landscapes the tests run on (the built-ins, plus f = 0).
#pragma once

#include "models/drift.hpp"
#include "models/landscape.hpp"
#include "models/landscapes.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace relax::testing {

/// Sample mean, variance, skewness and excess kurtosis (population moments, two-pass).
struct SampleMoments {
  double mean = 0;
  double variance = 0;
  double skewness = 0;
  double excess_kurtosis = 0;
};

template <typename Real> SampleMoments sample_moments(const std::vector<Real>& x) {
  const auto n = static_cast<double>(x.size());
  double mean = 0;
  for (Real v : x) {
    mean += static_cast<double>(v);
  }
  mean /= n;
  double m2 = 0;
  double m3 = 0;
  double m4 = 0;
  for (Real v : x) {
    const double d = static_cast<double>(v) - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return {mean, m2, m3 / std::pow(m2, 1.5), m4 / (m2 * m2) - 3.0};
}

/// Pearson correlation of two equally long samples.
template <typename Real>
double correlation(const std::vector<Real>& a, const std::vector<Real>& b) {
  const SampleMoments ma = sample_moments(a);
  const SampleMoments mb = sample_moments(b);
  double c = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    c += (static_cast<double>(a[i]) - ma.mean) * (static_cast<double>(b[i]) - mb.mean);
  }
  return c / static_cast<double>(a.size()) / std::sqrt(ma.variance * mb.variance);
}

/// Upper tail of the Kolmogorov distribution, P(sqrt(n) D > lambda) for large n.
inline double kolmogorov_tail(double lambda) {
  if (lambda < 0.2) {
    return 1.0;
  }
  double sum = 0;
  for (int k = 1; k <= 100; ++k) {
    const double term = std::exp(-2.0 * k * k * lambda * lambda);
    sum += (k % 2 == 1 ? 2.0 : -2.0) * term;
    if (term < 1e-17) {
      break;
    }
  }
  return std::clamp(sum, 0.0, 1.0);
}

/// Kolmogorov–Smirnov test of a sample against a continuous CDF: statistic D and p-value (with the
/// usual finite-n correction of lambda).
struct KsResult {
  double statistic = 0;
  double pvalue = 0;
};

template <typename Real>
KsResult ks_test(std::vector<Real> sample, const std::function<double(double)>& cdf) {
  std::sort(sample.begin(), sample.end());
  const auto n = static_cast<double>(sample.size());
  double d = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const double f = cdf(static_cast<double>(sample[i]));
    d = std::max({d, (static_cast<double>(i) + 1) / n - f, f - static_cast<double>(i) / n});
  }
  const double root_n = std::sqrt(n);
  return {d, kolmogorov_tail((root_n + 0.12 + 0.11 / root_n) * d)};
}

inline double normal_cdf(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

/// Integral of g over [a, b] by composite Simpson with `n` (even) intervals; for smooth integrands
/// on these short intervals 20000 intervals give ~1e-14 relative accuracy.
inline double simpson(const std::function<double(double)>& g, double a, double b, int n = 20000) {
  const double h = (b - a) / n;
  double sum = g(a) + g(b);
  for (int i = 1; i < n; ++i) {
    sum += (i % 2 == 1 ? 4.0 : 2.0) * g(a + i * h);
  }
  return sum * h / 3.0;
}

/// Gibbs expectation E[g] under exp(-beta f) on [a, b] (the tails beyond are negligible for the
/// confining 1D landscapes used here).
inline double gibbs_expectation(const std::function<double(double)>& f, double beta,
                                const std::function<double(double)>& g, double a, double b) {
  const double z = simpson([&](double x) { return std::exp(-beta * f(x)); }, a, b);
  return simpson([&](double x) { return g(x) * std::exp(-beta * f(x)); }, a, b) / z;
}

/// f = 0: free diffusion, for first-passage laws of Brownian motion (the built-in quadratic
/// requires a positive stiffness).
class FlatLandscape final : public Landscape {
public:
  int dim() const override { return 1; }
  std::string describe() const override { return "flat"; }
  double value(const double* /*x*/) const override { return 0.0; }
  double gradient(const double* /*x*/, double* g) const override {
    g[0] = 0.0;
    return 0.0;
  }
  void evaluate_batch(std::size_t n, std::size_t /*stride*/, const double* /*x*/, double* f,
                      double* g) const override {
    for (std::size_t p = 0; p < n; ++p) {
      if (f != nullptr) {
        f[p] = 0.0;
      }
      if (g != nullptr) {
        g[p] = 0.0;
      }
    }
  }
};

/// The Ornstein–Uhlenbeck drift of f = (stiffness / 2) |x|^2 in `dim` dimensions.
inline Drift quadratic(int dim, double stiffness, double rotation = 0.0) {
  const auto d = static_cast<std::size_t>(dim);
  return Drift(std::make_shared<QuadraticLandscape>(std::vector<double>(d, stiffness),
                                                    std::vector<double>(d, 0.0)),
               rotation);
}

/// f = (x^2 - 1)^2: minima at +-1, barrier 1 at 0.
inline Drift double_well() {
  return Drift(std::make_shared<DoubleWellLandscape>(1));
}
inline double double_well_f(double x) {
  return (x * x - 1) * (x * x - 1);
}

} // namespace relax::testing
