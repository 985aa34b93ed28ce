// The cost of one Fokker–Planck time step against the memory system and against the cheapest
// solve of the same system (bench/README.md, "fp_step_bench"): on a d-dimensional double well
// (reflecting, beta = 1, [-2.5, 2.5]^d, Gaussian start) it advances the density by FokkerPlanck-
// Solver::advance_to with fixed steps for each scheme asked for, and prints per scheme and size
// the time per cell and step (min/median/max over repeats, wall and process CPU time), the
// Krylov iterations and preconditioner applications per step, MatMult's and the preconditioner's
// share, the bandwidth MatMult reaches, and two baselines timed in the same run on the same size:
// the STREAM triad a[i] = b[i] + s c[i] (a plain loop, the memory system's rate) and, in 1D, the
// Thomas algorithm's solve of the same tridiagonal system with its factors precomputed (what one
// step cannot beat); the ratios step/triad and step/thomas are of CPU-time minima (other users of
// a loaded machine do not count). The load average is printed with every line.
//
// usage: fp_step_bench [--dim D] [--n N,N,...] [--schemes be,bdf2,...] [--repeat R]
//                      [--cells-steps C] [-- PETSc options]
//   scheme names: be (backward Euler, the default KSP: LU in 1D, GMRES + ILU(0) otherwise),
//   bdf2 (-ts_type bdf -ts_bdf_order 2), gmres (backward Euler with GMRES + ILU(0), the 1D default
//   before issue 19), mg (PCMG with Galerkin coarse operators on the DMDA), gamg, hypre
//   (BoomerAMG), fgmres_hypre; each runs under its own options prefix "<scheme>_", so PETSc
//   options after "--" tune one scheme (-gamg_pc_gamg_threshold 0.02). C (default 4e6) is the
//   cells x steps of one repeat.
#include "core/error.hpp"
#include "core/profiling.hpp"
#include "core/session.hpp"
#include "grids/grid.hpp"
#include "models/drift.hpp"
#include "models/landscapes.hpp"
#include "solvers/fokker_planck.hpp"

#include <mpi.h>
#include <petscksp.h>
#include <petsclog.h>
#include <petscts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Options {
  int dim = 1;
  std::vector<int> sizes{500, 2000, 8000, 32000};
  std::vector<std::string> schemes{"gmres", "be", "bdf2"};
  int repeat = 7;
  double cells_steps = 4e6;
  std::vector<std::string> petsc;
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) {
    parts.push_back(part);
  }
  return parts;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (key == "--") {
      o.petsc.assign(argv + i + 1, argv + argc);
      break;
    }
    if (i + 1 >= argc) {
      throw std::runtime_error("option " + key + " needs a value");
    }
    const std::string value = argv[++i];
    if (key == "--dim") {
      o.dim = std::stoi(value);
    } else if (key == "--n") {
      o.sizes.clear();
      for (const std::string& n : split(value)) {
        o.sizes.push_back(std::stoi(n));
      }
    } else if (key == "--schemes") {
      o.schemes = split(value);
    } else if (key == "--repeat") {
      o.repeat = std::stoi(value);
    } else if (key == "--cells-steps") {
      o.cells_steps = std::stod(value);
    } else {
      throw std::runtime_error("unknown option " + key +
                               " (expected --dim, --n, --schemes, --repeat, --cells-steps, --)");
    }
  }
  if (o.dim < 1 || o.dim > 3 || o.repeat < 1) {
    throw std::runtime_error("expected --dim 1, 2 or 3 and --repeat >= 1");
  }
  return o;
}

