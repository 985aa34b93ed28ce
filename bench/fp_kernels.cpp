// The memory-bandwidth ceiling of the Fokker–Planck time stepping (bench/README.md): times the
// kernels a Krylov iteration is made of — VecAXPY, VecWAXPY (STREAM triad), VecDot and MatMult of
// the assembled 2D SG operator (5-point AIJ) — on an n x n grid, and prints the time per call and
// the bandwidth it implies. Run at 1 and 2 ranks (mpiexec -n 2) to see how much of a second core
// the memory system gives: the time stepping cannot scale better than these kernels. At n = 1000 a
// vector is 8 MB and may sit in the last-level cache; n = 3000 (72 MB) measures DRAM.
//
// usage: fp_kernel_bench [--n N] [--repeat R]   (2D double well on [-2.5, 2.5]^2, reflecting)
#include "core/error.hpp"
#include "core/petsc_handle.hpp"
#include "core/session.hpp"
#include "grids/grid.hpp"
#include "models/drift.hpp"
#include "models/landscapes.hpp"
#include "solvers/fokker_planck.hpp"

#include <mpi.h>
#include <petscmat.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Options {
  int n = 1000;
  int repeat = 200;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--n") {
      o.n = std::stoi(argv[i + 1]);
    } else if (key == "--repeat") {
      o.repeat = std::stoi(argv[i + 1]);
    } else {
      throw std::runtime_error("unknown option " + key + " (expected --n N or --repeat R)");
    }
  }
  return o;
}

/// Seconds per call of `kernel` (slowest rank, after one warm-up call), and the bandwidth that
/// `bytes` (moved by all ranks per call) implies.
void time_kernel(MPI_Comm comm, const char* name, double bytes, int repeat,
                 const std::function<void()>& kernel) {
  kernel();
  MPI_Barrier(comm);
  const double start = MPI_Wtime();
  for (int r = 0; r < repeat; ++r) {
    kernel();
  }
  const double local = (MPI_Wtime() - start) / repeat;
  double seconds = local;
  MPI_Allreduce(&local, &seconds, 1, MPI_DOUBLE, MPI_MAX, comm);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (rank == 0) {
    std::printf("kernel=%s ranks=%d ms=%.4f GB/s=%.2f\n", name, size, 1e3 * seconds,
                bytes / seconds * 1e-9);
  }
}

} // namespace

int main(int argc, char** argv) {
  try {
    const relax::Session session;
    const Options o = parse(argc, argv);
    const MPI_Comm comm = session.comm();
    const relax::Axis axis{-2.5, 2.5, o.n, relax::Boundary::reflecting};
    const relax::Grid grid(comm, {axis, axis});
    const relax::FokkerPlanckSolver solver(
        grid, relax::Drift(std::make_shared<relax::DoubleWellLandscape>(2)),
        relax::TemperatureSchedule::constant(1.0));
    const ::Mat A = solver.op();
    relax::petsc::Vec x;
    relax::petsc::Vec y;
    relax::petsc::Vec w;
    RELAX_PETSC(MatCreateVecs(A, x.out(), y.out()));
    RELAX_PETSC(VecDuplicate(x, w.out()));
    RELAX_PETSC(VecSet(x, 1.0));
    RELAX_PETSC(VecSet(y, 2.0));

    PetscInt rows = 0;
    RELAX_PETSC(MatGetSize(A, &rows, nullptr));
    MatInfo info{};
    RELAX_PETSC(MatGetInfo(A, MAT_GLOBAL_SUM, &info));
    const double n = static_cast<double>(rows);
    const double word = sizeof(PetscScalar);
    // AIJ: a value and a column index per nonzero, a row offset, x read and y written per row
    // (x counted once: the 5-point stencil reuses it from cache).
    const double matmult_bytes =
        info.nz_used * (word + sizeof(PetscInt)) + n * (sizeof(PetscInt) + 2 * word);
    if (session.rank() == 0) {
      std::printf("grid=%dx%d cells=%.0f nonzeros=%.0f ranks=%d repeat=%d\n", o.n, o.n, n,
                  info.nz_used, session.size(), o.repeat);
    }
    const int r = o.repeat;
    PetscScalar dot = 0;
    time_kernel(comm, "VecAXPY", 3 * word * n, r, [&] { RELAX_PETSC(VecAXPY(y, 1e-9, x)); });
    time_kernel(comm, "VecWAXPY(triad)", 3 * word * n, r,
                [&] { RELAX_PETSC(VecWAXPY(w, 0.5, x, y)); });
    time_kernel(comm, "VecDot", 2 * word * n, r, [&] { RELAX_PETSC(VecDot(x, y, &dot)); });
    time_kernel(comm, "MatMult", matmult_bytes, r, [&] { RELAX_PETSC(MatMult(A, x, y)); });
    // The same matrix as sliced ELLPACK (MATSELL): the same values and column indices (and the
    // same byte count, padding aside), stored by slices of 8 rows so the loop runs over rows in
    // SIMD lanes instead of over a row's 5 nonzeros.
    relax::petsc::Mat sell;
    RELAX_PETSC(MatConvert(A, MATSELL, MAT_INITIAL_MATRIX, sell.out()));
    time_kernel(comm, "MatMult(SELL)", matmult_bytes, r, [&] { RELAX_PETSC(MatMult(sell, x, y)); });
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fp_kernel_bench: %s\n", e.what());
    return 1;
  }
}
