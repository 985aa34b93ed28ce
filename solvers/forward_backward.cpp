#include "solvers/forward_backward.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/validate.hpp"
#include "grids/ghosted_values.hpp"
#include "models/drift.hpp"
#include "models/schedule.hpp"
#include "solvers/fokker_planck.hpp"
#include "solvers/linear_solver.hpp"

#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

namespace relax {

// ---- The problem ----

namespace {

GridField landscape_field(const Grid& grid, const Landscape& f) {
  GridField field(grid);
  field.fill([&](const double* x) { return f.value(x); });
  return field;
}

FokkerPlanckOptions forward_options(const ForwardBackwardOptions& options, double dt) {
  FokkerPlanckOptions fp;
  fp.dt = dt;
  fp.prefix = options.prefix;
  fp.ts_type = options.scheme == TimeScheme::crank_nicolson ? TSCN : TSBEULER;
  fp.failure_hint = "take more fb.steps, or fb.scheme = beuler (positive at any step)";
  return fp;
}

/// The exact global sum over owned cells of term(offset).
template <typename Term> double sum_owned(const Grid& grid, Term term) {
  ExactSum sum;
  grid.for_each_owned(
      [&](const std::array<int, 3>&, std::size_t offset) { sum.add(term(offset)); });
  return allreduce_value(grid.comm(), sum);
}

} // namespace

void check_controlled_sgd_problem(const Grid& grid, const ControlledSgdProblem& problem) {
  if (!problem.f || !problem.V) {
    throw Error("controlled SGD: the landscape f and the terminal cost V must be given");
  }
  for (const Landscape* g : {problem.f.get(), problem.V.get()}) {
    if (g->dim() != grid.dim()) {
      throw InputError("controlled SGD: " + g->describe() + " has dimension " +
                       std::to_string(g->dim()) + ", the grid " + std::to_string(grid.dim()));
    }
  }
  require_positive("controlled SGD: beta", problem.beta, "a constant beta");
  require_positive("fb.c", problem.c, "a control weight c");
  require_positive("time.end", problem.T, "a horizon T");
  for (int a = 0; a < grid.dim(); ++a) {
    if (grid.axis(a).boundary == Boundary::absorbing) {
      throw InputError("grid.bc = absorbing (axis " + std::to_string(a) +
                       "): controlled SGD needs reflecting or periodic boundaries");
    }
  }
  if (!is_finite(landscape_field(grid, *problem.V))) {
    throw InputError("terminal cost V = " + problem.V->describe() +
                     ": not finite at every cell centre of the grid");
  }
}

// ---- (a) ValueFunction: the log-domain backward Kolmogorov step ----

struct ValueFunction::Stepper {
  const Grid& grid;
  double k;
  double dt;
  double implicit_weight; // 1 (backward Euler) or 1/2 (Crank–Nicolson)
  petsc::Mat generator;   // Q = A^T
  petsc::Mat system;      // I - w dt E^-1 Q E
  petsc::KSP ksp;
  petsc::Vec local; // ghosted u^{n+1}
  petsc::Vec rhs;   // 1, or 1 + (dt/2) E^-1 Q E 1
  petsc::Vec ratio; // r = phi^n / phi^{n+1}
  std::unordered_map<PetscInt, PetscInt> ghost_of; // PETSc global index -> ghosted local index

