#include "solvers/spectrum.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/slepc_handle.hpp"
#include "core/text.hpp"
#include "solvers/linear_solver.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace relax {

namespace {

/// One row of an AIJ matrix, copied out (MatGetRow allows one open row per matrix).
std::vector<std::pair<PetscInt, double>> copy_row(::Mat A, PetscInt row) {
  PetscInt count = 0;
  const PetscInt* columns = nullptr;
  const PetscScalar* values = nullptr;
  RELAX_PETSC(MatGetRow(A, row, &count, &columns, &values));
  std::vector<std::pair<PetscInt, double>> entries;
  entries.reserve(static_cast<std::size_t>(count));
  for (PetscInt k = 0; k < count; ++k) {
    entries.emplace_back(columns[k], values[k]);
  }
  RELAX_PETSC(MatRestoreRow(A, row, &count, &columns, &values));
  return entries;
}

/// S = G^{-1/2} (-A) G^{1/2} for an operator in detailed balance with g: its off-diagonal entries
/// -A_ij sqrt(g_j / g_i) equal -sqrt(A_ij A_ji), which needs no exponential (no overflow however
/// deep the landscape) and is symmetric bit for bit.
petsc::Mat symmetrized_generator(::Mat A) {
  petsc::Mat transpose;
  RELAX_PETSC(MatTranspose(A, MAT_INITIAL_MATRIX, transpose.out()));
  petsc::Mat S;
  RELAX_PETSC(MatDuplicate(A, MAT_DO_NOT_COPY_VALUES, S.out()));
  PetscInt first = 0;
  PetscInt last = 0;
  RELAX_PETSC(MatGetOwnershipRange(A, &first, &last));
  std::vector<PetscInt> columns;
  std::vector<PetscScalar> values;
  for (PetscInt row = first; row < last; ++row) {
    const auto forward = copy_row(A, row);          // A_ij
    const auto backward = copy_row(transpose, row); // A_ji
    columns.clear();
    values.clear();
    for (const auto& [column, a] : forward) {
      double s = -a;
      if (column != row) {
        const auto other = std::find_if(backward.begin(), backward.end(),
                                        [&](const auto& entry) { return entry.first == column; });
        const double b = other == backward.end() ? 0.0 : other->second;
        if (a < 0 || b < 0) {
          throw Error("spectrum: the operator has a negative off-diagonal entry (not an M-matrix)");
        }
        s = -std::sqrt(a) * std::sqrt(b);
      }
      columns.push_back(column);
      values.push_back(s);
    }
    RELAX_PETSC(MatSetValues(S, 1, &row, static_cast<PetscInt>(columns.size()), columns.data(),
                             values.data(), INSERT_VALUES));
  }
  RELAX_PETSC(MatAssemblyBegin(S, MAT_FINAL_ASSEMBLY));
  RELAX_PETSC(MatAssemblyEnd(S, MAT_FINAL_ASSEMBLY));
  return S;
}

/// Multiplies re + i im by the phase that makes its entry of largest modulus real and positive.
/// Symmetric modes have ties (the two wells of an odd mode, a ring of a rotating one) that
/// round-off breaks differently on another rank count, so the entry is the first in the natural
/// cell order whose modulus is within 1e-6 of the largest.
void normalize_phase(GridField& re, GridField& im) {
  const Grid& grid = re.grid();
  const MPI_Comm comm = grid.comm();
  std::vector<double> modulus;
  {
    const petsc::ConstVecArray r(re.vec());
    const petsc::ConstVecArray i(im.vec());
    for (std::size_t k = 0; k < r.size(); ++k) {
      modulus.push_back(std::hypot(r[k], i[k]));
    }
  }
  double largest = modulus.empty() ? 0.0 : *std::max_element(modulus.begin(), modulus.end());
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &largest, 1, MPI_DOUBLE, MPI_MAX, comm));
  if (!(largest > 0)) {
    return;
  }
  const std::array<int, 3> shape = grid.shape();
  struct {
    double natural; // the natural cell index, exact in a double
    int rank;
  } first{INFINITY, comm_rank(comm)};
  std::size_t first_offset = 0;
  grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    const double natural = index[0] + static_cast<double>(shape[0]) *
                                          (index[1] + static_cast<double>(shape[1]) * index[2]);
    if (modulus[offset] >= (1 - 1e-6) * largest && natural < first.natural) {
      first.natural = natural;
      first_offset = offset;
    }
  });
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_DOUBLE_INT, MPI_MINLOC, comm));
  std::array<double, 2> value{};
  if (first.rank == comm_rank(comm)) {
    const petsc::ConstVecArray r(re.vec());
    const petsc::ConstVecArray i(im.vec());
    value = {r[first_offset], i[first_offset]};
  }
  RELAX_MPI(MPI_Bcast(value.data(), 2, MPI_DOUBLE, first.rank, comm));
  const double norm = std::hypot(value[0], value[1]);
  const double c = value[0] / norm;
  const double s = value[1] / norm;
  // (re + i im)(c - i s) = (c re + s im) + i (c im - s re)
  GridField rotated_re(re);
  RELAX_PETSC(VecAXPBY(rotated_re.vec(), s, c, im.vec()));
  RELAX_PETSC(VecAXPBY(im.vec(), -s, c, re.vec()));
  re = rotated_re;
}

