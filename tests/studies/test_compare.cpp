// relax compare's cross-validation (studies/compare.hpp): the particle histogram agrees with the
// Fokker–Planck density within sampling noise on OU and the double well; a run with the particles
// at another beta is flagged; both sides reach Gibbs; the slow mode is the operator's second
// eigenvalue; the three escape rates agree at a barrier of 6 kT; and everything is the same at 1,
// 2 and 3 ranks (the [mpi] case also runs a serial reference on PETSC_COMM_SELF on every rank).
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "escape_reference.hpp"
#include "models/finite_sum.hpp"
#include "models/output_times.hpp"
#include "test_compare_support.hpp"

#include <catch2/catch.hpp>
#include <petscksp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <vector>

using namespace relax;
using test::CompareFixture;

namespace {

MPI_Comm world() {
  return PETSC_COMM_WORLD;
}

/// Runs to every output time of the fixture's [time] keys and checks that the histogram agrees
/// with the density within noise at t = 0 and at each of them.
void check_agreement_at_every_output(CompareFixture& fixture) {
  std::vector<double> times = {0.0};
  for (double t : make_output_times(fixture.config)) {
    times.push_back(t);
  }
  for (double t : times) {
    fixture.advance_to(t);
    const DensityComparison c = fixture.run.compare();
    INFO("t = " << t << ": L1 = " << c.l1 << ", noise = " << c.noise
                << ", L1/noise = " << c.l1 / c.noise << ", chi2 = " << c.chi_square.statistic
                << " (dof " << c.chi_square.degrees_of_freedom << "), p = " << c.chi_square.pvalue);
    CHECK(c.l1 <= 3 * c.noise);
    CHECK(c.chi_square.pvalue >= 1e-4);
    CHECK(c.agrees);
    // The distances are consistent with each other: TV = L1/2, Hellinger^2 <= TV <= sqrt(2) H.
    CHECK(c.total_variation == Approx(c.l1 / 2).epsilon(1e-14));
    CHECK(c.hellinger * c.hellinger <= c.total_variation * (1 + 1e-12));
    CHECK(c.total_variation <= std::sqrt(2.0) * c.hellinger * (1 + 1e-12));
    // KL(h || rho) is second order in h - rho: 2 N KL ~ Pearson's X^2, whose mean is the number
    // of cells minus one (at most; cells rho never reaches contribute nothing) and whose standard
    // deviation is sqrt(2 (cells - 1)). So KL <= (cells - 1 + 5 sqrt(2 (cells - 1))) / (2 N) unless
    // the particles disagree; and Pinsker's inequality KL >= 2 TV^2 (nats) ties it to the L1.
    const auto particles = static_cast<double>(fixture.config.integer("sde.particles"));
    double cells = 1;
    for (int d = 0; d < fixture.grid.dim(); ++d) {
      cells *= fixture.grid.axis(d).n;
    }
    const double kl_bound = (cells - 1 + 5 * std::sqrt(2 * (cells - 1))) / (2 * particles);
    INFO("KL = " << c.kl << ", noise bound " << kl_bound
                 << ", Pinsker 2 TV^2 = " << 2 * c.total_variation * c.total_variation);
    CHECK(c.kl <= kl_bound);
    CHECK(c.kl >= 2 * c.total_variation * c.total_variation * (1 - 1e-12));
  }
}

/// The dense spectrum of the operator A (PCNONE, so the "preconditioned operator" is A itself),
/// sorted by |real part|: an independent check of the slow mode.
std::vector<double> dense_spectrum(::Mat A, MPI_Comm comm) {
  PetscInt n = 0;
  RELAX_PETSC(MatGetSize(A, &n, nullptr));
  petsc::KSP ksp;
  RELAX_PETSC(KSPCreate(comm, ksp.out()));
  RELAX_PETSC(KSPSetOperators(ksp, A, A));
  ::PC pc = nullptr;
  RELAX_PETSC(KSPGetPC(ksp, &pc));
  RELAX_PETSC(PCSetType(pc, PCNONE));
  RELAX_PETSC(KSPSetUp(ksp));
  std::vector<PetscReal> re(static_cast<std::size_t>(n));
  std::vector<PetscReal> im(static_cast<std::size_t>(n));
  RELAX_PETSC(KSPComputeEigenvaluesExplicitly(ksp, n, re.data(), im.data()));
  std::vector<double> magnitudes;
  for (std::size_t i = 0; i < re.size(); ++i) {
    magnitudes.push_back(-re[i]);
  }
  std::sort(magnitudes.begin(), magnitudes.end(),
            [](double a, double b) { return std::abs(a) < std::abs(b); });
  return magnitudes;
}

} // namespace

