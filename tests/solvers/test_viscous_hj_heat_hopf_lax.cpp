// Off-grid values of grid solutions and the two limits of the viscous HJ equation: the quadratic
// interpolant's orders (values h^3, gradients h^2) and its sub-grid minimizer against a landscape
// whose f_gamma minimizer is known exactly; the heat equation and Hopf–Lax against closed forms
// (quadratics, a cosine), Hopf–Lax's order against Newton-solved proximal points, its gradient
// (x - prox)/t, viscous -> inviscid as nu -> 0 with the Laplace constant; bad input; rank
// invariance.
#include "solvers/viscous_hj_heat_hopf_lax.hpp"

#include "core/error.hpp"
#include "fp_test_support.hpp"
#include "models/landscapes.hpp"
#include "solvers/viscous_hj_interpolation.hpp"
#include "test_viscous_hj_support.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace relax;
using relax::test::make_axis;

namespace {

const double pi = std::acos(-1.0);

GridField field_of(const Grid& grid, const std::function<double(const double*)>& f) {
  GridField field(grid);
  field.fill(f);
  return field;
}

/// A smooth 2D field and its gradient.
double smooth(const double* x) {
  return std::sin(1.3 * x[0]) * std::cos(0.7 * x[1]) + 0.2 * x[0] * x[1];
}
double smooth_dx(const double* x) {
  return 1.3 * std::cos(1.3 * x[0]) * std::cos(0.7 * x[1]) + 0.2 * x[1];
}

/// The convex quartic f = y^4/4 + y^2/2, its proximal point at x by Newton (y^3 + y + (y - x)/t =
/// 0) and the Hopf–Lax value min_y f(y) + (x - y)^2/(2t).
double quartic(double y) {
  return y * y * y * y / 4 + y * y / 2;
}
double quartic_prox(double x, double t) {
  double y = x / (1 + t);
  for (int i = 0; i < 50; ++i) {
    y -= (y * y * y + y + (y - x) / t) / (3 * y * y + 1 + 1 / t);
  }
  return y;
}
double quartic_hopf_lax(double x, double t) {
  const double y = quartic_prox(x, t);
  return quartic(y) + (x - y) * (x - y) / (2 * t);
}

HamiltonJacobiProblem viscous(double nu) {
  HamiltonJacobiProblem problem;
  problem.nu = nu;
  return problem;
}

} // namespace

TEST_CASE("Interpolation: values O(h^3), gradients O(h^2), exact for quadratics",
          "[solvers][hj][interpolation]") {
  const std::vector<std::vector<double>> points{{0.13, -0.41}, {-1.97, 1.2}, {1.999, -1.999}};
  std::vector<double> h;
  std::vector<double> value_error;
  std::vector<double> gradient_error;
  for (int n : {20, 40, 80}) {
    const Grid grid(PETSC_COMM_WORLD, {make_axis(-2, 2, n), make_axis(-2, 2, n)});
    const GridField u = field_of(grid, smooth);
    double worst_value = 0;
    double worst_gradient = 0;
    for (const auto& x : points) {
      const FieldPoint p = interpolate(u, x.data());
      worst_value = std::max(worst_value, std::abs(p.value - smooth(x.data())));
      worst_gradient = std::max(worst_gradient, std::abs(p.gradient[0] - smooth_dx(x.data())));
    }
    h.push_back(4.0 / n);
    value_error.push_back(worst_value);
    gradient_error.push_back(worst_gradient);
  }
  const double value_order = test::least_squares_order(h, value_error);
  const double gradient_order = test::least_squares_order(h, gradient_error);
  INFO("value errors " << value_error[0] << " " << value_error[1] << " " << value_error[2]
                       << " order " << value_order << "; gradient errors " << gradient_error[0]
                       << " " << gradient_error[1] << " " << gradient_error[2] << " order "
                       << gradient_order);
  CHECK(value_order > 2.7);
  CHECK(value_order < 3.5);
  CHECK(gradient_order > 1.8);
  CHECK(value_error[2] < 1e-4);

  // A field quadratic in each axis (with the mixed term) is reproduced to rounding, derivatives
  // too.
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-1, 3, 9, Boundary::periodic), make_axis(0, 1, 5)});
  const auto q = [](const double* x) {
    return 1 + 2 * x[0] - x[1] + 0.5 * x[0] * x[0] * x[1] * x[1];
  };
  const GridField u = field_of(grid, q);
  const double x[2] = {0.31, 0.93}; // away from the periodic seam: the quadratic is not periodic
  const FieldPoint p = interpolate(u, x);
  CHECK(p.value == Approx(q(x)).margin(1e-13));
  CHECK(p.gradient[0] == Approx(2 + x[0] * x[1] * x[1]).margin(1e-12));
  CHECK(p.hessian[1] == Approx(2 * x[0] * x[1]).margin(1e-12));
  CHECK(p.hessian[3] == Approx(x[0] * x[0]).margin(1e-12));
  const double outside[2] = {3.5, 0.5};
  CHECK_THROWS_AS(interpolate(u, outside), InputError);
}

