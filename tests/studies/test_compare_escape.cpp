// The pure math of escape rates (solvers/compare_escape.hpp): Jacobi eigenvalues, Kramers'
// formula against its closed forms and as the high-barrier limit of the exact 1D rate, the wells
// of a profile, and the critical points of double wells found from the grid.
#include "core/error.hpp"
#include "models/landscapes.hpp"
#include "studies/compare_escape.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace relax;

namespace {

constexpr double pi = 3.14159265358979323846;

Axis axis(double lo, double hi, int n) {
  Axis a;
  a.lo = lo;
  a.hi = hi;
  a.n = n;
  return a;
}

/// The root of g in [a, b] (g(a), g(b) of opposite signs) by bisection to round-off.
template <typename G> double bisect(G&& g, double a, double b) {
  const bool rising = g(b) > 0;
  for (int i = 0; i < 200; ++i) {
    const double m = 0.5 * (a + b);
    ((g(m) > 0) == rising ? b : a) = m;
  }
  return 0.5 * (a + b);
}

/// R^T diag(d) R for the rotation R by `angle` in the (0, 1) plane of R^3.
std::vector<double> rotated_diagonal(const std::vector<double>& d, double angle) {
  const double c = std::cos(angle);
  const double s = std::sin(angle);
  const double r[3][3] = {{c, -s, 0}, {s, c, 0}, {0, 0, 1}};
  std::vector<double> m(9, 0.0);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 3; ++k) {
        m[static_cast<std::size_t>(i * 3 + j)] +=
            r[k][i] * d[static_cast<std::size_t>(k)] * r[k][j];
      }
    }
  }
  return m;
}

} // namespace

TEST_CASE("Jacobi eigenvalues of a rotated diagonal matrix are its diagonal, ascending",
          "[compare]") {
  const std::vector<double> d = {3.5, -4.25, 0.125};
  const std::vector<double> mu = symmetric_eigenvalues(rotated_diagonal(d, 0.7), 3);
  CAPTURE(mu[0], mu[1], mu[2]);
  CHECK(mu[0] == Approx(-4.25).epsilon(1e-14));
  CHECK(mu[1] == Approx(0.125).epsilon(1e-13));
  CHECK(mu[2] == Approx(3.5).epsilon(1e-14));
  // A full symmetric matrix: trace and determinant are the sum and product of the eigenvalues.
  const std::vector<double> m = {2, 1, 0.5, 1, -3, 0.25, 0.5, 0.25, 1};
  const std::vector<double> e = symmetric_eigenvalues(m, 3);
  const double det =
      2 * (-3 * 1 - 0.25 * 0.25) - 1 * (1 * 1 - 0.25 * 0.5) + 0.5 * (0.25 - 0.5 * -3);
  CHECK(e[0] + e[1] + e[2] == Approx(0).margin(1e-14));
  CHECK(e[0] * e[1] * e[2] == Approx(det).epsilon(1e-13));
  CHECK_THROWS_AS(symmetric_eigenvalues({1, 2, 3}, 2), Error);
}

TEST_CASE("Kramers' formula: sqrt(f''(a)|f''(s)|)/(2 pi) e^(-beta df) in 1D, the Eyring-Kramers "
          "prefactor in 3D whatever the orientation",
          "[compare]") {
  const double beta = 4.0;
  const double k1 = kramers_rate({8.0}, {-4.0}, 1, 1.0, beta);
  CHECK(k1 == Approx(std::sqrt(32.0) / (2 * pi) * std::exp(-4.0)).epsilon(1e-15));
  // H_a = diag(8, 3, 2), H_s = diag(-4, 3, 5): k = 4/(2 pi) sqrt(48 / 60) e^(-beta df).
  const double expected = 4 / (2 * pi) * std::sqrt(48.0 / 60.0) * std::exp(-beta * 1.5);
  for (double angle : {0.0, 0.3, 2.0}) {
    const double k = kramers_rate(rotated_diagonal({8, 3, 2}, angle),
                                  rotated_diagonal({-4, 3, 5}, -angle), 3, 1.5, beta);
    CAPTURE(angle, k, expected);
    CHECK(k == Approx(expected).epsilon(1e-13));
  }
  CHECK_THROWS_AS(kramers_rate({-1.0}, {-4.0}, 1, 1.0, beta), Error); // not a minimum
  CHECK_THROWS_AS(kramers_rate({8.0}, {4.0}, 1, 1.0, beta), Error);   // not a saddle
  CHECK_THROWS_AS(
      kramers_rate(rotated_diagonal({8, 3, 2}, 0), rotated_diagonal({-4, -3, 5}, 0), 3, 1.0, beta),
      Error); // two unstable directions
}

