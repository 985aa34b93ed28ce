// (c) against (a): the Langevin estimate of grad f_gamma (the Entropy-SGD inner loop) agrees with
// the Cole–Hopf gradient at 20 points within 3 standard errors, and the standard errors are
// honest (the sum of squared z-scores is chi-square distributed).
#include "core/error.hpp"
#include "solvers/viscous_hj.hpp"
#include "studies/viscous_hj_particles.hpp"

#include "models/landscapes.hpp"
#include "tests/solvers/fp_test_support.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

using namespace relax;
using relax::test::make_axis;

TEST_CASE("Particle estimates of grad f_gamma agree with Cole-Hopf at 20 points within 3 "
          "standard errors",
          "[solvers][hj]") {
  // A 2D Gaussian mixture (non-separable, three wells) at nu = 0.3, so that the tilted measure
  // exp(-f/(2 nu) - |x - y|^2/(4 nu gamma)) differs from the nu = 1/2 one: a factor-2 nu slip in
  // either method would show. The box [-6, 6]^2 is far from where the tilted measures live
  // (images below e^-50), and Cole–Hopf's quadrature error is spectrally small (posterior
  // standard deviation >= 4.5 h), so (a) is exact at the level of the particles' standard errors.
  const auto f = std::make_shared<GaussianMixtureLandscape>(
      2, std::vector<double>{0.3, 0.5, 0.2}, std::vector<double>{-1.0, 0.0, 1.5, 1.0, 0.0, -1.5},
      std::vector<double>{0.7, 0.9, 0.6});
  HamiltonJacobiProblem problem;
  problem.nu = 0.3;
  const double gamma = 0.25;
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-6, 6, 192), make_axis(-6, 6, 192)});
  const ColeHopfSolver cole_hopf(grid, *f, problem);

  LocalEntropySampling sampling;
  sampling.chains = 256;
  sampling.integrator.kind = IntegratorKind::mala;
  sampling.integrator.dt = 0.02;
  // Burn-in: a sweep of 50..6400 steps showed the chain means stop drifting after ~200 steps
  // (4 time units) for these wide wells; 1000 leaves a factor 5. With narrow wells (stds 0.3-0.6)
  // the tilted measures between wells are metastable: relaxation time ~1400 steps, and a short
  // burn-in biases the estimate by many standard errors (which this test then reports).
  sampling.burn_in = 1000;
  sampling.samples = 400;
  sampling.thin = 5;

  double chi_square = 0;
  double largest_z = 0;
  double least_acceptance = 1;
  int components = 0;
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 4; ++j) {
      const std::vector<double> x{-1.6 + 0.8 * i, -1.2 + 0.8 * j};
      sampling.seed = static_cast<std::uint32_t>(100 + 4 * i + j);
      const LocalEntropyGradient particles =
          estimate_local_entropy_gradient(PETSC_COMM_WORLD, f, problem, gamma, x, sampling);
      const HamiltonJacobiPoint exact = cole_hopf.evaluate(x.data(), gamma);
      least_acceptance = std::min(least_acceptance, particles.acceptance);
      for (std::size_t a = 0; a < 2; ++a) {
        const double z = (particles.gradient[a] - exact.gradient[a]) / particles.standard_error[a];
        INFO("x = (" << x[0] << ", " << x[1] << "), axis " << a << ": particles "
                     << particles.gradient[a] << " +- " << particles.standard_error[a]
                     << ", Cole-Hopf " << exact.gradient[a] << ", z = " << z);
        CHECK(std::fabs(z) < 3);
        chi_square += z * z;
        largest_z = std::max(largest_z, std::fabs(z));
        ++components;
      }
    }
  }
  // The z-scores are independent standard normals when the standard errors are right: sum z^2 is
  // chi-square with 40 degrees of freedom, inside [17.9, 73.4] with probability 0.998. Too small a
  // sum would mean inflated standard errors (a test that cannot fail).
  INFO("sum z^2 = " << chi_square << " over " << components << " components, largest |z| "
                    << largest_z << ", least MALA acceptance " << least_acceptance);
  CHECK(chi_square > 17.9);
  CHECK(chi_square < 73.4);
}

TEST_CASE("Particle estimates of grad f_gamma have the same bits at 1, 2 and 3 ranks",
          "[studies][hj][mpi]") {
  HamiltonJacobiProblem problem;
  problem.nu = 0.4;
  problem.c = 1.0;
  // Particles: streams keyed by chain id, exact sums.
  LocalEntropySampling sampling;
  sampling.chains = 7;
  sampling.burn_in = 20;
  sampling.samples = 10;
  sampling.thin = 2;
  const auto landscape = std::make_shared<test::PeriodicLandscape>();
  const std::vector<double> at{1.1, 0.4};
  const LocalEntropyGradient estimate =
      estimate_local_entropy_gradient(PETSC_COMM_WORLD, landscape, problem, 0.3, at, sampling);
  const LocalEntropyGradient estimate_serial =
      estimate_local_entropy_gradient(PETSC_COMM_SELF, landscape, problem, 0.3, at, sampling);
  CHECK(estimate.gradient == estimate_serial.gradient);
  CHECK(estimate.standard_error == estimate_serial.standard_error);
}