TEST_CASE("Ornstein-Uhlenbeck: the histogram agrees with the PDE density within 3x the expected "
          "noise at every output",
          "[compare]") {
  CompareFixture fixture(world(), {{"landscape.type", "quadratic"},
                                   {"landscape.stiffness", "2"},
                                   {"landscape.centre", "0.5"},
                                   {"temperature.beta", "2"},
                                   {"grid.lo", "-3"},
                                   {"grid.hi", "3.5"},
                                   {"grid.n", "130"},
                                   {"initial.mean", "-1.5"},
                                   {"initial.std", "0.3"},
                                   {"sde.particles", "100000"},
                                   {"sde.integrator", "euler_maruyama"},
                                   {"sde.dt", "0.0005"},
                                   {"fp.dt", "0.0005"},
                                   {"time.end", "1.5"},
                                   {"time.outputs", "3"}});
  CHECK_FALSE(fixture.run.problem().wells); // one well: no escape rates
  check_agreement_at_every_output(fixture);
}

TEST_CASE("Double well: the histogram agrees with the PDE density within 3x the expected noise at "
          "every output, through relaxation",
          "[compare]") {
  // The default problem of relax compare with 10^5 particles to t = 4 (MALA, dt = 2e-3).
  CompareFixture fixture(world(), {{"sde.particles", "100000"},
                                   {"sde.integrator", "mala"},
                                   {"sde.dt", "0.002"},
                                   {"fp.dt", "0.001"},
                                   {"time.end", "4"},
                                   {"time.outputs", "4"}});
  check_agreement_at_every_output(fixture);
  // It did relax: most of the mass crossed the barrier.
  CHECK(fixture.run.solver().diagnostics(fixture.run.density()).l1_to_gibbs < 0.1);
}

TEST_CASE("Particles at 1.2 beta are reported as a disagreement with p < 1e-6", "[compare]") {
  CompareFixture fixture(world(), {{"sde.particles", "100000"},
                                   {"sde.integrator", "mala"},
                                   {"sde.dt", "0.002"},
                                   {"time.end", "2"},
                                   {"time.outputs", "1"},
                                   {"compare.particle_beta_factor", "1.2"}});
  CHECK(fixture.run.problem().particle_schedule.beta(0) == Approx(1.2).epsilon(1e-15));
  CHECK(fixture.run.problem().schedule.beta(0) == 1.0);
  const DensityComparison start = fixture.run.compare();
  CAPTURE(start.l1, start.noise, start.chi_square.pvalue);
  CHECK(start.agrees); // the same initial distribution
  fixture.advance_to(2.0);
  const DensityComparison c = fixture.run.compare();
  CAPTURE(c.l1, c.noise, c.chi_square.statistic, c.chi_square.degrees_of_freedom,
          c.chi_square.pvalue);
  CHECK(c.chi_square.pvalue < 1e-6);
  CHECK_FALSE(c.agrees);
}

TEST_CASE("Stationary: the PDE reaches discrete Gibbs to 1e-10 and the particles agree with Gibbs "
          "within noise",
          "[compare]") {
  // lambda1 = 0.75: by t = 40 the slow mode has decayed by e^-30 (backward Euler at dt = 0.1:
  // (1 + 0.075)^-400 = e^-29, and BE's fixed point is the null vector exactly); MALA keeps Gibbs
  // exactly invariant at any dt.
  CompareFixture fixture(world(), {{"sde.particles", "50000"},
                                   {"sde.integrator", "mala"},
                                   {"sde.dt", "0.02"},
                                   {"fp.dt", "0.1"},
                                   {"time.end", "40"}});
  fixture.advance_to(40.0);
  const StationaryComparison s = fixture.run.compare_to_stationary();
  INFO(std::setprecision(6) << "PDE: L1 " << s.pde_l1 << ", KL " << s.pde_kl << "; particles: L1 "
                            << s.particles.l1 << ", noise " << s.particles.noise << ", p "
                            << s.particles.chi_square.pvalue);
  CHECK(s.is_gibbs);
  CHECK(s.beta == 1.0);
  CHECK(s.pde_l1 <= 1e-10);
  CHECK(s.particles.l1 <= 3 * s.particles.noise);
  CHECK(s.particles.chi_square.pvalue >= 1e-4);
  CHECK(s.particles.agrees);
}

