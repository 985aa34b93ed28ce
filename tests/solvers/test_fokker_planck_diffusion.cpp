// The Fokker–Planck solver with a diagonal, position-dependent diffusion (diffusion.expr):
// rho_t = -(b rho)' + sum_i d_i^2 (D_i rho). The stationary state is the exact zero-flux recursion
// D_{i+1} rho_{i+1} / (D_i rho_i) = exp(-dpsi_i) of the scheme and converges at O(h^2) to the
// closed form rho ∝ D^-1 exp(int b/D); two constant temperatures on two axes give the product
// law to round-off; D = 1/beta through diffusion.expr is the default operator; mass and
// positivity hold in time; D <= 0 or NaN is refused.
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "fp_test_support.hpp"
#include "models/diffusion.hpp"
#include "solvers/fokker_planck.hpp"

#include <catch2/catch.hpp>
#include <petscmat.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

using namespace relax;
using test::make_axis;

namespace {

FokkerPlanckOptions with_diffusion(const std::string& expressions) {
  FokkerPlanckOptions options;
  options.diffusion = std::make_shared<const Diffusion>(expressions);
  return options;
}

/// max_i |a_i - b_i| / max_i |b_i| over the whole grid.
double relative_max_difference(const GridField& a, const GridField& b) {
  GridField difference(a);
  RELAX_PETSC(VecAXPY(difference.vec(), -1.0, b.vec()));
  PetscReal top = 0;
  PetscReal scale = 0;
  RELAX_PETSC(VecNorm(difference.vec(), NORM_INFINITY, &top));
  RELAX_PETSC(VecNorm(b.vec(), NORM_INFINITY, &scale));
  return top / scale;
}

/// `values(x)` at the cell centres, normalized to mass 1 by the grid's own cell sum.
template <typename F> GridField normalized_on_grid(const Grid& grid, F&& values) {
  GridField rho(grid);
  rho.fill(values);
  RELAX_PETSC(VecScale(rho.vec(), 1.0 / integral(rho)));
  return rho;
}

// OU drift b = -(x - c) with D(x) = 1 + x^2/2: int b/D = -log(1 + x^2/2) + c sqrt(2) atan(x/sqrt 2),
// so rho_inf ∝ (1 + x^2/2)^-2 exp(c sqrt(2) atan(x / sqrt 2)) (asymmetric for c != 0).
constexpr double centre = 0.5;
const char* const position_dependent = "1 + x^2/2";

double closed_form(const double* x) {
  const double D = 1 + 0.5 * x[0] * x[0];
  return std::exp(centre * std::sqrt(2.0) * std::atan(x[0] / std::sqrt(2.0))) / (D * D);
}

} // namespace

TEST_CASE("Position-dependent D in 1D: the stationary state is the scheme's zero-flux recursion to "
          "round-off and rho ∝ D^-1 exp(int b/D) at O(h^2)",
          "[solvers][diffusion][mpi]") {
  const auto f = std::make_shared<test::Quadratic>(1, 1.0, centre);
  const Diffusion D(position_dependent);
  std::vector<double> errors;
  for (const int n : {50, 100, 200, 400}) {
    const Grid grid(PETSC_COMM_WORLD, {make_axis(-4.0, 5.0, n)});
    const FokkerPlanckSolver solver(grid, Drift(f), TemperatureSchedule::constant(1.3),
                                    with_diffusion(position_dependent));
    const GridField rho = solver.stationary(); // the null-space solve: not Gibbs
    // The recursion along the whole line (every rank runs it and compares the cells it owns):
    // D_{i+1} rho_{i+1} = D_i rho_i exp(-(f_{i+1} - f_i) / D(face)).
    const Axis& axis = grid.axis(0);
    std::vector<double> line(static_cast<std::size_t>(n));
    auto D_at = [&](double x) {
      double value = 0;
      D.evaluate(1, &x, 0.0, 1.3, &value);
      return value;
    };
    line[0] = 1.0 / D_at(axis.centre(0));
    for (int i = 1; i < n; ++i) {
      const double xl = axis.centre(i - 1);
      const double xr = axis.centre(i);
      const double dpsi = (f->value(&xr) - f->value(&xl)) / D_at(axis.face(i));
      line[static_cast<std::size_t>(i)] =
          line[static_cast<std::size_t>(i - 1)] * D_at(xl) * std::exp(-dpsi) / D_at(xr);
    }
    const GridField recursion = test::normalized_line(grid, line);
    const GridField exact = normalized_on_grid(grid, closed_form);
    const double recursion_error = relative_max_difference(rho, recursion);
    errors.push_back(relative_max_difference(rho, exact));
    INFO("n = " << n << ": |rho - recursion| = " << recursion_error
                << ", |rho - closed form| = " << errors.back());
    CHECK(recursion_error <= 1e-12);
    CHECK(integral(rho) == Approx(1.0).epsilon(1e-14));
    // The constant-temperature Gibbs law is far from it: the test is not blind to D(x).
    CHECK(relative_max_difference(solver.gibbs(1.3), exact) > 0.2);
  }
  for (std::size_t k = 1; k < errors.size(); ++k) {
    const double order = std::log2(errors[k - 1] / errors[k]);
    INFO("observed order " << order << " between n = " << (50 << (k - 1)) << " and "
                           << (50 << k));
    CHECK(order > 1.9);
    CHECK(order < 2.1);
  }
  CHECK(errors.back() < 1e-4);
}

