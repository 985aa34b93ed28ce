// The observables and the verdict's arithmetic of relax compare (studies/compare_observables):
// Holm–Bonferroni and the critical z against hand computations, the basins of attraction found on
// the grid (two for the double well split at the saddle, three for Müller–Brown), the estimates and
// standard errors against closed forms, the exact binomial p-value, and the calibration of the
// z-scores under the null: particles drawn from the PDE's own cell masses give z-scores with mean 0
// and variance 1 and false alarms at the nominal rate, on 1, 2 and 3 ranks.
#include "studies/compare_observables.hpp"

#include "core/error.hpp"
#include "models/landscapes.hpp"
#include "tests/solvers/fp_test_support.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <random>

using namespace relax;
using relax::test::make_axis;

namespace {

/// The mass of N(m, s^2) in the cell [x - h/2, x + h/2].
double gaussian_cell_mass(double x, double h, double m, double s) {
  return 0.5 * (std::erf((x + h / 2 - m) / (s * std::sqrt(2.0))) -
                std::erf((x - h / 2 - m) / (s * std::sqrt(2.0))));
}

/// The cell masses of a Gaussian N(m, s^2) on the 1D grid (exact cell integrals), as a density.
GridField gaussian_density(const Grid& grid, double m, double s) {
  GridField rho(grid);
  const double h = grid.axis(0).h();
  rho.fill([&](const double* x) { return gaussian_cell_mass(x[0], h, m, s) / h; });
  return rho;
}

} // namespace

TEST_CASE("Holm–Bonferroni and the critical z", "[compare][observables]") {
  // Sorted 0.005 <= 0.05/4, 0.01 <= 0.05/3, 0.03 > 0.05/2: the first two are rejected.
  const std::vector<std::size_t> rejected = holm_rejections({0.01, 0.04, 0.03, 0.005}, 0.05);
  REQUIRE(rejected.size() == 2);
  CHECK(rejected[0] == 3);
  CHECK(rejected[1] == 0);
  CHECK(holm_rejections({0.2, 0.3}, 0.05).empty());
  CHECK(critical_z(0.05) == Approx(1.959963984540054).epsilon(1e-12));
  CHECK(critical_z(1e-3 / 77) == Approx(4.3603).epsilon(1e-4));
}

TEST_CASE("Basins of attraction on the grid: the double well splits at the saddle, Müller–Brown "
          "has three",
          "[compare][observables]") {
  {
    const Grid grid(PETSC_COMM_WORLD, {make_axis(-2.5, 2.5, 200)});
    const DoubleWellLandscape f(1, 1.0, 0.3);
    const std::vector<Observable> observables = make_observables(grid, f, {"x > 1.5"});
    // basin_0, basin_1, region_0, mean_x0, var_x0, mean_f
    REQUIRE(observables.size() == 6);
    CHECK(observables[0].name == "basin_0");
    CHECK(observables[2].name == "region_0");
    CHECK(observables[5].name == "mean_f");
    GridField left(grid);
    left.fill([](const double* x) { return x[0] < 0 ? 1.0 : 0.0; });
    GridField beyond(grid);
    beyond.fill([](const double* x) { return x[0] > 1.5 ? 1.0 : 0.0; });
    // With tilt 0.3 the saddle moves to x = 0.0752 (4x^3 - 4x + 0.3 = 0): the cells centred at
    // 0.0125, 0.0375 and 0.0625 descend to the left well, the one at 0.0875 to the right.
    CHECK(l1_distance(observables[0].weight, left) == Approx(3 * grid.axis(0).h()));
    CHECK(l1_distance(observables[2].weight, beyond) == 0);
  }
  {
    const Grid grid(PETSC_COMM_WORLD, {make_axis(-1.5, 1.2, 90), make_axis(-0.5, 2.0, 90)});
    const MullerBrownLandscape f;
    const std::vector<Observable> observables = make_observables(grid, f, {});
    CHECK(observables.size() == 3 + 2 * 2 + 1);
    CHECK(observables[2].name == "basin_2");
    CHECK(observables[3].name == "mean_x0");
  }
  CHECK_THROWS_WITH(make_observables(Grid(PETSC_COMM_WORLD, {make_axis(0, 1, 10)}),
                                     DoubleWellLandscape(1, 1.0, 0.0), {"x >"}),
                    Catch::Contains("compare.regions: region 'x >'"));
}

