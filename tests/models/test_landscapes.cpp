// The built-in landscapes: gradients against central differences, batch against single-point
// evaluation, and the values theory gives (minima, normalization, periodicity).
#include "models/landscapes.hpp"

#include "core/error.hpp"
#include "landscape_test_support.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

using namespace relax;

namespace {

constexpr double eps = std::numeric_limits<double>::epsilon();
const double pi = std::acos(-1.0);

struct Case {
  std::shared_ptr<const Landscape> landscape;
  std::vector<double> lo, hi; // box of the random points
  double term_scale;          // bound of sum |terms of f| on the box, for the round-off
};

/// Every built-in in several dimensions, with a box that covers its interesting region and a
/// bound of the magnitudes of f's terms there (see check_gradient_by_differences).
std::vector<Case> builtin_cases() {
  std::vector<Case> cases;
  const auto box = [](int dim, double lo, double hi) {
    return std::make_pair(std::vector<double>(static_cast<std::size_t>(dim), lo),
                          std::vector<double>(static_cast<std::size_t>(dim), hi));
  };
  for (int dim : {1, 2, 5}) {
    std::vector<double> a, c;
    for (int i = 0; i < dim; ++i) {
      a.push_back(0.5 + i);       // a_i up to 4.5
      c.push_back(0.4 * i - 0.8); // c_i in [-0.8, 0.8]
    }
    auto [lo, hi] = box(dim, -2, 2);
    cases.push_back({std::make_shared<QuadraticLandscape>(a, c), lo, hi, 50.0});
  }
  for (int dim : {1, 2, 4}) {
    auto [lo, hi] = box(dim, -2, 2);
    std::vector<double> k;
    for (int i = 1; i < dim; ++i) {
      k.push_back(0.5 * i);
    }
    cases.push_back({std::make_shared<DoubleWellLandscape>(
                         dim, 1.5, 0.3, k.empty() ? std::vector<double>{1.0} : k),
                     lo, hi, 30.0});
  }
  // Müller–Brown: the terms reach ~330 at the box corner (-1.5, 2) through the growing 4th term.
  cases.push_back({std::make_shared<MullerBrownLandscape>(0.1), {-1.5, -0.5}, {1.2, 2.0}, 600.0});
  for (int dim : {1, 2, 3}) {
    std::vector<double> means;
    for (int k = 0; k < 3; ++k) {
      for (int j = 0; j < dim; ++j) {
        means.push_back(std::cos(1.0 + 2.0 * k + j)); // in [-1, 1]
      }
    }
    auto [lo, hi] = box(dim, -3, 3);
    // |l_k| <= (3 + 1)^2 dim / (2 * 0.5^2) + log terms <= 100 in 3D
    cases.push_back(
        {std::make_shared<GaussianMixtureLandscape>(dim, std::vector<double>{0.2, 0.5, 0.3}, means,
                                                    std::vector<double>{0.5, 1.0, 0.7}),
         lo, hi, 100.0});
  }
  for (int dim : {1, 3}) {
    auto [lo, hi] = box(dim, -2, 2);
    cases.push_back({std::make_shared<PeriodicCosineLandscape>(dim, 0.7, 1.3), lo, hi, 5.0});
  }
  cases.push_back({std::make_shared<RuggedLandscape>(), {-4.0}, {4.0}, 25.0});
  return cases;
}

/// Newton's method on the analytic gradient with a central-difference Hessian of it (2D).
std::array<double, 2> newton_minimum_2d(const Landscape& landscape, std::array<double, 2> x) {
  for (int iteration = 0; iteration < 50; ++iteration) {
    std::array<double, 2> g{};
    landscape.gradient(x.data(), g.data());
    if (std::hypot(g[0], g[1]) < 1e-12) {
      break;
    }
    double H[2][2];
    const double h = 1e-6;
    for (int j = 0; j < 2; ++j) {
      std::array<double, 2> xp = x, xm = x, gp{}, gm{};
      xp[j] += h;
      xm[j] -= h;
      landscape.gradient(xp.data(), gp.data());
      landscape.gradient(xm.data(), gm.data());
      H[0][j] = (gp[0] - gm[0]) / (2 * h);
      H[1][j] = (gp[1] - gm[1]) / (2 * h);
    }
    const double det = H[0][0] * H[1][1] - H[0][1] * H[1][0];
    x[0] -= (H[1][1] * g[0] - H[0][1] * g[1]) / det;
    x[1] -= (-H[1][0] * g[0] + H[0][0] * g[1]) / det;
  }
  return x;
}

/// Newton's method in 1D on the analytic gradient, f'' by central differences of it.
double newton_minimum_1d(const Landscape& landscape, double x) {
  for (int iteration = 0; iteration < 50; ++iteration) {
    double g = 0, gp = 0, gm = 0;
    landscape.gradient(&x, &g);
    if (std::abs(g) < 1e-14) {
      break;
    }
    const double h = 1e-6;
    double xp = x + h, xm = x - h;
    landscape.gradient(&xp, &gp);
    landscape.gradient(&xm, &gm);
    x -= g / ((gp - gm) / (2 * h));
  }
  return x;
}

} // namespace

