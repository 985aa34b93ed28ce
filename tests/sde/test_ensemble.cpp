// ParticleEnsemble over MPI: the same bits at any rank count (positions, histograms, moments,
// passages, acceptance), bit-identical restarts, initial distributions, first-passage statistics
// against Brownian theory, snapshots, and a collective, named failure for a non-finite particle.
// Runs at 1, 2 and 3 ranks; every rank also computes a serial reference on PETSC_COMM_SELF.
#include "../io/io_test_support.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "models/finite_sum.hpp"
#include "models/output_times.hpp"
#include "sde/ensemble.hpp"
#include "sde/ensemble_options.hpp"
#include "sde_test_support.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>

using namespace relax;
namespace t = relax::testing;

namespace {

MPI_Comm world() {
  return PETSC_COMM_WORLD;
}

using t::quadratic;

InitialDistribution gaussian(int dim, double mean, double std) {
  InitialDistribution initial;
  initial.mean.assign(static_cast<std::size_t>(dim), mean);
  initial.std.assign(static_cast<std::size_t>(dim), std);
  return initial;
}

EnsembleSettings settings_for(IntegratorKind kind, std::uint64_t particles, double dt = 0.01) {
  EnsembleSettings settings;
  settings.particles = particles;
  settings.seed = 4242;
  settings.integrator.kind = kind;
  settings.integrator.dt = dt;
  settings.integrator.friction = 2.0;
  settings.integrator.mass = 0.5;
  return settings;
}

/// True on every rank when every rank's local particles equal the matching slice of `reference`
/// (an ensemble of all particles on one process) bit for bit.
bool same_particles(const ParticleEnsemble& distributed, const ParticleEnsemble& reference) {
  const auto d = static_cast<std::size_t>(distributed.dim());
  const std::size_t n = distributed.local_size();
  const std::size_t total = reference.local_size();
  bool same = true;
  for (std::size_t k = 0; k < d; ++k) {
    const std::size_t o = k * total + distributed.first_id();
    same = same && std::memcmp(distributed.positions().data() + k * n,
                               reference.positions().data() + o, n * sizeof(double)) == 0;
    if (!distributed.velocities().empty()) {
      same = same && std::memcmp(distributed.velocities().data() + k * n,
                                 reference.velocities().data() + o, n * sizeof(double)) == 0;
    }
  }
  return !any_rank(world(), !same);
}

/// True on every rank when the reduced counts of `histogram` (on a distributed grid) equal those of
/// `reference` (the same axes on PETSC_COMM_SELF) in every cell.
bool same_counts(const Histogram& histogram, const Histogram& reference) {
  const Grid& grid = histogram.counts().grid();
  const petsc::ConstVecArray counts(histogram.counts().vec());
  const petsc::ConstVecArray expected(reference.counts().vec());
  const auto shape = grid.shape();
  bool same = histogram.total() == reference.total() && histogram.outside() == reference.outside();
  grid.for_each_owned([&](const std::array<int, 3>& cell, std::size_t offset) {
    const auto natural =
        static_cast<std::size_t>(cell[0]) +
        static_cast<std::size_t>(shape[0]) *
            (static_cast<std::size_t>(cell[1]) +
             static_cast<std::size_t>(shape[1]) * static_cast<std::size_t>(cell[2]));
    same = same && counts[offset] == expected[natural];
  });
  return !any_rank(world(), !same);
}

template <typename T> bool same_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

} // namespace

