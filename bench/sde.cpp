// The particle side of bench/sde.py: times relax's Euler–Maruyama through ParticleEnsemble (the
// engine `relax sde` runs) and, separately, the loop that only draws the normals those steps use,
// with the same blocks and the same counter rule (sde/noise.hpp). One line of results on stdout.
// `integrators` times Euler–Maruyama and MALA alternately in one process, `--repeats` times each,
// and prints CPU ns per particle-step (min/median/max), the ratio MALA / EM of the medians and of
// the best runs, MALA's acceptance rate and the load average before and after.
// `uniforms` draws MALA's uniforms alone (Philox and the map to (0, 1), no log, no Box–Muller).
//
// usage: bench_sde step|normals|uniforms|integrators [--particles N] [--steps S] [--dim D]
//                  [--noise double|float] [--dt DT] [--block B] [--repeats R] [--integrator
//                  em|mala]
//                  [--simd portable|avx2|avx512]  (normals, uniforms: pin the instruction set)
//   dim 1: the double well (x^2 - 1)^2; dim > 1: the Gaussian landscape |x|^2 / 2. beta = 1.
#include "core/session.hpp"
#include "models/landscapes.hpp"
#include "sde/ensemble.hpp"
#include "sde/noise.hpp"

#include <mpi.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string mode;
  std::uint64_t particles = 1000000;
  std::uint32_t steps = 1000;
  int dim = 1;
  double dt = 1e-3;
  std::size_t block = 0; ///< sde.block: 0 is the engine's choice
  int repeats = 5;
  relax::IntegratorKind integrator = relax::IntegratorKind::euler_maruyama; ///< of `step`
  relax::NoisePrecision noise = relax::NoisePrecision::float64;
  relax::SimdLevel simd = relax::best_simd_level(); ///< of the normals-only loop
};

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) {
    throw std::runtime_error(
        "usage: bench_sde step|normals|uniforms|integrators [--particles N] [--steps S] [--dim D] "
        "[--noise double|float] [--dt DT] [--block B] [--repeats R] [--integrator em|mala] "
        "[--simd portable|avx2|avx512]");
  }
  o.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--particles") {
      o.particles = std::stoull(value);
    } else if (key == "--steps") {
      o.steps = static_cast<std::uint32_t>(std::stoul(value));
    } else if (key == "--dim") {
      o.dim = std::stoi(value);
    } else if (key == "--dt") {
      o.dt = std::stod(value);
    } else if (key == "--block") {
      o.block = std::stoul(value);
    } else if (key == "--repeats") {
      o.repeats = std::stoi(value);
    } else if (key == "--integrator") {
      o.integrator =
          value == "mala" ? relax::IntegratorKind::mala : relax::IntegratorKind::euler_maruyama;
    } else if (key == "--simd") {
      o.simd = value == "portable" ? relax::SimdLevel::portable
               : value == "avx2"   ? relax::SimdLevel::avx2
                                   : relax::SimdLevel::avx512;
    } else if (key == "--noise") {
      o.noise = value == "float" ? relax::NoisePrecision::float32 : relax::NoisePrecision::float64;
    } else {
      throw std::runtime_error("unknown option " + key);
    }
  }
  return o;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::shared_ptr<const relax::Landscape> landscape(int dim) {
  if (dim == 1) {
    return std::make_shared<relax::DoubleWellLandscape>(1);
  }
  const auto d = static_cast<std::size_t>(dim);
  return std::make_shared<relax::QuadraticLandscape>(std::vector<double>(d, 1.0),
                                                     std::vector<double>(d, 0.0));
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

/// One timed run of `steps` steps of `kind` from a fresh ensemble: the largest CPU time of the
/// ranks and the acceptance rate (MALA) of all particles.
struct TimedRun {
  double cpu = 0;
  double wall = 0;
  double acceptance = 0;
  double checksum = 0;
};

/// The benchmark's ensemble: N particles from -1 +- 0.2 per axis at beta = 1.
relax::ParticleEnsemble make_ensemble(MPI_Comm comm, const Options& o, relax::IntegratorKind kind) {
  relax::EnsembleSettings settings;
  settings.particles = o.particles;
  settings.integrator.kind = kind;
  settings.integrator.dt = o.dt;
  settings.integrator.noise = o.noise;
  settings.block = o.block;
  relax::InitialDistribution initial;
  initial.mean.assign(static_cast<std::size_t>(o.dim), -1.0);
  initial.std.assign(static_cast<std::size_t>(o.dim), 0.2);
  return relax::ParticleEnsemble(comm, relax::Drift(landscape(o.dim)),
                                 relax::TemperatureSchedule::constant(1.0), settings, initial);
}

TimedRun time_steps(MPI_Comm comm, const Options& o, relax::IntegratorKind kind) {
  relax::ParticleEnsemble ensemble = make_ensemble(comm, o, kind);
  MPI_Barrier(comm);
  const double wall_start = MPI_Wtime();
  const double cpu_start = cpu_seconds();
  ensemble.advance_to(o.steps);
  const double cpu = cpu_seconds() - cpu_start;
  MPI_Barrier(comm);
  TimedRun run;
  run.wall = MPI_Wtime() - wall_start;
  MPI_Allreduce(&cpu, &run.cpu, 1, MPI_DOUBLE, MPI_MAX, comm);
  const relax::AcceptanceCounts counts = ensemble.acceptance();
  run.acceptance = counts.proposed > 0
                       ? static_cast<double>(counts.accepted) / static_cast<double>(counts.proposed)
                       : 1.0;
  run.checksum = ensemble.positions().empty() ? 0.0 : ensemble.positions().front();
  return run;
}

/// min / median / max of `values` (sorted in place).
std::array<double, 3> spread(std::vector<double>& values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  return {values.front(), median, values.back()};
}

/// EM and MALA alternately, `repeats` times each: CPU ns per particle-step and the ratio.
void compare_integrators(MPI_Comm comm, int rank, int ranks, const Options& o) {
  const std::string load_before = load_average();
  std::vector<double> em;
  std::vector<double> mala;
  std::vector<double> ratio;
  double acceptance = 0;
  const double work = static_cast<double>(o.particles) * o.steps;
  for (int r = 0; r < o.repeats; ++r) {
    em.push_back(1e9 * time_steps(comm, o, relax::IntegratorKind::euler_maruyama).cpu / work);
    const TimedRun run = time_steps(comm, o, relax::IntegratorKind::mala);
    mala.push_back(1e9 * run.cpu / work);
    acceptance = run.acceptance;
    ratio.push_back(mala.back() / em.back());
  }
  const auto e = spread(em);
  const auto m = spread(mala);
  const auto q = spread(ratio);
  if (rank == 0) {
    std::printf("mode=integrators ranks=%d particles=%llu steps=%u dim=%d dt=%g noise=%s "
                "repeats=%d load_before='%s' load_after='%s'\n",
                ranks, static_cast<unsigned long long>(o.particles), o.steps, o.dim, o.dt,
                o.noise == relax::NoisePrecision::float32 ? "float" : "double", o.repeats,
                load_before.c_str(), load_average().c_str());
    std::printf("  EM   CPU ns/particle-step min %.3f median %.3f max %.3f\n", e[0], e[1], e[2]);
    std::printf("  MALA CPU ns/particle-step min %.3f median %.3f max %.3f (acceptance %.5f)\n",
                m[0], m[1], m[2], acceptance);
    std::printf("  MALA / EM: of the medians %.3f, of the minima %.3f; per repeat min %.3f median "
                "%.3f max %.3f\n",
                m[1] / e[1], m[0] / e[0], q[0], q[1], q[2]);
  }
}

} // namespace