  Stepper(const Grid& g, ::Mat forward_operator, double k_, double dt_, TimeScheme scheme,
          const std::string& prefix)
      : grid(g), k(k_), dt(dt_),
        implicit_weight(scheme == TimeScheme::crank_nicolson ? 0.5 : 1.0) {
    RELAX_PETSC(MatTranspose(forward_operator, MAT_INITIAL_MATRIX, generator.out()));
    RELAX_PETSC(MatDuplicate(generator, MAT_DO_NOT_COPY_VALUES, system.out()));
    RELAX_PETSC(DMCreateLocalVector(grid.dm(), local.out()));
    RELAX_PETSC(MatCreateVecs(generator, ratio.out(), rhs.out()));
    ISLocalToGlobalMapping mapping = nullptr;
    RELAX_PETSC(DMGetLocalToGlobalMapping(grid.dm(), &mapping));
    PetscInt count = 0;
    const PetscInt* indices = nullptr;
    RELAX_PETSC(ISLocalToGlobalMappingGetSize(mapping, &count));
    RELAX_PETSC(ISLocalToGlobalMappingGetIndices(mapping, &indices));
    for (PetscInt i = 0; i < count; ++i) {
      ghost_of.emplace(indices[i], i); // periodic copies of one cell hold the same value
    }
    RELAX_PETSC(ISLocalToGlobalMappingRestoreIndices(mapping, &indices));
    // A direct solve by default. The scaled rows carry exp((u_i - u_j)/k) factors up to e^700
    // where V is steep, so the system is badly scaled (though its solution r, a ratio of phi
    // values, is accurate): a residual test relative to |b| cannot be met by an iterative method
    // there (GMRES breaks down or stops early). On several ranks the LU is redundant (every
    // rank factors the gathered matrix): deterministic, so a recomputed segment repeats the first
    // sweep's bits (MUMPS does not), at the cost of the whole sparse matrix per rank. Large 2D
    // grids with a smooth V: -fb_backward_ksp_type gmres -fb_backward_pc_type gamg.
    DirectSolverOptions direct;
    direct.prefix = prefix + "backward_";
    direct.rtol = 1e-12;
    direct.abstol = 1e-50;
    direct.parallel = ParallelFactorization::redundant;
    ksp = make_direct_solver(grid.comm(), nullptr, direct);
  }