TEST_CASE("The slow mode is the smallest nonzero eigenvalue of -A: the dense spectrum's, and the "
          "OU rate a",
          "[compare]") {
  SECTION("double well, against the dense spectrum") {
    CompareFixture fixture(
        world(), {{"temperature.beta", "2.5"}, {"grid.n", "150"}, {"sde.particles", "10"}});
    REQUIRE(fixture.run.problem().wells);
    const EscapeRates rates = fixture.run.escape_rates();
    const std::vector<double> spectrum = dense_spectrum(fixture.run.solver().op(), world());
    CAPTURE(rates.lambda1, spectrum[0], spectrum[1], spectrum[2], rates.lambda1_residual);
    CHECK(std::abs(spectrum[0]) < 1e-10 * spectrum[2]);
    CHECK(rates.lambda1 == Approx(spectrum[1]).epsilon(1e-10));
    CHECK(rates.lambda1_residual < 1e-13);
    CHECK(rates.target_mass == Approx(0.5).epsilon(1e-12)); // symmetric wells
    CHECK(rates.pde == Approx(0.5 * rates.lambda1).epsilon(1e-12));
  }
  SECTION("Ornstein-Uhlenbeck: lambda1 = a up to the O(h^2) error of the scheme") {
    // f = a x^2 / 2: the FP spectrum is n a, independent of beta.
    std::vector<double> errors;
    for (const char* n : {"100", "200", "400"}) {
      CompareFixture fixture(world(), {{"landscape.type", "quadratic"},
                                       {"landscape.stiffness", "3"},
                                       {"grid.lo", "-4"},
                                       {"grid.hi", "4"},
                                       {"grid.n", n},
                                       {"sde.particles", "10"}});
      SpectrumOptions two;
      two.count = 2;
      const SpectralMode mode = slowest_modes(fixture.run.solver(), two).modes[1];
      errors.push_back(std::abs(mode.rate.real() / 3 - 1));
      CAPTURE(n, mode.rate, mode.residual);
      CHECK(errors.back() < 1e-2);
    }
    for (std::size_t k = 0; k + 1 < errors.size(); ++k) {
      const double order = std::log2(errors[k] / errors[k + 1]);
      CAPTURE(errors[k], errors[k + 1], order);
      CHECK(order > 1.8);
      CHECK(order < 2.2);
    }
  }
}

