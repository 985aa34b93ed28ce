// Forward–backward equations of controlled SGD (solvers/forward_backward.hpp): the identity of
// Theorem 7 and the expected improvement, the Doob transform, the linear–quadratic closed form,
// Cole–Hopf (a) against finite differences (b), the storage strategies, log-domain safety, the
// face control, and rank invariance.
#include "solvers/forward_backward.hpp"
#include "solvers/forward_backward_control.hpp"

#include "core/mpi.hpp"

#include "test_forward_backward_support.hpp"
#include "test_viscous_hj_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <vector>

using namespace relax;
using relax::test::make_axis;

namespace {

/// log int exp(-V/k) rho over the grid, by log-sum-exp (exp(-V/k) may underflow), from the owned
/// values of V and rho. Collective.
double log_expectation(const GridField& V, const GridField& rho, double k) {
  const petsc::ConstVecArray v(V.vec());
  const petsc::ConstVecArray r(rho.vec());
  double top = -HUGE_VAL;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (r[i] > 0) {
      top = std::max(top, std::log(r[i]) - v[i] / k);
    }
  }
  MPI_Allreduce(MPI_IN_PLACE, &top, 1, MPI_DOUBLE, MPI_MAX, V.grid().comm());
  ExactSum sum;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (r[i] > 0) {
      sum.add(std::exp(std::log(r[i]) - v[i] / k - top));
    }
  }
  return top + std::log(allreduce_value(V.grid().comm(), sum) * V.grid().cell_volume());
}

} // namespace

TEST_CASE("Face control: alpha = grad u on the faces, interpolated exactly for linear fields",
          "[solvers][fb]") {
  // u = 2 x - 3 y + 0.5 on a 2D grid, x reflecting on [-1, 2] (8 cells), y on [0, 1] (5 cells):
  // alpha = (2, -3) on every interior face, 0 on the walls; interpolation reproduces it between
  // interior faces and blends towards the wall's 0 within h of it.
  const std::vector<ControlAxis> axes{{-1.0, 3.0 / 8, 8, false}, {0.0, 0.2, 5, false}};
  std::vector<double> u;
  for (int j = 0; j < 5; ++j) {
    for (int i = 0; i < 8; ++i) {
      u.push_back(2 * (-1.0 + (i + 0.5) * 3.0 / 8) - 3 * (0.0 + (j + 0.5) * 0.2) + 0.5);
    }
  }
  FaceControl control(axes);
  control.assign(u);
  const double inner[2] = {0.3, 0.5};
  double alpha[2] = {0, 0};
  control.evaluate(inner, alpha);
  CAPTURE(alpha[0], alpha[1]);
  CHECK(std::fabs(alpha[0] - 2) < 1e-13);
  CHECK(std::fabs(alpha[1] + 3) < 1e-13);
  const double wall[2] = {-1.0, 0.5}; // on the wall face x = lo
  control.evaluate(wall, alpha);
  CHECK(alpha[0] == 0);
  const double half[2] = {-1.0 + 3.0 / 16, 0.5}; // half way between the wall and the first face
  control.evaluate(half, alpha);
  CHECK(std::fabs(alpha[0] - 1) < 1e-13);
  // Cell-centred interpolation of u itself is exact for the linear field between centres.
  StaggeredLattice cells(axes, -1);
  cells.values() = u;
  const double point[2] = {0.77, 0.41};
  CHECK(std::fabs(cells.interpolate(point) - (2 * 0.77 - 3 * 0.41 + 0.5)) < 1e-13);

  // Periodic axis: the wrap face joins cells n-1 and 0, and positions wrap with the period.
  const std::vector<ControlAxis> ring{{0.0, 0.25, 4, true}};
  FaceControl periodic(ring);
  periodic.assign({1.0, 2.0, 4.0, 8.0});
  const double at_wrap[1] = {0.0};
  const double beyond[1] = {1.0};
  double a0 = 0;
  double a1 = 0;
  periodic.evaluate(at_wrap, &a0);
  periodic.evaluate(beyond, &a1);
  CHECK(a0 == (1.0 - 8.0) / 0.25);
  CHECK(a1 == a0);
}