  /// u^n from u^{n+1} (docs/theory.md, ValueFunction in the header).
  void step(const GridField& upper, GridField& lower) {
    RELAX_PETSC(DMGlobalToLocalBegin(grid.dm(), upper.vec(), INSERT_VALUES, local));
    RELAX_PETSC(DMGlobalToLocalEnd(grid.dm(), upper.vec(), INSERT_VALUES, local));
    bool is_overflow = false;
    bool is_unresolved = false; // a Crank–Nicolson right-hand side <= 0
    {
      const petsc::ConstVecArray u(local);
      petsc::VecArray b(rhs);
      PetscInt first = 0;
      PetscInt last = 0;
      RELAX_PETSC(MatGetOwnershipRange(generator, &first, &last));
      std::vector<PetscScalar> scaled;
      for (PetscInt row = first; row < last; ++row) {
        PetscInt count = 0;
        const PetscInt* columns = nullptr;
        const PetscScalar* values = nullptr;
        RELAX_PETSC(MatGetRow(generator, row, &count, &columns, &values));
        scaled.resize(static_cast<std::size_t>(count));
        const double u_row = u[static_cast<std::size_t>(ghost_of.at(row))];
        double generator_row_sum = 0; // (E^-1 Q E 1)_row = (Q phi)_row / phi_row
        for (PetscInt j = 0; j < count; ++j) {
          const double u_column = u[static_cast<std::size_t>(ghost_of.at(columns[j]))];
          const double exponent = (u_row - u_column) / k;
          is_overflow = is_overflow || !(exponent < 700.0);
          const double rate = values[j] * std::exp(exponent);
          generator_row_sum += rate;
          const double entry = -implicit_weight * dt * rate;
          scaled[static_cast<std::size_t>(j)] = columns[j] == row ? 1.0 + entry : entry;
        }
        const double b_row = 1.0 + (1.0 - implicit_weight) * dt * generator_row_sum;
        is_unresolved = is_unresolved || !(b_row > 0);
        b[static_cast<std::size_t>(row - first)] = b_row;
        const PetscInt global_row = row;
        RELAX_PETSC(
            MatSetValues(system, 1, &global_row, count, columns, scaled.data(), INSERT_VALUES));
        RELAX_PETSC(MatRestoreRow(generator, row, &count, &columns, &values));
      }
    }
    RELAX_PETSC(MatAssemblyBegin(system, MAT_FINAL_ASSEMBLY));
    RELAX_PETSC(MatAssemblyEnd(system, MAT_FINAL_ASSEMBLY));
    if (any_rank(grid.comm(), is_overflow)) {
      throw NumericalError(
          "fb: the value function jumps by more than 700 k = " + format_real(700 * k) +
          " between neighbouring cells (or is not finite); refine the grid");
    }
    if (any_rank(grid.comm(), is_unresolved)) {
      throw NumericalError("fb: a Crank-Nicolson backward step would make phi negative (dt = " +
                           format_real(dt) + " does not resolve its change); take more fb.steps "
                           "or fb.scheme = beuler");
    }
    RELAX_PETSC(KSPSetOperators(ksp, system, system));
    RELAX_PETSC(KSPSolve(ksp, rhs, ratio));
    KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
    RELAX_PETSC(KSPGetConvergedReason(ksp, &reason));
    bool is_bad = reason < 0;
    {
      const petsc::ConstVecArray r(ratio);
      const petsc::ConstVecArray u_upper(upper.vec());
      petsc::VecArray u_lower(lower.vec());
      for (std::size_t i = 0; i < r.size(); ++i) {
        is_bad = is_bad || !(r[i] > 0) || !std::isfinite(r[i]);
        u_lower[i] = u_upper[i] - k * std::log(r[i]);
      }
    }
    if (any_rank(grid.comm(), is_bad)) {
      throw NumericalError(std::string("fb: the backward Kolmogorov step failed (") +
                           KSPConvergedReasons[reason] +
                           "); try another -fb_backward_ksp_type or a smaller step");
    }
  }
};

ValueFunction::ValueFunction(const Grid& grid, const ControlledSgdProblem& problem,
                             ::Mat forward_operator, const ForwardBackwardOptions& options)
    : grid_(grid), steps_(options.steps), horizon_(problem.T),
      dt_(problem.T / static_cast<double>(options.steps)) {
  require_at_least("fb.steps", options.steps, 1);
  stepper_ = std::make_unique<Stepper>(grid, forward_operator, problem.k(), dt_, options.scheme,
                                       options.prefix);
  const GridField terminal = landscape_field(grid, *problem.V);

  // The storage: all levels if they fit on every rank (the largest block decides), else
  // checkpoints every S levels.
  auto local_cells = static_cast<double>(grid.owned().count());
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &local_cells, 1, MPI_DOUBLE, MPI_MAX, grid.comm()));
  const double bytes_all = static_cast<double>(steps_ + 1) * local_cells * sizeof(double);
  const bool keep_all =
      options.storage == LevelStorage::all ||
      (options.storage == LevelStorage::automatic && bytes_all <= options.memory_budget);
  if (keep_all) {
    stored_.assign(static_cast<std::size_t>(steps_ + 1), terminal);
    for (long n = steps_ - 1; n >= 0; --n) {
      step(stored_[static_cast<std::size_t>(n + 1)], stored_[static_cast<std::size_t>(n)]);
    }
    return;
  }
  segment_ = static_cast<long>(std::ceil(std::sqrt(static_cast<double>(steps_ + 1))));
  const long checkpoints = (steps_ + segment_ - 1) / segment_; // the last one is level N
  stored_.assign(static_cast<std::size_t>(checkpoints + 1), terminal);
  GridField upper(terminal);
  GridField lower(grid);
  for (long n = steps_ - 1; n >= 0; --n) {
    step(upper, lower);
    if (n % segment_ == 0) {
      stored_[static_cast<std::size_t>(n / segment_)] = lower;
    }
    std::swap(upper, lower);
  }
  window_.assign(static_cast<std::size_t>(segment_ + 1), terminal);
}

ValueFunction::~ValueFunction() = default;

double ValueFunction::time(long n) const {
  return n == steps_ ? horizon_ : static_cast<double>(n) * dt_; // exactly T at n = N
}

long ValueFunction::held_levels() const {
  return static_cast<long>(stored_.size() + window_.size());
}

void ValueFunction::step(const GridField& upper, GridField& lower) {
  stepper_->step(upper, lower);
  ++backward_steps_;
}

void ValueFunction::load_segment(long segment) {
  const long first = segment * segment_;
  const long last = std::min(first + segment_, steps_);
  window_[static_cast<std::size_t>(last - first)] = stored_[static_cast<std::size_t>(segment + 1)];
  for (long n = last - 1; n >= first; --n) {
    step(window_[static_cast<std::size_t>(n - first + 1)],
         window_[static_cast<std::size_t>(n - first)]);
  }
  window_first_ = first;
}

const GridField& ValueFunction::level(long n) {
  if (n < 0 || n > steps_) {
    throw Error("ValueFunction::level(" + std::to_string(n) + "): expected a level in [0, " +
                std::to_string(steps_) + "]");
  }
  if (!is_checkpointed()) {
    return stored_[static_cast<std::size_t>(n)];
  }
  const bool is_loaded =
      window_first_ >= 0 && n >= window_first_ && n <= std::min(window_first_ + segment_, steps_);
  if (!is_loaded) {
    load_segment(std::min(n / segment_, (steps_ - 1) / segment_));
  }
  return window_[static_cast<std::size_t>(n - window_first_)];
}

