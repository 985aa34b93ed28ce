// The viscous HJ solvers against closed forms: the quadratic (1D, 2D), the Gaussian mixture, f in
// the thousands, the rugged landscape's minimizers, and the finite differences with a drift
// (Riccati); bad input; and rank invariance at 1, 2 and 3 ranks.
#include "solvers/viscous_hj.hpp"

#include "core/error.hpp"
#include "fp_test_support.hpp"
#include "models/landscapes.hpp"
#include "test_viscous_hj_support.hpp"
#include "tests/models/rugged_local_entropy.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <memory>
#include <vector>

using namespace relax;
using relax::test::make_axis;

namespace {

const double pi = std::acos(-1.0);

/// The aliasing error of the midpoint rule for a Gaussian integrand of variance s2 on spacing h,
/// relative (Poisson summation: 2 exp(-2 pi^2 s2/h^2) and the same again for the kernel's lattice
/// normalization, whose variance is larger).
double aliasing(double s2, double h) {
  return 4.1 * std::exp(-2 * pi * pi * s2 / (h * h));
}

/// f = sum a_k (x_k - c_k)^2/2: u(x, t) = sum a_k (x_k - c_k)^2/(2(1 + a_k c t)) + (nu/c) sum
/// log(1 + a_k c t).
struct QuadraticClosedForm {
  std::vector<double> a;
  std::vector<double> centre;
  double nu;
  double c;
  double u(const double* x, double t) const {
    double value = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
      const double d = x[k] - centre[k];
      value += a[k] * d * d / (2 * (1 + a[k] * c * t)) + nu / c * std::log(1 + a[k] * c * t);
    }
    return value;
  }
  /// Bound on |u_h - u| from the quadrature: the integrand along axis k is Gaussian of variance
  /// 2 nu t/(1 + a_k c t).
  double quadrature_bound(const Grid& grid, double t) const {
    double bound = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
      bound += aliasing(2 * nu * t / (1 + a[k] * c * t), grid.axis(static_cast<int>(k)).h());
    }
    return 2 * nu / c * bound;
  }
};

HamiltonJacobiProblem problem_of(double nu, double c) {
  HamiltonJacobiProblem problem;
  problem.nu = nu;
  problem.c = c;
  return problem;
}

} // namespace

TEST_CASE(
    "Cole-Hopf: the quadratic's local entropy is a|x|^2/(2(1 + a c t)) + (nu d/c) log(1 + a c "
    "t) (normalized kernel), 1D and 2D",
    "[solvers][hj]") {
  // Reflecting walls 8 from the centre; compared within 3 of it, where the mirror images weigh
  // at most exp(-(c a/(nu (1 + a c t))) 8 (8 - 3)) <= e^-40 relative.
  struct Case {
    std::vector<Axis> axes;
    std::vector<double> a;
    std::vector<double> centre;
    std::vector<double> times; ///< kernel resolved: 2 nu t >~ h^2
  };
  const std::vector<Case> cases = {
      {{make_axis(-7, 9, 320)}, {1.0}, {1.0}, {0.0, 0.002, 0.01, 0.1, 1.0}},
      {{make_axis(-7, 9, 160), make_axis(-8.5, 7.5, 160)},
       {1.0, 3.0},
       {1.0, -0.5},
       {0.0, 0.01, 0.1, 1.0}}};
  for (const Case& setup : cases) {
    const Grid grid(PETSC_COMM_WORLD, setup.axes);
    const QuadraticLandscape f(setup.a, setup.centre);
    for (const auto& [nu, c] : {std::pair<double, double>{0.5, 1.0}, {0.3, 2.0}}) {
      const QuadraticClosedForm exact{setup.a, setup.centre, nu, c};
      const ColeHopfSolver solver(grid, f, problem_of(nu, c));
      const auto inside = [&](const double* x) {
        bool is_inside = true;
        for (std::size_t k = 0; k < setup.a.size(); ++k) {
          is_inside = is_inside && std::fabs(x[k] - setup.centre[k]) <= 3;
        }
        return is_inside;
      };
      for (double t : setup.times) {
        const GridField u = solver.solve(t);
        const double error = test::max_error(
            u, [&](const double* x) { return exact.u(x, t); }, inside);
        // Round-off: u is O(10) and the sums are of positive terms.
        const double bound = (t > 0 ? exact.quadrature_bound(grid, t) : 0.0) + 1e-12;
        INFO("dim " << grid.dim() << ", nu " << nu << ", c " << c << ", t " << t << ": error "
                    << error << ", bound " << bound);
        CHECK(error <= bound);
      }
    }
  }
}