TEST_CASE("Two temperatures on two axes: the stationary state is the product law "
          "exp(-f_x/T_x - f_y/T_y) to round-off, not Gibbs at one temperature",
          "[solvers][diffusion][mpi]") {
  // f = (x^2 + 2 y^2)/2 is separable, so the jumps on x faces depend on x alone and the product
  // law has zero flux on every face of the scheme.
  class Anisotropic final : public Landscape {
  public:
    int dim() const override { return 2; }
    std::string describe() const override { return "test anisotropic quadratic"; }
    double value(const double* x) const override { return 0.5 * x[0] * x[0] + x[1] * x[1]; }
    double gradient(const double* x, double* g) const override {
      g[0] = x[0];
      g[1] = 2 * x[1];
      return value(x);
    }
  };
  const double T_x = 0.4;
  const double T_y = 1.5;
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-3.0, 3.5, 48), make_axis(-4.5, 4.2, 40)});
  const auto f = std::make_shared<Anisotropic>();
  const FokkerPlanckSolver solver(grid, Drift(f), TemperatureSchedule::constant(1.0),
                                  with_diffusion("0.4; 1.5"));
  const GridField rho = solver.stationary();
  const GridField product = normalized_on_grid(grid, [&](const double* x) {
    return std::exp(-0.5 * x[0] * x[0] / T_x - x[1] * x[1] / T_y);
  });
  const double error = relative_max_difference(rho, product);
  INFO("|rho - product law| / max = " << error);
  CHECK(error <= 1e-11);
  // The two variances are the two temperatures: Var x = T_x / 1, Var y = T_y / 2 (the cell sums
  // of a Gaussian are spectrally accurate and the box holds > 4.8 standard deviations).
  for (const int axis : {0, 1}) {
    GridField moment(grid);
    moment.fill([&](const double* x) { return x[axis] * x[axis]; });
    RELAX_PETSC(VecPointwiseMult(moment.vec(), moment.vec(), rho.vec()));
    const double expected = axis == 0 ? T_x : T_y / 2;
    CHECK(integral(moment) == Approx(expected).epsilon(1e-4));
  }
  for (const double beta : {1 / T_x, 1 / T_y, 2 / (T_x + T_y)}) {
    CHECK(relative_max_difference(solver.gibbs(beta), product) > 0.1);
  }
}

