#include "solvers/fokker_planck.hpp"

#include "core/profiling.hpp"
#include "solvers/mat_stencil.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/validate.hpp"
#include "solvers/linear_solver.hpp"
#include "solvers/scharfetter_gummel.hpp"

#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace relax {

namespace {

// ---- Drifts on faces ----

class GradientFaceDrift final : public FaceDrift {
public:
  explicit GradientFaceDrift(std::shared_ptr<const Landscape> f) : f_(std::move(f)) {}
  const Landscape* potential() const override { return f_.get(); }
  bool is_time_dependent() const override { return false; }
  double jump(const FaceSegment& segment, double /*t*/) const override {
    return f_->value(segment.right.data()) - f_->value(segment.left.data());
  }

private:
  std::shared_ptr<const Landscape> f_;
};

class VectorFaceDrift final : public FaceDrift {
public:
  explicit VectorFaceDrift(Drift drift) : drift_(std::move(drift)) {}
  const Landscape* potential() const override { return nullptr; }
  bool is_time_dependent() const override { return false; }
  double jump(const FaceSegment& segment, double /*t*/) const override {
    std::array<double, 3> b{};
    drift_.evaluate(segment.midpoint.data(), b.data());
    return -segment.distance * b[static_cast<std::size_t>(segment.axis)];
  }

private:
  Drift drift_;
};

// ---- Geometry of the faces of an owned cell ----

enum class FaceKind { none, neighbour, absorbing };

/// The segment across side `side` (0: lower, 1: upper) of cell `index` along `axis`, built from
/// global indices only so that both cells of a face (on any rank) build the same bits. `stencil`
/// receives the neighbour's DMDA stencil index (one outside [0, n) across a periodic wrap, the
/// DMDA's ghost convention).
FaceKind face_segment(const Grid& grid, const std::array<int, 3>& index, int axis, int side,
                      FaceSegment& segment, std::array<int, 3>& stencil) {
  const Axis& ax = grid.axis(axis);
  const auto a = static_cast<std::size_t>(axis);
  const int i = index[a];
  const int j = side == 1 ? i + 1 : i - 1;
  const bool is_inside = j >= 0 && j < ax.n;
  if (!is_inside && ax.boundary == Boundary::reflecting) {
    return FaceKind::none;
  }
  segment = FaceSegment{};
  segment.axis = axis;
  grid.centre(index, segment.left.data());
  segment.right = segment.midpoint = segment.left;
  segment.left_cell = segment.right_cell = index;
  stencil = index;
  stencil[a] = j;
  if (is_inside || ax.boundary == Boundary::periodic) {
    const int wrapped = (j + ax.n) % ax.n;
    const int left = side == 1 ? i : wrapped; // across the periodic wrap, left is cell n-1
    const int right = side == 1 ? wrapped : i;
    segment.left_cell[a] = left;
    segment.right_cell[a] = right;
    segment.left[a] = ax.centre(left);
    segment.right[a] = ax.centre(right);
    segment.midpoint[a] = ax.face(left + 1);
    segment.distance = ax.h();
    return FaceKind::neighbour;
  }
  // Absorbing: rho = 0 on the boundary face itself, where the particles are removed; the flux
  // runs over the half cell between the centre and the face (second order, keeps the M-matrix).
  const double h = ax.h();
  segment.distance = h / 2;
  if (side == 1) {
    segment.is_boundary_right = true;
    segment.right[a] = ax.hi;
    segment.midpoint[a] = ax.hi - h / 4;
  } else {
    segment.is_boundary_left = true;
    segment.left[a] = ax.lo;
    segment.midpoint[a] = ax.lo + h / 4;
  }
  return FaceKind::absorbing;
}

} // namespace

std::shared_ptr<const FaceDrift> make_gradient_face_drift(std::shared_ptr<const Landscape> f) {
  return std::make_shared<GradientFaceDrift>(std::move(f));
}

std::shared_ptr<const FaceDrift> make_vector_face_drift(Drift drift) {
  return std::make_shared<VectorFaceDrift>(std::move(drift));
}

std::shared_ptr<const FaceDrift> make_face_drift(const Drift& drift) {
  return drift.is_gradient() ? make_gradient_face_drift(drift.landscape_ptr())
                             : make_vector_face_drift(drift);
}