/// ||M x - lambda x|| / (||M||_inf ||x||) for x = re + i im.
double relative_residual(::Mat M, double norm_m, const SpectralMode& mode) {
  const double lr = mode.rate.real();
  const double li = mode.rate.imag();
  GridField r_re(mode.real.grid());
  GridField r_im(mode.real.grid());
  RELAX_PETSC(MatMult(M, mode.real.vec(), r_re.vec()));
  RELAX_PETSC(MatMult(M, mode.imag.vec(), r_im.vec()));
  // r_re = M re - lr re + li im, r_im = M im - lr im - li re
  RELAX_PETSC(VecAXPBYPCZ(r_re.vec(), -lr, li, 1.0, mode.real.vec(), mode.imag.vec()));
  RELAX_PETSC(VecAXPBYPCZ(r_im.vec(), -lr, -li, 1.0, mode.imag.vec(), mode.real.vec()));
  PetscReal a = 0;
  PetscReal b = 0;
  PetscReal c = 0;
  PetscReal d = 0;
  RELAX_PETSC(VecNorm(r_re.vec(), NORM_2, &a));
  RELAX_PETSC(VecNorm(r_im.vec(), NORM_2, &b));
  RELAX_PETSC(VecNorm(mode.real.vec(), NORM_2, &c));
  RELAX_PETSC(VecNorm(mode.imag.vec(), NORM_2, &d));
  return std::hypot(a, b) / (norm_m * std::hypot(c, d));
}

} // namespace

namespace {

/// An EPS under options.prefix with relax's method (shift-and-invert with a direct solve inside),
/// set from the options. What needs the operator is set by the caller, followed by a second
/// EPSSetFromOptions so that the user's options still win.
slepc::EPS make_eps(MPI_Comm comm, const SpectrumOptions& options) {
  slepc::EPS eps;
  RELAX_PETSC(EPSCreate(comm, eps.out()));
  RELAX_PETSC(EPSSetOptionsPrefix(eps, options.prefix.c_str()));
  ::ST st = nullptr;
  RELAX_PETSC(EPSGetST(eps, &st));
  RELAX_PETSC(STSetType(st, STSINVERT));
  ::KSP ksp = nullptr;
  RELAX_PETSC(STGetKSP(st, &ksp));
  configure_direct_solver(ksp, comm, DirectSolverOptions{});
  RELAX_PETSC(EPSSetFromOptions(eps));
  return eps;
}

} // namespace

void check_spectrum_options(MPI_Comm comm, const SpectrumOptions& options) {
  make_eps(comm, options);
}