TEST_CASE("Discrete duality in the log domain: int rho_sgd(T) exp(-V/k) = int rho0 exp(-u(0)/k) "
          "for V up to 1e3 k, where exp(-V/k) underflows",
          "[solvers][fb]") {
  // V = 1000 + 40 (x - 0.5)^2: exp(-V/k) = e^-1000 underflows to 0 at every cell, so any scheme
  // that forms phi = exp(-u/k) fails. The log-form step is the exact adjoint of the backward
  // Euler FP step, so the two sides agree to the linear solvers' tolerance (relative 1e-12 each,
  // accumulated over 40 steps).
  auto problem = test::tilted_double_well_problem();
  const auto V = std::make_shared<test::Quadratic>(1, 80.0, 0.5);
  struct Shifted final : Landscape {
    std::shared_ptr<const Landscape> base;
    explicit Shifted(std::shared_ptr<const Landscape> b) : base(std::move(b)) {}
    int dim() const override { return 1; }
    std::string describe() const override { return "1000 + 40 (x - 0.5)^2"; }
    double value(const double* x) const override { return 1000 + base->value(x); }
    double gradient(const double* x, double* g) const override {
      return 1000 + base->gradient(x, g);
    }
  };
  problem.V = std::make_shared<Shifted>(V);
  test::ForwardBackwardRun run(PETSC_COMM_WORLD, {make_axis(-2.5, 2.5, 100)}, problem,
                               test::gaussian({1.0}, {0.3}), test::steps_of(40));
  const double k = problem.k();
  const GridField u0 = run.solver->u();
  GridField V_field(*run.grid);
  V_field.fill([&](const double* x) { return problem.V->value(x); });
  const double backward = log_expectation(u0, run.solver->rho0(), k);
  run.finish();
  const double forward = log_expectation(V_field, run.solver->rho_sgd(), k);
  PetscReal u_min = 0;
  PetscReal u_max = 0;
  VecMin(u0.vec(), nullptr, &u_min);
  VecMax(u0.vec(), nullptr, &u_max);
  CAPTURE(forward, backward, forward - backward, u_min, u_max);
  CHECK(std::isfinite(forward));
  CHECK(std::fabs(forward - backward) < 1e-10);
  CHECK(u_min > 1000); // u(., 0) = -k log E[exp(-V(X_T)/k)] >= min V
}

namespace {

/// Orders of convergence from the successive differences of a sequence computed at halved
/// resolutions: log2((e0 - e1)/(e1 - e2)). A constant offset (the error of another, fixed
/// resolution) cancels, so this measures the order in one parameter alone.
double difference_order(double e0, double e1, double e2) {
  return std::log2((e0 - e1) / (e1 - e2));
}

/// The defect and the Doob-transform errors of the tilted double well from a spread-out rho0.
struct IdentityRun {
  ForwardBackwardQuantities quantities;
  double doob_l1 = 0;
  double naive_l1 = 0;
};

IdentityRun identity_run(int cells, long steps) {
  test::ForwardBackwardRun run(PETSC_COMM_WORLD, {make_axis(-2.5, 2.5, cells)},
                               test::tilted_double_well_problem(), test::gaussian({0.5}, {0.6}),
                               test::steps_of(steps));
  IdentityRun result;
  result.quantities = run.finish();
  result.doob_l1 = l1_distance(run.solver->doob_prediction(), run.solver->rho_csgd());
  result.naive_l1 = l1_distance(run.solver->naive_doob_prediction(), run.solver->rho_csgd());
  return result;
}

} // namespace