TEST_CASE("Escape over a 6 kT barrier: PDE slow mode and particle first passages agree within 3 "
          "standard errors, each with its exact rate; Kramers within its asymptotic error",
          "[compare]") {
  // 20000 particles for t = 250 (k ~ 2e-3: about 8000 passages, a standard error of 1.1%). The
  // systematic differences stay below one standard error: Euler-Maruyama's rate bias is -0.4% at
  // dt = 1e-3 (measured: -0.77% from dt = 1e-3 to 4e-3), and the passage rate through the other
  // minimum is 1 / (1/k + lag), the lag being the time to slide down from the saddle: -0.5% at
  // 6 kT (exact first-passage quadrature). Float increments: the crossing is made of many small
  // steps, which their 2^-24 resolution and 5.9-sigma cut-off do not change.
  // References computed here (tests/studies/escape_reference.hpp), not by the project:
  // * k_mfpt = 1 / tau, tau the exact mean first-passage time from -1 to +1 (quadrature): what
  //   the particles measure. Band: 3 SE + 0.5 % (EM's O(dt) bias, measured -0.77 % from dt = 1e-3
  //   to 4e-3, so ~ -0.26 % at 1e-3, doubled).
  // * lambda1 of the same SG discretization (n = 200 on [-2.5, 2.5]) by Sturm bisection: the
  //   project's slow mode must match it to the eigen solve's accuracy (1e-8 relative); the target
  //   mass is 1/2 by symmetry. And the continuum lambda1 pi_b by Richardson from n = 1600, 3200:
  //   the grid's second-order error (printed) is what separates the PDE rate from it.
  // * Kramers' k_K = sqrt(f''(a) |f''(s)|) / (2 pi) e^(-beta df). Laplace's method to the next
  //   order gives tau = (1/k_K) (1 + (C_a + C_s) / beta + O(beta^-2)) with, for f = (x^2 - 1)^2,
  //   C = -f4/(8 f2^2) + 5 f3^2/(24 |f2|^3) = 0.1875 at the minimum and the saddle: k_K / k_mfpt -
  //   1 = 0.375 / (beta df) + O((beta df)^-2), i.e. 6.25 % at 6 kT with a remainder below 1/36.
  CompareFixture fixture(world(), {{"temperature.beta", "6"},
                                   {"initial.std", "0.15"},
                                   {"sde.particles", "20000"},
                                   {"sde.integrator", "euler_maruyama"},
                                   {"sde.dt", "0.001"},
                                   {"sde.noise", "float"},
                                   {"fp.dt", "250"},
                                   {"time.end", "250"}});
  REQUIRE(fixture.run.problem().wells);
  const PassageSurface surface = *fixture.run.problem().particles.passage;
  CHECK(surface.axis == 0);
  CHECK(surface.level == Approx(1).epsilon(1e-12)); // the other minimum
  CHECK(surface.upward);
  fixture.advance_to(250.0);
  const EscapeRates r = fixture.run.escape_rates();
  const double se = r.particles.rate_error;
  CAPTURE(r.pde, r.particles.rate, se, r.particles.passed, r.kramers, r.lambda1, r.target_mass,
          (r.particles.rate - r.pde) / se);
  CHECK(r.beta * r.barrier == Approx(6).epsilon(1e-12));
  CHECK(r.particles.passed > 5000);
  CHECK(std::abs(r.pde - r.particles.rate) <= 3 * se);

  const double beta = 6;
  const auto f = [](double x) { return (x * x - 1) * (x * x - 1); };
  const double k_mfpt = std::exp(-beta) / testing::mfpt_scaled(f, beta, -3.0, -1.0, 1.0, 1.0);
  const double lambda_grid = testing::sg_slow_eigenvalue(f, beta, -2.5, 2.5, 200);
  const double lambda_1600 = testing::sg_slow_eigenvalue(f, beta, -2.5, 2.5, 1600);
  const double lambda_3200 = testing::sg_slow_eigenvalue(f, beta, -2.5, 2.5, 3200);
  const double lambda_continuum = lambda_3200 + (lambda_3200 - lambda_1600) / 3;
  const double kramers = std::sqrt(8.0 * 4.0) / (2 * M_PI) * std::exp(-beta);
  const double kramers_error = kramers / k_mfpt - 1;
  CAPTURE(k_mfpt, r.particles.rate / k_mfpt - 1, lambda_grid, r.lambda1 / lambda_grid - 1,
          lambda_continuum, lambda_grid / lambda_continuum - 1, 0.5 * lambda_continuum / k_mfpt - 1,
          kramers_error, 0.375 / beta);
  CHECK(std::abs(r.particles.rate - k_mfpt) <= 3 * se + 0.005 * k_mfpt);
  CHECK(std::abs(r.lambda1 / lambda_grid - 1) <= 1e-8);
  CHECK(r.target_mass == Approx(0.5).epsilon(1e-10));
  // The project's Kramers rate takes its Hessians by central differences of the gradient at step
  // 1e-5: truncation f'''' step^2 / 6 ~ 4e-9 against |f''(s)| = 4, i.e. ~5e-10 relative in the
  // rate (measured: 2.5e-11).
  INFO("r.kramers / kramers - 1 = " << r.kramers / kramers - 1);
  CHECK(r.kramers == Approx(kramers).epsilon(1e-9));
  CHECK(std::abs(kramers_error - 0.375 / beta) <= 1.0 / (beta * beta));
}