TEST_CASE("The minimizer of f_gamma refined below the grid converges at O(h^2)",
          "[solvers][hj][interpolation]") {
  // f point-symmetric about m: f(m + z) = f(m - z), so f_gamma is too and its minimizer is m
  // exactly. The rotated anisotropic quartic exercises the mixed derivatives.
  const double m[2] = {0.3712, -0.2293};
  const auto f = [&](const double* x) {
    const double a = x[0] - m[0];
    const double b = x[1] - m[1];
    return std::cosh(a + 0.4 * b) + 0.5 * b * b + 0.1 * a * a * a * a;
  };
  std::vector<double> h;
  std::vector<double> cell_error;
  std::vector<double> refined_error;
  for (int n : {40, 80, 160}) {
    const Grid grid(PETSC_COMM_WORLD, {make_axis(-4, 4, n), make_axis(-4, 4, n)});
    const ColeHopfSolver solver(grid, field_of(grid, f), viscous(0.5));
    const GridField u = solver.solve(0.3);
    const FieldMinimum cell = field_minimum(u);
    const RefinedMinimum refined = refined_minimum(u);
    h.push_back(8.0 / n);
    cell_error.push_back(std::hypot(cell.location[0] - m[0], cell.location[1] - m[1]));
    refined_error.push_back(std::hypot(refined.location[0] - m[0], refined.location[1] - m[1]));
    CHECK(refined.value <= cell.value);
  }
  const double order = test::least_squares_order(h, refined_error);
  INFO("cell-centre errors " << cell_error[0] << " " << cell_error[1] << " " << cell_error[2]
                             << "; refined " << refined_error[0] << " " << refined_error[1] << " "
                             << refined_error[2] << ", order " << order);
  CHECK(order > 1.8);
  CHECK(refined_error[2] < 0.02 * cell_error[2]);
}

TEST_CASE("Heat equation: quadratic and cosine closed forms, gradients at points",
          "[solvers][hj][heat]") {
  // f = a x^2/2 + b y^2/2: u = f + nu t (a + b) (the lattice kernel's variance is 2 nu t to
  // aliasing); within |x| <= 3 of a box of half-width 8 the mirror images weigh below e^-30.
  const double nu = 0.25;
  const double t = 0.4;
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-8, 8, 160), make_axis(-8, 8, 128)});
  const auto f = [](const double* x) { return 1.5 * x[0] * x[0] / 2 + 0.5 * x[1] * x[1] / 2; };
  const HeatSolver heat(grid, field_of(grid, f), nu);
  GridField u(grid);
  heat.solve(t, u);
  const double error = test::max_error(
      u, [&](const double* x) { return f(x) + nu * t * 2.0; },
      [](const double* x) { return std::abs(x[0]) <= 3 && std::abs(x[1]) <= 3; });
  INFO("quadratic heat error " << error);
  CHECK(error < 1e-11);
  const double x[2] = {0.77, -1.31};
  const HamiltonJacobiPoint point = heat.evaluate(x, t);
  CHECK(point.u == Approx(f(x) + 2 * nu * t).margin(1e-11));
  CHECK(point.gradient[0] == Approx(1.5 * x[0]).margin(1e-10));
  CHECK(point.gradient[1] == Approx(0.5 * x[1]).margin(1e-10));

  // cos(k x) on the circle decays as exp(-nu k^2 t).
  const Grid circle(PETSC_COMM_WORLD, {make_axis(0, 2 * pi, 64, Boundary::periodic)});
  const HeatSolver wave(circle,
                        field_of(circle, [](const double* y) { return std::cos(3 * y[0]); }), nu);
  GridField u_wave(circle);
  wave.solve(t, u_wave);
  const double decay = std::exp(-nu * 9 * t);
  CHECK(test::max_error(
            u_wave, [&](const double* y) { return decay * std::cos(3 * y[0]); },
            [](const double*) { return true; }) < 1e-13);

  const Grid absorbing(PETSC_COMM_WORLD, {make_axis(-1, 1, 10, Boundary::absorbing)});
  CHECK_THROWS_AS(HeatSolver(absorbing, GridField(absorbing), nu), InputError);
}