/// The PETSc options that make scheme `name` (under the prefix "<name>_").
std::vector<std::string> scheme_options(const std::string& name) {
  const std::string p = "-" + name + "_";
  if (name == "be") {
    return {};
  }
  if (name == "bdf2") {
    return {p + "ts_type", "bdf", p + "ts_bdf_order", "2"};
  }
  if (name == "gmres") {
    return {p + "ksp_type", "gmres", p + "pc_type", "ilu"};
  }
  if (name == "mg") {
    return {p + "pc_type", "mg", p + "pc_mg_galerkin", "both", p + "pc_mg_levels", "5"};
  }
  if (name == "gamg") {
    return {p + "pc_type", "gamg"};
  }
  if (name == "hypre") {
    return {p + "pc_type", "hypre", p + "pc_hypre_boomeramg_relax_type_all", "SOR/Jacobi"};
  }
  if (name == "fgmres_hypre") {
    return {
        p + "ksp_type", "fgmres", p + "pc_type", "hypre", p + "pc_hypre_boomeramg_relax_type_all",
        "SOR/Jacobi"};
  }
  throw std::runtime_error("unknown scheme " + name +
                           " (expected be, bdf2, gmres, mg, gamg, hypre, fgmres_hypre)");
}

double load_average() {
  std::ifstream file("/proc/loadavg");
  double load = -1;
  file >> load;
  return load;
}

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

struct Spread {
  double min = 0, median = 0, max = 0;
};

Spread spread(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return {values.front(), values[values.size() / 2], values.back()};
}

/// Count and seconds of a PETSc event in the FP stepping stage, summed over calls so far (this
/// rank).
struct EventTotals {
  double count = 0;
  double seconds = 0;
};

EventTotals event_totals(const char* name) {
  PetscLogEvent event = 0;
  RELAX_PETSC(PetscLogEventGetId(name, &event));
  // the solver's steps run in relax's "FP stepping" stage (core/profiling.hpp)
  PetscLogStage stage = 0;
  RELAX_PETSC(PetscLogStageGetId(relax::phase_name(relax::Phase::fp_stepping), &stage));
  PetscEventPerfInfo info{};
  RELAX_PETSC(PetscLogEventGetPerfInfo(stage, event, &info));
  return {static_cast<double>(info.count), info.time};
}

/// CPU seconds per call of `pass` (min over `repeat` timings of calls enough for ~2e7 cells of
/// work, `n` cells per call): CPU time, like the steps' ratios, so other users of a loaded machine
/// do not count.
template <typename Pass> double min_cpu_seconds_per_pass(std::size_t n, int repeat, Pass&& pass) {
  const int passes = static_cast<int>(std::max<std::size_t>(1, 20'000'000 / n));
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const double start = cpu_seconds();
    for (int p = 0; p < passes; ++p) {
      pass(p);
    }
    best = std::min(best, (cpu_seconds() - start) / passes);
  }
  return best;
}

/// The STREAM triad on `n` doubles per array: seconds per sweep of a plain loop.
double triad_seconds(std::size_t n, int repeat) {
  std::vector<double> a(n, 0.0);
  std::vector<double> b(n, 1.0);
  std::vector<double> c(n, 2.0);
  const double seconds = min_cpu_seconds_per_pass(n, repeat, [&](int p) {
    const double scale = 0.5 + 1e-9 * p;
    for (std::size_t i = 0; i < n; ++i) {
      a[i] = b[i] + scale * c[i];
    }
    b[static_cast<std::size_t>(p) % n] = a[static_cast<std::size_t>(p + 1) % n]; // no dropped sweep
  });
  if (!std::isfinite(a[n / 2])) {
    std::printf("(triad overflow)\n");
  }
  return seconds;
}