TEST_CASE("Kramers' formula is the high-barrier limit of the exact 1D escape rate: the relative "
          "error falls like 1/beta",
          "[compare]") {
  // Exact mean first-passage time of dX = -f' dt + sqrt(2/beta) dW from the minimum -1 to the
  // minimum +1 of f = (x^2-1)^2 (Gardiner 5.2.7): tau = beta int_-1^1 e^(beta f(x)) int_-3^x
  // e^(-beta f(y)) dy dx, by the trapezoid rule with the exponents shifted by the barrier.
  const auto relative_error = [](double beta) {
    const double h = 2e-5;
    const auto f = [](double x) { return (x * x - 1) * (x * x - 1); };
    double inner = 0;
    double outer = 0;
    double previous_inner_term = std::exp(-beta * f(-3.0));
    double previous_outer_term = 0;
    for (double x = -3 + h; x <= 1 + 1e-12; x += h) {
      const double term = std::exp(-beta * f(x));
      inner += 0.5 * h * (term + previous_inner_term);
      previous_inner_term = term;
      if (x > -1 + 0.5 * h) {
        const double outer_term = std::exp(beta * (f(x) - 1)) * inner;
        outer += 0.5 * h * (outer_term + previous_outer_term);
        previous_outer_term = outer_term;
      }
    }
    const double tau_times_barrier_factor = beta * outer; // tau e^(-beta)
    const double kramers_times_factor = std::sqrt(32.0) / (2 * pi);
    return std::abs(1 / (tau_times_barrier_factor * kramers_times_factor) - 1);
  };
  const std::vector<double> errors = {relative_error(8), relative_error(16), relative_error(32)};
  for (std::size_t k = 0; k + 1 < errors.size(); ++k) {
    const double order = std::log2(errors[k] / errors[k + 1]);
    CAPTURE(errors[k], errors[k + 1], order);
    CHECK(order > 0.8);
    CHECK(order < 1.2);
  }
  // The leading coefficient from Laplace's method to the next order (see test_compare.cpp's
  // escape case): k_K / k - 1 = 0.375 / (beta df) + c2 / (beta df)^2 + ..., so beta e(beta) is
  // 0.375 + c2 / beta: its Richardson extrapolation from beta = 16 and 32 must give 0.375 to the
  // O(beta^-2) remainder (c3 / 16^2 ~ 1e-2 for c3 of order one), and at 8 kT the error lies
  // within 1 / 64 of 0.375 / 8.
  const double extrapolated = 2 * 32 * errors[2] - 16 * errors[1];
  CAPTURE(errors[0], 0.375 / 8, extrapolated);
  CHECK(std::abs(extrapolated - 0.375) < 1e-2);
  CHECK(std::abs(errors[0] - 0.375 / 8) < 1.0 / 64);
}

TEST_CASE("Profile wells: the basin of the start, the lowest other minimum, the highest point "
          "between",
          "[compare]") {
  const auto wells = [](const std::vector<double>& p, std::size_t start) {
    const auto w = find_profile_wells(p, start);
    return w ? std::vector<std::size_t>{w->start_well, w->saddle, w->target_well}
             : std::vector<std::size_t>{};
  };
  using v = std::vector<std::size_t>;
  CHECK(wells({3, 1, 2, 0, 4}, 0) == v{1, 2, 3});
  CHECK(wells({3, 1, 2, 0, 4}, 4) == v{3, 2, 1});
  CHECK(wells({3, 2, 1, 2, 3}, 0).empty());               // one well
  CHECK(wells({0, 1, 2, 1, 3}, 1).empty());               // the start drains to the box edge
  CHECK(wells({3, 1, 1, 2, 0, 0, 4}, 2) == v{1, 3, 4});   // plateaus: one minimum each
  CHECK(wells({5, 1, 3, 0.5, 4, 0, 6}, 1) == v{1, 4, 5}); // the lowest other well, over both bumps
  CHECK(wells({1, 2}, 0).empty());
}