TEST_CASE("Theorem 7: J0 = E[V(x_csgd(T))] + (c/2) E int |alpha|^2 up to a defect of order dt + "
          "h^2 whose limit is 0; J0 < E[V(x_sgd(T))]",
          "[solvers][fb]") {
  // Tilted double well, V = f, beta = 2, c = 1, T = 1, rho0 = N(0.5, 0.6^2) on [-2.5, 2.5].
  // Backward Euler in both directions makes the defect first order in dt (asymptotic for
  // dt <= 1/640; coarser steps bend it through a dt^2 term of the other sign); the SG flux and the
  // face control make it second order in h. Each order is measured from successive differences,
  // which cancel the other parameter's fixed error; the limit, extrapolated in both, is zero to
  // well below the errors removed.
  const int fine_cells = 400;
  const long fine_steps = 2560;
  std::vector<double> in_time;
  for (long steps : {640L, 1280L, fine_steps}) {
    in_time.push_back(identity_run(fine_cells, steps).quantities.identity_defect());
  }
  std::vector<double> in_space;
  ForwardBackwardQuantities finest;
  for (int cells : {100, 200, fine_cells}) {
    const IdentityRun run = identity_run(cells, fine_steps);
    in_space.push_back(run.quantities.identity_defect());
    finest = run.quantities;
  }
  const double time_order = difference_order(in_time[0], in_time[1], in_time[2]);
  const double space_order = difference_order(in_space[0], in_space[1], in_space[2]);
  const double time_remainder = (in_time[1] - in_time[2]) / (std::pow(2.0, time_order) - 1);
  const double space_remainder = (in_space[1] - in_space[2]) / (std::pow(2.0, space_order) - 1);
  const double limit = finest.identity_defect() - time_remainder - space_remainder;
  CAPTURE(in_time, in_space, time_order, space_order, time_remainder, space_remainder, limit);
  CAPTURE(finest.J0, finest.expected_V_csgd, finest.control_cost, finest.expected_V_sgd);
  CHECK(time_order > 0.8);
  CHECK(time_order < 1.2);
  CHECK(space_order > 1.8);
  CHECK(space_order < 2.2);
  CHECK(std::fabs(limit) < 0.2 * (std::fabs(time_remainder) + std::fabs(space_remainder)));
  // Expected improvement: strict, and by far more than the discretization error.
  const double gap = finest.expected_V_sgd - finest.J0;
  CHECK(gap > 100 * std::fabs(finest.identity_defect()));
  CHECK(finest.expected_V_csgd < finest.expected_V_sgd);
  CHECK(finest.control_cost > 0);
}

namespace {

/// The tilted double well of identity_run on [-2, 2] with Crank–Nicolson in both sweeps (the
/// walls of [-2.5, 2.5] drift twice as fast, which CN resolves only at 4x the steps).
test::ForwardBackwardRun crank_nicolson_run(int cells, long steps) {
  ForwardBackwardOptions options = test::steps_of(steps);
  options.scheme = TimeScheme::crank_nicolson;
  return test::ForwardBackwardRun(PETSC_COMM_WORLD, {make_axis(-2.0, 2.0, cells)},
                                  test::tilted_double_well_problem(),
                                  test::gaussian({0.5}, {0.6}), options);
}

double crank_nicolson_defect(int cells, long steps) {
  return crank_nicolson_run(cells, steps).finish().identity_defect();
}

} // namespace