/// The Thomas algorithm on a tridiagonal system of size n with precomputed factors: seconds per
/// solve, the floor of a 1D step.
double thomas_seconds(std::size_t n, int repeat) {
  // diagonal 2, off-diagonals -0.3 (diagonally dominant); LU: l_i = a_i / p_{i-1},
  // p_i = 2 - l_i c_{i-1}
  const double off = -0.3;
  std::vector<double> lower(n, 0.0);
  std::vector<double> inverse_pivot(n);
  std::vector<double> upper(n, off);
  double pivot = 2.0;
  inverse_pivot[0] = 1.0 / pivot;
  for (std::size_t i = 1; i < n; ++i) {
    lower[i] = off / pivot;
    pivot = 2.0 - lower[i] * off;
    inverse_pivot[i] = 1.0 / pivot;
  }
  std::vector<double> x(n, 1.0);
  const double seconds = min_cpu_seconds_per_pass(n, repeat, [&](int) {
    for (std::size_t i = 1; i < n; ++i) {
      x[i] -= lower[i] * x[i - 1];
    }
    x[n - 1] *= inverse_pivot[n - 1];
    for (std::size_t i = n - 1; i-- > 0;) {
      x[i] = (x[i] - upper[i] * x[i + 1]) * inverse_pivot[i];
    }
  });
  if (!std::isfinite(x[n / 2])) {
    std::printf("(thomas overflow)\n");
  }
  return seconds;
}