TEST_CASE("Cole-Hopf: a Gaussian-mixture exp(-f) has the local entropy -log sum_k w_k N(x; m_k, "
          "(s_k^2 + gamma) I)",
          "[solvers][hj]") {
  // nu = 1/2, c = 1: G_gamma * exp(-f) widens every component by gamma. The box [-8, 8]^2
  // truncates the convolution (absorbing); within |x| <= 3 the truncated mass is below
  // exp(-5^2/(2 * 0.6^2)) = e^-35 relative (every tilted component sits within 3 of the origin
  // with standard deviation <= 0.6).
  const std::vector<double> weights{0.3, 0.5, 0.2};
  const std::vector<double> means{-1.0, 0.0, 1.5, 1.0, 0.0, -1.5};
  const std::vector<double> stds{0.5, 0.6, 0.3};
  const GaussianMixtureLandscape f(2, weights, means, stds);
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-8, 8, 256, Boundary::absorbing),
                                     make_axis(-8, 8, 256, Boundary::absorbing)});
  const ColeHopfSolver solver(grid, f, problem_of(0.5, 1.0));
  const double h = grid.axis(0).h();
  for (double gamma : {0.01, 0.1, 1.0}) {
    const auto exact = [&](const double* x) {
      double sum = 0;
      for (std::size_t k = 0; k < 3; ++k) {
        const double s2 = stds[k] * stds[k] + gamma;
        const double dx = x[0] - means[2 * k];
        const double dy = x[1] - means[2 * k + 1];
        sum += weights[k] * std::exp(-(dx * dx + dy * dy) / (2 * s2)) / (2 * pi * s2);
      }
      return -std::log(sum);
    };
    double bound = aliasing(gamma, h); // the kernel's normalization
    for (double s : stds) {
      bound += 2 * aliasing(s * s * gamma / (s * s + gamma), h); // per component, two axes
    }
    bound += 1e-12;
    const double error = test::max_error(solver.solve(gamma), exact, [](const double* x) {
      return std::fabs(x[0]) <= 3 && std::fabs(x[1]) <= 3;
    });
    INFO("gamma " << gamma << ": error " << error << ", bound " << bound);
    CHECK(error <= bound);
  }
}

TEST_CASE("Cole-Hopf: f up to 1.3e4 gives finite u equal to the closed form (no exp(-f) formed)",
          "[solvers][hj]") {
  // f = 5000 + 500 |x|^2/2 on [-4, 4]^2: 5000 <= f <= 13000, exp(-f) underflows everywhere.
  // Absorbing walls: the tilted Gaussians sit within 4/(1 + 500 gamma) of 0 with standard
  // deviation <= 0.045, so the truncation is nil on the whole box.
  class Shifted final : public Landscape {
  public:
    int dim() const override { return 2; }
    std::string describe() const override { return "5000 + 250 |x|^2"; }
    double value(const double* x) const override {
      return 5000 + 250 * (x[0] * x[0] + x[1] * x[1]);
    }
    double gradient(const double* x, double* g) const override {
      g[0] = 500 * x[0];
      g[1] = 500 * x[1];
      return value(x);
    }
  };
  const Shifted f;
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-4, 4, 256, Boundary::absorbing),
                                     make_axis(-4, 4, 256, Boundary::absorbing)});
  const ColeHopfSolver solver(grid, f, problem_of(0.5, 1.0));
  const QuadraticClosedForm quadratic{{500.0, 500.0}, {0.0, 0.0}, 0.5, 1.0};
  for (double gamma : {0.01, 0.1, 1.0}) {
    const GridField u = solver.solve(gamma);
    const double error = test::max_error(
        u, [&](const double* x) { return 5000 + quadratic.u(x, gamma); },
        [](const double*) { return true; });
    // Round-off: the log-domain sums carry |c f/(2 nu)| <= 1.3e4 at relative 2.2e-16 through a
    // few hundred terms per axis: ~1e-11.
    const double bound = quadratic.quadrature_bound(grid, gamma) + 1e-10;
    INFO("gamma " << gamma << ": error " << error << ", bound " << bound);
    CHECK(error <= bound); // a NaN or Inf fails here too
  }
}

