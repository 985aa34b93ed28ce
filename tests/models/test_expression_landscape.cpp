// Expression landscapes (muParser): values against the built-in they spell out, the central
// difference gradient against its documented error, given gradients, batch evaluation, errors.
#include "models/expression_landscape.hpp"

#include "core/error.hpp"
#include "landscape_test_support.hpp"
#include "models/landscapes.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <string>

using namespace relax;
using Catch::Contains;

namespace {

constexpr double eps = std::numeric_limits<double>::epsilon();

// The tilted double well with unit transverse stiffness, as an expression and as a built-in.
const std::string double_well_expression = "(x^2-1)^2 + 0.3*x + 0.5*y^2";
const std::string double_well_gradient = "4*x*(x^2-1) + 0.3; y";

} // namespace

TEST_CASE("An expression landscape equals the built-in it spells out", "[models]") {
  const ExpressionLandscape expression(double_well_expression);
  const DoubleWellLandscape builtin(2, 1.0, 0.3, {1.0});
  CHECK(expression.dim() == 2); // inferred from x and y
  CHECK_FALSE(expression.has_gradient_expressions());
  const auto points = relax::test::random_points(200, {-2, -2}, {2, 2}, 11);
  for (std::size_t p = 0; p < 200; ++p) {
    const double* x = &points[2 * p];
    // same terms in another order: a few roundings of terms of size <= 9 + 0.6 + 2
    CHECK(expression.value(x) == Approx(builtin.value(x)).margin(8 * eps * 12));
  }
}

TEST_CASE("Central differences of an expression meet their documented error bound", "[models]") {
  // For f = (x^2-1)^2 + 0.3 x + y^2/2 the central difference with step h errs by exactly
  // h^2 f'''/6 = 4 h^2 x (f^(5) = 0), plus the round-off of f(x +- h): at most 8 eps T / h with T
  // the sum of the magnitudes of the terms. h = eps^(1/3) max(1, |x_i|).
  const ExpressionLandscape expression(double_well_expression);
  const DoubleWellLandscape builtin(2, 1.0, 0.3, {1.0});
  const auto points = relax::test::random_points(300, {-2, -2}, {2, 2}, 12);
  double worst_relative = 0;
  for (std::size_t p = 0; p < 300; ++p) {
    const double* x = &points[2 * p];
    std::array<double, 2> g{}, exact{};
    expression.gradient(x, g.data());
    builtin.gradient(x, exact.data());
    // x^2 - 1 carries eps (x^2 + 1), so (x^2-1)^2 carries ~2 eps (x^2 + 1)^2
    const double terms =
        2 * std::pow(x[0] * x[0] + 1, 2) + 0.3 * std::abs(x[0]) + 0.5 * x[1] * x[1];
    for (int i = 0; i < 2; ++i) {
      const double h = std::cbrt(eps) * std::max(1.0, std::abs(x[i]));
      const double truncation = i == 0 ? 4 * h * h * std::abs(x[0]) : 0.0;
      const double tolerance = truncation + 8 * eps * terms / h;
      const double error = std::abs(g[static_cast<std::size_t>(i)] - exact[i]);
      worst_relative = std::max(worst_relative, error / std::max(1.0, std::abs(exact[i])));
      CAPTURE(p, i, x[0], x[1], error, tolerance);
      CHECK(error <= tolerance);
    }
  }
  CAPTURE(worst_relative);
  CHECK(worst_relative < 1e-9); // the header's "about 1e-10 relative"

  SECTION("a fixed step h gives the truncation error h^2 f'''/6 = h^2 for f = x^3") {
    const double h = 1e-3;
    const ExpressionLandscape cubic("x^3", "", 0, h);
    for (double x : {-1.5, 0.2, 3.0}) {
      double g = 0;
      cubic.gradient(&x, &g);
      // round-off: 8 eps |x+h|^3 / h
      CHECK(std::abs((g - 3 * x * x) - h * h) <= 8 * eps * std::pow(std::abs(x) + h, 3) / h);
    }
  }
}