void run_case(const relax::Session& session, const Options& o, int n, const std::string& scheme,
              double triad_s, double thomas_s) {
  const MPI_Comm comm = session.comm();
  const relax::Axis axis{-2.5, 2.5, n, relax::Boundary::reflecting};
  const relax::Grid grid(comm, std::vector<relax::Axis>(static_cast<std::size_t>(o.dim), axis));
  const double cells = std::pow(static_cast<double>(n), o.dim);
  relax::FokkerPlanckOptions options;
  options.dt = 1e-3;
  options.prefix = scheme + "_";
  relax::FokkerPlanckSolver solver(
      grid, relax::Drift(std::make_shared<relax::DoubleWellLandscape>(o.dim)),
      relax::TemperatureSchedule::constant(1.0), options);
  relax::GridField rho(grid);
  rho.fill([&](const double* x) {
    double r2 = (x[0] - 1) * (x[0] - 1);
    for (int d = 1; d < o.dim; ++d) {
      r2 += x[d] * x[d];
    }
    return std::exp(-r2 / (2 * 0.04));
  });
  RELAX_PETSC(VecScale(rho.vec(), 1.0 / relax::integral(rho)));
  const int steps = std::max(2, static_cast<int>(o.cells_steps / cells));
  double t = 0;
  solver.advance_to(t += 2 * options.dt, rho); // set-up and factorization out of the timing
  const EventTotals matmult0 = event_totals("MatMult");
  const EventTotals pcapply0 = event_totals("PCApply");
  const EventTotals ksp0 = event_totals("KSPSolve");
  ::KSP ksp_handle = nullptr;
  ::SNES snes = nullptr;
  RELAX_PETSC(TSGetSNES(solver.ts(), &snes));
  RELAX_PETSC(SNESGetKSP(snes, &ksp_handle));
  PetscInt iterations0 = 0;
  RELAX_PETSC(KSPGetTotalIterations(ksp_handle, &iterations0));
  const EventTotals pcsetup0 = event_totals("PCSetUp");
  std::vector<double> wall_ns;
  std::vector<double> cpu_ns;
  for (int r = 0; r < o.repeat; ++r) {
    MPI_Barrier(comm);
    const double wall_start = MPI_Wtime();
    const double cpu_start = cpu_seconds();
    // one interval of exactly `steps` steps (the end a multiple of the step: no shortened step)
    solver.advance_to(t += steps * options.dt, rho);
    double wall = MPI_Wtime() - wall_start;
    double cpu = cpu_seconds() - cpu_start;
    RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &wall, 1, MPI_DOUBLE, MPI_MAX, comm));
    RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &cpu, 1, MPI_DOUBLE, MPI_MAX, comm));
    wall_ns.push_back(1e9 * wall / (steps * cells));
    cpu_ns.push_back(1e9 * cpu / (steps * cells));
  }
  const double total_steps = static_cast<double>(steps) * o.repeat;
  const EventTotals matmult = event_totals("MatMult");
  const EventTotals pcapply = event_totals("PCApply");
  const EventTotals ksp = event_totals("KSPSolve");
  const EventTotals pcsetup = event_totals("PCSetUp");
  const double matmult_calls = matmult.count - matmult0.count;
  const double matmult_s = (matmult.seconds - matmult0.seconds) / std::max(1.0, matmult_calls);
  const double pc_calls = pcapply.count - pcapply0.count;
  const double pc_s = (pcapply.seconds - pcapply0.seconds) / std::max(1.0, pc_calls);
  const double ksp_s = ksp.seconds - ksp0.seconds;
  PetscInt iterations = 0;
  RELAX_PETSC(KSPGetTotalIterations(ksp_handle, &iterations));
  ::PC pc = nullptr;
  RELAX_PETSC(KSPGetPC(ksp_handle, &pc));
  KSPType ksp_type = nullptr;
  PCType pc_type = nullptr;
  RELAX_PETSC(KSPGetType(ksp_handle, &ksp_type));
  RELAX_PETSC(PCGetType(pc, &pc_type));
  // AIJ MatMult traffic: a value and a column index per nonzero, a row offset, x read and y
  // written per row (x counted once: the stencil reuses it from cache).
  MatInfo info{};
  RELAX_PETSC(MatGetInfo(solver.op(), MAT_GLOBAL_SUM, &info));
  const double matmult_bytes = info.nz_used * 12.0 + cells * 20.0;
  const Spread wall = spread(wall_ns);
  const Spread cpu = spread(cpu_ns);
  if (session.rank() == 0) {
    const double triad_ns = 1e9 * triad_s / cells; // per cell (one element of each array)
    std::printf("dim=%d n=%d cells=%.0f ranks=%d scheme=%s ksp=%s pc=%s steps/repeat=%d "
                "repeats=%d ns/cell/step wall min/med/max=%.2f/%.2f/%.2f cpu=%.2f/%.2f/%.2f "
                "its/step=%.2f pcapply/step=%.2f pcsetup=%.0f matmult_ns/cell=%.2f "
                "matmult_GB/s=%.1f pcapply_ns/cell=%.2f ksp_share=%.2f triad_ns/cell=%.2f "
                "triad_GB/s=%.1f step/triad=%.1f",
                o.dim, n, cells, session.size(), scheme.c_str(), ksp_type, pc_type, steps, o.repeat,
                wall.min, wall.median, wall.max, cpu.min, cpu.median, cpu.max,
                static_cast<double>(iterations - iterations0) / total_steps, pc_calls / total_steps,
                pcsetup.count - pcsetup0.count, 1e9 * matmult_s / cells,
                matmult_bytes / matmult_s * 1e-9, 1e9 * pc_s / cells,
                ksp_s / (total_steps * cells * 1e-9 * wall.median), triad_ns,
                24.0 * cells / triad_s * 1e-9, wall.min / triad_ns);
    if (thomas_s > 0) {
      std::printf(" thomas_ns/cell=%.2f step/thomas=%.2f", 1e9 * thomas_s / cells,
                  cpu.min / (1e9 * thomas_s / cells));
    }
    std::printf(" load=%.2f\n", load_average());
    std::fflush(stdout);
  }
}

} // namespace

int main(int argc, char** argv) {
  try {
    const relax::Session session;
    const Options o = parse(argc, argv);
    RELAX_PETSC(PetscLogDefaultBegin());
    std::vector<std::string> petsc;
    for (const std::string& scheme : o.schemes) {
      for (const std::string& token : scheme_options(scheme)) {
        petsc.push_back(token);
      }
    }
    petsc.insert(petsc.end(), o.petsc.begin(), o.petsc.end());
    session.insert_petsc_options(petsc);
    for (const int n : o.sizes) {
      const double cells = std::pow(static_cast<double>(n), o.dim) / session.size();
      const double triad_s = triad_seconds(static_cast<std::size_t>(cells), o.repeat);
      const double thomas_s = o.dim == 1 && session.size() == 1
                                  ? thomas_seconds(static_cast<std::size_t>(n), o.repeat)
                                  : 0.0;
      for (const std::string& scheme : o.schemes) {
        run_case(session, o, n, scheme, triad_s, thomas_s);
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fp_step_bench: %s\n", e.what());
    return 1;
  }
}
