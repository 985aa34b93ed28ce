// The Fokker–Planck solver's exact properties: discrete Gibbs stationarity, conservation,
// positivity, rank invariance, the non-gradient stationary state, and the diagnostics.
#include "solvers/fokker_planck.hpp"

#include "core/mpi.hpp"
#include "fp_test_support.hpp"
#include "solvers/scharfetter_gummel.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

using namespace relax;
using relax::test::make_axis;

namespace {

/// A normalized Gaussian bump (point values at the centres) as a start far from equilibrium.
GridField gaussian_start(const Grid& grid, double mean, double std) {
  GridField rho(grid);
  rho.fill([&](const double* x) {
    double r2 = 0;
    for (int d = 0; d < grid.dim(); ++d) {
      const double c = d == 0 ? mean : 0.5 * (grid.axis(d).lo + grid.axis(d).hi);
      r2 += (x[d] - c) * (x[d] - c);
    }
    return std::exp(-0.5 * r2 / (std * std));
  });
  RELAX_PETSC(VecScale(rho.vec(), 1.0 / integral(rho)));
  return rho;
}

/// All mass in the cell holding `point`.
GridField point_mass(const Grid& grid, const double* point) {
  GridField rho(grid);
  std::array<int, 3> target{};
  REQUIRE(grid.locate(point, target));
  petsc::VecArray values(rho.vec());
  grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    if (index == target) {
      values[offset] = 1.0 / grid.cell_volume();
    }
  });
  return rho;
}

/// Direct solves for a prefix, so that results differ from another partition by round-off only.
std::vector<std::pair<std::string, std::string>> direct_solver(const std::string& prefix) {
  return {{"-" + prefix + "ksp_type", "preonly"},
          {"-" + prefix + "pc_type", "lu"},
          {"-" + prefix + "pc_factor_mat_solver_type", "mumps"}};
}

} // namespace

