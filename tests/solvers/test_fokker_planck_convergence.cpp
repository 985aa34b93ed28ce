// Measured orders of the Fokker–Planck solver: space (Ornstein–Uhlenbeck closed form), time
// (backward Euler and BDF2), and the slow relaxation rate of the double well against an
// independently computed eigenvalue.
#include "solvers/fokker_planck.hpp"

#include "fp_test_support.hpp"
#include "schroedinger_reference.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <memory>

using namespace relax;
using relax::test::make_axis;

namespace {

/// Ornstein–Uhlenbeck f = x^2/2 (a = 1) from N(m0, s0^2): N(m0 e^-t, s0^2 e^-2t + D (1 - e^-2t)).
struct OrnsteinUhlenbeck {
  double beta = 2.0;
  double m0 = 1.0;
  double s0 = 0.4;
  double mean(double t) const { return m0 * std::exp(-t); }
  double std(double t) const {
    const double D = 1 / beta;
    return std::sqrt(s0 * s0 * std::exp(-2 * t) + D * (1 - std::exp(-2 * t)));
  }
  /// Exact cell averages of the density at time t.
  GridField cell_averages(const Grid& grid, double t) const {
    GridField rho(grid);
    const Axis& axis = grid.axis(0);
    const double h = axis.h();
    const double m = mean(t);
    const double s = std(t) * std::sqrt(2.0);
    rho.fill([&](const double* x) {
      return 0.5 * (std::erf((x[0] + h / 2 - m) / s) - std::erf((x[0] - h / 2 - m) / s)) / h;
    });
    return rho;
  }
};

/// The OU density at t = 1 on n cells of [-5, 5] with step dt and PETSc prefix `prefix`.
std::vector<double> ornstein_uhlenbeck_run(int n, double dt, const std::string& prefix,
                                           double* l1_to_exact = nullptr, long* steps = nullptr) {
  const OrnsteinUhlenbeck ou;
  const Grid grid(PETSC_COMM_SELF, {make_axis(-5, 5, n)});
  FokkerPlanckOptions options;
  options.dt = dt;
  options.prefix = prefix;
  FokkerPlanckSolver solver(grid, Drift(std::make_shared<test::Quadratic>(1, 1.0, 0.0)),
                            TemperatureSchedule::constant(ou.beta), options);
  GridField rho = ou.cell_averages(grid, 0.0);
  solver.advance_to(1.0, rho);
  if (steps != nullptr) {
    *steps = solver.steps();
  }
  if (l1_to_exact != nullptr) {
    *l1_to_exact = l1_distance(rho, ou.cell_averages(grid, 1.0));
  }
  return test::owned_values(rho);
}

double l1(const std::vector<double>& a, const std::vector<double>& b, double h) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sum += std::fabs(a[i] - b[i]) * h;
  }
  return sum;
}

const auto bdf2_options = [](const std::string& prefix) {
  return std::vector<std::pair<std::string, std::string>>{{"-" + prefix + "ts_type", "bdf"},
                                                          {"-" + prefix + "ts_bdf_order", "2"},
                                                          {"-" + prefix + "ts_adapt_type", "none"}};
};

} // namespace

TEST_CASE("Ornstein–Uhlenbeck transient: the spatial order is 2", "[solvers][convergence]") {
  // BDF2 with dt = 1e-3 keeps the time error (~1e-7) far below the spatial one (>~1e-4).
  const test::ScopedOptions bdf2(bdf2_options("fpspace_"));
  std::vector<double> errors;
  for (int n : {50, 100, 200}) {
    double error = 0;
    ornstein_uhlenbeck_run(n, 1e-3, "fpspace_", &error);
    errors.push_back(error);
  }
  test::check_orders("OU L1 error in space", errors, 1.8, 2.2);
}

TEST_CASE("Ornstein–Uhlenbeck transient: backward Euler is first order in time, BDF2 second",
          "[solvers][convergence]") {
  // Time errors against a run on the same grid with a 100x smaller BDF2 step, so the spatial
  // error cancels.
  const int n = 200;
  const double h = 10.0 / n;
  const test::ScopedOptions bdf2(bdf2_options("fpbdf_"));
  const std::vector<double> reference = ornstein_uhlenbeck_run(n, 2e-4, "fpbdf_");
  const std::vector<double> steps{0.04, 0.02, 0.01};
  std::vector<double> euler;
  std::vector<double> bdf;
  for (double dt : steps) {
    euler.push_back(l1(ornstein_uhlenbeck_run(n, dt, "fpeuler_"), reference, h));
    bdf.push_back(l1(ornstein_uhlenbeck_run(n, dt, "fpbdf_"), reference, h));
  }
  test::check_orders("backward Euler L1 error in time", euler, 0.9, 1.1);
  test::check_orders("BDF2 L1 error in time", bdf, 1.8, 2.2);
}