TEST_CASE("Theorem 7 with Crank-Nicolson (fb.scheme = cn): a defect of order dt^2 + h^2 whose "
          "limit is 0, the discrete duality exact, and an unresolved step a NumericalError",
          "[solvers][fb]") {
  // The trapezoidal rule in both sweeps and in the control cost: the successive differences of
  // the defect shrink by 4 per halving of dt (100 cells) and of h (3200 steps); measured
  // 1.968e-5, 4.923e-6, 1.231e-6 in dt and 1.45e-3, 3.60e-4 in h.
  std::vector<double> in_time;
  for (long steps : {800L, 1600L, 3200L}) {
    in_time.push_back(crank_nicolson_defect(100, steps));
  }
  std::vector<double> in_space;
  for (int cells : {50, 100, 200}) {
    in_space.push_back(crank_nicolson_defect(cells, 3200));
  }
  const double time_order = difference_order(in_time[0], in_time[1], in_time[2]);
  const double space_order = difference_order(in_space[0], in_space[1], in_space[2]);
  const double time_remainder = (in_time[1] - in_time[2]) / (std::pow(2.0, time_order) - 1);
  const double space_remainder = (in_space[1] - in_space[2]) / (std::pow(2.0, space_order) - 1);
  const double limit = in_space[2] - time_remainder - space_remainder;
  CAPTURE(in_time, in_space, time_order, space_order, time_remainder, space_remainder, limit);
  CHECK(time_order > 1.8);
  CHECK(time_order < 2.2);
  CHECK(space_order > 1.8);
  CHECK(space_order < 2.2);
  CHECK(std::fabs(limit) < 0.05 * std::fabs(space_remainder));
  // The CN backward step is the adjoint of the CN forward step, so the duality
  // int rho_sgd(T) exp(-V/k) = int rho0 exp(-u(0)/k) holds to the solvers' tolerance.
  {
    test::ForwardBackwardRun run = crank_nicolson_run(100, 400);
    const ControlledSgdProblem problem = test::tilted_double_well_problem();
    const GridField u0 = run.solver->u();
    const double backward = log_expectation(u0, run.solver->rho0(), problem.k());
    run.finish();
    GridField V(*run.grid);
    V.fill([&](const double* x) { return problem.V->value(x); });
    const double forward = log_expectation(V, run.solver->rho_sgd(), problem.k());
    CAPTURE(forward, backward);
    CHECK(std::fabs(forward - backward) < 1e-11);
  }
  // Steps that do not resolve the walls' drift: the forward density would oscillate below zero
  // (10 steps), or already the backward step's right-hand side 1 + (dt/2) Q phi / phi (5 steps).
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(crank_nicolson_defect(100, 10), Contains("the density went negative"));
  CHECK_THROWS_WITH(crank_nicolson_defect(100, 5), Contains("Crank-Nicolson backward step"));
}

TEST_CASE(
    "Doob transform: rho_csgd = phi q (q uncontrolled from rho0/phi(0)) to first order in dt; "
    "phi rho_sgd / Z is off for a spread-out rho0",
    "[solvers][fb]") {
  // The time error dominates on 400 cells (the spatial part is below 1e-4 there), so the L1
  // distance halves with dt. The naive prediction misses by a fixed O(1) amount.
  std::vector<double> doob;
  double naive = 0;
  for (long steps : {320L, 640L, 1280L}) {
    const IdentityRun run = identity_run(400, steps);
    doob.push_back(run.doob_l1);
    naive = run.naive_l1;
  }
  const double order = std::log2(doob[1] / doob[2]);
  CAPTURE(doob, naive, order, std::log2(doob[0] / doob[1]));
  CHECK(order > 0.85);
  CHECK(order < 1.15);
  CHECK(std::log2(doob[0] / doob[1]) > 0.85);
  CHECK(naive > 30 * doob.back());
}

namespace {

/// u(x, 0) of the linear-quadratic problem h = a x, V = v x^2/2 in one dimension (derivation in
/// the test below).
struct LinearQuadratic {
  double a;
  double v;
  double c;
  double k;
  double T;
  double u(double x, double t) const {
    const double s = 1 - std::exp(-2 * a * (T - t));
    const double P = v * std::exp(-2 * a * (T - t)) / (1 + v * c / (2 * a) * s);
    return 0.5 * P * x * x + 0.5 * k * std::log(1 + v * c / (2 * a) * s);
  }
};

/// Collective: max over the cells with |x_0| <= 2 of |u - exact| (away from the boundary layers).
double interior_error(const GridField& u, const std::function<double(const double*)>& exact) {
  return test::max_error(u, exact, [](const double* x) { return std::fabs(x[0]) <= 2; });
}

} // namespace