TEST_CASE("SG operator's stationary state is the discrete Gibbs vector (tilted double well, "
          "asymmetric box, 1D to 3D)",
          "[solvers][mpi]") {
  const double beta = 1.7;
  std::vector<std::vector<Axis>> boxes = {
      {make_axis(-2.1, 2.7, 160)},
      {make_axis(-2.1, 2.7, 64), make_axis(-1.3, 1.9, 40, Boundary::periodic)},
      {make_axis(-2.1, 2.7, 20), make_axis(-1.3, 1.9, 14), make_axis(-1.6, 1.1, 12)}};
  for (const auto& axes : boxes) {
    const Grid grid(PETSC_COMM_WORLD, axes);
    const auto f = std::make_shared<test::TiltedDoubleWell>(grid.dim(), 0.3);
    const FokkerPlanckSolver solver(grid, Drift(f), TemperatureSchedule::constant(beta));
    const GridField gibbs = solver.gibbs(beta);
    // The null-space solve does not know that the drift is a gradient: it finds the null vector
    // of the assembled operator, which must be exp(-beta f_i)/Z to round-off.
    const GridField solved = solver.solve_stationary();
    const double l1 = l1_distance(solved, gibbs);
    // And A g = 0 row by row: |A g| against the size of the terms that cancel, |diag(A)| g.
    GridField residual(grid);
    RELAX_PETSC(MatMult(solver.op(), gibbs.vec(), residual.vec()));
    GridField diagonal(grid);
    RELAX_PETSC(MatGetDiagonal(solver.op(), diagonal.vec()));
    RELAX_PETSC(VecPointwiseMult(diagonal.vec(), diagonal.vec(), gibbs.vec()));
    PetscReal residual_max = 0;
    PetscReal scale = 0;
    RELAX_PETSC(VecNorm(residual.vec(), NORM_INFINITY, &residual_max));
    RELAX_PETSC(VecNorm(diagonal.vec(), NORM_INFINITY, &scale));
    INFO("grid.dim() = " << grid.dim() << ", "
                         << "l1 = " << l1 << ", "
                         << "residual_max / scale = " << residual_max / scale);
    CHECK(l1 <= 1e-12);
    CHECK(residual_max <= 1e-13 * scale);
    // stationary() against a vector computed here, not by the solver: exp(-beta f) of the
    // landscape at the cell centres normalized by its own cell sum, and in 1D also the zero-flux
    // recursion rho_{i+1} = rho_i exp(-beta (f_{i+1} - f_i)) along the line (every rank runs the
    // whole line and compares the cells it owns). Both differ from the exact discrete state by
    // round-off in exp(-beta f) (|beta f| <= 70 here: ~1e-14 relative), so 1e-12 in L1.
    const GridField rho = solver.stationary();
    GridField independent(grid);
    independent.fill([&](const double* x) { return std::exp(-beta * f->value(x)); });
    RELAX_PETSC(VecScale(independent.vec(), 1.0 / integral(independent)));
    const double l1_independent = l1_distance(rho, independent);
    double l1_recursion = 0;
    if (grid.dim() == 1) {
      const Axis& axis = grid.axis(0);
      std::vector<double> line(static_cast<std::size_t>(axis.n));
      line[0] = 1.0;
      double previous_f = 0;
      for (int i = 0; i < axis.n; ++i) {
        const std::array<double, 3> x = {axis.lo + (i + 0.5) * axis.h(), 0.0, 0.0};
        const double fi = f->value(x.data());
        if (i > 0) {
          line[static_cast<std::size_t>(i)] =
              line[static_cast<std::size_t>(i - 1)] * std::exp(-beta * (fi - previous_f));
        }
        previous_f = fi;
      }
      l1_recursion = l1_distance(rho, test::normalized_line(grid, line));
    }
    // And stationary() is a zero of the assembled operator: |A rho| against |diag(A)| rho.
    GridField rho_residual(grid);
    RELAX_PETSC(MatMult(solver.op(), rho.vec(), rho_residual.vec()));
    GridField rho_scale(grid);
    RELAX_PETSC(MatGetDiagonal(solver.op(), rho_scale.vec()));
    RELAX_PETSC(VecPointwiseMult(rho_scale.vec(), rho_scale.vec(), rho.vec()));
    PetscReal rho_residual_max = 0;
    PetscReal rho_scale_max = 0;
    RELAX_PETSC(VecNorm(rho_residual.vec(), NORM_INFINITY, &rho_residual_max));
    RELAX_PETSC(VecNorm(rho_scale.vec(), NORM_INFINITY, &rho_scale_max));
    INFO("l1_independent = " << l1_independent << ", l1_recursion = " << l1_recursion
                             << ", |A rho| / |diag(A) rho| = " << rho_residual_max / rho_scale_max);
    CHECK(integral(rho) == Approx(1.0).epsilon(1e-14));
    CHECK(l1_independent <= 1e-12);
    CHECK(l1_recursion <= 1e-12);
    CHECK(rho_residual_max <= 1e-13 * rho_scale_max);
  }
}

TEST_CASE("A long backward-Euler run converges to the discrete Gibbs vector", "[solvers][mpi]") {
  const double beta = 1.7;
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-2.1, 2.7, 32), make_axis(-1.3, 1.9, 24)});
  const auto f = std::make_shared<test::TiltedDoubleWell>(2, 0.3);
  FokkerPlanckOptions options;
  options.dt = 10; // BE's fixed point is the null vector for any dt; a mode decays as 1/(1+l dt)
  FokkerPlanckSolver solver(grid, Drift(f), TemperatureSchedule::constant(beta), options);
  GridField rho = gaussian_start(grid, -1.0, 0.3);
  const GridField gibbs = solver.gibbs(beta);
  const double initial = l1_distance(rho, gibbs);
  solver.advance_to(400, rho);
  const double final_l1 = l1_distance(rho, gibbs);
  INFO("initial = " << initial << ", "
                    << "final_l1 = " << final_l1 << ", "
                    << "solver.steps() = " << solver.steps());
  CHECK(initial > 0.5);
  CHECK(final_l1 <= 1e-10);
}