// ---- Construction ----

FokkerPlanckSolver::FokkerPlanckSolver(const Grid& grid, const Drift& drift,
                                       const TemperatureSchedule& schedule,
                                       const FokkerPlanckOptions& options)
    : FokkerPlanckSolver(grid, make_face_drift(drift), drift.landscape_ptr(), schedule, options) {}

FokkerPlanckSolver::FokkerPlanckSolver(const Grid& grid, std::shared_ptr<const FaceDrift> drift,
                                       std::shared_ptr<const Landscape> landscape,
                                       const TemperatureSchedule& schedule,
                                       const FokkerPlanckOptions& options)
    : grid_(grid), drift_(std::move(drift)), landscape_(std::move(landscape)), schedule_(schedule),
      options_(options), potential_(grid),
      stepper_(grid.comm(), {options.prefix, TS_LINEAR, options.ts_type.c_str(), options.dt, &grid}) {
  if (landscape_->dim() != grid_.dim()) {
    throw InputError("landscape " + landscape_->describe() + " has dimension " +
                     std::to_string(landscape_->dim()) + ", the grid " +
                     std::to_string(grid_.dim()));
  }
  potential_.fill([&](const double* x) { return landscape_->value(x); });
  if (!is_finite(potential_)) {
    throw InputError("landscape " + landscape_->describe() +
                     " is not finite at every cell centre of the grid");
  }
  for (const Axis& axis : grid_.axes()) {
    has_absorbing_ = has_absorbing_ || axis.boundary == Boundary::absorbing;
  }
  RELAX_PETSC(DMCreateMatrix(grid_.dm(), op_.out()));
  RELAX_PETSC(MatDuplicate(op_, MAT_DO_NOT_COPY_VALUES, implicit_.out()));
  RELAX_PETSC(DMCreateGlobalVector(grid_.dm(), outflow_weights_.out()));

  compute_jumps(0.0);
  if (!drift_->is_time_dependent()) {
    const bool local =
        std::all_of(jumps_.begin(), jumps_.end(), [](double w) { return std::isfinite(w); });
    if (any_rank(grid_.comm(), !local)) {
      throw InputError("the drift of landscape " + landscape_->describe() +
                       " is not finite on every cell face of the grid");
    }
  }
  if (options_.diffusion) {
    options_.diffusion->check_dimension(grid_.dim());
    try {
      assemble(schedule_.beta(0.0), 0.0);
    } catch (const NumericalError& error) { // D is part of the input: not finite or <= 0 at t = 0
      throw InputError(error.what());
    }
  } else {
    assemble(schedule_.beta(0.0), 0.0);
  }

  // The TS: a linear problem F(t, u, u') = u' - A(t) u with Jacobian shift I - A, so that the
  // matrix (and with it the preconditioner) changes only when beta, the drift or the step does.
  // Backward Euler by default: positive (M-matrix) and first order.
  stepper_.set_ifunction([this](double t, ::Vec u, ::Vec udot, ::Vec f) {
    update_operator(t);
    RELAX_PETSC(MatMult(op_, u, f));
    RELAX_PETSC(VecAYPX(f, -1.0, udot)); // F = u' - A u
  });
  stepper_.set_ijacobian(implicit_, implicit_,
                         [this](double t, ::Vec, ::Vec, double shift, ::Mat J, ::Mat) {
                           update_implicit(t, shift, J);
                         });
  stepper_.set_post_step([this](double t, ::Vec rho) { on_step(t, rho); });
  // Mass is conserved only up to the linear residual (1^T (I - dt A) = 1^T), so solve tightly.
  RELAX_PETSC(KSPSetTolerances(stepper_.ksp(), 1e-12, 1e-50, PETSC_DEFAULT, PETSC_DEFAULT));
  if (grid_.dim() == 1 && comm_size(grid_.comm()) == 1) {
    // 1D on one rank: the implicit matrix is tridiagonal (cyclic on a periodic axis), factored
    // once per (beta, shift) and applied once per step (KSPPREONLY), instead of GMRES with an
    // ILU(0) that is already exact, which applies it twice and adds a MatMult and an
    // orthogonalization. Without a periodic wrap the Thomas algorithm; with one, PETSc's LU in
    // the natural order (its fill is one row and column). -fp_ksp_type / -fp_pc_type override.
    ::PC pc = nullptr;
    RELAX_PETSC(KSPGetPC(stepper_.ksp(), &pc));
    RELAX_PETSC(KSPSetType(stepper_.ksp(), KSPPREONLY));
    if (grid_.axis(0).boundary == Boundary::periodic) {
      RELAX_PETSC(PCSetType(pc, PCLU));
      RELAX_PETSC(PCFactorSetMatOrderingType(pc, MATORDERINGNATURAL));
    } else {
      tridiagonal_.attach(pc);
    }
  }
  stepper_.set_from_options("fp: time step", grid_);
  update_implicit(0.0, 1.0 / stepper_.dt(), implicit_); // backward Euler's: the default's
  stepper_.set_up_preconditioner(implicit_);
  // A direct solve by default (the test of exact discrete Gibbs asks for round-off); large 2D/3D
  // grids switch to -fp_stationary_ksp_type gmres -fp_stationary_pc_type gamg.
  DirectSolverOptions direct;
  direct.prefix = options_.prefix + "stationary_";
  stationary_solver_ = make_direct_solver(grid_.comm(), nullptr, direct);
}

