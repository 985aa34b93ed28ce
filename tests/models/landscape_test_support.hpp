// Checks shared by the landscape tests: the analytic gradient against central differences with a
// tolerance derived from the difference's own error, and batch against single-point evaluation.
#pragma once

#include "models/landscape.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <vector>

namespace relax::test {

/// n points uniform in the box [lo_d, hi_d], row-major (point p is points[p*dim .. p*dim+dim)).
inline std::vector<double> random_points(std::size_t n, const std::vector<double>& lo,
                                         const std::vector<double>& hi, unsigned seed) {
  std::mt19937_64 engine(seed);
  std::vector<double> points(n * lo.size());
  for (std::size_t p = 0; p < n; ++p) {
    for (std::size_t d = 0; d < lo.size(); ++d) {
      points[p * lo.size() + d] = std::uniform_real_distribution<double>(lo[d], hi[d])(engine);
    }
  }
  return points;
}

/// Compares the analytic gradient with central differences D(h), h = eps^(1/3) max(1, |x_i|).
/// D(h) = f' + c h^2 + O(h^4), so T = |D(2h) - D(h)| / 3 estimates the truncation error of D(h);
/// each value of f carries a round-off of at most delta = 8 eps term_scale (term_scale: the sum of
/// the magnitudes of f's terms near x), which adds delta / h to D(h) and delta / (2h) to T. The
/// tolerance 2 T + 2 delta / h + 8 eps |g_i| bounds |g_i - D(h)| with a factor 2 to spare; a wrong
/// gradient shows as soon as its error exceeds ~1e-9 of the gradient's scale.
inline void check_gradient_by_differences(const Landscape& landscape,
                                          const std::vector<double>& points, double term_scale) {
  const auto dim = static_cast<std::size_t>(landscape.dim());
  const double eps = std::numeric_limits<double>::epsilon();
  const double delta = 8.0 * eps * term_scale;
  std::vector<double> x(dim);
  std::vector<double> g(dim);
  double worst_ratio = 0.0; // max error / tolerance, reported
  for (std::size_t p = 0; p * dim < points.size(); ++p) {
    std::copy(points.begin() + static_cast<std::ptrdiff_t>(p * dim),
              points.begin() + static_cast<std::ptrdiff_t>((p + 1) * dim), x.begin());
    landscape.gradient(x.data(), g.data());
    for (std::size_t i = 0; i < dim; ++i) {
      const double centre = x[i];
      const auto central_difference = [&](double h) {
        const double forward = centre + h;
        const double backward = centre - h;
        x[i] = forward;
        const double f_forward = landscape.value(x.data());
        x[i] = backward;
        const double f_backward = landscape.value(x.data());
        x[i] = centre;
        return (f_forward - f_backward) / (forward - backward);
      };
      const double h = std::cbrt(eps) * std::max(1.0, std::abs(centre));
      const double d1 = central_difference(h);
      const double d2 = central_difference(2.0 * h);
      const double truncation = std::abs(d2 - d1) / 3.0;
      const double tolerance = 2.0 * truncation + 2.0 * delta / h + 8.0 * eps * std::abs(g[i]);
      const double error = std::abs(g[i] - d1);
      worst_ratio = std::max(worst_ratio, error / tolerance);
      if (!(error <= tolerance)) {
        CAPTURE(landscape.describe(), p, i, x, g[i], d1, error, truncation, tolerance);
        FAIL_CHECK("analytic gradient differs from central differences");
      }
    }
  }
  CAPTURE(landscape.describe(), worst_ratio);
  CHECK(worst_ratio <= 1.0); // worst_ratio = max |g - D(h)| / tolerance, shown with -s
}

/// evaluate_batch in structure-of-arrays layout with stride > n (padding must stay untouched), and
/// with f or g null, gives exactly the values of value() and gradient() point by point.
inline void check_batch_matches_points(const Landscape& landscape,
                                       const std::vector<double>& points) {
  const auto dim = static_cast<std::size_t>(landscape.dim());
  const std::size_t n = points.size() / dim;
  const std::size_t stride = n + 7;
  const double sentinel = -12345.678;
  std::vector<double> x(dim * stride, sentinel);
  for (std::size_t p = 0; p < n; ++p) {
    for (std::size_t d = 0; d < dim; ++d) {
      x[d * stride + p] = points[p * dim + d];
    }
  }
  std::vector<double> f(stride, sentinel);
  std::vector<double> g(dim * stride, sentinel);
  std::vector<double> f_only(stride, sentinel);
  std::vector<double> g_only(dim * stride, sentinel);
  landscape.evaluate_batch(n, stride, x.data(), f.data(), g.data());
  landscape.evaluate_batch(n, stride, x.data(), f_only.data(), nullptr);
  landscape.evaluate_batch(n, stride, x.data(), nullptr, g_only.data());

  std::size_t mismatches = 0;
  std::vector<double> point(dim);
  std::vector<double> gradient(dim);
  for (std::size_t p = 0; p < n; ++p) {
    std::copy(points.begin() + static_cast<std::ptrdiff_t>(p * dim),
              points.begin() + static_cast<std::ptrdiff_t>((p + 1) * dim), point.begin());
    const double value = landscape.value(point.data());
    const double value_with_gradient = landscape.gradient(point.data(), gradient.data());
    bool same = value == value_with_gradient && f[p] == value && f_only[p] == value;
    for (std::size_t d = 0; d < dim; ++d) {
      same = same && g[d * stride + p] == gradient[d] && g_only[d * stride + p] == gradient[d];
    }
    if (!same) {
      ++mismatches;
      CAPTURE(landscape.describe(), p, point, value, value_with_gradient, f[p], f_only[p]);
      FAIL_CHECK("batch and single-point evaluation differ");
    }
  }
  CHECK(mismatches == 0);
  for (std::size_t d = 0; d < dim; ++d) {
    for (std::size_t p = n; p < stride; ++p) {
      CHECK(g[d * stride + p] == sentinel);
      CHECK(g_only[d * stride + p] == sentinel);
    }
  }
  for (std::size_t p = n; p < stride; ++p) {
    CHECK(f[p] == sentinel);
  }
}

} // namespace relax::test