TEST_CASE("Reflecting and periodic runs keep mass to round-off; absorbing runs keep mass + "
          "outflow",
          "[solvers][mpi]") {
  const double beta = 2.0;
  const auto run = [&](std::vector<Axis> axes, double dt) {
    const Grid grid(PETSC_COMM_WORLD, std::move(axes));
    const auto f = std::make_shared<test::TiltedDoubleWell>(grid.dim(), 0.3);
    FokkerPlanckOptions options;
    options.dt = dt;
    FokkerPlanckSolver solver(grid, Drift(f), TemperatureSchedule::constant(beta), options);
    GridField rho = gaussian_start(grid, 0.8, 0.25);
    const double mass0 = integral(rho);
    solver.advance_to(1000 * dt, rho);
    REQUIRE(solver.steps() == 1000);
    const FokkerPlanckDiagnostics d = solver.diagnostics(rho);
    return std::array<double, 3>{mass0, d.mass, d.outflow};
  };
  SECTION("reflecting 1D, 2D") {
    for (auto axes : {std::vector<Axis>{make_axis(-2.5, 2.2, 200)},
                      std::vector<Axis>{make_axis(-2.5, 2.2, 24), make_axis(-1.5, 1.5, 20)}}) {
      const auto [mass0, mass, outflow] = run(axes, 1e-2);
      INFO("axes.size() = " << axes.size() << ", "
                            << "mass0 = " << mass0 << ", "
                            << "mass - mass0 = " << mass - mass0);
      CHECK(std::fabs(mass - mass0) <= 1e-12 * mass0);
      CHECK(outflow == 0.0);
    }
  }
  SECTION("periodic 1D, 2D") {
    for (auto axes : {std::vector<Axis>{make_axis(-2.5, 2.2, 200, Boundary::periodic)},
                      std::vector<Axis>{make_axis(-2.5, 2.2, 24, Boundary::periodic),
                                        make_axis(-1.5, 1.5, 20, Boundary::periodic)}}) {
      const auto [mass0, mass, outflow] = run(axes, 1e-2);
      INFO("axes.size() = " << axes.size() << ", "
                            << "mass0 = " << mass0 << ", "
                            << "mass - mass0 = " << mass - mass0);
      CHECK(std::fabs(mass - mass0) <= 1e-12 * mass0);
    }
  }
  SECTION("absorbing 1D, 2D, 3D") {
    for (auto axes : {std::vector<Axis>{make_axis(-1.2, 1.4, 200, Boundary::absorbing)},
                      std::vector<Axis>{make_axis(-1.2, 1.4, 24, Boundary::absorbing),
                                        make_axis(-1.5, 1.5, 20)},
                      std::vector<Axis>{make_axis(-1.2, 1.4, 10, Boundary::absorbing),
                                        make_axis(-1.5, 1.5, 8, Boundary::periodic),
                                        make_axis(-1.0, 1.0, 8, Boundary::absorbing)}}) {
      const auto [mass0, mass, outflow] = run(axes, 2e-3);
      INFO("axes.size() = " << axes.size() << ", "
                            << "mass0 = " << mass0 << ", "
                            << "mass = " << mass << ", "
                            << "outflow = " << outflow << ", "
                            << "mass + outflow - mass0 = " << mass + outflow - mass0);
      CHECK(outflow > 0.1 * mass0); // a substantial part has left
      CHECK(std::fabs(mass + outflow - mass0) <= 1e-12 * mass0);
    }
  }
}

TEST_CASE("The operator is assembled once per beta value: once for a constant schedule, once per "
          "step when annealing",
          "[solvers][mpi]") {
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-2.5, 2.5, 100)});
  const Drift drift(std::make_shared<test::TiltedDoubleWell>(1, 0.3));
  FokkerPlanckOptions options;
  options.dt = 0.02;
  for (const auto& schedule :
       {TemperatureSchedule::constant(2.0), TemperatureSchedule::logarithmic(1.5)}) {
    FokkerPlanckSolver solver(grid, drift, schedule, options);
    GridField rho = gaussian_start(grid, 1.0, 0.2);
    solver.advance_to(1.0, rho);
    const long expected = schedule.is_constant() ? 1 : 1 + solver.steps();
    INFO(schedule.describe() << ": " << solver.assemblies() << " assemblies in " << solver.steps()
                             << " steps, mass - 1 = " << integral(rho) - 1);
    CHECK(solver.steps() == 50);
    CHECK(solver.assemblies() == expected);
    CHECK(std::fabs(integral(rho) - 1) <= 1e-12); // annealing keeps mass as well
    CHECK(solver.diagnostics(rho).beta == schedule.beta(1.0));
  }
}

