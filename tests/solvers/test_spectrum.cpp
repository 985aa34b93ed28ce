// The slowest modes of the FP generator by SLEPc (solvers/spectrum): the exact Ornstein–Uhlenbeck
// spectrum in 1D and 2D (rates k a, eigenfunctions Hermite polynomials times Gibbs), the double
// well's lambda1 and lambda2 against an independent eigenvalue at measured O(h^2), a non-gradient
// 2D OU whose rates are complex (n+ a (1 + i eps) + n- a (1 - i eps)), and the same numbers on 1, 2
// and 3 ranks.
#include "solvers/spectrum.hpp"

#include "fp_test_support.hpp"
#include "schroedinger_reference.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <complex>
#include <memory>

using namespace relax;
using relax::test::make_axis;

namespace {

/// A spectrum with the grid its modes live on.
struct Solved {
  std::unique_ptr<Grid> grid;
  Spectrum spectrum;
};

Solved solve(MPI_Comm comm, std::vector<Axis> axes, const Drift& drift, double beta, int count) {
  Solved solved{std::make_unique<Grid>(comm, std::move(axes)), {}};
  FokkerPlanckSolver solver(*solved.grid, drift, TemperatureSchedule::constant(beta));
  SpectrumOptions options;
  options.count = count;
  solved.spectrum = slowest_modes(solver, options);
  return solved;
}

Solved ou_spectrum(MPI_Comm comm, int dim, int n, double a, double beta, double rotation,
                   int count) {
  return solve(comm, std::vector<Axis>(static_cast<std::size_t>(dim), make_axis(-6, 6, n)),
               Drift(std::make_shared<test::Quadratic>(dim, a, 0.0), rotation), beta, count);
}

Solved double_well_spectrum(MPI_Comm comm, int n, double beta, int count) {
  return solve(comm, {make_axis(-2.5, 2.5, n)},
               Drift(std::make_shared<test::TiltedDoubleWell>(1, 0.0)), beta, count);
}

/// int rho x0 and int |rho|: numbers of a mode that do not depend on the rank count.
std::pair<double, double> mode_summary(const GridField& rho) {
  GridField weighted(rho);
  GridField x(rho.grid());
  x.fill([](const double* p) { return p[0]; });
  RELAX_PETSC(VecPointwiseMult(weighted.vec(), rho.vec(), x.vec()));
  GridField absolute(rho);
  RELAX_PETSC(VecAbs(absolute.vec()));
  return {integral(weighted), integral(absolute)};
}

} // namespace

TEST_CASE("spectrum: 1D Ornstein–Uhlenbeck rates are k a at O(h^2), modes Hermite times Gibbs",
          "[solvers][spectrum]") {
  // f = a x^2 / 2: the generator's rates are exactly 0, a, 2a, ... whatever beta; the mode k is
  // He_k(x / s) pi(x) / sqrt(k!), s^2 = 1 / (beta a), in the L2(1/pi) normalization.
  const double a = 1.5;
  const double beta = 2.0;
  std::vector<std::vector<double>> errors(4);
  std::vector<double> mode1_error;
  for (int n : {100, 200, 400}) {
    const Solved solved = ou_spectrum(PETSC_COMM_SELF, 1, n, a, beta, 0.0, 5);
    const Spectrum& spectrum = solved.spectrum;
    REQUIRE(spectrum.is_symmetric);
    REQUIRE(spectrum.modes.size() == 5);
    CHECK(std::abs(spectrum.modes[0].rate) < 1e-10);
    for (int k = 1; k <= 4; ++k) {
      const SpectralMode& mode = spectrum.modes[static_cast<std::size_t>(k)];
      CAPTURE(n, k, mode.rate, mode.residual);
      CHECK(mode.rate.imag() == 0);
      CHECK(mode.residual < 1e-10);
      errors[static_cast<std::size_t>(k - 1)].push_back(std::abs(mode.rate.real() - k * a));
    }
    // Mode 0 is Gibbs (mass 1), mode 1 is (x / s) pi up to its sign convention (largest entry > 0).
    const Grid& grid = spectrum.modes[0].real.grid();
    const double s = 1 / std::sqrt(beta * a);
    GridField exact(grid);
    exact.fill([&](const double* x) {
      return std::exp(-0.5 * x[0] * x[0] / (s * s)) / (std::sqrt(2 * M_PI) * s);
    });
    CHECK(integral(spectrum.modes[0].real) == Approx(1).epsilon(1e-12));
    CHECK(l1_distance(spectrum.modes[0].real, exact) < 1e-4);
    GridField exact1(grid);
    exact1.fill([&](const double* x) {
      return x[0] / s * std::exp(-0.5 * x[0] * x[0] / (s * s)) / (std::sqrt(2 * M_PI) * s);
    });
    const double d_plus = l1_distance(spectrum.modes[1].real, exact1);
    RELAX_PETSC(VecScale(exact1.vec(), -1.0));
    mode1_error.push_back(std::min(d_plus, l1_distance(spectrum.modes[1].real, exact1)));
  }
  for (std::size_t k = 0; k < 4; ++k) {
    test::check_orders("OU rate " + std::to_string(k + 1), errors[k], 1.9, 2.1);
  }
  // The mode converges faster than the rate (measured: order 4, 7.9e-6 at n = 100).
  test::check_orders("OU mode 1 (L1)", mode1_error, 3.8, 4.2);
  CHECK(mode1_error.front() < 1e-5);
  CHECK(errors[0].back() < 1e-3 * a); // 0.75 h^2 a: 6.7e-4 at h = 0.03
}