TEST_CASE("Positions, histograms, moments and passages are bit-identical at any rank count",
          "[sde][ensemble][mpi]") {
  // 1001 particles (uneven blocks at 2 and 3 ranks) of a 2D well, blocks of 64, every integrator,
  // with an annealed beta(t) and a passage surface, compared against all particles on one process.
  const auto drift = quadratic(2, 1.5);
  const auto schedule = TemperatureSchedule::logarithmic(2.0);
  const Grid grid(world(), {Axis{-3, 3, 24, Boundary::reflecting}, Axis{-2, 2.5, 18}});
  const Grid serial_grid(PETSC_COMM_SELF, grid.axes());
  for (const IntegratorKind kind :
       {IntegratorKind::euler_maruyama, IntegratorKind::mala, IntegratorKind::baoab}) {
    for (const NoisePrecision noise : {NoisePrecision::float64, NoisePrecision::float32}) {
      EnsembleSettings settings = settings_for(kind, 1001, 0.05);
      settings.integrator.noise = noise;
      settings.block = 64;
      settings.passage = PassageSurface{1, 0.8, true};
      const InitialDistribution initial = gaussian(2, -0.5, 0.7);
      ParticleEnsemble distributed(world(), drift, schedule, settings, initial);
      ParticleEnsemble serial(PETSC_COMM_SELF, drift, schedule, settings, initial);
      distributed.advance_to(30);
      distributed.advance_to(57); // an odd output step: the float noise window restarts mid-group
      serial.advance_to(57);
      CAPTURE(to_string(kind), noise == NoisePrecision::float32, comm_size(world()));
      CHECK(same_particles(distributed, serial));
      CHECK(same_counts(distributed.histogram(grid), serial.histogram(serial_grid)));
      const ParticleMoments m = distributed.moments();
      const ParticleMoments m_serial = serial.moments();
      CHECK(m.mean == m_serial.mean);
      CHECK(m.variance == m_serial.variance);
      CHECK(same_bits(m.mean_energy, m_serial.mean_energy));
      const PassageStatistics p = distributed.passage_statistics();
      const PassageStatistics p_serial = serial.passage_statistics();
      CHECK(p.passed == p_serial.passed);
      CHECK(p.passed > 0);
      CHECK(same_bits(p.exposure, p_serial.exposure));
      CHECK(same_bits(p.mean_time, p_serial.mean_time));
      const AcceptanceCounts a = distributed.acceptance();
      CHECK(a.accepted == serial.acceptance().accepted);
      CHECK(a.proposed == (kind == IntegratorKind::mala ? 1001 * 57 : 0));
    }
  }
}

TEST_CASE("A restart from a checkpoint continues bit for bit, also at another rank count",
          "[sde][ensemble][mpi]") {
  // 2000 steps at once equal 1000 steps, checkpoint, restart, 1000 steps: on the distributed run
  // and on a one-process restart of the distributed checkpoint (MALA's acceptance counts and the
  // passage record included).
  const test::ScratchDir scratch(world());
  const auto drift = quadratic(1, 1.0);
  const auto schedule = TemperatureSchedule::polynomial(1.0, 1.0, 0.5);
  for (const IntegratorKind kind : {IntegratorKind::mala, IntegratorKind::baoab}) {
    EnsembleSettings settings = settings_for(kind, 500, 0.01);
    settings.integrator.noise = NoisePrecision::float32;
    settings.passage = PassageSurface{0, 0.5, true};
    const InitialDistribution initial = gaussian(1, -1.0, 0.3);
    ParticleEnsemble straight(world(), drift, schedule, settings, initial);
    straight.advance_to(2000);

    const std::string path = scratch.file("checkpoint-" + to_string(kind) + ".h5");
    {
      ParticleEnsemble first_half(world(), drift, schedule, settings, initial);
      first_half.advance_to(1000);
      OutputFile file(world(), path, {"sde", "", settings.seed});
      first_half.write_checkpoint(file);
      file.finish();
    }
    ParticleEnsemble resumed = ParticleEnsemble::restart(world(), drift, schedule, settings, path);
    CHECK(resumed.step() == 1000);
    resumed.advance_to(2000);
    ParticleEnsemble resumed_alone =
        ParticleEnsemble::restart(PETSC_COMM_SELF, drift, schedule, settings, path);
    resumed_alone.advance_to(2000);
    ParticleEnsemble straight_alone(PETSC_COMM_SELF, drift, schedule, settings, initial);
    straight_alone.advance_to(2000);
    CAPTURE(to_string(kind));
    CHECK(same_particles(resumed, straight_alone));
    CHECK(same_particles(straight, straight_alone));
    CHECK(std::memcmp(resumed_alone.positions().data(), straight_alone.positions().data(),
                      500 * sizeof(double)) == 0);
    CHECK(resumed.acceptance().accepted == straight.acceptance().accepted);
    CHECK(resumed.acceptance().proposed == straight.acceptance().proposed);
    CHECK(same_bits(resumed.passage_statistics().exposure, straight.passage_statistics().exposure));

    // A restart with other settings is refused, naming the key.
    EnsembleSettings other = settings;
    other.seed = 1;
    CHECK_THROWS_WITH(ParticleEnsemble::restart(world(), drift, schedule, other, path),
                      Catch::Contains("sde.seed = 4242") && Catch::Contains("sde.seed = 1"));
  }
}