TEST_CASE("Built-in gradients agree with central differences at random points", "[models]") {
  unsigned seed = 1;
  for (const Case& c : builtin_cases()) {
    SECTION(c.landscape->describe()) {
      relax::test::check_gradient_by_differences(
          *c.landscape, relax::test::random_points(300, c.lo, c.hi, seed), c.term_scale);
    }
    ++seed;
  }
  SECTION("rugged, near the sharp minimum") {
    relax::test::check_gradient_by_differences(
        RuggedLandscape(), relax::test::random_points(300, {1.8}, {2.2}, 99), 25.0);
  }
}

TEST_CASE("Built-in batch evaluation equals single-point evaluation bit for bit", "[models]") {
  // Two full blocks and a partial one whose length is not a multiple of any vector width (the
  // kernels' scalar remainder runs too); the stride n + 7 leaves padding to check.
  const std::size_t n = 2 * relax::BlockLandscape::block_size + 83;
  unsigned seed = 100;
  for (const Case& c : builtin_cases()) {
    SECTION(c.landscape->describe()) {
      relax::test::check_batch_matches_points(*c.landscape,
                                              relax::test::random_points(n, c.lo, c.hi, seed));
    }
    ++seed;
  }
}

TEST_CASE("Quadratic landscape vanishes at its centre and is a_i/2 one unit along axis i",
          "[models]") {
  const QuadraticLandscape quadratic({0.5, 2.0, 3.0}, {1.0, -0.5, 0.25});
  std::array<double, 3> x{1.0, -0.5, 0.25};
  std::array<double, 3> g{};
  CHECK(quadratic.gradient(x.data(), g.data()) == 0.0);
  CHECK(g == std::array<double, 3>{0.0, 0.0, 0.0});
  for (int i = 0; i < 3; ++i) {
    std::array<double, 3> y = x;
    y[static_cast<std::size_t>(i)] += 1.0;
    CHECK(quadratic.value(y.data()) == quadratic.stiffness()[static_cast<std::size_t>(i)] / 2);
  }
  CHECK_THROWS_AS(QuadraticLandscape({1.0, 0.0}, {0.0, 0.0}), InputError);
  CHECK_THROWS_AS(QuadraticLandscape({1.0}, {0.0, 0.0}), InputError);
}