std::pair<const GridField*, const GridField*> ValueFunction::interval(long n) {
  if (n < 0 || n >= steps_) {
    throw Error("ValueFunction::interval(" + std::to_string(n) + "): expected n in [0, " +
                std::to_string(steps_) + ")");
  }
  if (is_checkpointed() && window_first_ != n / segment_ * segment_) {
    load_segment(n / segment_); // holds n and n + 1 <= (n / S + 1) S
  }
  const GridField* lower = &level(n);
  return {lower, &level(n + 1)};
}

// ---- (b) the monotone finite-difference scheme ----

std::vector<GridField> solve_backward_hjb(const Grid& grid, const ControlledSgdProblem& problem,
                                          const std::vector<double>& times,
                                          const HamiltonJacobiOptions& options) {
  check_controlled_sgd_problem(grid, problem);
  HamiltonJacobiProblem hj;
  hj.nu = 1.0 / problem.beta;
  hj.c = problem.c;
  const std::shared_ptr<const Landscape> f = problem.f;
  hj.drift = [f](const double* x, double* h) { f->gradient(x, h); };
  HamiltonJacobiSolver solver(grid, hj, options);
  GridField u = landscape_field(grid, *problem.V);
  // In tau = T - t the requested times come in decreasing t.
  std::vector<std::size_t> order(times.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
    if (!(times[i] >= 0 && times[i] <= problem.T)) {
      throw Error("solve_backward_hjb: time " + format_real(times[i]) + " outside [0, T]");
    }
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return times[a] > times[b]; });
  std::vector<GridField> result(times.size(), u);
  for (std::size_t i : order) {
    solver.advance_to(problem.T - times[i], u);
    result[i] = u;
  }
  return result;
}

// ---- The controlled drift on the faces ----

/// -h - c grad u(., t) as the SG flux sees it: a gradient drift of the time-dependent potential
/// psi = f + c u(., t), w = psi(right cell) - psi(left cell), with u linear in t between the two
/// levels of the current interval (backward Euler asks for t_{n+1} only: u^{n+1} exactly).
struct ForwardBackwardSolver::ControlledDrift final : FaceDrift {
  const Grid& grid;
  double c;
  GridField f;
  // The current interval [t_n, t_{n+1}] and its levels.
  const GridField* lower = nullptr;
  const GridField* upper = nullptr;
  double t_lower = 0;
  double t_upper = 0;
  // psi at the prepared time, with ghosts.
  mutable GridField psi;
  mutable petsc::Vec local;
  mutable std::optional<GhostedValues> ghosted;

  ControlledDrift(const Grid& g, double c_, GridField f_)
      : grid(g), c(c_), f(std::move(f_)), psi(g) {
    RELAX_PETSC(DMCreateLocalVector(grid.dm(), local.out()));
  }

  const Landscape* potential() const override { return nullptr; }
  bool is_time_dependent() const override { return true; }

  void prepare(const Grid& /*grid*/, double t) const override {
    // A stage time within the interval; round-off of the TS's own clock is tolerated.
    const double width = t_upper - t_lower;
    const double theta = (t - t_lower) / width;
    if (!(theta > -1e-8 && theta < 1 + 1e-8)) {
      throw Error("fb: the controlled FP asked for the drift at t = " + format_real(t) +
                  " outside the current interval [" + format_real(t_lower) + ", " +
                  format_real(t_upper) + "]");
    }
    const double w = std::clamp(theta, 0.0, 1.0);
    ghosted.reset(); // releases the local array before the scatter
    {
      const petsc::ConstVecArray f_values(f.vec());
      const petsc::ConstVecArray u0(lower->vec());
      const petsc::ConstVecArray u1(upper->vec());
      petsc::VecArray out(psi.vec());
      for (std::size_t i = 0; i < out.size(); ++i) {
        const double u = w == 1.0 ? u1[i] : (1 - w) * u0[i] + w * u1[i];
        out[i] = f_values[i] + c * u;
      }
    }
    ghosted.emplace(grid, psi.vec(), local.get());
  }