TEST_CASE("spectrum: 2D Ornstein–Uhlenbeck rates n0 a0 + n1 a1 with their multiplicities",
          "[solvers][spectrum]") {
  // Isotropic a = 1: rates 0, 1, 1, 2, 2, 2 (n0 + n1 = 0, 1, 2).
  const Solved solved = ou_spectrum(PETSC_COMM_SELF, 2, 80, 1.0, 1.0, 0.0, 6);
  const Spectrum& spectrum = solved.spectrum;
  const std::vector<double> exact{0, 1, 1, 2, 2, 2};
  REQUIRE(spectrum.modes.size() == 6);
  for (std::size_t k = 0; k < 6; ++k) {
    CAPTURE(k, spectrum.modes[k].rate);
    CHECK(std::abs(spectrum.modes[k].rate - exact[k]) < 1e-2 * std::max(1.0, exact[k]));
    CHECK(spectrum.modes[k].residual < 1e-10);
  }
}

TEST_CASE("spectrum: the double well's lambda1 and lambda2 converge to an independent eigenvalue "
          "at O(h^2)",
          "[solvers][spectrum][convergence]") {
  const double beta = 1.0;
  const double lambda1 = test::schroedinger_eigenvalue(beta, 2.5, 20000, 1);
  const double lambda2 = test::schroedinger_eigenvalue(beta, 2.5, 20000, 2);
  std::vector<double> errors1;
  std::vector<double> errors2;
  for (int n : {100, 200, 400}) {
    const Solved solved = double_well_spectrum(PETSC_COMM_SELF, n, beta, 3);
    const Spectrum& spectrum = solved.spectrum;
    CAPTURE(n, spectrum.modes[1].rate, spectrum.modes[2].rate, lambda1, lambda2);
    CHECK(spectrum.modes[1].residual < 1e-10);
    CHECK(spectrum.modes[2].residual < 1e-10);
    errors1.push_back(std::abs(spectrum.modes[1].rate.real() - lambda1));
    errors2.push_back(std::abs(spectrum.modes[2].rate.real() - lambda2));
  }
  test::check_orders("double well lambda1", errors1, 1.9, 2.1);
  test::check_orders("double well lambda2", errors2, 1.9, 2.1);
  CHECK(errors1.back() < 1e-4 * lambda1);
}

TEST_CASE("spectrum: a non-gradient 2D drift has complex-conjugate rates a (1 +- i eps)",
          "[solvers][spectrum]") {
  // b = -a x + eps a J x = -B x, B = a [[1, eps], [-eps, 1]]: the generator's rates are
  // n+ a (1 + i eps) + n- a (1 - i eps), n+- >= 0 (Metafune, Pallara and Priola 2002).
  const double a = 1.0;
  const double eps = 0.5;
  const std::vector<std::complex<double>> exact{
      {0, 0}, {a, -a * eps}, {a, a * eps}, {2 * a, -2 * a * eps}, {2 * a, 0}, {2 * a, 2 * a * eps}};
  std::vector<double> errors;
  for (int n : {40, 80}) {
    const Solved solved = ou_spectrum(PETSC_COMM_SELF, 2, n, a, 1.0, eps, 6);
    const Spectrum& spectrum = solved.spectrum;
    REQUIRE_FALSE(spectrum.is_symmetric);
    REQUIRE(spectrum.modes.size() == 6);
    // The discrete real parts split the three rates of real part 2a, so match as sets.
    double worst = 0;
    for (std::size_t k = 0; k < 6; ++k) {
      CAPTURE(n, k, spectrum.modes[k].rate, spectrum.modes[k].residual);
      CHECK(spectrum.modes[k].residual < 1e-10);
      double nearest = INFINITY;
      for (const auto& rate : exact) {
        nearest = std::min(nearest, std::abs(spectrum.modes[k].rate - rate));
      }
      CHECK(nearest < 0.05);
      worst = std::max(worst, nearest);
    }
    CHECK(spectrum.modes[1].rate == std::conj(spectrum.modes[2].rate));
    errors.push_back(worst);
  }
  test::check_orders("rotating OU rates", errors, 1.8, 2.2);
}

TEST_CASE("spectrum: the same rates and modes on any number of ranks", "[solvers][spectrum][mpi]") {
  const Solved serial1 = double_well_spectrum(PETSC_COMM_SELF, 200, 2.0, 4);
  const Solved parallel1 = double_well_spectrum(PETSC_COMM_WORLD, 200, 2.0, 4);
  const Solved serial2 = ou_spectrum(PETSC_COMM_SELF, 2, 40, 1.0, 1.0, 0.5, 4);
  const Solved parallel2 = ou_spectrum(PETSC_COMM_WORLD, 2, 40, 1.0, 1.0, 0.5, 4);
  const Spectrum& serial = serial1.spectrum;
  const Spectrum& parallel = parallel1.spectrum;
  for (const auto& [a, b] :
       {std::pair(&serial, &parallel), std::pair(&serial2.spectrum, &parallel2.spectrum)}) {
    REQUIRE(a->modes.size() == b->modes.size());
    for (std::size_t k = 0; k < a->modes.size(); ++k) {
      CAPTURE(k, a->modes[k].rate, b->modes[k].rate);
      CHECK(std::abs(a->modes[k].rate - b->modes[k].rate) <=
            1e-10 * std::max(1.0, std::abs(a->modes[k].rate)));
      const auto [moment_a, size_a] = mode_summary(a->modes[k].real);
      const auto [moment_b, size_b] = mode_summary(b->modes[k].real);
      CHECK(moment_a == Approx(moment_b).margin(1e-9));
      CHECK(size_a == Approx(size_b).epsilon(1e-9));
    }
  }
}