TEST_CASE("Observables: estimates, standard errors and the exact binomial p-value against closed "
          "forms",
          "[compare][observables][mpi]") {
  // The Gaussian N(0.5, 0.7^2) on [-4.5, 5.5]: 7 standard deviations to either wall, so the
  // truncation is below 1e-11. The saddle at 0 is a face (cells of 0.05).
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-4.5, 5.5, 200)});
  const DoubleWellLandscape f(1, 1.0, 0.0);
  const std::vector<Observable> observables = make_observables(grid, f, {});
  const GridField rho = gaussian_density(grid, 0.5, 0.7);
  // Ten particles, all at the centre of the cell [0.5, 0.55]; rank 0 holds them.
  Histogram histogram(grid);
  const double x = 0.525;
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  for (int k = 0; k < (rank == 0 ? 10 : 0); ++k) {
    histogram.add(1, 1, &x);
  }
  histogram.reduce();
  const std::vector<ObservableValue> v = evaluate_observables(observables, rho, histogram);
  // basin_0 (x < 0), basin_1, mean_x0, var_x0, mean_f
  REQUIRE(v.size() == 5);
  const double p_left = 0.5 * std::erfc(0.5 / (0.7 * std::sqrt(2.0)));
  CHECK(v[0].pde == Approx(p_left).epsilon(1e-9));
  CHECK(v[0].particles == 0);
  CHECK(v[0].standard_error == Approx(std::sqrt(p_left * (1 - p_left) / 10)).epsilon(1e-9));
  // P(0 of 10 on the left) = (1 - p)^10, doubled for two sides.
  CHECK(v[0].pvalue == Approx(2 * std::pow(1 - p_left, 10)).epsilon(1e-9));
  CHECK(v[1].pvalue == Approx(v[0].pvalue).epsilon(1e-9)); // Boost's two tails agree to 1e-11
  CHECK(v[2].particles == Approx(x).epsilon(1e-14));
  // The cell-centre mean and variance of the binned Gaussian: 0.5 and 0.49 + h^2/12 up to
  // exponentially small terms (Euler–Maclaurin).
  const double h = 0.05;
  CHECK(v[2].pde == Approx(0.5).epsilon(1e-9));
  CHECK(v[2].standard_error == Approx(std::sqrt((0.49 + h * h / 12) / 10)).epsilon(1e-6));
  CHECK(v[2].z == Approx((x - 0.5) / v[2].standard_error).epsilon(1e-9));
  CHECK(v[2].pvalue == Approx(std::erfc(std::abs(v[2].z) / std::sqrt(2.0))).epsilon(1e-12));
  CHECK(v[3].particles == Approx(0).margin(1e-15));
  CHECK(v[3].pde == Approx(0.49 + h * h / 12).epsilon(1e-6));
  // Var of the sample variance: (mu4 - sigma^4) / N = 2 sigma^4 / N for a Gaussian.
  CHECK(v[3].standard_error == Approx(std::sqrt(2 / 10.0) * (0.49 + h * h / 12)).epsilon(1e-3));
}

TEST_CASE("Observables under the null: z-scores of particles drawn from the PDE's cell masses have "
          "mean 0, variance 1 and the nominal false-alarm rate",
          "[compare][observables][mpi]") {
  // 400 independent samples of N = 2000 draws from the cell masses of a Gaussian in a double
  // well's box (every rank draws the same numbers and bins its share: the counts do not depend on
  // the rank count). At level 0.05 each observable's false alarms are Binomial(400, 0.05): 20 +-
  // 4.4; the band of 4 standard deviations is [3, 37]. The mean z of 400 is 0 +- 0.05, its variance
  // 1 +- 0.07.
  const Grid grid(PETSC_COMM_WORLD, {make_axis(-2.5, 2.5, 100)});
  const DoubleWellLandscape f(1, 1.0, 0.3);
  const std::vector<Observable> observables = make_observables(grid, f, {"x > 0.8"});
  const GridField rho = gaussian_density(grid, -0.3, 0.6);
  GridField masses(rho);
  RELAX_PETSC(VecScale(masses.vec(), 1.0 / integral(rho)));
  // The cumulative cell masses in natural order, on every rank.
  const int n = grid.axis(0).n;
  std::vector<double> cumulative(static_cast<std::size_t>(n));
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    sum += gaussian_cell_mass(grid.axis(0).centre(i), grid.axis(0).h(), -0.3, 0.6);
    cumulative[static_cast<std::size_t>(i)] = sum;
  }
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  std::mt19937_64 generator(20261207);
  std::uniform_real_distribution<double> uniform(0.0, sum);
  const int samples = 400;
  const int particles = 2000;
  std::vector<int> alarms(observables.size(), 0);
  std::vector<double> z_sum(observables.size(), 0.0);
  std::vector<double> z2_sum(observables.size(), 0.0);
  for (int s = 0; s < samples; ++s) {
    Histogram histogram(grid);
    for (int p = 0; p < particles; ++p) {
      const double u = uniform(generator);
      const auto cell = static_cast<int>(std::lower_bound(cumulative.begin(), cumulative.end(), u) -
                                         cumulative.begin());
      if (p % size == rank) {
        const double x = grid.axis(0).centre(std::min(cell, n - 1));
        histogram.add(1, 1, &x);
      }
    }
    histogram.reduce();
    const std::vector<ObservableValue> v = evaluate_observables(observables, masses, histogram);
    for (std::size_t k = 0; k < v.size(); ++k) {
      alarms[k] += v[k].pvalue < 0.05;
      z_sum[k] += v[k].z;
      z2_sum[k] += v[k].z * v[k].z;
    }
  }
  for (std::size_t k = 0; k < observables.size(); ++k) {
    const double mean = z_sum[k] / samples;
    const double variance = z2_sum[k] / samples - mean * mean;
    CAPTURE(observables[k].name, alarms[k], mean, variance);
    CHECK(alarms[k] >= 3);
    CHECK(alarms[k] <= 37);
    CHECK(std::abs(mean) <= 0.2);
    CHECK(variance == Approx(1).margin(0.28));
  }
}