TEST_CASE("The wells of a tilted double well are the roots of f', with curvatures 12 x^2 - 4",
          "[compare]") {
  const double tilt = 0.2;
  const DoubleWellLandscape f(1, 1.0, tilt);
  const auto slope = [&](double x) { return 4 * x * (x * x - 1) + tilt; };
  const double left = bisect(slope, -1.5, -0.5);
  const double middle = bisect(slope, -0.5, 0.5);
  const double right = bisect(slope, 0.5, 1.5);
  const std::optional<TwoWells> wells = find_two_wells(f, {axis(-2.5, 2.7, 173)}, {0.9});
  REQUIRE(wells);
  CAPTURE(wells->start_well.x[0], wells->saddle.x[0], wells->target_well.x[0]);
  CHECK(wells->start_well.x[0] == Approx(right).epsilon(1e-12));
  CHECK(wells->saddle.x[0] == Approx(middle).margin(1e-12));
  CHECK(wells->target_well.x[0] == Approx(left).epsilon(1e-12));
  CHECK(wells->start_well.hessian[0] == Approx(12 * right * right - 4).epsilon(1e-8));
  CHECK(wells->saddle.hessian[0] == Approx(12 * middle * middle - 4).epsilon(1e-8));
  CHECK(wells->barrier() == Approx(f.value(&middle) - f.value(&right)).epsilon(1e-14));
  CHECK(wells->direction() == -1);
  // From the left well the roles swap.
  const std::optional<TwoWells> back = find_two_wells(f, {axis(-2.5, 2.7, 173)}, {-1.3});
  REQUIRE(back);
  CHECK(back->start_well.x[0] == Approx(left).epsilon(1e-12));
  CHECK(back->direction() == 1);
}

TEST_CASE("In 2D the wells and the saddle of a double well with a harmonic transverse direction "
          "are found from the grid profile along x0",
          "[compare]") {
  const DoubleWellLandscape f(2, 1.0, 0.0, {3.0}); // (x^2 - 1)^2 + 1.5 y^2
  const std::vector<Axis> box = {axis(-2.5, 2.5, 60), axis(-1.3, 1.7, 41)};
  const std::optional<TwoWells> wells = find_two_wells(f, box, {-1.0, 0.2});
  REQUIRE(wells);
  CHECK(wells->start_well.x[0] == Approx(-1).epsilon(1e-12));
  CHECK(wells->start_well.x[1] == Approx(0).margin(1e-12));
  CHECK(wells->saddle.x[0] == Approx(0).margin(1e-12));
  CHECK(wells->target_well.x[0] == Approx(1).epsilon(1e-12));
  const double beta = 3;
  const double k =
      kramers_rate(wells->start_well.hessian, wells->saddle.hessian, 2, wells->barrier(), beta);
  // The transverse curvature is the same at the well and the saddle: it cancels.
  CHECK(k == Approx(std::sqrt(32.0) / (2 * pi) * std::exp(-beta)).epsilon(1e-8));
  // One well, or a start outside the box: nothing.
  const QuadraticLandscape ou({1.0, 2.0}, {0.0, 0.0});
  CHECK_FALSE(find_two_wells(ou, box, {-1.0, 0.0}));
  CHECK_FALSE(find_two_wells(f, box, {-3.0, 0.0}));
}

TEST_CASE("Newton on the gradient converges to the critical point next to its start", "[compare]") {
  const MullerBrownLandscape f(0.1);
  const std::vector<Axis> box = {axis(-1.5, 1.2, 10), axis(-0.5, 2.0, 10)};
  // The documented minimum (-0.558, 1.442) and saddle (0.212, 0.293) of Muller-Brown.
  const auto minimum = refine_critical_point(f, {-0.55, 1.45}, box);
  REQUIRE(minimum);
  CHECK(minimum->x[0] == Approx(-0.558).margin(1e-3));
  CHECK(minimum->x[1] == Approx(1.442).margin(1e-3));
  CHECK(minimum->f == Approx(-14.670).margin(2e-3));
  const auto saddle = refine_critical_point(f, {0.2, 0.3}, box);
  REQUIRE(saddle);
  CHECK(saddle->x[0] == Approx(0.212).margin(1e-3));
  CHECK(saddle->x[1] == Approx(0.293).margin(1e-3));
  CHECK(symmetric_eigenvalues(saddle->hessian, 2)[0] < 0);
  CHECK(symmetric_eigenvalues(saddle->hessian, 2)[1] > 0);
  std::vector<double> g(2);
  f.gradient(saddle->x.data(), g.data());
  CHECK(std::abs(g[0]) + std::abs(g[1]) < 1e-9);
}