TEST_CASE("Hopf-Lax: quadratic closed form, order h^3, gradient (x - prox)/t",
          "[solvers][hj][hopf_lax]") {
  // f = a|x|^2/2: u = a|x|^2/(2(1 + a t)), prox = x/(1 + a t), exact on the grid (the refinement
  // is exact for quadratic data).
  const double t = 0.7;
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-3, 3, 41), make_axis(-3, 3, 36)});
  const double a[2] = {2.0, 0.5};
  const auto f = [&](const double* x) { return a[0] * x[0] * x[0] / 2 + a[1] * x[1] * x[1] / 2; };
  const auto exact = [&](const double* x) {
    return a[0] * x[0] * x[0] / (2 * (1 + a[0] * t)) + a[1] * x[1] * x[1] / (2 * (1 + a[1] * t));
  };
  const HopfLaxSolver hopf_lax(grid, field_of(grid, f));
  GridField u(grid);
  hopf_lax.solve(t, u);
  CHECK(test::max_error(u, exact, [](const double*) { return true; }) < 1e-12);
  const double x[2] = {1.234, -0.567};
  const HamiltonJacobiPoint point = hopf_lax.evaluate(x, t);
  CHECK(point.u == Approx(exact(x)).margin(1e-12));
  for (int k = 0; k < 2; ++k) {
    const double prox = x[k] / (1 + a[k] * t);
    CHECK(point.mean[static_cast<std::size_t>(k)] == Approx(prox).margin(1e-12));
    CHECK(point.gradient[static_cast<std::size_t>(k)] == Approx((x[k] - prox) / t).margin(1e-12));
  }

  // The quartic: grid values and the gradient at points against Newton's proximal point.
  std::vector<double> h;
  std::vector<double> value_error;
  std::vector<double> gradient_error;
  const std::vector<double> points{-1.37, 0.051, 0.9};
  for (int n : {40, 80, 160}) {
    const Grid line(PETSC_COMM_WORLD, {make_axis(-2, 2, n)});
    const HopfLaxSolver solver(line, field_of(line, [](const double* y) { return quartic(y[0]); }));
    GridField v(line);
    solver.solve(t, v);
    double worst = test::max_error(
        v, [&](const double* y) { return quartic_hopf_lax(y[0], t); },
        [](const double*) { return true; });
    double worst_gradient = 0;
    for (double p : points) {
      const HamiltonJacobiPoint at = solver.evaluate(&p, t);
      worst = std::max(worst, std::abs(at.u - quartic_hopf_lax(p, t)));
      worst_gradient =
          std::max(worst_gradient, std::abs(at.gradient[0] - (p - quartic_prox(p, t)) / t));
    }
    h.push_back(4.0 / n);
    value_error.push_back(worst);
    gradient_error.push_back(worst_gradient);
  }
  const double value_order = test::least_squares_order(h, value_error);
  const double gradient_order = test::least_squares_order(h, gradient_error);
  INFO("Hopf-Lax quartic value errors "
       << value_error[0] << " " << value_error[1] << " " << value_error[2] << " order "
       << value_order << "; gradient " << gradient_error[0] << " " << gradient_error[1] << " "
       << gradient_error[2] << " order " << gradient_order);
  CHECK(value_order > 2.7);
  CHECK(gradient_order > 1.8);
}