TEST_CASE("The implicit matrix is factored once per (beta, step); the 1D step's direct solve "
          "matches GMRES to round-off",
          "[solvers][mpi]") {
  // Steps of 1/64 and output times that are multiples of it: no interval ends on a shortened step.
  const double dt = 1.0 / 64;
  const Drift drift(std::make_shared<test::TiltedDoubleWell>(1, 0.3));
  // The reference: GMRES with ILU(0) (block Jacobi with ILU(0) blocks on several ranks), the
  // default before the direct 1D solve.
  const std::string ilu = comm_size(PETSC_COMM_WORLD) == 1 ? "ilu" : "bjacobi";
  const test::ScopedOptions krylov({{"-fpkrylov_ksp_type", "gmres"},
                                    {"-fpkrylov_pc_type", ilu},
                                    {"-fpbdf_ts_type", "bdf"},
                                    {"-fpbdf_ts_bdf_order", "2"},
                                    {"-fpbdfkrylov_ts_type", "bdf"},
                                    {"-fpbdfkrylov_ts_bdf_order", "2"},
                                    {"-fpbdfkrylov_ksp_type", "gmres"},
                                    {"-fpbdfkrylov_pc_type", ilu}});
  for (const Boundary boundary : {Boundary::reflecting, Boundary::absorbing, Boundary::periodic}) {
    const Grid grid(PETSC_COMM_WORLD, {make_axis(-2.5, 2.5, 300, boundary)});
    for (const std::string& scheme : {std::string("fp"), std::string("fpbdf")}) {
      const auto run = [&](const std::string& prefix, double end) {
        FokkerPlanckOptions options;
        options.dt = dt;
        options.prefix = prefix;
        auto solver = std::make_unique<FokkerPlanckSolver>(
            grid, drift, TemperatureSchedule::constant(2.0), options);
        GridField rho = gaussian_start(grid, 1.0, 0.2);
        solver->advance_to(end, rho);
        return std::make_pair(std::move(solver), std::move(rho));
      };
      auto [solver, rho] = run(scheme + "_", 0.5);
      if (comm_size(PETSC_COMM_WORLD) == 1) {
        ::KSP ksp = nullptr;
        ::SNES snes = nullptr;
        RELAX_PETSC(TSGetSNES(solver->ts(), &snes));
        RELAX_PETSC(SNESGetKSP(snes, &ksp));
        ::PC pc = nullptr;
        RELAX_PETSC(KSPGetPC(ksp, &pc));
        PetscBool is_preonly = PETSC_FALSE;
        PetscBool is_direct = PETSC_FALSE;
        RELAX_PETSC(
            PetscObjectTypeCompare(reinterpret_cast<PetscObject>(ksp), KSPPREONLY, &is_preonly));
        RELAX_PETSC(PetscObjectTypeCompareAny(reinterpret_cast<PetscObject>(pc), &is_direct,
                                              PCSHELL, PCLU, ""));
        CHECK(is_preonly == PETSC_TRUE); // one application of an exact solve per step
        CHECK(is_direct == PETSC_TRUE);
      }
      // Two more intervals at the same beta and step leave the Jacobian (so its factorization)
      // untouched: backward Euler built it once (when the solver was made, at its own shift
      // 1/dt, to build the PC before any output), BDF2 once then and three times in its first
      // steps (the start at order 1, then order 2, whose shift PETSc's TSBDF computes from the
      // step ratios), all before the second interval. An interval ending off the step grid
      // rebuilds it for the short step.
      const long builds = solver->implicit_builds();
      solver->advance_to(0.75, rho);
      solver->advance_to(1.0, rho);
      INFO(to_string(boundary) << ", " << scheme << ": builds " << builds << " -> "
                               << solver->implicit_builds());
      CHECK(solver->implicit_builds() == builds);
      CHECK(builds == (scheme == "fp" ? 1 : 4));
      CHECK(solver->assemblies() == 1);
      const long before_short = solver->implicit_builds();
      solver->advance_to(1.0 + dt / 3, rho);
      CHECK(solver->implicit_builds() > before_short);

      // The same steps solved by GMRES + ILU at rtol 1e-12 give the same density to round-off.
      auto [krylov_solver, krylov_rho] = run(scheme == "fp" ? "fpkrylov_" : "fpbdfkrylov_", 1.0);
      const auto [direct_solver_, direct_rho] = run(scheme + "_", 1.0);
      const double difference = l1_distance(direct_rho, krylov_rho);
      INFO("L1(direct - GMRES) = " << difference);
      CHECK(difference <= 1e-10);
      CHECK(l1_distance(direct_rho, gaussian_start(grid, 1.0, 0.2)) > 0.1); // it has moved
    }
  }
}