FokkerPlanckSolver::~FokkerPlanckSolver() = default;

// ---- Operator ----

void FokkerPlanckSolver::compute_jumps(double t) {
  drift_->prepare(grid_, t);
  const auto dim = static_cast<std::size_t>(grid_.dim());
  jumps_.assign(grid_.owned().count() * dim * 2, 0.0);
  FaceSegment segment;
  std::array<int, 3> stencil{};
  grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    for (int a = 0; a < grid_.dim(); ++a) {
      for (int side = 0; side < 2; ++side) {
        if (face_segment(grid_, index, a, side, segment, stencil) != FaceKind::none) {
          jumps_[(offset * dim + static_cast<std::size_t>(a)) * 2 +
                 static_cast<std::size_t>(side)] = drift_->jump(segment, t);
        }
      }
    }
  });
  jumps_time_ = t;
}

std::array<double, 2> FokkerPlanckSolver::variable_diffusion_weights(const FaceSegment& segment,
                                                                    double w, double beta,
                                                                    double t,
                                                                    std::string& problem) const {
  const Diffusion& diffusion = *options_.diffusion;
  const int dim = grid_.dim();
  const auto a = static_cast<std::size_t>(segment.axis);
  std::array<double, 3> D_left{};
  std::array<double, 3> D_right{};
  std::array<double, 3> D_face{};
  for (const auto& [x, D] : {std::pair{&segment.left, &D_left}, std::pair{&segment.right, &D_right},
                             std::pair{&segment.midpoint, &D_face}}) {
    diffusion.evaluate(dim, x->data(), t, beta, D->data());
    if (problem.empty()) {
      problem = diffusion.check_value(dim, x->data(), t, D->data());
    }
  }
  const double dpsi = w / D_face[a];
  return {variable_diffusion_flux(dpsi, 1, 0, D_left[a], D_right[a], segment.distance),
          -variable_diffusion_flux(dpsi, 0, 1, D_left[a], D_right[a], segment.distance)};
}