int main(int argc, char** argv) {
  try {
    const relax::Session session;
    const Options o = parse(argc, argv);
    const MPI_Comm comm = session.comm();
    if (o.mode == "integrators") {
      compare_integrators(comm, session.rank(), session.size(), o);
      return 0;
    }
    double checksum = 0;
    double cpu = 0;
    double wall = 0;
    if (o.mode == "step") {
      const TimedRun run = time_steps(comm, o, o.integrator);
      cpu = run.cpu;
      wall = run.wall;
      checksum = run.checksum;
    } else if (o.mode == "normals" || o.mode == "uniforms") {
      // The draws of the same steps, block by block as the ensemble takes them.
      const relax::ParticleEnsemble ensemble =
          make_ensemble(comm, o, relax::IntegratorKind::euler_maruyama);
      const std::uint32_t seed = relax::EnsembleSettings{}.seed;
      MPI_Barrier(comm);
      const double wall_start = MPI_Wtime();
      const double cpu_start = cpu_seconds();
      const std::size_t block = ensemble.block();
      const auto d = static_cast<std::size_t>(o.dim);
      const auto draw = [&](auto& draws) {
        for (std::size_t offset = 0; offset < ensemble.local_size(); offset += block) {
          const std::size_t count = std::min(block, ensemble.local_size() - offset);
          for (std::uint32_t s = 0; s < o.steps; ++s) {
            checksum += static_cast<double>(draws.at(ensemble.first_id() + offset, count, s)[0]);
          }
        }
      };
      if (o.mode == "uniforms") { // MALA's: one per particle and step
        const relax::CounterRng rng(seed, relax::rng_stream::acceptance, o.simd);
        relax::StepDraws<double> draws(rng, relax::StepDraws<double>::Kind::uniform, 1, block);
        draw(draws);
      } else if (o.noise == relax::NoisePrecision::float32) {
        const relax::CounterRng rng(seed, relax::rng_stream::increments, o.simd);
        relax::StepDraws<float> draws(rng, relax::StepDraws<float>::Kind::normal, d, block);
        draw(draws);
      } else {
        const relax::CounterRng rng(seed, relax::rng_stream::increments, o.simd);
        relax::StepDraws<double> draws(rng, relax::StepDraws<double>::Kind::normal, d, block);
        draw(draws);
      }
      const double cpu_own = cpu_seconds() - cpu_start;
      MPI_Barrier(comm);
      wall = MPI_Wtime() - wall_start;
      MPI_Allreduce(&cpu_own, &cpu, 1, MPI_DOUBLE, MPI_MAX, comm);
    } else {
      throw std::runtime_error("unknown mode " + o.mode +
                               " (expected step, normals, uniforms or integrators)");
    }
    if (session.rank() == 0) {
      const double work = static_cast<double>(o.particles) * o.steps;
      std::printf("mode=%s integrator=%s ranks=%d particles=%llu steps=%u dim=%d noise=%s "
                  "simd='%s' wall=%.4f cpu=%.4f rate_wall=%.5g rate_cpu=%.5g checksum=%.17g\n",
                  o.mode.c_str(), relax::to_string(o.integrator).c_str(), session.size(),
                  static_cast<unsigned long long>(o.particles), o.steps, o.dim,
                  o.noise == relax::NoisePrecision::float32 ? "float" : "double",
                  relax::to_string(o.simd).c_str(), wall, cpu, work / wall, work / cpu, checksum);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sde: %s\n", e.what());
    return 1;
  }
}