TEST_CASE("A comparison gives the same results at 1, 2 and 3 ranks: PDE to 1e-12, particles bit "
          "for bit",
          "[compare][mpi]") {
  // A 2D double well (wells along x0) so that the grid is split in both directions, MALA (with
  // its acceptance stream), 3001 particles (uneven blocks), with escape rates in 2D.
  const std::map<std::string, std::string> values = {{"landscape.stiffness", "2"},
                                                     {"landscape.dim", "2"},
                                                     {"temperature.beta", "2"},
                                                     {"grid.lo", "-2.5,-2"},
                                                     {"grid.hi", "2.5,2.2"},
                                                     {"grid.n", "40,30"},
                                                     {"initial.mean", "-1,0.3"},
                                                     {"initial.std", "0.3"},
                                                     {"sde.particles", "3001"},
                                                     {"sde.integrator", "mala"},
                                                     {"sde.dt", "0.01"},
                                                     {"fp.dt", "0.01"},
                                                     {"time.end", "1"},
                                                     {"time.outputs", "2"}};
  CompareFixture distributed(world(), values);
  CompareFixture serial(PETSC_COMM_SELF, values);
  REQUIRE(distributed.run.problem().wells);
  const auto close = [](double a, double b) { return std::abs(a - b) <= 1e-12 * std::abs(b); };
  for (double t : {0.5, 1.0}) {
    distributed.advance_to(t);
    serial.advance_to(t);
    // The density: every rank's cells against the same cells of its serial run.
    // KL(h || rho) responds to the relative difference of rho where h > 0, also in the tails,
    // where round-off differences of rho are large relative ones: |d KL| <= sum h |d rho| / rho dV.
    double difference = 0;
    double largest = 0;
    double kl_bound = 0;
    {
      const GridField h = serial.run.ensemble().histogram(serial.grid).density();
      const petsc::ConstVecArray counts(h.vec());
      const petsc::ConstVecArray mine(distributed.run.density().vec());
      const petsc::ConstVecArray all(serial.run.density().vec());
      const auto nx = static_cast<std::size_t>(distributed.grid.axis(0).n);
      distributed.grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
        const std::size_t global =
            static_cast<std::size_t>(index[1]) * nx + static_cast<std::size_t>(index[0]);
        const double delta = std::abs(mine[offset] - all[global]);
        difference = std::max(difference, delta);
        kl_bound += counts[global] * distributed.grid.cell_volume() * delta / all[global];
      });
      largest = *std::max_element(all.begin(), all.end());
    }
    RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &difference, 1, MPI_DOUBLE, MPI_MAX, world()));
    RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &kl_bound, 1, MPI_DOUBLE, MPI_SUM, world()));
    CAPTURE(t, difference, largest, kl_bound);
    CHECK(difference <= 1e-12 * largest);
    // Particles: each rank's block equals the same ids of the serial ensemble, bit for bit.
    const ParticleEnsemble& d = distributed.run.ensemble();
    const ParticleEnsemble& s = serial.run.ensemble();
    bool same_particles = true;
    for (std::size_t k = 0; k < 2; ++k) {
      same_particles =
          same_particles && std::memcmp(d.positions().data() + k * d.local_size(),
                                        s.positions().data() + k * s.local_size() + d.first_id(),
                                        d.local_size() * sizeof(double)) == 0;
    }
    CHECK_FALSE(any_rank(world(), !same_particles));
    const DensityComparison a = distributed.run.compare();
    const DensityComparison b = serial.run.compare();
    INFO(std::setprecision(17) << "t = " << t << ": L1 " << a.l1 << " vs " << b.l1 << ", chi2 "
                               << a.chi_square.statistic << " vs " << b.chi_square.statistic
                               << ", p " << a.chi_square.pvalue << " vs " << b.chi_square.pvalue);
    CHECK(close(a.l1, b.l1));
    CHECK(std::abs(a.kl - b.kl) <= 2 * kl_bound + 1e-14 * b.kl); // + the sum's own round-off
    CHECK(close(a.hellinger, b.hellinger));
    CHECK(close(a.chi_square.statistic, b.chi_square.statistic));
    CHECK(a.chi_square.degrees_of_freedom == b.chi_square.degrees_of_freedom);
    // p is the chi-square tail Q at the statistic: its relative condition number chi2 q / Q
    // (q the density) is about 20 here, so 1e-12 in the statistic is up to ~2e-11 in p.
    CHECK(std::abs(a.chi_square.pvalue - b.chi_square.pvalue) <= 1e-10 * b.chi_square.pvalue);
    CHECK(close(a.noise, b.noise));
    CHECK(a.agrees == b.agrees);
  }
  const StationaryComparison a = distributed.run.compare_to_stationary();
  const StationaryComparison b = serial.run.compare_to_stationary();
  CHECK(close(a.pde_l1, b.pde_l1));
  CHECK(close(a.particles.l1, b.particles.l1));
  const EscapeRates ra = distributed.run.escape_rates();
  const EscapeRates rb = serial.run.escape_rates();
  CAPTURE(ra.lambda1, rb.lambda1, ra.particles.rate, ra.kramers);
  CHECK(close(ra.lambda1, rb.lambda1));
  CHECK(close(ra.pde, rb.pde));
  CHECK(ra.particles.passed == rb.particles.passed);
  CHECK(ra.particles.rate == rb.particles.rate); // exact sums: the same bits
  CHECK(ra.particles.exposure == rb.particles.exposure);
  CHECK(ra.kramers == rb.kramers); // a pure function of the same arguments
}