TEST_CASE("Double well: minima at +-1 without tilt, shifted by -t/(8h) with tilt t", "[models]") {
  SECTION("tilt 0: f(+-1) = 0 with zero gradient, barrier h at 0, curvature 8h") {
    const DoubleWellLandscape well(2, 1.7, 0.0, {2.0});
    for (double x0 : {-1.0, 1.0}) {
      std::array<double, 2> x{x0, 0.0}, g{};
      CHECK(well.gradient(x.data(), g.data()) == 0.0);
      CHECK(g == std::array<double, 2>{0.0, 0.0});
      // second difference of a quartic: exact 8h + 2h * step^2 (f'''' = 24h)
      const double step = 1e-3;
      std::array<double, 2> xp{x0 + step, 0.0}, xm{x0 - step, 0.0};
      const double curvature = (well.value(xp.data()) + well.value(xm.data())) / (step * step);
      CHECK(curvature == Approx(8 * 1.7 + 2 * 1.7 * step * step).epsilon(1e-9));
    }
    std::array<double, 2> origin{0.0, 0.0}, off_axis{0.0, 0.5};
    CHECK(well.value(origin.data()) == 1.7);
    CHECK(well.value(off_axis.data()) == 1.7 + 0.5 * 2.0 * 0.25);
  }
  SECTION("tilt t: x_+- = +-1 - t/(8h) + O(t^2), f(x_+-) = +-t - t^2/(16h) + O(t^3)") {
    const double h = 1.0;
    for (double t : {0.05, 0.2}) {
      const DoubleWellLandscape well(1, h, t);
      const double shift = t / (8 * h);
      for (double side : {-1.0, 1.0}) {
        const double x = newton_minimum_1d(well, side);
        CAPTURE(t, side, x, well.value(&x));
        // next terms: 1.5 (t/8h)^2 in x, O(t^3) in f
        CHECK(std::abs(x - (side - shift)) <= 2 * shift * shift);
        CHECK(std::abs(well.value(&x) - (side * t - t * t / (16 * h))) <= t * t * t);
      }
    }
  }
  CHECK_THROWS_AS(DoubleWellLandscape(3, 1.0, 0.0, {1.0, 2.0, 3.0}), InputError);
  CHECK_THROWS_AS(DoubleWellLandscape(1, 0.0), InputError);
}

TEST_CASE("Müller–Brown minima lie within 1e-3 of the literature values, scaled", "[models]") {
  // Müller & Brown (1979): minima A, B, C and their energies (scale 1).
  const std::array<std::array<double, 3>, 3> literature{
      {{-0.558, 1.442, -146.70}, {0.623, 0.028, -108.17}, {-0.050, 0.467, -80.77}}};
  for (double scale : {0.1, 1.0}) {
    const MullerBrownLandscape mb(scale);
    for (const auto& [x0, y0, energy] : literature) {
      const std::array<double, 2> minimum = newton_minimum_2d(mb, {x0 + 0.02, y0 - 0.02});
      const double value = mb.value(minimum.data());
      CAPTURE(scale, minimum, value, energy * scale);
      CHECK(std::abs(minimum[0] - x0) < 1e-3);
      CHECK(std::abs(minimum[1] - y0) < 1e-3);
      CHECK(std::abs(value - energy * scale) < 1e-3 * std::abs(energy) * scale);
    }
  }
}