TEST_CASE("diffusion.expr = 1/beta gives the default operator; a time-dependent D is reassembled "
          "per step time and keeps mass and positivity",
          "[solvers][diffusion][mpi]") {
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-2.5, 2.5, 40), make_axis(-2.0, 2.2, 30)});
  const auto f = std::make_shared<test::TiltedDoubleWell>(2, 0.3);
  const auto schedule = TemperatureSchedule::logarithmic(1.5);
  const FokkerPlanckSolver standard(grid, Drift(f), schedule);
  const FokkerPlanckSolver expression(grid, Drift(f), schedule, with_diffusion("1/beta"));
  // The same operator up to the rounding of D / h (B rho_l - B rho_r) versus (B D rho_l - ...).
  petsc::Mat difference;
  RELAX_PETSC(MatDuplicate(standard.op(), MAT_COPY_VALUES, difference.out()));
  RELAX_PETSC(MatAXPY(difference, -1.0, expression.op(), SAME_NONZERO_PATTERN));
  PetscReal gap = 0;
  PetscReal size = 0;
  RELAX_PETSC(MatNorm(difference, NORM_INFINITY, &gap));
  RELAX_PETSC(MatNorm(standard.op(), NORM_INFINITY, &size));
  INFO("|A(1/beta expr) - A| / |A| = " << gap / size);
  CHECK(gap <= 1e-14 * size);

  // D = (1 + t)(1 + x^2/4; 0.5 + y^2/8): reassembled whenever the stage time changes.
  FokkerPlanckOptions options = with_diffusion("(1 + t) * (1 + x^2/4); 0.5 + t * y^2/8");
  options.dt = 0.05;
  FokkerPlanckSolver solver(grid, Drift(f), TemperatureSchedule::constant(1.0), options);
  GridField rho(grid);
  rho.fill([](const double* x) { return std::exp(-8 * ((x[0] + 1) * (x[0] + 1) + x[1] * x[1])); });
  RELAX_PETSC(VecScale(rho.vec(), 1.0 / integral(rho)));
  solver.advance_to(0.5, rho);
  PetscReal least = 0;
  RELAX_PETSC(VecMin(rho.vec(), nullptr, &least));
  CHECK(solver.steps() == 10);
  CHECK(solver.assemblies() == 11); // t = 0 and every step's time
  CHECK(integral(rho) == Approx(1.0).epsilon(1e-12));
  CHECK(least >= 0);
}

TEST_CASE("A diffusion that is not finite and > 0 on the grid, or that does not fit its "
          "dimension, is refused naming diffusion.expr",
          "[solvers][diffusion][mpi]") {
  const Grid line(PETSC_COMM_WORLD, {make_axis(-1.0, 1.0, 20)});
  const Grid plane(PETSC_COMM_WORLD, {make_axis(-1.0, 1.0, 20), make_axis(-1.0, 1.0, 10)});
  const auto f1 = std::make_shared<test::Quadratic>(1, 1.0, 0.0);
  const auto f2 = std::make_shared<test::Quadratic>(2, 1.0, 0.0);
  const auto schedule = TemperatureSchedule::constant(1.0);
  using Catch::Matchers::Contains;
  CHECK_THROWS_AS(FokkerPlanckSolver(line, Drift(f1), schedule, with_diffusion("x")), InputError);
  CHECK_THROWS_WITH(FokkerPlanckSolver(line, Drift(f1), schedule, with_diffusion("x")),
                    Contains("diffusion.expr = 'x': D_0 = ") && Contains("expected finite and > 0"));
  CHECK_THROWS_WITH(FokkerPlanckSolver(line, Drift(f1), schedule, with_diffusion("sqrt(x)")),
                    Contains("D_0 = ") && Contains("nan at x = -0.95"));
  CHECK_THROWS_WITH(FokkerPlanckSolver(line, Drift(f1), schedule, with_diffusion("1 + y")),
                    Contains("uses y, but the problem has dimension 1"));
  CHECK_THROWS_WITH(FokkerPlanckSolver(plane, Drift(f2), schedule, with_diffusion("1; 2; 3")),
                    Contains("expected 1 expression (every axis) or 2"));
  CHECK_THROWS_WITH(FokkerPlanckSolver(plane, Drift(f2), schedule, with_diffusion("1; y - 2")),
                    Contains("D_1 = "));
  CHECK_THROWS_WITH(Diffusion("1 + * x"), Contains("diffusion.expr = '1 + * x': muParser: "));
  CHECK_THROWS_WITH(Diffusion("1 + w"), Contains("the variables are x, y, z, t, beta"));
  // A D that turns negative later in a run: NumericalError on every rank, at assembly.
  FokkerPlanckOptions options = with_diffusion("1 - t");
  options.dt = 0.25;
  FokkerPlanckSolver solver(line, Drift(f1), schedule, options);
  GridField rho(line);
  rho.fill([](const double*) { return 0.5; });
  CHECK_THROWS_AS(solver.advance_to(2.0, rho), NumericalError);
}