  double jump(const FaceSegment& segment, double /*t*/) const override {
    // The segment's cells are wrapped into [0, n); the ghost layer holds the neighbour of an owned
    // cell at -1 or n across a periodic wrap, so the cell that is not owned is unwrapped next to
    // the one that is.
    std::array<int, 3> left = segment.left_cell;
    std::array<int, 3> right = segment.right_cell;
    const auto is_owned = [&](const std::array<int, 3>& cell) {
      const CellBox& box = grid.owned();
      for (std::size_t a = 0; a < 3; ++a) {
        if (cell[a] < box.start[a] || cell[a] >= box.start[a] + box.size[a]) {
          return false;
        }
      }
      return true;
    };
    const std::array<int, 3>& owned = is_owned(left) ? left : right;
    std::array<int, 3>& other = is_owned(left) ? right : left;
    const auto a = static_cast<std::size_t>(segment.axis);
    const int n = grid.axis(segment.axis).n;
    if (other[a] - owned[a] > 1) {
      other[a] -= n;
    } else if (owned[a] - other[a] > 1) {
      other[a] += n;
    }
    return ghosted->at(right) - ghosted->at(left);
  }
};

// ---- ForwardBackwardSolver ----

ForwardBackwardSolver::ForwardBackwardSolver(const Grid& grid, const ControlledSgdProblem& problem,
                                             const GridField& rho0,
                                             const ForwardBackwardOptions& options)
    : grid_(grid), problem_(problem), options_(options), terminal_(grid), rho0_(rho0),
      rho_sgd_(rho0), rho_csgd_(rho0), q_(grid) {
  check_controlled_sgd_problem(grid, problem_);
  require_at_least("fb.steps", options_.steps, 1);
  {
    const petsc::ConstVecArray rho(rho0_.vec());
    const bool is_bad = std::any_of(rho.begin(), rho.end(),
                                    [](double v) { return !(v >= 0) || !std::isfinite(v); });
    if (any_rank(grid.comm(), is_bad)) {
      throw InputError("fb: the initial density is negative or not finite somewhere");
    }
  }
  terminal_ = landscape_field(grid, *problem_.V);
  const double dt = problem_.T / static_cast<double>(options_.steps);
  const TemperatureSchedule schedule = TemperatureSchedule::constant(problem_.beta);
  const Drift sgd_drift(problem_.f);
  sgd_ = std::make_unique<FokkerPlanckSolver>(grid, sgd_drift, schedule,
                                              forward_options(options_, dt));
  value_ = std::make_unique<ValueFunction>(grid, problem_, sgd_->op(), options_);

  // J0 and the Doob transform's start q(0) = rho0 / phi(0) = rho0 exp(u0/k), scaled by e^-M with
  // M the largest log of it, so that no exp(u0/k) of a large u0 is formed.
  const double k = problem_.k();
  const GridField& u0 = value_->level(0);
  {
    const petsc::ConstVecArray u(u0.vec());
    const petsc::ConstVecArray rho(rho0_.vec());
    J0_ = sum_owned(grid, [&](std::size_t i) { return u[i] * rho[i]; }) * grid.cell_volume();
    double top = -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < u.size(); ++i) {
      if (rho[i] > 0) {
        top = std::max(top, std::log(rho[i]) + u[i] / k);
      }
    }
    RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &top, 1, MPI_DOUBLE, MPI_MAX, grid.comm()));
    log_q_scale_ = top;
    petsc::VecArray q(q_.vec());
    for (std::size_t i = 0; i < u.size(); ++i) {
      q[i] = rho[i] > 0 ? std::exp(std::log(rho[i]) + u[i] / k - top) : 0.0;
    }
  }
  last_rate_ = control_rate(u0, rho0_);

  drift_ = std::make_shared<ControlledDrift>(grid, problem_.c, landscape_field(grid, *problem_.f));
  control_interval(); // the controlled solver prepares its drift at t = 0 when it is built
  csgd_ = std::make_unique<FokkerPlanckSolver>(grid, drift_, problem_.f, schedule,
                                               forward_options(options_, dt));
  doob_ = std::make_unique<FokkerPlanckSolver>(grid, sgd_drift, schedule,
                                               forward_options(options_, dt));
}

ForwardBackwardSolver::~ForwardBackwardSolver() = default;