TEST_CASE("Position-dependent diffusion: the histogram agrees with the PDE density within 3x the "
          "expected noise at every output; particles with another D disagree",
          "[compare][diffusion]") {
  // OU b = -(x - c), c = 0.5, with D = 1/(beta (1 + 2 exp(-x^2))) (1/3 at 0, 1 in the tails),
  // beta = 1: int b/D = -(x - c)^2/2 + exp(-x^2) + c sqrt(pi) erf(x), so rho_inf ∝
  // (1 + 2 exp(-x^2)) exp(int b/D), at L1 0.46 from the Gibbs N(0.5, 1). Euler–Maruyama at
  // dt = 2e-3 (weak error O(dt), ~1e-3 in L1, against a noise of ~0.02 at N = 4e4).
  std::map<std::string, std::string> values = {{"landscape.type", "quadratic"},
                                               {"landscape.centre", "0.5"},
                                               {"diffusion.expr", "1/(beta*(1 + 2*exp(-x^2)))"},
                                               {"grid.lo", "-5"},
                                               {"grid.hi", "6"},
                                               {"grid.n", "88"},
                                               {"initial.mean", "-1"},
                                               {"initial.std", "0.4"},
                                               {"sde.particles", "40000"},
                                               {"sde.integrator", "euler_maruyama"},
                                               {"sde.dt", "0.002"},
                                               {"fp.dt", "0.002"},
                                               {"time.end", "2"},
                                               {"time.outputs", "2"}};
  {
    CompareFixture fixture(world(), values);
    CHECK_FALSE(fixture.run.problem().wells); // the rates assume D = 1/beta
    check_agreement_at_every_output(fixture);
    CHECK_FALSE(fixture.run.compare_to_stationary().is_gibbs);
    // The stationary state is the closed form (O(h^2), h = 1/8) and not the Gibbs N(0.5, 1).
    const GridField stationary = fixture.run.solver().stationary();
    GridField exact(fixture.grid);
    exact.fill([](const double* x) {
      const double c = 0.5;
      const double bump = std::exp(-x[0] * x[0]);
      return (1 + 2 * bump) *
             std::exp(-(x[0] - c) * (x[0] - c) / 2 + bump + c * std::sqrt(M_PI) * std::erf(x[0]));
    });
    RELAX_PETSC(VecScale(exact.vec(), 1.0 / integral(exact)));
    const double error = l1_distance(stationary, exact);
    INFO("L1(stationary, closed form) = " << error);
    CHECK(error < 2e-3);
    CHECK(l1_distance(fixture.run.solver().gibbs(1.0), exact) > 0.4);
  }
  values["compare.particle_beta_factor"] = "1.5"; // the particles run at D / 1.5
  CompareFixture mismatched(world(), values);
  mismatched.advance_to(2.0);
  const DensityComparison c = mismatched.run.compare();
  CAPTURE(c.l1, c.noise, c.chi_square.pvalue);
  CHECK(c.chi_square.pvalue < 1e-6);
  CHECK_FALSE(c.agrees);
}