TEST_CASE("Initial distributions: Gaussian and uniform moments, point, and file rows",
          "[sde][ensemble][mpi]") {
  const std::size_t n = 20000;
  const auto drift = quadratic(2, 1.0);
  const auto schedule = TemperatureSchedule::constant(2.0);
  EnsembleSettings settings = settings_for(IntegratorKind::baoab, n);
  InitialDistribution initial = gaussian(2, 0.0, 1.0);
  initial.mean = {0.3, -1.2};
  initial.std = {0.5, 2.0};
  const ParticleEnsemble normal(world(), drift, schedule, settings, initial);
  const ParticleMoments m = normal.moments();
  for (std::size_t k = 0; k < 2; ++k) { // within 5 standard errors
    const double v = initial.std[k] * initial.std[k];
    CAPTURE(k, m.mean[k], m.variance[k]);
    CHECK(std::abs(m.mean[k] - initial.mean[k]) < 5 * std::sqrt(v / n));
    CHECK(std::abs(m.variance[k] - v) < 5 * v * std::sqrt(2.0 / n));
  }
  // Maxwellian velocities at beta(0) = 2, m = 0.5: variance 1/(beta m) = 1.
  ExactSum squares;
  for (double v : normal.velocities()) {
    squares.add(v * v);
  }
  const double kinetic = allreduce_value(world(), squares) / (2.0 * n);
  CHECK(std::abs(kinetic - 1.0) < 5 * std::sqrt(2.0 / (2 * n)));

  initial.kind = InitialDistribution::Kind::uniform;
  const std::vector<Axis> box{Axis{-1, 3, 4}, Axis{0.5, 0.75, 4}};
  const ParticleMoments u =
      ParticleEnsemble(world(), drift, schedule, settings, initial, box).moments();
  for (std::size_t k = 0; k < 2; ++k) {
    const double width = box[k].hi - box[k].lo;
    const double v = width * width / 12;
    CAPTURE(k, u.mean[k], u.variance[k]);
    CHECK(std::abs(u.mean[k] - (box[k].lo + box[k].hi) / 2) < 5 * std::sqrt(v / n));
    CHECK(std::abs(u.variance[k] - v) < 5 * std::sqrt(width * width * width * width / 180.0 / n));
  }
  CHECK_THROWS_AS(ParticleEnsemble(world(), drift, schedule, settings, initial), InputError);

  initial.kind = InitialDistribution::Kind::point;
  const ParticleMoments point =
      ParticleEnsemble(world(), drift, schedule, settings, initial).moments();
  CHECK(point.mean == initial.mean);
  CHECK(point.variance == std::vector<double>{0.0, 0.0});

  // From a file: the rows of an (N, 2) dataset, bit for bit, and NaN refused naming the particle.
  const test::ScratchDir scratch(world());
  const std::string path = scratch.file("initial.h5");
  {
    OutputFile file(world(), path, {"test", "", 0});
    const std::vector<double> rows = [&] {
      std::vector<double> r;
      for (std::uint64_t id = normal.first_id(); id < normal.first_id() + normal.local_size();
           ++id) {
        r.push_back(0.25 * static_cast<double>(id));
        r.push_back(id == 777 ? std::nan("") : -1.0 * static_cast<double>(id));
      }
      return r;
    }();
    file.write_rows("start", rows.data(), normal.local_size(), normal.first_id(), n, 2);
    file.finish();
  }
  initial.kind = InitialDistribution::Kind::file;
  initial.file = path;
  initial.dataset = "start";
  CHECK_THROWS_WITH(ParticleEnsemble(world(), drift, schedule, settings, initial),
                    Catch::Contains("particle 777 has a non-finite coordinate"));
  settings.particles = n + 1;
  CHECK_THROWS_WITH(ParticleEnsemble(world(), drift, schedule, settings, initial),
                    Catch::Contains("expected (20001, 2)"));
}