std::pair<const GridField*, const GridField*> ForwardBackwardSolver::control_interval() {
  if (level_ >= steps()) {
    throw Error("ForwardBackwardSolver: the forward sweep has reached T");
  }
  const auto levels = value_->interval(level_);
  drift_->lower = levels.first;
  drift_->upper = levels.second;
  drift_->t_lower = value_->time(level_);
  drift_->t_upper = value_->time(level_ + 1);
  return levels;
}

void ForwardBackwardSolver::step() {
  const auto levels = control_interval();
  const double t = value_->time(level_ + 1);
  csgd_->advance_to(t, rho_csgd_);
  sgd_->advance_to(t, rho_sgd_);
  doob_->advance_to(t, q_);
  const double rate = control_rate(*levels.second, rho_csgd_);
  control_cost_ += 0.5 * problem_.c * 0.5 * (last_rate_ + rate) * (t - value_->time(level_));
  last_rate_ = rate;
  ++level_;
}

double ForwardBackwardSolver::control_rate(const GridField& u, const GridField& rho) const {
  // Sum over faces of alpha^2 (rho_l + rho_r)/2 times the cell volume, each face counted once (by
  // its lower cell; the periodic wrap face by cell n-1), alpha = (u_r - u_l)/h: the face control
  // that the controlled FP flux uses. Wall faces carry alpha = 0.
  petsc::Vec u_local;
  petsc::Vec rho_local;
  RELAX_PETSC(DMCreateLocalVector(grid_.dm(), u_local.out()));
  RELAX_PETSC(DMCreateLocalVector(grid_.dm(), rho_local.out()));
  const GhostedValues u_ghosted(grid_, u.vec(), u_local);
  const GhostedValues rho_ghosted(grid_, rho.vec(), rho_local);
  ExactSum sum;
  grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t) {
    for (int a = 0; a < grid_.dim(); ++a) {
      const AxisNeighbours u_around = u_ghosted.neighbours(index, a);
      if (!u_around.has_upper) {
        continue;
      }
      const AxisNeighbours rho_around = rho_ghosted.neighbours(index, a);
      const double alpha = (u_around.upper - u_ghosted.at(index)) / grid_.axis(a).h();
      sum.add(alpha * alpha * 0.5 * (rho_ghosted.at(index) + rho_around.upper));
    }
  });
  return allreduce_value(grid_.comm(), sum) * grid_.cell_volume();
}

GridField ForwardBackwardSolver::doob_prediction() {
  const GridField& u = value_->level(level_);
  GridField prediction(grid_);
  const double k = problem_.k();
  const petsc::ConstVecArray u_values(u.vec());
  const petsc::ConstVecArray q(q_.vec());
  petsc::VecArray out(prediction.vec());
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = q[i] > 0 ? std::exp(std::log(q[i]) + log_q_scale_ - u_values[i] / k) : 0.0;
  }
  return prediction;
}

GridField ForwardBackwardSolver::naive_doob_prediction() {
  const GridField& u = value_->level(level_);
  GridField prediction(grid_);
  const double k = problem_.k();
  {
    double least = 0; // the global minimum (exact at any rank count)
    RELAX_PETSC(VecMin(u.vec(), nullptr, &least));
    const petsc::ConstVecArray u_values(u.vec());
    const petsc::ConstVecArray rho(rho_sgd_.vec());
    petsc::VecArray out(prediction.vec());
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = rho[i] * std::exp(-(u_values[i] - least) / k);
    }
  }
  RELAX_PETSC(VecScale(prediction.vec(), 1.0 / integral(prediction)));
  return prediction;
}

ForwardBackwardQuantities ForwardBackwardSolver::quantities() {
  ForwardBackwardQuantities q;
  q.J0 = J0_;
  const petsc::ConstVecArray V(terminal_.vec());
  const petsc::ConstVecArray rho_c(rho_csgd_.vec());
  const petsc::ConstVecArray rho_s(rho_sgd_.vec());
  const double volume = grid_.cell_volume();
  q.expected_V_csgd = sum_owned(grid_, [&](std::size_t i) { return V[i] * rho_c[i]; }) * volume;
  q.expected_V_sgd = sum_owned(grid_, [&](std::size_t i) { return V[i] * rho_s[i]; }) * volume;
  q.control_cost = control_cost_;
  return q;
}

} // namespace relax