TEST_CASE("Gaussian mixture: exp(-f) is the normalized mixture density", "[models]") {
  const int dim = 2;
  const std::vector<double> weights{1.0, 3.0, 2.0}; // normalized to 1/6, 1/2, 1/3
  const std::vector<double> means{-1.0, 0.5, 1.5, 0.0, 0.2, -1.2};
  const std::vector<double> stds{0.4, 0.8, 0.6};
  const GaussianMixtureLandscape mixture(dim, weights, means, stds);
  CHECK(mixture.weights() == std::vector<double>{1.0 / 6, 3.0 / 6, 2.0 / 6});

  SECTION("f = -log sum_k w_k N(x; m_k, s_k^2 I) computed term by term") {
    for (const double x0 : {-2.5, -1.0, 0.3, 2.0}) {
      for (const double x1 : {-2.0, 0.0, 1.1}) {
        double density = 0;
        double largest_exponent = 0;
        for (std::size_t k = 0; k < 3; ++k) {
          const double r2 = (x0 - means[2 * k]) * (x0 - means[2 * k]) +
                            (x1 - means[2 * k + 1]) * (x1 - means[2 * k + 1]);
          const double s2 = stds[k] * stds[k];
          largest_exponent = std::max(largest_exponent, r2 / (2 * s2));
          density += weights[k] / 6.0 / (2 * pi * s2) * std::exp(-r2 / (2 * s2));
        }
        const std::array<double, 2> x{x0, x1};
        // exp and log of arguments up to L carry relative error ~ L eps; 8 eps (1 + L) bounds it
        const double tolerance = 8 * eps * (1 + largest_exponent);
        CAPTURE(x0, x1, mixture.value(x.data()), -std::log(density), tolerance);
        CHECK(std::abs(mixture.value(x.data()) + std::log(density)) <= tolerance);
      }
    }
  }
  SECTION("far from every component f stays finite: the nearest one dominates") {
    // At x = (40, 0) the naive density underflows to 0; component 2 (mean (1.5, 0)) dominates
    // the others by exp(-600) or more, so f = r^2 / (2 s^2) + log(2 pi s^2) - log w exactly.
    const std::array<double, 2> x{40.0, 0.0};
    const double s2 = 0.64;
    const double expected = 38.5 * 38.5 / (2 * s2) + std::log(2 * pi * s2) - std::log(0.5);
    CHECK(std::isfinite(mixture.value(x.data())));
    CHECK(mixture.value(x.data()) == Approx(expected).epsilon(8 * eps));
  }
  SECTION("the density integrates to 1 (trapezoid on [-8, 8]^2, exponentially accurate)") {
    const int n = 801;
    const double lo = -8, h = 16.0 / (n - 1);
    double total = 0;
    std::array<double, 2> x{};
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        x = {lo + i * h, lo + j * h};
        total += std::exp(-mixture.value(x.data()));
      }
    }
    total *= h * h;
    CAPTURE(total - 1);
    // tails beyond 8 are below exp(-(6.5)^2 / (2 * 0.64)) ~ 1e-14; the trapezoid error for
    // Gaussians of width >= 0.4 sampled at h = 0.02 is below exp(-2 pi^2 (0.4/0.02)^2)
    CHECK(std::abs(total - 1) < 1e-12);
  }
  CHECK_THROWS_AS(GaussianMixtureLandscape(2, {1.0, 1.0}, {0.0, 0.0, 0.0}, {1.0, 1.0}), InputError);
  CHECK_THROWS_AS(GaussianMixtureLandscape(1, {1.0, -1.0}, {0.0, 1.0}, {1.0, 1.0}), InputError);
}

TEST_CASE("Periodic cosine: zero on the lattice L Z^d, 2 A d at the cell centre, period L",
          "[models]") {
  const double A = 0.7, L = 1.3;
  const PeriodicCosineLandscape cosine(3, A, L);
  std::array<double, 3> x{0.0, L, -2 * L}, g{};
  CHECK(cosine.gradient(x.data(), g.data()) == 0.0); // cos of the rounded 2 pi k is exactly 1
  for (double gi : g) {
    // sin of a phase |2 pi k| <= 4 pi rounded to eps: |g| <= A (2 pi / L) 4 pi eps
    CHECK(std::abs(gi) <= A * (2 * pi / L) * 4 * pi * eps);
  }
  std::array<double, 3> centre{L / 2, -L / 2, 1.5 * L};
  CHECK(cosine.value(centre.data()) == Approx(2 * A * 3).epsilon(8 * eps));
  const auto points = relax::test::random_points(50, {-2, -2, -2}, {2, 2, 2}, 7);
  for (std::size_t p = 0; p < 50; ++p) {
    std::array<double, 3> y{points[3 * p], points[3 * p + 1], points[3 * p + 2]};
    const double f = cosine.value(y.data());
    y[1] += L;
    // the phase 2 pi (x + L) / L is rounded at |phase| <= 2 pi 3.3 / 1.3 ~ 16: error ~ 16 eps A
    CHECK(cosine.value(y.data()) == Approx(f).margin(32 * A * eps));
  }
}