TEST_CASE("First passages of Brownian motion match the discretely monitored Bachelier law",
          "[sde][ensemble][mpi]") {
  // f = 0, beta = 1: X = sqrt(2) W. P(tau_a <= t) = erfc(a / sqrt(4 t)); monitored at steps of dt
  // the level is effectively shifted up by 0.5826 sigma sqrt(dt) (Broadie–Glasserman–Kou), here
  // sigma = sqrt(2). N = 10^5 particles from 0, a = 1, t = 1, dt = 4e-3: the fraction passed within
  // 5 binomial standard errors of the shifted law (and far from the unshifted one).
  const std::size_t n = 100000;
  EnsembleSettings settings = settings_for(IntegratorKind::euler_maruyama, n, 4e-3);
  settings.passage = PassageSurface{0, 1.0, true};
  InitialDistribution initial = gaussian(1, 0.0, 1.0);
  initial.kind = InitialDistribution::Kind::point;
  ParticleEnsemble ensemble(world(), Drift(std::make_shared<t::FlatLandscape>()),
                            TemperatureSchedule::constant(1.0), settings, initial);
  ensemble.advance_to(250);
  const PassageStatistics s = ensemble.passage_statistics();
  const double fraction = static_cast<double>(s.passed) / n;
  const double shift = 0.5826 * std::sqrt(2.0) * std::sqrt(4e-3);
  const double expected = std::erfc((1.0 + shift) / 2.0);
  const double continuous = std::erfc(1.0 / 2.0);
  const double standard_error = std::sqrt(expected * (1 - expected) / n);
  CAPTURE(fraction, expected, continuous, standard_error, s.mean_time, s.rate);
  CHECK(std::abs(fraction - expected) < 5 * standard_error);
  CHECK(std::abs(fraction - continuous) > 5 * standard_error);
  // Bookkeeping: exposure = sum of passage times + (N - passed) t, the rate passed / exposure.
  const std::vector<double> local_times = ensemble.passage_times();
  ExactSum passed_time;
  for (double tau : local_times) {
    if (!std::isnan(tau)) {
      passed_time.add(tau);
    }
  }
  const double total_passed_time = allreduce_value(world(), passed_time);
  CHECK(s.mean_time == Approx(total_passed_time / static_cast<double>(s.passed)).epsilon(1e-14));
  CHECK(s.exposure ==
        Approx(total_passed_time + static_cast<double>(n - s.passed) * 1.0).epsilon(1e-14));
  CHECK(s.rate == Approx(static_cast<double>(s.passed) / s.exposure).epsilon(1e-14));
}