TEST_CASE("Bad input to the particle estimate is an InputError", "[studies][hj]") {
  HamiltonJacobiProblem problem;
  problem.nu = 0.5;
  problem.c = 1.0;
  const auto landscape =
      std::make_shared<QuadraticLandscape>(std::vector<double>{1.0}, std::vector<double>{0.0});
  CHECK_THROWS_AS(
      estimate_local_entropy_gradient(PETSC_COMM_WORLD, landscape, problem, 0.0, {0.0}, {}),
      InputError);
}

TEST_CASE("Split-R-hat: near 1 for chains that mix, far above 1 for chains stuck in their wells",
          "[studies][hj][mpi]") {
  LocalEntropySampling sampling;
  sampling.chains = 128;
  sampling.integrator.kind = IntegratorKind::mala;
  SECTION("a Gaussian tilted measure, samples a relaxation time apart") {
    // f = x^2 / 2, gamma = 1: the tilted measure has precision 2 at beta = 1 (relaxation time
    // 1/2); samples 1 time unit apart are nearly independent, so R-hat^2 = 1 + O(1/n) and its
    // fluctuation over 256 sequences of 100 is ~ 1e-3.
    HamiltonJacobiProblem problem;
    problem.nu = 0.5;
    sampling.integrator.dt = 0.05;
    sampling.burn_in = 200;
    sampling.samples = 200;
    sampling.thin = 20;
    const auto f = std::make_shared<test::Quadratic>(1, 1.0, 0.0);
    const LocalEntropyGradient estimate =
        estimate_local_entropy_gradient(PETSC_COMM_WORLD, f, problem, 1.0, {0.7}, sampling);
    CAPTURE(estimate.split_rhat[0]);
    CHECK(std::abs(estimate.split_rhat[0] - 1) < 0.02);
  }
  SECTION("a double well at beta = 5 (a 5 kT barrier) with a weak tilt, all chains from one well") {
    // Over 10 time units a few chains cross: their means differ from the others' by ~2 against a
    // within-well spread of ~0.15, which R-hat sees.
    HamiltonJacobiProblem problem;
    problem.nu = 0.1;
    sampling.integrator.dt = 0.01;
    sampling.burn_in = 100;
    sampling.samples = 100;
    sampling.thin = 10;
    const auto f = std::make_shared<DoubleWellLandscape>(1, 1.0, 0.0);
    const LocalEntropyGradient estimate =
        estimate_local_entropy_gradient(PETSC_COMM_WORLD, f, problem, 10.0, {-1.0}, sampling);
    CAPTURE(estimate.split_rhat[0]);
    CHECK(estimate.split_rhat[0] > 1.2);
  }
  SECTION("fewer than 4 samples cannot be split") {
    HamiltonJacobiProblem problem;
    problem.nu = 0.5;
    sampling.samples = 3;
    const auto f = std::make_shared<test::Quadratic>(1, 1.0, 0.0);
    CHECK(std::isnan(
        estimate_local_entropy_gradient(PETSC_COMM_WORLD, f, problem, 1.0, {0.7}, sampling)
            .split_rhat[0]));
  }
}

TEST_CASE("Adaptive burn-in: blocks double until split-R-hat <= target, then within noise",
          "[studies][hj][mpi]") {
  // The case: the double well (x^2 - 1)^2 at nu = 1/2, gamma = 2, chains from x = -1.5.
  // One block of 10 time units has not mixed across the barrier; doubling does, and the estimate
  // then agrees with Cole-Hopf on a box wide enough that truncation is negligible.
  HamiltonJacobiProblem problem;
  problem.nu = 0.5;
  LocalEntropySampling sampling;
  sampling.chains = 64;
  sampling.integrator = {IntegratorKind::mala, 1e-2};
  sampling.burn_in = 100;
  sampling.samples = 200;
  sampling.thin = 5;
  sampling.target_rhat = 1.01;
  const double gamma = 2;
  const std::vector<double> x{-1.5};
  const auto f = std::make_shared<DoubleWellLandscape>(1, 1.0, 0.0);

  const LocalEntropyGradient single =
      estimate_local_entropy_gradient(PETSC_COMM_WORLD, f, problem, gamma, x, sampling);
  CAPTURE(single.split_rhat[0]);
  CHECK(single.split_rhat[0] > sampling.target_rhat);
  CHECK(single.steps == 1100);

  sampling.max_doublings = 6;
  const LocalEntropyGradient adaptive =
      estimate_local_entropy_gradient(PETSC_COMM_WORLD, f, problem, gamma, x, sampling);
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-6, 6, 600, Boundary::absorbing)});
  const double exact = ColeHopfSolver(grid, *f, problem).evaluate(x.data(), gamma).gradient[0];
  const double z = (adaptive.gradient[0] - exact) / adaptive.standard_error[0];
  CAPTURE(adaptive.split_rhat[0], adaptive.steps, adaptive.burn_in, z);
  CHECK(adaptive.split_rhat[0] <= sampling.target_rhat);
  CHECK(adaptive.steps > single.steps);
  // Blocks of samples * thin * 2^k after the burn-in of 100: the last is the sum of the others
  // plus the first (1000 steps).
  CHECK(adaptive.steps - adaptive.burn_in == adaptive.burn_in - 100 + 1000);
  CHECK(std::abs(z) < 4);
}