TEST_CASE("Expression gradients: given exactly or by differences, both agree with f", "[models]") {
  const ExpressionLandscape with_gradient(double_well_expression, double_well_gradient);
  const ExpressionLandscape by_differences("sin(x)*exp(-y^2) + 0.1*z^4 - x*z", "", 0, 0.0);
  const ExpressionLandscape three_d_gradient("sin(x)*exp(-y^2) + 0.1*z^4 - x*z",
                                             "cos(x)*exp(-y^2) - z; -2*y*sin(x)*exp(-y^2); "
                                             "0.4*z^3 - x");
  CHECK(with_gradient.has_gradient_expressions());
  CHECK(by_differences.dim() == 3);
  const auto points_2d = relax::test::random_points(200, {-2, -2}, {2, 2}, 13);
  const auto points_3d = relax::test::random_points(200, {-2, -2, -2}, {2, 2, 2}, 14);

  SECTION("the given gradient equals the built-in's to round-off") {
    const DoubleWellLandscape builtin(2, 1.0, 0.3, {1.0});
    for (std::size_t p = 0; p < 200; ++p) {
      std::array<double, 2> g{}, exact{};
      with_gradient.gradient(&points_2d[2 * p], g.data());
      builtin.gradient(&points_2d[2 * p], exact.data());
      CHECK(g[0] == Approx(exact[0]).margin(8 * eps * 40)); // terms |4 x^3| <= 32
      CHECK(g[1] == exact[1]);
    }
  }
  SECTION("every gradient passes the central-difference check") {
    relax::test::check_gradient_by_differences(with_gradient, points_2d, 15.0);
    relax::test::check_gradient_by_differences(three_d_gradient, points_3d, 8.0);
  }
  SECTION("the built-in differences agree with the exact gradient to the FD bound") {
    for (std::size_t p = 0; p < 200; ++p) {
      std::array<double, 3> g{}, exact{};
      by_differences.gradient(&points_3d[3 * p], g.data());
      three_d_gradient.gradient(&points_3d[3 * p], exact.data());
      for (std::size_t i = 0; i < 3; ++i) {
        // |f'''| <= max(1, 4, 2.4 |z|) <= 5 on the box and the terms sum to <= 8:
        // h^2 5 / 6 + 8 eps 8 / h ~ 3e-11 max(1, |x_i|)^2
        const double h = std::cbrt(eps) * std::max(1.0, std::abs(points_3d[3 * p + i]));
        CHECK(std::abs(g[i] - exact[i]) <= h * h * 5.0 / 6 + 8 * eps * 8.0 / h);
      }
    }
  }
  SECTION("batch evaluation equals single-point evaluation bit for bit") {
    relax::test::check_batch_matches_points(with_gradient, points_2d);
    relax::test::check_batch_matches_points(by_differences, points_3d);
  }
}

TEST_CASE("Expression dimension: inferred from the variables, or given and checked", "[models]") {
  CHECK(ExpressionLandscape("2 + _pi").dim() == 1);
  CHECK(ExpressionLandscape("y^2").dim() == 2);
  CHECK(ExpressionLandscape("z").dim() == 3);
  CHECK(ExpressionLandscape("x^2", "", 3).dim() == 3);
  CHECK_THROWS_WITH(ExpressionLandscape("x + y", "", 1), Contains("landscape.expr = 'x + y'") &&
                                                             Contains("uses y") &&
                                                             Contains("landscape.dim = 1"));
  CHECK_THROWS_WITH(ExpressionLandscape("x", "", 4), Contains("landscape.dim = '4'"));
  CHECK_THROWS_WITH(ExpressionLandscape("x", "", 0, -1.0),
                    Contains("landscape.fd_step = '-1'") && Contains("expected"));
}

TEST_CASE("muParser errors are InputErrors naming the key, the expression and the position",
          "[models]") {
  CHECK_THROWS_AS(ExpressionLandscape("(x^2-1"), InputError);
  CHECK_THROWS_WITH(ExpressionLandscape("(x^2-1"),
                    Contains("landscape.expr = '(x^2-1'") &&
                        Contains("muParser: Missing parenthesis at position 6"));
  CHECK_THROWS_WITH(ExpressionLandscape("x + w"), Contains("landscape.expr = 'x + w'") &&
                                                      Contains("\"w\"") && Contains("position 4") &&
                                                      Contains("the variables are x, y, z"));
  CHECK_THROWS_WITH(ExpressionLandscape("x *"), Contains("end of expression at position 3"));
  CHECK_THROWS_WITH(ExpressionLandscape("  "),
                    Contains("landscape.expr = ''") && Contains("expected an expression"));

  SECTION("gradient expressions") {
    CHECK_THROWS_WITH(ExpressionLandscape("x^2 + y^2", "2*x"),
                      Contains("landscape.gradient = '2*x'") && Contains("expected 2") &&
                          Contains("separated by ';'") && Contains("got 1"));
    CHECK_THROWS_WITH(ExpressionLandscape("x^2 + y^2", "2*x; 2*y; 0"), Contains("got 3"));
    CHECK_THROWS_WITH(ExpressionLandscape("x^2 + y^2", "2*x; 2*y+"),
                      Contains("landscape.gradient = '2*x; 2*y+'") &&
                          Contains("component 2, '2*y+'") && Contains("position 4"));
    CHECK_THROWS_WITH(ExpressionLandscape("x^2 + y^2", "2*x;"), Contains("component 2, ''"));
    CHECK_THROWS_WITH(ExpressionLandscape("x^2", "2*x + y"),
                      Contains("uses y") && Contains("dimension 1"));
  }
}