void FokkerPlanckSolver::assemble(double beta, double t) {
  const double D = 1.0 / beta;
  const double volume = grid_.cell_volume();
  const auto dim = static_cast<std::size_t>(grid_.dim());
  RELAX_PETSC(MatZeroEntries(op_));
  petsc::VecArray weights(outflow_weights_);
  FaceSegment segment;
  std::array<int, 3> neighbour{};
  std::string diffusion_problem;
  grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
    // d rho_i/dt = sum over axes of (J_lower - J_upper) / h; ADD_VALUES because on a periodic
    // axis of two cells both faces couple the same pair of cells.
    const MatStencil row = to_stencil(index);
    std::array<MatStencil, 7> columns{};
    std::array<PetscScalar, 7> values{};
    columns[0] = row;
    PetscInt count = 1;
    double outflow = 0;
    for (int a = 0; a < grid_.dim(); ++a) {
      const double h = grid_.axis(a).h();
      for (int side = 0; side < 2; ++side) {
        const FaceKind kind = face_segment(grid_, index, a, side, segment, neighbour);
        if (kind == FaceKind::none) {
          continue;
        }
        const double w = jumps_[(offset * dim + static_cast<std::size_t>(a)) * 2 +
                                static_cast<std::size_t>(side)];
        // J = left_weight rho_l - right_weight rho_r; the matrix only needs these two linear
        // coefficients, so ask the SG flux for them.
        double left_weight = 0;
        double right_weight = 0;
        if (options_.diffusion) {
          const std::array<double, 2> face =
              variable_diffusion_weights(segment, w, beta, t, diffusion_problem);
          left_weight = face[0];
          right_weight = face[1];
        } else {
          left_weight = scharfetter_gummel_flux(beta * w, 1, 0, D, segment.distance);
          right_weight = -scharfetter_gummel_flux(beta * w, 0, 1, D, segment.distance);
        }
        const double own = side == 1 ? left_weight : right_weight;   // J leaving this cell
        const double other = side == 1 ? right_weight : left_weight; // J entering from the other
        values[0] -= own / h;
        if (kind == FaceKind::neighbour) {
          columns[static_cast<std::size_t>(count)] = to_stencil(neighbour);
          values[static_cast<std::size_t>(count)] = other / h;
          ++count;
        } else {
          outflow += volume * own / h;
        }
      }
    }
    weights[offset] = outflow;
    RELAX_PETSC(
        MatSetValuesStencil(op_, 1, &row, count, columns.data(), values.data(), ADD_VALUES));
  });
  RELAX_PETSC(MatAssemblyBegin(op_, MAT_FINAL_ASSEMBLY));
  RELAX_PETSC(MatAssemblyEnd(op_, MAT_FINAL_ASSEMBLY));
  if (options_.diffusion) {
    if (const std::string first = first_nonempty(grid_.comm(), diffusion_problem); !first.empty()) {
      throw NumericalError(first);
    }
  }
  beta_ = beta;
  assembled_time_ = t;
  ++operator_version_;
}

void FokkerPlanckSolver::update_operator(double t) {
  bool is_stale = false;
  if (drift_->is_time_dependent() && t != jumps_time_) {
    compute_jumps(t);
    is_stale = true;
  }
  if (options_.diffusion && options_.diffusion->depends_on_time() && t != assembled_time_) {
    is_stale = true;
  }
  const double beta = schedule_.beta(t);
  if (is_stale || beta != beta_) {
    assemble(beta, t);
  }
}

double FokkerPlanckSolver::outflow_rate(::Vec rho) const {
  if (!has_absorbing_) {
    return 0;
  }
  const petsc::ConstVecArray weights(outflow_weights_);
  const petsc::ConstVecArray values(rho);
  ExactSum rate;
  for (std::size_t i = 0; i < values.size(); ++i) {
    rate.add(weights[i] * values[i]);
  }
  return allreduce_value(grid_.comm(), rate);
}

// ---- Time stepping ----

void FokkerPlanckSolver::update_implicit(double t, double shift, ::Mat J) {
  update_operator(t);
  if (implicit_version_ == operator_version_ && implicit_shift_ == shift) {
    return; // unchanged: leaving J untouched keeps its state, so the PC is not rebuilt
  }
  RELAX_PETSC(MatCopy(op_, J, SAME_NONZERO_PATTERN));
  RELAX_PETSC(MatScale(J, -1.0));
  RELAX_PETSC(MatShift(J, shift));
  implicit_version_ = operator_version_;
  implicit_shift_ = shift;
  ++implicit_builds_;
}

void FokkerPlanckSolver::on_step(double t, ::Vec u) {
  ++steps_;
  if (has_absorbing_) {
    update_operator(t);
    const double rate = outflow_rate(u);
    // Backward Euler: the step is rho_new = rho_old + dt A rho_new, so the mass lost is exactly
    // dt * rate(rho_new). Other methods: the trapezoidal rule, of their own order.
    const double dt = t - step_start_time_;
    outflow_ += stepper_.is_backward_euler() ? dt * rate : dt * 0.5 * (rate + last_outflow_rate_);
    last_outflow_rate_ = rate;
  }
  step_start_time_ = t;
}

