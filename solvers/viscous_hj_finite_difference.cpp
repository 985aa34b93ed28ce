// (b) of the viscous HJ solver: the monotone Godunov scheme integrated implicitly by a PETSc TS.
#include "solvers/viscous_hj.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/validate.hpp"
#include "grids/ghosted_values.hpp"
#include "solvers/mat_stencil.hpp"
#include "solvers/viscous_hj_godunov.hpp"

#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace relax {

namespace {

/// Backward Euler by default: monotone for any step. The step is checked before the TS exists.
TimeStepperSetup stepper_setup(const HamiltonJacobiOptions& options) {
  require_positive("viscous HJ: time step", options.dt);
  return {options.prefix, TS_NONLINEAR, TSBEULER, options.dt, nullptr};
}

} // namespace

HamiltonJacobiSolver::HamiltonJacobiSolver(const Grid& grid, const HamiltonJacobiProblem& problem,
                                           const HamiltonJacobiOptions& options)
    : grid_(grid), problem_(problem), options_(options),
      stepper_(grid.comm(), stepper_setup(options)) {
  require_positive("viscous HJ: nu", problem_.nu);
  require_non_negative("viscous HJ: c", problem_.c);
  for (int a = 0; a < grid_.dim(); ++a) {
    if (grid_.axis(a).boundary == Boundary::absorbing) {
      throw InputError("grid.bc = absorbing (axis " + std::to_string(a) +
                       "): the finite-difference HJ solver needs reflecting (Neumann) or "
                       "periodic boundaries");
    }
  }
  const auto dim = static_cast<std::size_t>(grid_.dim());
  drift_.assign(grid_.owned().count() * dim, 0.0);
  if (problem_.drift) {
    std::array<double, 3> x{};
    grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
      grid_.centre(index, x.data());
      problem_.drift(x.data(), drift_.data() + offset * dim);
    });
    const bool local =
        std::all_of(drift_.begin(), drift_.end(), [](double h) { return std::isfinite(h); });
    if (any_rank(grid_.comm(), !local)) {
      throw InputError("viscous HJ: the drift h(x) is not finite at every cell centre");
    }
  }
  RELAX_PETSC(DMCreateLocalVector(grid_.dm(), local_.out()));
  RELAX_PETSC(DMCreateMatrix(grid_.dm(), jacobian_.out()));

  stepper_.set_ifunction([this](double, ::Vec u, ::Vec udot, ::Vec f) { residual(u, udot, f); });
  stepper_.set_ijacobian(jacobian_, jacobian_,
                         [this](double, ::Vec u, ::Vec, double shift, ::Mat J, ::Mat P) {
                           jacobian(u, shift, P);
                           if (J != P) {
                             RELAX_PETSC(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
                             RELAX_PETSC(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
                           }
                         });
  // Newton to well below the discretization error, so that results agree across rank counts
  // (different preconditioners) to ~1e-10; the step-length test stops it at round-off.
  RELAX_PETSC(SNESSetTolerances(stepper_.snes(), 1e-10, 1e-10, PETSC_DEFAULT, 50, PETSC_DEFAULT));
  stepper_.set_from_options("viscous HJ: time step", grid_);
}

HamiltonJacobiSolver::~HamiltonJacobiSolver() = default;

template <typename F> void HamiltonJacobiSolver::for_each_stencil(::Vec u, F&& f) {
  const GhostedValues ghosted(grid_, u, local_);
  grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    f(index, offset, ghosted.at(index), [&](int axis) { return ghosted.neighbours(index, axis); });
  });
}

void HamiltonJacobiSolver::residual(::Vec u, ::Vec udot, ::Vec f) {
  const auto dim = static_cast<std::size_t>(grid_.dim());
  const petsc::ConstVecArray rate(udot);
  petsc::VecArray out(f);
  for_each_stencil(u, [&](const std::array<int, 3>& /*index*/, std::size_t offset, double centre,
                          auto&& neighbours) {
    double value = rate[offset];
    for (std::size_t a = 0; a < dim; ++a) {
      const AxisHamiltonian H{problem_.c, drift_[offset * dim + a]};
      value += hj_axis_residual(H, problem_.nu, grid_.axis(static_cast<int>(a)).h(), centre,
                                neighbours(static_cast<int>(a)))
                   .value;
    }
    out[offset] = value;
  });
}

void HamiltonJacobiSolver::jacobian(::Vec u, double shift, ::Mat J) {
  const auto dim = static_cast<std::size_t>(grid_.dim());
  RELAX_PETSC(MatZeroEntries(J));
  for_each_stencil(u, [&](const std::array<int, 3>& index, std::size_t offset, double centre,
                          auto&& neighbours) {
    const MatStencil row = to_stencil(index);
    std::array<MatStencil, 7> columns{};
    std::array<PetscScalar, 7> values{};
    columns[0] = row;
    values[0] = shift;
    std::size_t count = 1;
    for (std::size_t a = 0; a < dim; ++a) {
      const AxisNeighbours around = neighbours(static_cast<int>(a));
      const AxisHamiltonian H{problem_.c, drift_[offset * dim + a]};
      const AxisResidual r =
          hj_axis_residual(H, problem_.nu, grid_.axis(static_cast<int>(a)).h(), centre, around);
      values[0] += r.d_centre;
      // Out-of-range indices on a periodic axis are the DMDA's wrapped ghosts.
      std::array<int, 3> other = index;
      if (around.has_lower) {
        other[a] = index[a] - 1;
        columns[count] = to_stencil(other);
        values[count++] = r.d_lower;
      }
      if (around.has_upper) {
        other[a] = index[a] + 1;
        columns[count] = to_stencil(other);
        values[count++] = r.d_upper;
      }
    }
    // ADD_VALUES: on a periodic axis of two cells both neighbours are the same cell.
    RELAX_PETSC(MatSetValuesStencil(J, 1, &row, static_cast<PetscInt>(count), columns.data(),
                                    values.data(), ADD_VALUES));
  });
  RELAX_PETSC(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
  RELAX_PETSC(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
}

void HamiltonJacobiSolver::advance_to(double t, GridField& u) {
  if (!(t >= time_)) {
    throw Error("HamiltonJacobiSolver::advance_to(" + format_real(t) +
                "): before the current time " + format_real(time_));
  }
  if (t == time_) {
    return;
  }
  steps_ += stepper_.solve_interval(
      time_, t, u,
      {"viscous HJ", "u", "try a smaller time step or another " + options_.prefix + "snes_type"});
  time_ = t;
}

} // namespace relax
