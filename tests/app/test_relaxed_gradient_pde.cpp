// The Deep Relaxation optimizers' gradient estimates against the grid solutions of `relax hj`
// (solvers/viscous_hj_heat_hopf_lax.hpp, solvers/viscous_hj.hpp), not against closed forms (in
// tests/app: the layer that sees both learning/ and solvers/): on
// the tilted double well, HEAT's estimate is the gradient of the heat equation's solution
// (HeatSolver at nu = 1/2: perturbation variance t = 2 nu t), HJ's noise-free inner loop the
// Hopf–Lax gradient (HopfLaxSolver), H-ESGD's weighted perturbations the viscous HJ's gradient
// (ColeHopfSolver, c = 1), each within 4 standard errors (HJ, deterministic on a landscape: within
// its contraction and the grid's O(h^2)); and at half the time the grid's gradient is more than 4
// SE away, so the comparison could fail. The grid solvers are collective ([mpi]: 1, 2, 3 ranks);
// every rank draws the same estimate (one seed, MPI_COMM_SELF).
#include "learning/relaxed_gradient.hpp"
#include "solvers/viscous_hj.hpp"
#include "solvers/viscous_hj_heat_hopf_lax.hpp"
#include "tests/learning/sampler_test_support.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <memory>

using namespace relax;
using namespace relax::testing;

namespace {

RelaxedGradientEstimate estimate_on_double_well(const std::map<std::string, std::string>& values,
                                                double x, int repeats) {
  LandscapeModel model(std::make_shared<TiltedDoubleWell>());
  SamplerOptions options = sampler_options(values);
  options.seed = 23;
  return estimate_relaxed_gradient(model, options, {x}, repeats);
}

/// [-4, 4] in 800 reflecting cells: the images of f beyond the walls weigh nothing at these times.
Grid double_well_grid() {
  Axis axis;
  axis.lo = -4;
  axis.hi = 4;
  axis.n = 800;
  axis.boundary = Boundary::reflecting;
  return Grid(PETSC_COMM_WORLD, {axis});
}

GridField double_well_field(const Grid& grid) {
  const TiltedDoubleWell f;
  GridField field(grid);
  field.fill([&](const double* x) { return f.value(x); });
  return field;
}

} // namespace

TEST_CASE("HEAT and H-ESGD estimates agree with relax hj's heat and viscous HJ solutions within 4 "
          "SE; HJ's with its Hopf-Lax solution",
          "[samplers][relaxed][mpi]") {
  const Grid grid = double_well_grid();
  const GridField f = double_well_field(grid);
  const double t = 0.2;
  const HeatSolver heat(grid, f, 0.5);
  const HopfLaxSolver hopf_lax(grid, f);
  const double nu = 0.25;
  HamiltonJacobiProblem viscous;
  viscous.nu = nu;
  const ColeHopfSolver cole_hopf(grid, f, viscous);
  for (const double x : {-0.6, 0.4, 1.3}) {
    CAPTURE(x);
    const auto heat_estimate = estimate_on_double_well(
        {{"train.sampler", "heat"}, {"heat.samples", "50"}, {"heat.time", format_real(t)}}, x,
        200);
    const double heat_grid = heat.evaluate(&x, t).gradient[0];
    const double heat_half = heat.evaluate(&x, t / 2).gradient[0];
    CAPTURE(heat_estimate.mean[0], heat_estimate.standard_error[0], heat_grid, heat_half);
    REQUIRE(heat_estimate.standard_error[0] > 0);
    CHECK(std::abs(heat_estimate.mean[0] - heat_grid) < 4 * heat_estimate.standard_error[0]);
    CHECK(std::abs(heat_estimate.mean[0] - heat_half) > 4 * heat_estimate.standard_error[0]);

    // t = 0.2: y -> f(y) + (y - x)^2/(2t) is strictly convex (f'' >= -4 > -1/t), 400 steps of
    // 0.05 contract to round-off; the grid's Hopf-Lax gradient is O(h^2) = 1e-4 accurate.
    const auto hj_estimate = estimate_on_double_well({{"train.sampler", "hj"},
                                                      {"prox.inner_steps", "400"},
                                                      {"prox.inner_lr", "0.05"},
                                                      {"prox.time", format_real(t)}},
                                                     x, 2);
    const double hj_grid = hopf_lax.evaluate(&x, t).gradient[0];
    const double hj_half = hopf_lax.evaluate(&x, t / 2).gradient[0];
    CAPTURE(hj_estimate.mean[0], hj_grid, hj_half);
    const double hj_tolerance = 1e-3;
    CHECK(std::abs(hj_estimate.mean[0] - hj_grid) < hj_tolerance);
    CHECK(std::abs(hj_estimate.mean[0] - hj_half) > 4 * hj_tolerance); // 0.009 at x = 0.4

    const auto hesgd_estimate = estimate_on_double_well({{"train.sampler", "hesgd"},
                                                         {"hesgd.samples", "2000"},
                                                         {"hesgd.time", format_real(t)},
                                                         {"hesgd.nu", format_real(nu)}},
                                                        x, 40);
    const double hesgd_grid = cole_hopf.evaluate(&x, t).gradient[0];
    const double hesgd_half = cole_hopf.evaluate(&x, t / 2).gradient[0];
    CAPTURE(hesgd_estimate.mean[0], hesgd_estimate.standard_error[0], hesgd_grid, hesgd_half);
    REQUIRE(hesgd_estimate.standard_error[0] > 0);
    CHECK(std::abs(hesgd_estimate.mean[0] - hesgd_grid) < 4 * hesgd_estimate.standard_error[0]);
    CHECK(std::abs(hesgd_estimate.mean[0] - hesgd_half) > 4 * hesgd_estimate.standard_error[0]);
  }
}