void FokkerPlanckSolver::advance_to(double t, GridField& rho) {
  const PhaseScope phase(Phase::fp_stepping);
  if (!(t >= time_)) {
    throw Error("FokkerPlanckSolver::advance_to(" + format_real(t) + "): before the current time " +
                format_real(time_));
  }
  if (t == time_) {
    return;
  }
  step_start_time_ = time_;
  last_outflow_rate_ = outflow_rate(rho.vec());
  const double mass_before = integral(rho);
  const std::string hint = !options_.failure_hint.empty()
                               ? options_.failure_hint
                               : "try a smaller fp.dt or another " + options_.prefix + "ts_type";
  stepper_.solve_interval(time_, t, rho, {"fp", "the density", hint});
  require_sound_density(rho, mass_before, t, hint);
  time_ = t;
}

void FokkerPlanckSolver::require_sound_density(const GridField& rho, double mass_before, double t,
                                               const std::string& hint) const {
  // The SG operator conserves mass exactly (its columns sum to zero) and backward Euler keeps
  // the density positive (an M-matrix), so beyond the linear solves' residual (rtol 1e-12) and
  // round-off neither may move. A scheme that is not positivity preserving (BDF, theta < 1)
  // undershoots by orders of magnitude less than these bounds on a resolved problem; an unstable
  // one overshoots them by many.
  constexpr double mass_tolerance = 1e-8;     // relative change of the mass over one interval
  constexpr double negative_tolerance = 1e-8; // most negative value relative to the largest
  const double mass = integral(rho);
  PetscReal least = 0;
  PetscReal largest = 0;
  RELAX_PETSC(VecMin(rho.vec(), nullptr, &least));
  RELAX_PETSC(VecMax(rho.vec(), nullptr, &largest));
  const double drift = (mass - mass_before) / mass_before;
  const bool mass_fails =
      has_absorbing_ ? !(drift <= mass_tolerance) : !(std::abs(drift) <= mass_tolerance);
  if (mass_fails) {
    throw NumericalError(
        "fp: the mass went from " + format_real(mass_before) + " to " + format_real(mass) +
        " between t = " + format_real(time_) + " and t = " + format_real(t) + " (relative change " +
        format_real(drift) + ", allowed " +
        (has_absorbing_ ? "a loss through the absorbing faces only" : format_real(mass_tolerance)) +
        "); " + hint);
  }
  if (!(least >= -negative_tolerance * largest)) {
    throw NumericalError("fp: the density went negative between t = " + format_real(time_) +
                         " and t = " + format_real(t) + " (minimum " + format_real(least) +
                         ", maximum " + format_real(largest) + ", allowed -" +
                         format_real(negative_tolerance) + " x maximum); " + hint);
  }
}

// ---- Stationary state ----

GridField FokkerPlanckSolver::gibbs(double beta) const {
  return gibbs_of(potential_, beta);
}

GridField FokkerPlanckSolver::gibbs_of(const GridField& potential, double beta) const {
  GridField rho(grid_);
  double f_min = 0; // the global minimum (exact at any rank count)
  RELAX_PETSC(VecMin(potential.vec(), nullptr, &f_min));
  {
    const petsc::ConstVecArray f(potential.vec());
    petsc::VecArray values(rho.vec());
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = std::exp(-beta * (f[i] - f_min)); // shifted: no overflow, max term 1
    }
  }
  RELAX_PETSC(VecScale(rho.vec(), 1.0 / integral(rho)));
  return rho;
}

GridField FokkerPlanckSolver::stationary() const {
  if (has_absorbing_) {
    throw InputError("grid.bc = absorbing: mass leaves the box, so there is no stationary state "
                     "(expected reflecting or periodic boundaries)");
  }
  const Landscape* f = drift_->potential();
  if (f == nullptr || drift_->is_time_dependent() || options_.diffusion) {
    return solve_stationary();
  }
  if (f == landscape_.get()) {
    return gibbs_of(potential_, beta_);
  }
  GridField potential(grid_);
  potential.fill([&](const double* x) { return f->value(x); });
  return gibbs_of(potential, beta_);
}