TEST_CASE("Rugged landscape: f is smallest in the sharp well, f_gamma in the wide valley beyond "
          "gamma* (independent quadrature)",
          "[solvers][hj]") {
  const RuggedLandscape rugged;
  const RuggedParameters& q = rugged.parameters();
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-4, 4, 1600)});
  const ColeHopfSolver solver(grid, rugged, problem_of(0.5, 1.0));
  const auto minimizer = [&](double gamma) {
    return field_minimum(solver.solve(gamma)).location[0];
  };
  const double f_minimizer = minimizer(0.0);
  INFO("minimizer of f: " << f_minimizer);
  CHECK(std::fabs(f_minimizer - q.sharp_centre) < 0.01);
  for (double gamma : {1e-3, 0.01, 0.03, 0.045}) {
    const double x = minimizer(gamma);
    INFO("gamma " << gamma << ": minimizer of f_gamma " << x);
    CHECK(std::fabs(x - q.sharp_centre) < 0.1);
  }
  for (double gamma : {0.055, 0.1, 0.3, 1.0, 3.0}) {
    const double x = minimizer(gamma);
    INFO("gamma " << gamma << ": minimizer of f_gamma " << x);
    CHECK(std::fabs(x - q.valley_centre) <= 2 * q.valley_width);
  }
  // The threshold by bisection.
  double below = 0.03;
  double above = 0.07;
  while (above - below > 1e-5) {
    const double middle = 0.5 * (below + above);
    (std::fabs(minimizer(middle) - q.sharp_centre) < 0.1 ? below : above) = middle;
  }
  const double threshold = 0.5 * (below + above);
  // Against gamma* of an independent quadrature (Gauss–Legendre panels, continuous minimization:
  // tests/models/rugged_local_entropy.hpp), in the band that sampling the minima at cell centres
  // (h = 0.005) and the two bisections allow. The Cole–Hopf lattice convolution of the smooth
  // exp(-f) is spectrally accurate at sqrt(gamma) / h ~ 44 cells per kernel width.
  const testing::RuggedLocalEntropy independent(rugged);
  const double gamma_star = independent.gamma_star(1e-6);
  const double band = independent.grid_band(gamma_star, grid.axis(0).h(), 1e-5) + 5e-7;
  INFO("gamma* = " << threshold << ", independent " << gamma_star << ", band " << band);
  CHECK(std::fabs(threshold - gamma_star) < band);
}

TEST_CASE("Finite differences with a drift h = b x match the Riccati solution at first order",
          "[solvers][hj]") {
  // u_t + c u_x^2/2 + b x u_x = nu u_xx from a x^2/2: u = A(t) x^2/2 + C(t) with
  // 1/A = (1/a + c/(2b)) e^(2bt) - c/(2b) and C = (nu/c) (log(a/A) - 2bt). Characteristics leave
  // through the walls (c A + b > 0), so the Neumann boundary layers stay at the walls; compared
  // on |x| <= 2.
  const double a = 1.0;
  const double b = 0.5;
  const double c = 1.0;
  const double nu = 0.5;
  const double t_end = 0.5;
  const double A = 1 / ((1 / a + c / (2 * b)) * std::exp(2 * b * t_end) - c / (2 * b));
  const double C = nu / c * (std::log(a / A) - 2 * b * t_end);
  HamiltonJacobiProblem problem = problem_of(nu, c);
  problem.drift = [b](const double* x, double* h) { h[0] = b * x[0]; };
  std::vector<double> errors;
  for (int n : {80, 160, 320}) {
    const Grid grid(PETSC_COMM_WORLD, {make_axis(-4, 4, n)});
    HamiltonJacobiOptions options;
    options.dt = grid.axis(0).h() / 4;
    options.prefix = "hjriccati_";
    HamiltonJacobiSolver solver(grid, problem, options);
    GridField u(grid);
    u.fill([&](const double* x) { return a * x[0] * x[0] / 2; });
    solver.advance_to(t_end, u);
    errors.push_back(test::max_error(
        u, [&](const double* x) { return A * x[0] * x[0] / 2 + C; },
        [](const double* x) { return std::fabs(x[0]) <= 2; }));
  }
  test::check_orders("Riccati max error", errors, 0.8, 1.2);
}

TEST_CASE("Bad input to the viscous HJ solvers is an InputError", "[solvers][hj]") {
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-1, 1, 10)});
  const QuadraticLandscape f({1.0}, {0.0});
  CHECK_THROWS_AS(ColeHopfSolver(grid, f, problem_of(0.0, 1.0)), InputError);
  CHECK_THROWS_AS(ColeHopfSolver(grid, f, problem_of(-1.0, 1.0)), InputError);
  CHECK_THROWS_AS(ColeHopfSolver(grid, f, problem_of(0.5, 0.0)), InputError);
  HamiltonJacobiProblem drifted = problem_of(0.5, 1.0);
  drifted.drift = [](const double*, double* h) { h[0] = 1; };
  CHECK_THROWS_AS(ColeHopfSolver(grid, f, drifted), InputError);
  CHECK_THROWS_AS(HamiltonJacobiSolver(grid, problem_of(0.0, 1.0)), InputError);
  const Grid absorbing(PETSC_COMM_WORLD, {make_axis(-1, 1, 10, Boundary::absorbing)});
  CHECK_THROWS_AS(HamiltonJacobiSolver(absorbing, problem_of(0.5, 1.0)), InputError);
}