Spectrum slowest_modes(const FokkerPlanckSolver& solver, const SpectrumOptions& options) {
  const Grid& grid = solver.grid();
  const MPI_Comm comm = grid.comm();
  if (options.count < 1 || static_cast<std::size_t>(options.count) > grid.cell_count()) {
    throw InputError("spectrum.count = " + std::to_string(options.count) +
                     ": expected between 1 and the number of cells (" +
                     std::to_string(grid.cell_count()) + ")");
  }
  const ::Mat A = solver.op();
  Spectrum spectrum;
  spectrum.beta = solver.schedule().beta(solver.time());
  const Landscape* potential = solver.gradient_potential();
  spectrum.is_symmetric = potential != nullptr;

  // half = sqrt(g) = exp(-beta (f - min f) / 2): the modes of -A are half times those of S.
  GridField half(grid);
  if (spectrum.is_symmetric) {
    half.fill([&](const double* x) { return potential->value(x); });
    PetscReal f_min = 0;
    RELAX_PETSC(VecMin(half.vec(), nullptr, &f_min));
    RELAX_PETSC(VecShift(half.vec(), -f_min));
    RELAX_PETSC(VecScale(half.vec(), -0.5 * spectrum.beta));
    RELAX_PETSC(VecExp(half.vec()));
  }
  petsc::Mat generator;
  if (spectrum.is_symmetric) {
    generator = symmetrized_generator(A);
  } else {
    RELAX_PETSC(MatDuplicate(A, MAT_COPY_VALUES, generator.out()));
    RELAX_PETSC(MatScale(generator, -1.0));
  }
  PetscReal norm_a = 0;
  RELAX_PETSC(MatNorm(A, NORM_INFINITY, &norm_a));

  slepc::EPS eps = make_eps(comm, options);
  RELAX_PETSC(EPSSetOperators(eps, generator, nullptr));
  RELAX_PETSC(EPSSetProblemType(eps, spectrum.is_symmetric ? EPS_HEP : EPS_NHEP));
  RELAX_PETSC(EPSSetDimensions(eps, options.count, PETSC_DEFAULT, PETSC_DEFAULT));
  RELAX_PETSC(EPSSetTolerances(eps, options.tolerance, options.max_iterations));
  // Shift-and-invert below 0: every rate has Re >= 0, and the conserving box's 0 must not make
  // the shifted operator singular. 1e-4 ||A|| keeps its condition near 1e4: at 1e-8 ||A|| the
  // rates of a non-symmetric operator moved by 1e-9 between rank counts (LU round-off times
  // 1e8). Real rates keep their order at any target below 0; complex ones are ranked by their
  // distance to it (-fp_spectrum_eps_target moves it).
  RELAX_PETSC(EPSSetTarget(eps, -1e-4 * norm_a));
  RELAX_PETSC(EPSSetWhichEigenpairs(eps, EPS_TARGET_MAGNITUDE));
  RELAX_PETSC(EPSSetFromOptions(eps)); // again: the user's options win over the settings above
  RELAX_PETSC(EPSSolve(eps));
  PetscInt converged = 0;
  RELAX_PETSC(EPSGetConverged(eps, &converged));
  if (converged < options.count) {
    throw NumericalError("spectrum: SLEPc converged " + std::to_string(converged) + " of " +
                         std::to_string(options.count) + " modes (try -" + options.prefix +
                         "eps_ncv or a larger -" + options.prefix + "eps_max_it)");
  }

  struct Found {
    std::complex<double> rate;
    PetscInt index;
  };
  std::vector<Found> found;
  for (PetscInt k = 0; k < converged; ++k) {
    PetscScalar re = 0;
    PetscScalar im = 0;
    RELAX_PETSC(EPSGetEigenvalue(eps, k, &re, &im));
    found.push_back({{re, im}, k});
  }
  std::stable_sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return a.rate.real() != b.rate.real() ? a.rate.real() < b.rate.real()
                                          : a.rate.imag() < b.rate.imag();
  });
  std::size_t keep = static_cast<std::size_t>(options.count);
  if (keep < found.size() && found[keep - 1].rate.imag() < 0 &&
      found[keep].rate == std::conj(found[keep - 1].rate)) {
    ++keep; // do not split a conjugate pair
  }
  found.resize(keep);

  const double volume = grid.cell_volume();
  double gibbs_mass = 0; // Z = int g
  if (spectrum.is_symmetric) {
    GridField g(half);
    RELAX_PETSC(VecPointwiseMult(g.vec(), half.vec(), half.vec()));
    gibbs_mass = integral(g);
  }
  for (const Found& f : found) {
    SpectralMode mode{f.rate, 0.0, GridField(grid), GridField(grid)};
    RELAX_PETSC(EPSGetEigenvector(eps, f.index, mode.real.vec(), mode.imag.vec()));
    if (spectrum.is_symmetric) {
      // The residual of S v = lambda v is that of -A rho = lambda rho in the norm of L2(1/pi).
      mode.rate = {mode.rate.real(), 0.0};
      RELAX_PETSC(VecZeroEntries(mode.imag.vec()));
      mode.residual = relative_residual(generator, norm_a, mode);
      // rho = half v / (||v|| sqrt(Z h^d)): int rho^2 / pi = Z h^d sum (v / ||v||)^2 / (Z h^d) = 1.
      PetscReal norm = 0;
      RELAX_PETSC(VecNorm(mode.real.vec(), NORM_2, &norm));
      RELAX_PETSC(VecPointwiseMult(mode.real.vec(), mode.real.vec(), half.vec()));
      RELAX_PETSC(VecScale(mode.real.vec(), 1.0 / (norm * std::sqrt(gibbs_mass * volume))));
    } else {
      mode.residual = relative_residual(generator, norm_a, mode);
      PetscReal a = 0;
      PetscReal b = 0;
      RELAX_PETSC(VecNorm(mode.real.vec(), NORM_2, &a));
      RELAX_PETSC(VecNorm(mode.imag.vec(), NORM_2, &b));
      const double scale = 1.0 / (std::hypot(a, b) * std::sqrt(volume));
      RELAX_PETSC(VecScale(mode.real.vec(), scale));
      RELAX_PETSC(VecScale(mode.imag.vec(), scale));
    }
    normalize_phase(mode.real, mode.imag);
    spectrum.modes.push_back(std::move(mode));
  }
  return spectrum;
}

} // namespace relax