TEST_CASE("Linear-quadratic case h = a x, V = v x^2/2: u matches the Riccati closed form at first "
          "order in dt ~ h",
          "[solvers][fb]") {
  // Riccati. Try u(x, t) = P(t) x^2/2 + r(t) in -u_t = -a x u_x - (c/2) u_x^2 + D u_xx, D = 1/beta:
  //   -P' x^2/2 - r' = -a P x^2 - (c/2) P^2 x^2 + D P,
  // so P' = 2 a P + c P^2 with P(T) = v, and r' = -D P with r(T) = 0. With w = 1/P the Riccati
  // equation is linear, w' = -2 a w - c, w(T) = 1/v, hence with s = 1 - exp(-2 a (T - t)):
  //   P(t) = v e^{-2a(T-t)} / (1 + (v c/(2a)) s),
  //   r(t) = D int_t^T P = (D/c) log(1 + (v c/(2a)) s) = (k/2) log(1 + (v c/(2a)) s),
  // using d/dt log(1 + (v c/(2a)) s) = -c P. (a -> 0: P = v/(1 + v c (T-t)), the heat kernel.)
  // Box [-6, 6] with walls: within |x| <= 2 their effect is below e^-8 (the OU process of
  // variance 1/(beta a) = 1/2 rarely reaches them). a = 1, v = 2, beta = 2, c = 1, T = 1.
  ControlledSgdProblem problem;
  problem.f = std::make_shared<test::Quadratic>(1, 1.0, 0.0);
  problem.V = std::make_shared<test::Quadratic>(1, 2.0, 0.0);
  problem.beta = 2;
  problem.c = 1;
  problem.T = 1;
  const LinearQuadratic exact{1.0, 2.0, problem.c, problem.k(), problem.T};
  std::vector<double> errors;
  std::vector<double> half_errors;
  for (int refine = 0; refine < 3; ++refine) {
    test::ForwardBackwardRun run(PETSC_COMM_WORLD, {make_axis(-6, 6, 120 << refine)}, problem,
                                 test::gaussian({0.0}, {1.0}), test::steps_of(40L << refine));
    errors.push_back(
        interior_error(run.solver->u(), [&](const double* x) { return exact.u(x[0], 0); }));
    // Half way, t = T/2: the level in the middle of the sweep.
    ValueFunction& value = run.solver->value_function();
    half_errors.push_back(interior_error(value.level(value.steps() / 2),
                                         [&](const double* x) { return exact.u(x[0], 0.5); }));
  }
  CAPTURE(errors, half_errors);
  test::check_orders("LQ u(., 0)", errors, 0.9, 1.2);
  test::check_orders("LQ u(., T/2)", half_errors, 0.9, 1.2);
  CHECK(errors.back() < 0.01);
}

TEST_CASE("(a) Cole-Hopf and (b) monotone finite differences agree to first order in h ~ dt",
          "[solvers][fb]") {
  // The tilted double well problem; (b) is first order in h and dt, (a) first in dt and second in
  // h, so |u_a - u_b| at t = 0 (cells with |x| <= 2) shrinks at first order.
  const auto problem = test::tilted_double_well_problem();
  std::vector<double> differences;
  for (int refine = 0; refine < 3; ++refine) {
    const long steps = 40L << refine;
    test::ForwardBackwardRun run(PETSC_COMM_WORLD, {make_axis(-2.5, 2.5, 100 << refine)}, problem,
                                 test::gaussian({0.5}, {0.6}), test::steps_of(steps));
    HamiltonJacobiOptions options;
    options.dt = problem.T / static_cast<double>(steps);
    options.prefix = "fbtest_hj_";
    const std::vector<GridField> u_b = solve_backward_hjb(*run.grid, problem, {0.0}, options);
    const GridField u_a = run.solver->u();
    GridField difference(u_a);
    VecAXPY(difference.vec(), -1.0, u_b[0].vec());
    differences.push_back(interior_error(difference, [](const double*) { return 0.0; }));
  }
  CAPTURE(differences);
  test::check_orders("|u_a - u_b|", differences, 0.85, 1.3);
}