TEST_CASE("Viscous -> inviscid: u_nu = u_0 + nu log(1 + t f''(prox)) + O(nu^2)",
          "[solvers][hj][hopf_lax]") {
  // Laplace's method on the Cole-Hopf integral. h = 0.01 keeps the tilted Gaussian's variance
  // 2 nu t/(1 + t f'') >= 1e-3 far above h^2, so the lattice sum is exact to aliasing.
  const double t = 1.0;
  const Grid line(PETSC_COMM_WORLD, {make_axis(-3, 3, 600)});
  const GridField f = field_of(line, [](const double* y) { return quartic(y[0]); });
  const HopfLaxSolver hopf_lax(line, f);
  const std::vector<double> points{-0.8, 0.3, 1.1};
  std::vector<double> nus;
  std::vector<double> residual;
  for (double nu : {0.04, 0.02, 0.01}) {
    const ColeHopfSolver cole_hopf(line, f, viscous(nu));
    double worst = 0;
    for (double x : points) {
      const double prox = quartic_prox(x, t);
      const double laplace = std::log(1 + t * (3 * prox * prox + 1));
      const double slope = (cole_hopf.evaluate(&x, t).u - hopf_lax.evaluate(&x, t).u) / nu;
      worst = std::max(worst, std::abs(slope - laplace));
    }
    nus.push_back(nu);
    residual.push_back(worst);
  }
  const double order = test::least_squares_order(nus, residual);
  INFO("(u_nu - u_0)/nu - Laplace: " << residual[0] << " " << residual[1] << " " << residual[2]
                                     << ", order in nu " << order);
  CHECK(order > 0.85);
  CHECK(order < 1.15);
  CHECK(residual[2] < 0.05);
}

TEST_CASE("Heat, Hopf-Lax and the interpolant have the same bits at any rank count",
          "[solvers][hj][mpi]") {
  const std::vector<Axis> axes{make_axis(0, 2 * pi, 30, Boundary::periodic), make_axis(-2, 2, 26)};
  const Grid grid(PETSC_COMM_WORLD, axes);
  const Grid serial(PETSC_COMM_SELF, axes);
  const auto f = [](const double* x) { return std::sin(x[0]) + x[1] * x[1] * x[1] * x[1] / 4; };
  const GridField f_grid = field_of(grid, f);
  const GridField f_serial = field_of(serial, f);
  GridField u(grid);
  GridField u_serial(serial);
  HeatSolver(grid, f_grid, 0.3).solve(0.5, u);
  HeatSolver(serial, f_serial, 0.3).solve(0.5, u_serial);
  CHECK(test::max_difference_to_serial(u, u_serial) == 0.0);
  const HopfLaxSolver hopf_lax(grid, f_grid);
  const HopfLaxSolver hopf_lax_serial(serial, f_serial);
  hopf_lax.solve(0.5, u);
  hopf_lax_serial.solve(0.5, u_serial);
  CHECK(test::max_difference_to_serial(u, u_serial) == 0.0);
  const double x[2] = {6.1, 0.77};
  const HamiltonJacobiPoint p = hopf_lax.evaluate(x, 0.5);
  const HamiltonJacobiPoint p_serial = hopf_lax_serial.evaluate(x, 0.5);
  CHECK(p.u == p_serial.u);
  CHECK(p.gradient == p_serial.gradient);
  const FieldPoint i = interpolate(u, x);
  const FieldPoint i_serial = interpolate(u_serial, x);
  CHECK(i.value == i_serial.value);
  CHECK(i.gradient == i_serial.gradient);
  CHECK(refined_minimum(u).location == refined_minimum(u_serial).location);
}