TEST_CASE("Geometric multigrid on the grid (PCMG, Galerkin coarse operators) gives the density "
          "of a direct solve with iterations that do not grow as h halves; a grid it cannot "
          "coarsen is refused before the first step",
          "[solvers][mpi]") {
  // PETSc's DMDA interpolation treats the cell centres as vertices, so n - 1 must halve
  // levels - 1 times: 33 -> 17 -> 9, 65 -> 33 -> 17 -> 9, 129 -> ... -> 9. beta = 1: at beta = 2
  // the walls' cell Peclet number reaches 4 at n = 129 and this V-cycle stalls (docs/theory.md).
  const std::string mg = "fpmg_";
  const std::string lu = "fpmglu_";
  std::vector<std::pair<std::string, std::string>> options = direct_solver(lu);
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"pc_type", "mg"},
           {"pc_mg_galerkin", "both"},
           {"mg_levels_ksp_type", "richardson"},
           {"mg_levels_pc_type", "sor"},
           {"mg_levels_ksp_max_it", "1"}}) {
    options.emplace_back("-" + mg + key, value);
  }
  const test::ScopedOptions scoped(options);
  const auto f = std::make_shared<test::TiltedDoubleWell>(2, 0.3);
  const auto solve = [&](int n, const std::string& prefix, int levels) {
    const test::ScopedOptions level_option({{"-" + mg + "pc_mg_levels", std::to_string(levels)}});
    auto grid = std::make_unique<Grid>(
        PETSC_COMM_WORLD, std::vector<Axis>{make_axis(-2.5, 2.5, n), make_axis(-2.5, 2.5, n)});
    FokkerPlanckOptions fp;
    fp.dt = 1.0 / 16; // D dt / h^2 from 4 to 64: the implicit solve is far from the identity
    fp.prefix = prefix;
    FokkerPlanckSolver solver(*grid, Drift(f), TemperatureSchedule::constant(1.0), fp);
    GridField rho = gaussian_start(*grid, 1.0, 0.3);
    solver.advance_to(0.25, rho);
    PetscInt iterations = 0;
    RELAX_PETSC(TSGetKSPIterations(solver.ts(), &iterations));
    return std::make_tuple(std::move(grid), std::move(rho),
                           static_cast<double>(iterations) / static_cast<double>(solver.steps()));
  };
  std::vector<double> per_step;
  for (const auto& [n, levels] : {std::pair{33, 3}, std::pair{65, 4}, std::pair{129, 5}}) {
    const auto [grid, rho_mg, iterations] = solve(n, mg, levels);
    const auto [grid_lu, rho_lu, unused] = solve(n, lu, levels);
    const double difference = l1_distance(rho_mg, rho_lu);
    INFO("n = " << n << ": L1(mg - lu) = " << difference << ", Krylov iterations per step "
                << iterations);
    CHECK(difference <= 1e-10); // rtol 1e-12
    CHECK(l1_distance(rho_lu, gaussian_start(*grid_lu, 1.0, 0.3)) > 0.1); // it has moved
    per_step.push_back(iterations);
  }
  // A V-cycle's contraction does not depend on h: the iterations stay flat (ILU(0)'s grow about
  // 1.5x per halving of h at a fixed step, 9.8 -> 36 from 129^2 to 1025^2: bench/README.md).
  CHECK(per_step.back() <= per_step.front() + 2);
  CHECK(per_step.back() <= 12);
  // 64 - 1 does not halve: the PC cannot be built, and the solver says so when it is made.
  CHECK_THROWS_AS(solve(64, mg, 3), InputError);
}