TEST_CASE("Checkpointed storage reproduces storing every level bit for bit, with fewer levels held",
          "[solvers][fb][mpi]") {
  // 2D, periodic in x and reflecting in y: the face control wraps.
  const std::vector<Axis> axes{make_axis(0, 2 * M_PI, 24, Boundary::periodic),
                               make_axis(-2, 2.5, 18)};
  ControlledSgdProblem problem;
  problem.f = std::make_shared<test::PeriodicLandscape>();
  problem.V = problem.f;
  const auto initial = test::gaussian({3.0, 0.2}, {0.8, 0.6});
  ForwardBackwardOptions all = test::steps_of(30);
  all.storage = LevelStorage::all;
  ForwardBackwardOptions checkpoint = all;
  checkpoint.storage = LevelStorage::checkpoint;
  test::ForwardBackwardRun a(PETSC_COMM_WORLD, axes, problem, initial, all);
  test::ForwardBackwardRun b(PETSC_COMM_WORLD, axes, problem, initial, checkpoint);
  const ForwardBackwardQuantities qa = a.finish();
  const ForwardBackwardQuantities qb = b.finish();
  ValueFunction& va = a.solver->value_function();
  ValueFunction& vb = b.solver->value_function();
  const long sweep_steps = vb.backward_steps();
  CHECK(qa.J0 == qb.J0);
  CHECK(qa.expected_V_csgd == qb.expected_V_csgd);
  CHECK(qa.control_cost == qb.control_cost);
  CHECK(linf_distance(a.solver->rho_csgd(), b.solver->rho_csgd()) == 0.0);
  CHECK(linf_distance(va.level(7), vb.level(7)) == 0.0); // reloads the segment 6..12
  CAPTURE(va.held_levels(), vb.held_levels(), sweep_steps, vb.backward_steps());
  CHECK(!va.is_checkpointed());
  CHECK(vb.is_checkpointed());
  CHECK(va.held_levels() == 31);
  // S = ceil(sqrt(31)) = 6: checkpoints at 0, 6, .., 30 and a window of 7 levels.
  CHECK(vb.held_levels() == 6 + 7);
  CHECK(sweep_steps == 2 * 30);                  // the sweep, then each segment once more
  CHECK(vb.backward_steps() == sweep_steps + 6); // segment 6..12 again
}

TEST_CASE("Crank-Nicolson gives the quantities of one rank on any number of ranks",
          "[solvers][fb][mpi]") {
  // Every rank also runs the problem alone (PETSC_COMM_SELF); the distributed run differs only
  // by the linear solvers' tolerance (relative 1e-12 per step).
  ForwardBackwardOptions options = test::steps_of(400);
  options.scheme = TimeScheme::crank_nicolson;
  const auto run_on = [&](MPI_Comm comm) {
    test::ForwardBackwardRun run(comm, {make_axis(-2.0, 2.0, 60)},
                                 test::tilted_double_well_problem(), test::gaussian({0.5}, {0.6}),
                                 options);
    return run.finish();
  };
  const ForwardBackwardQuantities alone = run_on(PETSC_COMM_SELF);
  const ForwardBackwardQuantities distributed = run_on(PETSC_COMM_WORLD);
  CAPTURE(comm_size(PETSC_COMM_WORLD), alone.J0, distributed.J0, alone.identity_defect(),
          distributed.identity_defect());
  CHECK(std::fabs(alone.J0 - distributed.J0) < 1e-10);
  CHECK(std::fabs(alone.expected_V_csgd - distributed.expected_V_csgd) < 1e-10);
  CHECK(std::fabs(alone.control_cost - distributed.control_cost) < 1e-10);
  CHECK(std::fabs(alone.identity_defect()) > 1e-4); // what the comparison resolves: 60 cells' h^2
}
