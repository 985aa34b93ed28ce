// The particle side of bench/sde.py: times relax's Euler–Maruyama through ParticleEnsemble (the
// engine `relax sde` runs) and, separately, the loop that only draws the normals those steps use,
// with the same blocks and the same counter rule (sde/noise.hpp). One line of results on stdout.
//
// usage: bench_sde step|normals [--particles N] [--steps S] [--dim D] [--noise double|float]
//                  [--simd portable|avx2|avx512]  (normals: pin the kernels' instruction set)
//   dim 1: the double well (x^2 - 1)^2; dim > 1: the Gaussian landscape |x|^2 / 2.
#include "core/session.hpp"
#include "models/landscapes.hpp"
#include "sde/ensemble.hpp"
#include "sde/noise.hpp"

#include <mpi.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

struct Options {
  std::string mode;
  std::uint64_t particles = 1000000;
  std::uint32_t steps = 1000;
  int dim = 1;
  relax::NoisePrecision noise = relax::NoisePrecision::float64;
  relax::SimdLevel simd = relax::best_simd_level(); ///< of the normals-only loop
};

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) {
    throw std::runtime_error("usage: bench_sde step|normals [--particles N] [--steps S] [--dim D] "
                             "[--noise double|float] [--simd portable|avx2|avx512]");
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

} // namespace

int main(int argc, char** argv) {
  try {
    const relax::Session session;
    const Options o = parse(argc, argv);
    const MPI_Comm comm = session.comm();
    relax::EnsembleSettings settings;
    settings.particles = o.particles;
    settings.integrator.dt = 1e-3;
    settings.integrator.noise = o.noise;
    relax::InitialDistribution initial;
    initial.mean.assign(static_cast<std::size_t>(o.dim), -1.0);
    initial.std.assign(static_cast<std::size_t>(o.dim), 0.2);
    relax::ParticleEnsemble ensemble(comm, relax::Drift(landscape(o.dim)),
                                     relax::TemperatureSchedule::constant(1.0), settings, initial);
    double checksum = 0;
    MPI_Barrier(comm);
    const double wall_start = MPI_Wtime();
    const double cpu_start = cpu_seconds();
    if (o.mode == "step") {
      ensemble.advance_to(o.steps);
      checksum = ensemble.positions().empty() ? 0.0 : ensemble.positions().front();
    } else if (o.mode == "normals") {
      // The draws of the same steps, block by block as the ensemble takes them.
      const std::size_t block = ensemble.block();
      const relax::CounterRng rng(settings.seed, relax::rng_stream::increments, o.simd);
      const auto d = static_cast<std::size_t>(o.dim);
      const auto draw = [&](auto& draws) {
        for (std::size_t offset = 0; offset < ensemble.local_size(); offset += block) {
          const std::size_t count = std::min(block, ensemble.local_size() - offset);
          for (std::uint32_t s = 0; s < o.steps; ++s) {
            checksum += static_cast<double>(draws.at(ensemble.first_id() + offset, count, s)[0]);
          }
        }
      };
      if (o.noise == relax::NoisePrecision::float32) {
        relax::StepDraws<float> draws(rng, relax::StepDraws<float>::Kind::normal, d, block);
        draw(draws);
      } else {
        relax::StepDraws<double> draws(rng, relax::StepDraws<double>::Kind::normal, d, block);
        draw(draws);
      }
    } else {
      throw std::runtime_error("unknown mode " + o.mode + " (expected step or normals)");
    }
    const double cpu = cpu_seconds() - cpu_start;
    MPI_Barrier(comm);
    const double wall = MPI_Wtime() - wall_start;
    double cpu_max = cpu;
    MPI_Allreduce(&cpu, &cpu_max, 1, MPI_DOUBLE, MPI_MAX, comm);
    if (session.rank() == 0) {
      const double work = static_cast<double>(o.particles) * o.steps;
      std::printf("mode=%s ranks=%d particles=%llu steps=%u dim=%d noise=%s simd='%s' wall=%.4f "
                  "cpu=%.4f rate_wall=%.5g rate_cpu=%.5g checksum=%.17g\n",
                  o.mode.c_str(), session.size(), static_cast<unsigned long long>(o.particles),
                  o.steps, o.dim, o.noise == relax::NoisePrecision::float32 ? "float" : "double",
                  relax::to_string(o.simd).c_str(), wall, cpu_max, work / wall, work / cpu_max,
                  checksum);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sde: %s\n", e.what());
    return 1;
  }
}