TEST_CASE("Cole-Hopf in 3D: the quadratic's closed form and the same bits at 1, 2 and 3 ranks",
          "[solvers][hj][mpi]") {
  // Three boundary kinds, one per axis. Within |x_k| <= 3 the mirror images and the truncation
  // at 8 weigh below e^-26 relative (the tilted Gaussians sit within 3/(1 + a t) of 0 with
  // standard deviation <= 0.82).
  const std::vector<Axis> axes{make_axis(-8, 8, 32), make_axis(-8, 8, 30, Boundary::absorbing),
                               make_axis(-8, 8, 28)};
  const std::vector<double> a{1.0, 2.0, 0.5};
  const QuadraticLandscape f(a, {0.0, 0.0, 0.0});
  const QuadraticClosedForm exact{a, {0.0, 0.0, 0.0}, 0.5, 1.0};
  const Grid grid(PETSC_COMM_WORLD, axes);
  const Grid serial(PETSC_COMM_SELF, axes);
  const double t = 1.0;
  const GridField u = ColeHopfSolver(grid, f, problem_of(0.5, 1.0)).solve(t);
  const GridField u_serial = ColeHopfSolver(serial, f, problem_of(0.5, 1.0)).solve(t);
  CHECK(test::max_difference_to_serial(u, u_serial) == 0.0);
  const double error = test::max_error(
      u, [&](const double* x) { return exact.u(x, t); },
      [](const double* x) {
        return std::fabs(x[0]) <= 3 && std::fabs(x[1]) <= 3 && std::fabs(x[2]) <= 3;
      });
  const double bound = exact.quadrature_bound(grid, t) + 1e-10;
  INFO("3D: error " << error << ", bound " << bound);
  CHECK(error <= bound);
}

TEST_CASE("Cole-Hopf, finite differences, minimizer, gradient and particles agree at 1, 2 and 3 "
          "ranks",
          "[solvers][hj][mpi]") {
  // Mixed boundaries: periodic in x, reflecting in y. Every rank also solves the same problem on
  // its own (PETSC_COMM_SELF) and compares.
  const std::vector<Axis> axes{make_axis(0, 2 * pi, 40, Boundary::periodic),
                               make_axis(-2, 2.5, 30)};
  const test::PeriodicLandscape f;
  const Grid grid(PETSC_COMM_WORLD, axes);
  const Grid serial(PETSC_COMM_SELF, axes);
  const HamiltonJacobiProblem problem = problem_of(0.4, 1.0);

  const ColeHopfSolver cole_hopf(grid, f, problem);
  const ColeHopfSolver cole_hopf_serial(serial, f, problem);
  const GridField u = cole_hopf.solve(0.3);
  const GridField u_serial = cole_hopf_serial.solve(0.3);
  CHECK(test::max_difference_to_serial(u, u_serial) == 0.0); // the same bits
  const double x[2] = {1.1, 0.4};
  const HamiltonJacobiPoint point = cole_hopf.evaluate(x, 0.3);
  const HamiltonJacobiPoint point_serial = cole_hopf_serial.evaluate(x, 0.3);
  CHECK(point.u == point_serial.u);
  CHECK(point.gradient == point_serial.gradient);
  const FieldMinimum minimum = field_minimum(u);
  const FieldMinimum minimum_serial = field_minimum(u_serial);
  CHECK(minimum.cell == minimum_serial.cell);
  CHECK(minimum.value == minimum_serial.value);
  const std::vector<GridField> gradient = central_gradient(u);
  const std::vector<GridField> gradient_serial = central_gradient(u_serial);
  for (std::size_t a = 0; a < 2; ++a) {
    CHECK(test::max_difference_to_serial(gradient[a], gradient_serial[a]) == 0.0);
  }

  // Finite differences: different preconditioners per rank count, agreement to the Newton
  // tolerance.
  HamiltonJacobiOptions options;
  options.dt = 0.05;
  GridField v(grid);
  GridField v_serial(serial);
  v.fill([&](const double* y) { return f.value(y); });
  v_serial.fill([&](const double* y) { return f.value(y); });
  HamiltonJacobiSolver finite_difference(grid, problem, options);
  HamiltonJacobiSolver finite_difference_serial(serial, problem, options);
  finite_difference.advance_to(0.3, v);
  finite_difference_serial.advance_to(0.3, v_serial);
  const double difference = test::max_difference_to_serial(v, v_serial);
  INFO("finite differences, distributed - serial: " << difference);
  CHECK(difference < 1e-9);
}
