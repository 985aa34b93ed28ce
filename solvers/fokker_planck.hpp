// Fokker–Planck equation rho_t = -div(b rho) + D Lap rho, D = 1/beta(t), or with a diagonal
// position-dependent diffusion rho_t = -div(b rho) + sum_i d_i^2 (D_i(x, t) rho), on a Grid
// (docs/theory.md): cell-centred finite volumes with the Scharfetter–Gummel flux, assembled once
// per beta value (and per time for a time-dependent D) as a PETSc Mat on the grid's DMDA and advanced by a PETSc TS (options prefix
// "fp_"). Knows nothing about particles or files.
#pragma once

#include "core/petsc_handle.hpp"
#include "grids/grid.hpp"
#include "models/diffusion.hpp"
#include "models/drift.hpp"
#include "models/landscape.hpp"
#include "models/schedule.hpp"
#include "solvers/linear_solver.hpp"
#include "solvers/time_stepper.hpp"

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace relax {

/// One segment across which the SG flux acts, oriented along +axis from `left` to `right`:
/// between two cell centres (an interior face, or the face that closes a periodic axis; distance
/// h), or between a boundary cell's centre and its absorbing boundary face (distance h/2; the
/// face point is the end that `is_boundary_left` / `is_boundary_right` marks).
struct FaceSegment {
  int axis = 0;
  std::array<int, 3> left_cell{}; ///< global index of the left cell (wrapped into [0, n))
  std::array<int, 3> right_cell{};
  bool is_boundary_left = false; ///< the left end is the absorbing face at lo, not a cell
  bool is_boundary_right = false;
  std::array<double, 3> left{}; ///< coordinates of the two ends and of the middle
  std::array<double, 3> right{};
  std::array<double, 3> midpoint{};
  double distance = 0;
};

/// The drift as the FP operator sees it: a potential jump w across every face segment, in units
/// of energy, so that the SG exponent is dpsi = beta w (docs/theory.md). A gradient drift -grad f
/// has w = f(right) - f(left), which makes exp(-beta f) the exact discrete stationary state; a
/// general drift b has w = -distance * b_axis(midpoint). A time-dependent drift given on the grid
/// (the controlled FP of the forward-backward solver, drift -h - c grad u(x,t)) implements jump()
/// from its own data: w = (f_r - f_l) + c (u_r - u_l), looked up by the segment's cell indices. The
/// solver asks for every face of an owned cell separately, so jump() must return the same bits for
/// the same segment wherever it is asked (a pure function of the segment and t).
class FaceDrift {
public:
  virtual ~FaceDrift() = default;
  /// The landscape f when the drift is exactly -grad f (w = f(right) - f(left)): the stationary
  /// state is then the Gibbs vector exp(-beta f)/Z. Null for any other drift.
  virtual const Landscape* potential() const = 0;
  /// False when jump() does not depend on t: the operator then changes only with beta(t).
  virtual bool is_time_dependent() const = 0;
  /// Collective: called once before the jumps at time t are asked for (a drift given on the grid
  /// updates its ghost values here).
  virtual void prepare(const Grid& /*grid*/, double /*t*/) const {}
  virtual double jump(const FaceSegment& segment, double t) const = 0;
};

/// w = f(right) - f(left): exact discrete Gibbs for b = -grad f.
std::shared_ptr<const FaceDrift> make_gradient_face_drift(std::shared_ptr<const Landscape> f);
/// w = -distance * b_axis(midpoint) for the drift b (e.g. -grad f + eps J grad f).
std::shared_ptr<const FaceDrift> make_vector_face_drift(Drift drift);
/// The gradient form when drift.is_gradient(), the general form otherwise.
std::shared_ptr<const FaceDrift> make_face_drift(const Drift& drift);

struct FokkerPlanckOptions {
  /// Time step (the initial one when -fp_ts_adapt_type selects adaptivity); -fp_ts_dt overrides.
  double dt = 1e-2;
  /// PETSc options prefix of the TS and its KSP ("fp_": -fp_ts_type bdf, -fp_pc_type gamg).
  std::string prefix = "fp_";
  /// The TS type unless -<prefix>ts_type names another.
  std::string ts_type = TSBEULER;
  /// What the error of a failed step suggests; empty: a smaller fp.dt or another ts_type.
  std::string failure_hint;
  /// Null: D = 1/beta(t) on every axis. Else D_i(x, t) of diffusion.expr, with the
  /// variable-diffusion SG flux; the stationary state is then always the null-space solve.
  std::shared_ptr<const Diffusion> diffusion = nullptr;
};

/// Per-output diagnostics (docs/output.md /fp), each collective and rank-count independent.
struct FokkerPlanckDiagnostics {
  double time = 0;
  double beta = 0;
  double mass = 0;        ///< int rho
  double outflow = 0;     ///< mass that left through absorbing faces since t = 0
  double min_density = 0; ///< min over cells
  double free_energy = 0; ///< F = int rho (f + log(rho)/beta), 0 log 0 = 0
  /// int rho+ log(rho+ / rho_Gibbs(beta)), Gibbs of the landscape, rho+ = max(rho, 0)
  double relative_entropy = 0;
  double l1_to_gibbs = 0; ///< int |rho - rho_Gibbs(beta)|
};

class FokkerPlanckSolver {
public:
  /// Collective. The grid must outlive the solver. Throws InputError when the landscape is not
  /// finite at a cell centre.
  FokkerPlanckSolver(const Grid& grid, const Drift& drift, const TemperatureSchedule& schedule,
                     const FokkerPlanckOptions& options = {});
  /// Collective. `landscape` is the f of the diagnostics (free energy, Gibbs reference).
  FokkerPlanckSolver(const Grid& grid, std::shared_ptr<const FaceDrift> drift,
                     std::shared_ptr<const Landscape> landscape,
                     const TemperatureSchedule& schedule, const FokkerPlanckOptions& options = {});
  ~FokkerPlanckSolver();
  FokkerPlanckSolver(const FokkerPlanckSolver&) = delete;
  FokkerPlanckSolver& operator=(const FokkerPlanckSolver&) = delete;

  const Grid& grid() const { return grid_; }
  /// beta(t) the density runs with.
  const TemperatureSchedule& schedule() const { return schedule_; }
  double time() const { return time_; }
  /// Accepted TS steps since construction.
  long steps() const { return steps_; }
  /// Mass that left through absorbing faces since construction: the time integral of the outflow
  /// rate, exact for backward Euler (the increment is dt times the rate at the new state, as in
  /// the step itself), trapezoidal for other TS types.
  double outflow() const { return outflow_; }

  /// Collective. Advances rho from time() to t (>= time()); the last step is shortened to end on
  /// t. NumericalError (on every rank) when the TS fails or stops early, rho becomes non-finite,
  /// its mass changes by more than 1e-8 (relative; with absorbing faces: grows), or it goes
  /// negative below -1e-8 x its maximum; rho is then not a valid state.
  void advance_to(double t, GridField& rho);

  /// Collective. The normalized stationary state at beta(time()): the Gibbs vector for a gradient
  /// drift, solve_stationary() otherwise. InputError with an absorbing axis (no stationary state).
  GridField stationary() const;
  /// Collective. The normalized null vector of the assembled operator, for any drift: one linear
  /// solve with the row of one cell pinned (KSP prefix "<prefix>stationary_", LU by default,
  /// created and set from the options with the solver, so that its options are checked first).
  GridField solve_stationary() const;
  /// Collective. exp(-beta f)/Z at the cell centres, normalized to mass 1.
  GridField gibbs(double beta) const;

  /// Collective.
  FokkerPlanckDiagnostics diagnostics(const GridField& rho) const;

  /// How many times the operator was assembled: once per distinct beta (and, for a
  /// time-dependent drift, per distinct stage time), never per step when nothing changes.
  long assemblies() const { return operator_version_; }
  /// How many times the implicit matrix shift I - A was rebuilt (and so refactored): once per
  /// distinct (operator, shift), never per step when neither changes. A fixed-step run at
  /// constant beta builds it once for backward Euler, three times for BDF2 (its first steps),
  /// plus twice per output interval that ends on a shortened step (the short step, then dt).
  long implicit_builds() const { return implicit_builds_; }
  /// The assembled operator A at beta(time()) (d rho/dt = A rho), for tests and eigen-analysis.
  ::Mat op() const { return op_; }
  /// The f of a drift that is exactly -grad f and independent of t (the operator then satisfies
  /// detailed balance with exp(-beta f), so it is similar to a symmetric one); null otherwise.
  const Landscape* gradient_potential() const {
    return drift_->is_time_dependent() ? nullptr : drift_->potential();
  }
  /// The TS, for callers that set it up further in code.
  ::TS ts() const { return stepper_.ts(); }

private:
  void compute_jumps(double t);
  void assemble(double beta, double t);
  /// The two linear coefficients of the flux J = left rho_l - right rho_r across `segment` with
  /// energy jump w, for diffusion.expr; `problem` receives the first point where D is not finite
  /// and > 0 (assemble() then throws NumericalError on every rank).
  std::array<double, 2> variable_diffusion_weights(const FaceSegment& segment, double w,
                                                   double beta, double t,
                                                   std::string& problem) const;
  void update_operator(double t);
  double outflow_rate(::Vec rho) const;
  GridField gibbs_of(const GridField& potential, double beta) const;
  void on_step(double t, ::Vec rho); // TS post-step: outflow tally and step count
  void update_implicit(double t, double shift, ::Mat J);
  void require_sound_density(const GridField& rho, double mass_before, double t,
                             const std::string& hint) const;

  const Grid& grid_;
  std::shared_ptr<const FaceDrift> drift_;
  std::shared_ptr<const Landscape> landscape_;
  TemperatureSchedule schedule_;
  FokkerPlanckOptions options_;

  GridField potential_;       // f at the cell centres
  std::vector<double> jumps_; // w per owned cell, axis, side (lower, upper)
  double jumps_time_ = 0;
  double beta_ = 0;           // beta of the assembled operator
  double assembled_time_ = 0; // its time, which matters for a time-dependent diffusion
  long operator_version_ = 0;

  petsc::Mat op_;
  petsc::Mat implicit_; // shift I - A, rebuilt only when A or the shift changed
  long implicit_version_ = -1;
  double implicit_shift_ = 0;
  long implicit_builds_ = 0;
  petsc::Vec outflow_weights_; // outflow rate = weights . rho
  bool has_absorbing_ = false;
  TridiagonalPreconditioner tridiagonal_; // the 1D step's solve on one rank; outlives stepper_
  TimeStepper stepper_;
  petsc::KSP stationary_solver_; // of solve_stationary; its operator is set there

  double time_ = 0;
  long steps_ = 0;
  double outflow_ = 0;
  double step_start_time_ = 0;
  double last_outflow_rate_ = 0;
};

} // namespace relax