TEST_CASE("fp.dt is honoured by every TS type: backward Euler first order, Crank–Nicolson, "
          "implicit midpoint (theta 1/2) and BDF2 second, set through the options alone",
          "[solvers][convergence]") {
  // No -ts_adapt_type anywhere: PETSc's BDF switches adaptivity on by itself, which would take its
  // own steps whatever fp.dt says; the TimeStepper turns it off unless asked for by name.
  const int n = 200;
  const double h = 10.0 / n;
  const test::ScopedOptions options({{"-fpref_ts_type", "bdf"},
                                     {"-fpref_ts_bdf_order", "2"},
                                     {"-fpcn_ts_type", "cn"},
                                     {"-fpmid_ts_type", "theta"},
                                     {"-fpmid_ts_theta_theta", "0.5"},
                                     {"-fpbdf2_ts_type", "bdf"},
                                     {"-fpbdf2_ts_bdf_order", "2"}});
  const std::vector<double> reference = ornstein_uhlenbeck_run(n, 2e-4, "fpref_");
  struct Scheme {
    std::string prefix;
    double lo, hi;
  };
  for (const Scheme& scheme : {Scheme{"fpbe_", 0.9, 1.1}, Scheme{"fpcn_", 1.8, 2.2},
                               Scheme{"fpmid_", 1.8, 2.2}, Scheme{"fpbdf2_", 1.8, 2.2}}) {
    std::vector<double> errors;
    for (double dt : {0.04, 0.02, 0.01}) {
      long steps = 0;
      errors.push_back(
          l1(ornstein_uhlenbeck_run(n, dt, scheme.prefix, nullptr, &steps), reference, h));
      INFO(scheme.prefix << " dt = " << dt);
      CHECK(steps == std::lround(1.0 / dt));
    }
    test::check_orders(scheme.prefix + " L1 error in time", errors, scheme.lo, scheme.hi);
  }
}

TEST_CASE("fp: -fp_ts_adapt_type given by name makes the step adaptive", "[solvers]") {
  const test::ScopedOptions options(
      {{"-fpadapt_ts_type", "bdf"}, {"-fpadapt_ts_adapt_type", "basic"}});
  const Grid grid(PETSC_COMM_SELF, {make_axis(-5, 5, 50)});
  FokkerPlanckOptions fixed;
  fixed.prefix = "fpfixed_";
  FokkerPlanckOptions adaptive;
  adaptive.prefix = "fpadapt_";
  const Drift drift(std::make_shared<test::Quadratic>(1, 1.0, 0.0));
  FokkerPlanckSolver a(grid, drift, TemperatureSchedule::constant(1), fixed);
  FokkerPlanckSolver b(grid, drift, TemperatureSchedule::constant(1), adaptive);
  TSAdapt adapt = nullptr;
  TSAdaptType type = nullptr;
  RELAX_PETSC(TSGetAdapt(a.ts(), &adapt));
  RELAX_PETSC(TSAdaptGetType(adapt, &type));
  CHECK(std::string(type) == TSADAPTNONE);
  RELAX_PETSC(TSGetAdapt(b.ts(), &adapt));
  RELAX_PETSC(TSAdaptGetType(adapt, &type));
  CHECK(std::string(type) == TSADAPTBASIC);
}

TEST_CASE("Double-well relaxation: the measured slow rate matches an independent eigenvalue and "
          "converges at second order in h",
          "[solvers][convergence]") {
  const double beta = 1.0;
  const double L = 2.5;
  const double reference = test::schroedinger_eigenvalue(beta, L, 20000, 1);
  const double dt = 0.01;
  std::vector<double> errors;
  std::vector<double> rates;
  for (int n : {50, 100, 200}) {
    const Grid grid(PETSC_COMM_SELF, {make_axis(-L, L, n)});
    FokkerPlanckOptions options;
    options.dt = dt;
    FokkerPlanckSolver solver(grid, Drift(std::make_shared<test::TiltedDoubleWell>(1, 0.0)),
                              TemperatureSchedule::constant(beta), options);
    GridField rho(grid);
    rho.fill([](const double* x) { return std::exp(-0.5 * (x[0] - 1) * (x[0] - 1) / 0.09); });
    RELAX_PETSC(VecScale(rho.vec(), 1.0 / integral(rho)));
    // The mean position sees only odd modes; after t = 3 the next odd one (rate ~ 10) is gone and
    // the mean decays by exactly 1/(1 + lambda_h dt) per backward-Euler step.
    const double t1 = 3.0;
    const double t2 = 6.0;
    solver.advance_to(t1, rho);
    const double m1 = moments(rho).mean[0];
    solver.advance_to(t2, rho);
    const double m2 = moments(rho).mean[0];
    const double steps = (t2 - t1) / dt;
    const double rate = (std::pow(m1 / m2, 1 / steps) - 1) / dt;
    rates.push_back(rate);
    errors.push_back(std::fabs(rate - reference));
  }
  INFO("reference rate " << reference << ", measured " << rates[0] << ", " << rates[1] << ", "
                         << rates[2]);
  test::check_orders("slow rate error", errors, 1.8, 2.2);
  CHECK(errors[2] <= 1e-2 * reference);
}