TEST_CASE("Backward Euler from a point mass with a large step never produces a negative density",
          "[solvers][mpi]") {
  const double beta = 3.0;
  for (auto axes : {std::vector<Axis>{make_axis(-2.5, 2.5, 400)},
                    std::vector<Axis>{make_axis(-2.5, 2.5, 40), make_axis(-2, 2, 32)}}) {
    const Grid grid(PETSC_COMM_WORLD, axes);
    const auto f = std::make_shared<test::TiltedDoubleWell>(grid.dim(), 0.3);
    FokkerPlanckOptions options;
    options.dt = 0.5; // D dt / h^2 ~ 1e3: far beyond any explicit limit
    FokkerPlanckSolver solver(grid, Drift(f), TemperatureSchedule::constant(beta), options);
    const std::array<double, 2> start{1.1, 0.3};
    GridField rho = point_mass(grid, start.data());
    double min_seen = 0;
    for (int k = 1; k <= 20; ++k) {
      solver.advance_to(k * options.dt, rho);
      min_seen = std::min(min_seen, solver.diagnostics(rho).min_density);
    }
    INFO("grid.dim() = " << grid.dim() << ", "
                         << "min_seen = " << min_seen);
    CHECK(min_seen >= 0.0);
  }
}

TEST_CASE("Densities at 1, 2 and 3 ranks agree to 1e-12 (rotational drift, mixed boundaries)",
          "[solvers][mpi]") {
  const std::string prefix = "fprank_";
  const test::ScopedOptions direct(direct_solver(prefix));
  const auto f = std::make_shared<test::TiltedDoubleWell>(2, 0.3);
  const Drift drift(f, 0.7);
  const std::vector<Axis> axes = {make_axis(-1.7, 1.9, 45, Boundary::absorbing),
                                  make_axis(-1.5, 1.5, 38, Boundary::periodic)};
  FokkerPlanckOptions options;
  options.dt = 5e-3;
  options.prefix = prefix;
  const auto run = [&](MPI_Comm comm) {
    auto grid = std::make_unique<Grid>(comm, axes);
    FokkerPlanckSolver solver(*grid, drift, TemperatureSchedule::logarithmic(1.5), options);
    GridField rho = gaussian_start(*grid, 0.7, 0.3);
    solver.advance_to(0.25, rho);
    const FokkerPlanckDiagnostics d = solver.diagnostics(rho);
    return std::make_tuple(std::move(grid), test::owned_values(rho), d);
  };
  const auto [grid, distributed, d_distributed] = run(PETSC_COMM_WORLD);
  const auto [serial_grid, serial, d_serial] = run(PETSC_COMM_SELF); // every rank, alone
  // Compare each rank's owned cells with the same cells of its serial run.
  const auto shape = grid->shape();
  double max_difference = 0;
  double max_value = 0;
  grid->for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    const auto serial_offset = static_cast<std::size_t>(index[0] + shape[0] * index[1]);
    max_difference =
        std::max(max_difference, std::fabs(distributed[offset] - serial[serial_offset]));
    max_value = std::max(max_value, serial[serial_offset]);
  });
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &max_difference, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD));
  INFO("comm_size(PETSC_COMM_WORLD) = " << comm_size(PETSC_COMM_WORLD) << ", "
                                        << "max_difference = " << max_difference << ", "
                                        << "max_value = " << max_value << ", "
                                        << "d_distributed.outflow = " << d_distributed.outflow);
  CHECK(max_difference <= 1e-12);
  CHECK(d_distributed.outflow > 1e-3); // the absorbing faces are active
  CHECK(std::fabs(d_distributed.mass - d_serial.mass) <= 1e-12);
  CHECK(std::fabs(d_distributed.outflow - d_serial.outflow) <= 1e-12);
  CHECK(std::fabs(d_distributed.free_energy - d_serial.free_energy) <= 1e-12);
}