GridField FokkerPlanckSolver::solve_stationary() const {
  if (has_absorbing_) {
    throw InputError("grid.bc = absorbing: mass leaves the box, so there is no stationary state "
                     "(expected reflecting or periodic boundaries)");
  }
  // A has the left null vector 1 (conservation) and a positive right null vector. Replacing the
  // row of one cell k by d e_k (d = -A_kk) turns -A into a nonsingular M-matrix (its columns are
  // diagonally dominant, strictly next to k), whose solution with right-hand side d e_k is the
  // null vector scaled to rho_k = 1. Pinning the cell where f is smallest keeps the others <= O(1)
  // for a Gibbs-like state.
  struct {
    double value;
    int rank;
  } least{std::numeric_limits<double>::infinity(), comm_rank(grid_.comm())};
  std::size_t least_offset = 0;
  {
    const petsc::ConstVecArray f(potential_.vec());
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (f[i] < least.value) {
        least.value = f[i];
        least_offset = i;
      }
    }
  }
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &least, 1, MPI_DOUBLE_INT, MPI_MINLOC, grid_.comm()));
  const bool is_pinned_here = least.rank == comm_rank(grid_.comm());

  petsc::Mat system;
  RELAX_PETSC(MatDuplicate(op_, MAT_COPY_VALUES, system.out()));
  RELAX_PETSC(MatScale(system, -1.0));
  PetscInt first = 0;
  RELAX_PETSC(MatGetOwnershipRange(system, &first, nullptr));
  const PetscInt pinned = first + static_cast<PetscInt>(least_offset);
  petsc::Vec diagonal;
  RELAX_PETSC(MatCreateVecs(system, nullptr, diagonal.out()));
  RELAX_PETSC(MatGetDiagonal(system, diagonal));
  double d = 0;
  if (is_pinned_here) {
    const petsc::ConstVecArray values(diagonal);
    d = values[least_offset];
  }
  RELAX_MPI(MPI_Bcast(&d, 1, MPI_DOUBLE, least.rank, grid_.comm()));
  RELAX_PETSC(MatZeroRows(system, is_pinned_here ? 1 : 0, &pinned, d, nullptr, nullptr));

  GridField rho(grid_);
  GridField rhs(grid_);
  if (is_pinned_here) {
    petsc::VecArray values(rhs.vec());
    values[least_offset] = d;
  }
  const ::KSP ksp = stationary_solver_;
  RELAX_PETSC(KSPSetOperators(ksp, system, system));
  RELAX_PETSC(KSPSolve(ksp, rhs.vec(), rho.vec()));
  KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
  RELAX_PETSC(KSPGetConvergedReason(ksp, &reason));
  if (reason < 0 || !is_finite(rho)) {
    throw NumericalError(std::string("fp: the stationary solve failed (") +
                         KSPConvergedReasons[reason] + ")");
  }
  RELAX_PETSC(VecScale(rho.vec(), 1.0 / integral(rho)));
  return rho;
}

// ---- Diagnostics ----

FokkerPlanckDiagnostics FokkerPlanckSolver::diagnostics(const GridField& rho) const {
  FokkerPlanckDiagnostics out;
  out.time = time_;
  out.beta = schedule_.beta(time_);
  out.mass = integral(rho);
  out.outflow = outflow_;
  PetscReal min_value = 0;
  RELAX_PETSC(VecMin(rho.vec(), nullptr, &min_value));
  out.min_density = min_value;
  const GridField reference = gibbs(out.beta);
  // Of the positive part: second-order TS types and iterative solves leave round-off negatives
  // (~1e-17) that would make rho log rho NaN.
  GridField positive_part(rho);
  const GridField zero(grid_);
  RELAX_PETSC(VecPointwiseMax(positive_part.vec(), positive_part.vec(), zero.vec()));
  out.relative_entropy = kl_divergence(positive_part, reference);
  out.l1_to_gibbs = l1_distance(rho, reference);
  ExactSum free_energy;
  {
    const petsc::ConstVecArray values(rho.vec());
    const petsc::ConstVecArray f(potential_.vec());
    const double volume = grid_.cell_volume();
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double r = values[i];
      free_energy.add(volume * r * (r > 0 ? f[i] + std::log(r) / out.beta : f[i]));
    }
  }
  out.free_energy = allreduce_value(grid_.comm(), free_energy);
  return out;
}

} // namespace relax