TEST_CASE("Snapshots write the positions as rows of (N, dim)", "[sde][ensemble][mpi]") {
  const test::ScratchDir scratch(world());
  const std::string path = scratch.file("snapshots.h5");
  const auto drift = quadratic(3, 1.0);
  EnsembleSettings settings = settings_for(IntegratorKind::euler_maruyama, 101);
  ParticleEnsemble ensemble(world(), drift, TemperatureSchedule::constant(1.0), settings,
                            gaussian(3, 0.0, 1.0));
  {
    OutputFile file(world(), path, {"sde", "", 0});
    ensemble.append_snapshot(file, "sde/particles");
    ensemble.advance_to(5);
    ensemble.append_snapshot(file, "sde/particles");
    file.finish();
  }
  const InputFile file(world(), path);
  CHECK(file.shape("sde/particles") == std::vector<std::size_t>{2, 101, 3});
  const std::vector<double> rows =
      file.read_rows("sde/particles", ensemble.first_id(), ensemble.local_size(), -1);
  bool same = true;
  for (std::size_t p = 0; p < ensemble.local_size(); ++p) {
    for (std::size_t k = 0; k < 3; ++k) {
      same = same && rows[p * 3 + k] == ensemble.positions()[k * ensemble.local_size() + p];
    }
  }
  CHECK(!any_rank(world(), !same));
}