TEST_CASE("Rotational drift -grad f + eps J grad f: the null-space solve reproduces Gibbs at "
          "second order in h while the flux is nonzero",
          "[solvers]") {
  // A periodic landscape on a periodic box has no boundary, so Gibbs exp(-beta f)/Z is exactly
  // stationary for the continuous problem, and the stationary flux is eps J grad f rho_Gibbs.
  const double beta = 1.5;
  const double eps = 0.8;
  const double two_pi = 2 * M_PI;
  const auto f = std::make_shared<test::PeriodicLandscape>();
  const Drift drift(f, eps);
  std::vector<double> errors;
  std::vector<double> flux_errors;
  double discrete_flux = 0;
  double continuous_flux = 0;
  for (int n : {16, 32, 64}) {
    const Grid grid(PETSC_COMM_SELF, {make_axis(0, two_pi, n, Boundary::periodic),
                                      make_axis(0, two_pi, n, Boundary::periodic)});
    const FokkerPlanckSolver solver(grid, drift, TemperatureSchedule::constant(beta));
    const GridField rho = solver.stationary();
    errors.push_back(l1_distance(rho, solver.gibbs(beta)));
    // SG flux on the x-faces of the discrete stationary state against the continuous
    // stationary flux eps (J grad f)_x rho_Gibbs = -eps f_y rho at the face (rho at the face
    // interpolated from its two cells, also second order).
    const auto values = test::owned_values(rho);
    const double h = two_pi / n;
    const double D = 1 / beta;
    double difference = 0;
    discrete_flux = continuous_flux = 0;
    for (int j = 0; j < n; ++j) {
      for (int i = 0; i < n; ++i) {
        const std::array<double, 2> face{(i + 1) * h, (j + 0.5) * h};
        const double rho_l = values[static_cast<std::size_t>(i + n * j)];
        const double rho_r = values[static_cast<std::size_t>((i + 1) % n + n * j)];
        std::array<double, 2> b{};
        drift.evaluate(face.data(), b.data());
        const double J = scharfetter_gummel_flux(-h * b[0] / D, rho_l, rho_r, D, h);
        std::array<double, 2> g{};
        f->gradient(face.data(), g.data());
        const double J_exact = -eps * g[1] * 0.5 * (rho_l + rho_r);
        difference += std::fabs(J - J_exact) * h * h;
        discrete_flux += std::fabs(J) * h * h;
        continuous_flux += std::fabs(J_exact) * h * h;
      }
    }
    flux_errors.push_back(difference / continuous_flux);
  }
  test::check_orders("L1 distance of the null vector to Gibbs", errors, 1.8, 2.2);
  test::check_orders("relative L1 error of the stationary x-flux", flux_errors, 1.8, 2.2);
  INFO("int |J_x| = " << discrete_flux << " (continuous " << continuous_flux << ")");
  CHECK(discrete_flux >= 0.5 * continuous_flux); // a circulating flux, not detailed balance
}

TEST_CASE("Free energy and relative entropy: F(rho) - F(Gibbs) = KL/beta, KL decreases along "
          "backward Euler",
          "[solvers][mpi]") {
  const double beta = 2.0;
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-2.3, 2.1, 120)});
  const auto f = std::make_shared<test::TiltedDoubleWell>(1, 0.3);
  FokkerPlanckOptions options;
  options.dt = 0.05;
  FokkerPlanckSolver solver(grid, Drift(f), TemperatureSchedule::constant(beta), options);
  GridField rho = gaussian_start(grid, 1.2, 0.2);
  const GridField gibbs = solver.gibbs(beta);
  const double free_energy_gibbs = solver.diagnostics(gibbs).free_energy;
  CHECK(solver.diagnostics(gibbs).relative_entropy == Approx(0).margin(1e-14));
  double previous = std::numeric_limits<double>::infinity();
  bool is_decreasing = true;
  double worst_identity = 0;
  for (int k = 1; k <= 40; ++k) {
    solver.advance_to(k * options.dt, rho);
    const FokkerPlanckDiagnostics d = solver.diagnostics(rho);
    is_decreasing = is_decreasing && d.relative_entropy <= previous;
    previous = d.relative_entropy;
    worst_identity = std::max(
        worst_identity, std::fabs(d.free_energy - free_energy_gibbs - d.relative_entropy / beta));
  }
  INFO("previous = " << previous << ", "
                     << "worst_identity = " << worst_identity);
  CHECK(is_decreasing);
  CHECK(worst_identity <= 1e-12);
}