TEST_CASE("Minibatch SGD and SGLD on a finite sum: the histogram agrees with the FP of the SDE "
          "model D = (eta/2) c_B Sigma_ii [+ 1/beta] at every output and at stationarity, not "
          "with D = 1/beta",
          "[compare][sgd]") {
  // 1D wells l_i = kappa (x - c_i)^2 / 2, n = 20, kappa = 2, spread 10, B = 1 with replacement
  // (c_B = 1), eta = 0.0025: Sigma = kappa^2 Var(c) is constant, so the model is OU with D = eta
  // Sigma / 2 (SGD, Var = eta kappa Var(c) / 2 ~ 0.26) or 1/beta + eta Sigma / 2 (SGLD, Var ~
  // 0.76), both off the Gibbs Var = 1/(beta kappa) = 0.5. The model neglects a relative eta kappa /
  // 2 = 0.25% of the variance (the exact AR(1)) and the skewness of the one-point kicks eta kappa
  // (c_i - cbar), ~0.05 against the width 0.5 (at eta = 0.01 and spread 5 chi-square sees them at
  // p ~ 1e-7 with N = 4e4: the model's error is O(eta)). h = 1/16 (at h = 1/8 the PDE's mean in
  // the transient is off by 4 SE).
  std::map<std::string, std::string> values = {
      {"landscape.type", "wells"}, {"landscape.points", "20"},
      {"landscape.spread", "10"},  {"landscape.stiffness", "2"},
      {"grid.lo", "-7"},           {"grid.hi", "7"},
      {"grid.n", "224"},           {"initial.mean", "0"},
      {"initial.std", "0.5"},      {"sde.particles", "40000"},
      {"sde.batch", "1"},          {"sde.dt", "0.0025"},
      {"fp.dt", "0.002"},          {"time.end", "4"},
      {"time.outputs", "4"}};
  for (const std::string integrator : {"sgd", "sgld"}) {
    values["sde.integrator"] = integrator;
    CompareFixture fixture(world(), values);
    REQUIRE(fixture.run.problem().fp.diffusion);
    INFO(integrator << ": D = " << fixture.run.problem().fp.diffusion->describe());
    CHECK_FALSE(fixture.run.problem().wells); // the rates assume D = 1/beta
    check_agreement_at_every_output(fixture);
    const StationaryComparison s = fixture.run.compare_to_stationary();
    CAPTURE(s.particles.l1, s.particles.noise, s.particles.chi_square.pvalue);
    CHECK_FALSE(s.is_gibbs);
    CHECK(s.particles.agrees);
    // The stationary state is the OU Gaussian of the model, and not the Gibbs at beta = 1.
    const auto& loss = dynamic_cast<const FiniteSumLandscape&>(*fixture.landscape).loss();
    double sigma = 0;
    const double anywhere = 0; // Sigma of the wells does not depend on x
    loss.gradient_covariance(&anywhere, &sigma);
    double minimizer = 0;
    for (std::size_t i = 0; i < loss.size(); ++i) {
      minimizer += loss.point(i)[0] / static_cast<double>(loss.size());
    }
    const double temperature = 0.0025 * sigma / 2 + (integrator == "sgld" ? 1.0 : 0.0);
    const double variance = temperature / 2;
    GridField exact(fixture.grid);
    exact.fill([&](const double* x) {
      return std::exp(-(x[0] - minimizer) * (x[0] - minimizer) / (2 * variance));
    });
    RELAX_PETSC(VecScale(exact.vec(), 1.0 / integral(exact)));
    const GridField stationary = fixture.run.solver().stationary();
    CAPTURE(variance, l1_distance(stationary, exact));
    CHECK(l1_distance(stationary, exact) < 2e-3);
    CHECK(l1_distance(fixture.run.solver().gibbs(1.0), exact) > 0.15);
  }
  // The model is for one rate on every axis: per-parameter rates are refused.
  values["sde.sgd_rates"] = "inverse_variance";
  CHECK_THROWS_WITH(CompareFixture(world(), values),
                    Catch::Matchers::Contains("sde.sgd_rates = inverse_variance"));
}