TEST_CASE("A particle that becomes non-finite stops every rank, naming its id and step",
          "[sde][ensemble][mpi]") {
  // Euler–Maruyama on the double well with dt = 0.3 is unstable beyond |x| ~ 1.5: particles from
  // N(0, 1) blow up within a few steps. The message names the first failure (smallest step, then
  // id) identically at any rank count, and that particle is finite one step earlier.
  const auto drift = t::double_well();
  const auto schedule = TemperatureSchedule::constant(1.0);
  const EnsembleSettings settings = settings_for(IntegratorKind::euler_maruyama, 999, 0.3);
  const InitialDistribution initial = gaussian(1, 0.0, 1.0);
  const auto failure_of = [&](MPI_Comm comm, std::uint32_t steps) {
    ParticleEnsemble ensemble(comm, drift, schedule, settings, initial);
    try {
      ensemble.advance_to(steps);
    } catch (const NumericalError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const std::string distributed = failure_of(world(), 40);
  const std::string serial = failure_of(PETSC_COMM_SELF, 40);
  CAPTURE(distributed);
  CHECK(distributed == serial);
  REQUIRE(distributed.rfind("particle ", 0) == 0);
  const auto id = std::stoull(distributed.substr(9));
  const auto at = distributed.find("at step ");
  REQUIRE(at != std::string::npos);
  const auto step = static_cast<std::uint32_t>(std::stoul(distributed.substr(at + 8)));
  ParticleEnsemble replay(PETSC_COMM_SELF, drift, schedule, settings, initial);
  replay.advance_to(step - 1);
  CHECK(std::isfinite(replay.positions()[id]));
  CHECK_THROWS_AS(replay.advance_to(step), NumericalError);
}

TEST_CASE("Output times become whole steps of dt or are refused", "[sde][ensemble]") {
  // 0.3 / 0.1 = 2.9999999999999996 in floating point: still step 3.
  CHECK(output_steps({0.1, 0.3, 1.0}, 0.1) == std::vector<std::uint32_t>{1, 3, 10});
  CHECK(output_steps({5.0}, 1e-3) == std::vector<std::uint32_t>{5000});
  CHECK_THROWS_WITH(output_steps({0.5}, 0.003),
                    Catch::Contains("output time 0.5") && Catch::Contains("sde.dt = 0.003"));
  CHECK_THROWS_WITH(output_steps({1e6}, 1e-4), Catch::Contains("expected fewer than 2^32"));
}

TEST_CASE("With a position-dependent diffusion, positions and histograms are bit-identical at any "
          "rank count",
          "[sde][ensemble][diffusion][mpi]") {
  const auto drift = quadratic(2, 1.5);
  const auto schedule = TemperatureSchedule::logarithmic(2.0);
  const Grid grid(world(), {Axis{-3, 3, 24, Boundary::reflecting}, Axis{-2, 2.5, 18}});
  const Grid serial_grid(PETSC_COMM_SELF, grid.axes());
  for (const NoisePrecision noise : {NoisePrecision::float64, NoisePrecision::float32}) {
    EnsembleSettings settings = settings_for(IntegratorKind::euler_maruyama, 1001, 0.05);
    settings.integrator.noise = noise;
    settings.integrator.diffusion =
        std::make_shared<const Diffusion>("(1 + x^2/2)/beta; 0.3 + 0.2*sin(x*y) + 0.1*t");
    settings.block = 64;
    const InitialDistribution initial = gaussian(2, -0.5, 0.7);
    ParticleEnsemble distributed(world(), drift, schedule, settings, initial);
    ParticleEnsemble serial(PETSC_COMM_SELF, drift, schedule, settings, initial);
    distributed.advance_to(30);
    distributed.advance_to(57);
    serial.advance_to(57);
    CAPTURE(noise == NoisePrecision::float32, comm_size(world()));
    CHECK(same_particles(distributed, serial));
    CHECK(same_counts(distributed.histogram(grid), serial.histogram(serial_grid)));
    CHECK(distributed.moments().variance == serial.moments().variance);
    // And the diffusion acts: the same run at D = 1/beta(t) ends elsewhere.
    EnsembleSettings constant = settings;
    constant.integrator.diffusion = nullptr;
    ParticleEnsemble reference(PETSC_COMM_SELF, drift, schedule, constant, initial);
    reference.advance_to(57);
    CHECK(reference.moments().variance != serial.moments().variance);
  }
}

TEST_CASE("Minibatch SGD and SGLD: bit-identical at any rank count, and a restart continues bit "
          "for bit",
          "[sde][ensemble][sgd][mpi]") {
  // 1001 particles of a 2D least-squares loss on 30 seeded points, blocks of 64, B = 7 with and
  // without replacement (Floyd's draws), per-parameter rates, SGLD with annealed beta.
  const Drift drift(std::make_shared<FiniteSumLandscape>(
      std::make_shared<const FiniteSumLoss>(synthetic_least_squares(2, 30, 4, {1.0, -2.0}, 0.5))));
  const auto schedule = TemperatureSchedule::logarithmic(0.5);
  const test::ScratchDir scratch(world());
  for (const IntegratorKind kind : {IntegratorKind::sgd, IntegratorKind::sgld}) {
    for (const bool with_replacement : {true, false}) {
      EnsembleSettings settings = settings_for(kind, 1001, 0.05);
      settings.integrator.batch = 7;
      settings.integrator.with_replacement = with_replacement;
      settings.integrator.rates = with_replacement ? SgdRates::inverse_std : SgdRates::constant;
      settings.block = 64;
      const InitialDistribution initial = gaussian(2, 0.0, 1.0);
      ParticleEnsemble distributed(world(), drift, schedule, settings, initial);
      ParticleEnsemble serial(PETSC_COMM_SELF, drift, schedule, settings, initial);
      distributed.advance_to(20);
      const std::string path =
          scratch.file("sgd-" + to_string(kind) + (with_replacement ? "-r" : "-nr") + ".h5");
      {
        OutputFile file(world(), path, {"sde", "", settings.seed});
        distributed.write_checkpoint(file);
        file.finish();
      }
      distributed.advance_to(45);
      serial.advance_to(45);
      ParticleEnsemble resumed =
          ParticleEnsemble::restart(world(), drift, schedule, settings, path);
      resumed.advance_to(45);
      CAPTURE(to_string(kind), with_replacement, comm_size(world()));
      CHECK(same_particles(distributed, serial));
      CHECK(same_particles(resumed, serial));
      // The particles descended: from mean (0, 0), 2.24 from the fit near (1, -2), to within 1.
      const ParticleMoments m = serial.moments();
      CHECK(std::hypot(m.mean[0] - 1.0, m.mean[1] + 2.0) < 1.0);
      // A restart with another minibatch is refused, naming the keys.
      EnsembleSettings other = settings;
      other.integrator.batch = 8;
      CHECK_THROWS_WITH(ParticleEnsemble::restart(world(), drift, schedule, other, path),
                        Catch::Contains("sde.batch, sde.replacement, sde.sgd_rates = batch=7"));
    }
  }
}
