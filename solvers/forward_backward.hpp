// Forward–backward equations of controlled SGD (docs/theory.md) on a Grid. SGD is dx = -h dt +
// sqrt(2/beta) dW with h = grad f; controlled SGD adds -c alpha dt and pays
// E[V(x(T)) + (c/2) int |alpha|^2]. The value function u solves the backward HJB
//   -u_t = -h.grad u - (c/2)|grad u|^2 + (1/beta) Lap u,  u(., T) = V,
// the optimal control is alpha = grad u, and the controlled density solves the Fokker–Planck
// equation with drift -h - c grad u. Solved here:
// (a) ValueFunction: Cole–Hopf, u = -k log phi with k = 2/(c beta), phi the solution of the linear
//     backward Kolmogorov equation -phi_t = -h.grad phi + (1/beta) Lap phi, phi(T) = exp(-V/k),
//     discretized by the transpose of the uncontrolled Scharfetter–Gummel FP operator in log form;
// (b) solve_backward_hjb: the monotone finite-difference HJ scheme of solvers/viscous_hj.hpp in the
//     reversed time tau = T - t (options prefix "fb_hj_");
// ForwardBackwardSolver: the controlled FP density (drift -h - c grad u(., t) through a FaceDrift,
// options prefix "fb_"), the uncontrolled FP density from the same rho0, the Doob-transform
// prediction phi q of the controlled density and the quantities of Theorem 7. Boundaries:
// reflecting (zero flux for the densities, du/dn = 0 for u) or periodic; not absorbing.
//
// Memory strategy for u(., t) (ValueFunction): the forward sweep needs u at every time level in
// increasing t, the backward solve produces them in decreasing t. `all` keeps the N + 1 levels:
// (N + 1) N_local doubles per rank. `checkpoint` keeps every S-th level of the backward sweep,
// S = ceil(sqrt(N + 1)), and recomputes the S steps of one segment from its upper checkpoint when
// the forward sweep enters it: about (N/S + 1) + (S + 1) ~ 2 sqrt(N) fields of N_local doubles, for
// one more backward sweep of work. The recomputation repeats the same operations on the same data,
// so it reproduces the first sweep's levels bit for bit. `automatic` keeps all levels when they fit
// in the per-rank budget (256 MiB by default) on every rank, else checkpoints.
#pragma once

#include "core/petsc_handle.hpp"
#include "grids/grid.hpp"
#include "models/landscape.hpp"
#include "solvers/viscous_hj.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace relax {

class FokkerPlanckSolver;

struct ControlledSgdProblem {
  std::shared_ptr<const Landscape> f; ///< the loss: SGD's drift is -h = -grad f
  std::shared_ptr<const Landscape> V; ///< terminal cost
  double beta = 2;                    ///< constant inverse temperature; diffusion 1/beta
  double c = 1;                       ///< weight of the control in the drift and in the cost
  double T = 1;                       ///< horizon
  /// The Cole–Hopf constant: u = -k log phi.
  double k() const { return 2.0 / (c * beta); }
};

/// InputError unless f and V exist with the grid's dimension, beta, c and T are finite and > 0, no
/// axis is absorbing and V is finite at every cell centre. Collective.
void check_controlled_sgd_problem(const Grid& grid, const ControlledSgdProblem& problem);

enum class LevelStorage { automatic, all, checkpoint };

/// The time scheme of both sweeps. backward_euler: monotone (phi and the densities stay positive at
/// any step), first order in dt. crank_nicolson: the trapezoidal rule in both directions (the
/// backward step in the log domain, the three FP solvers as PETSc's TSCN, the control cost by the
/// trapezoid at the levels), second order in dt; positive only while the step resolves the change
/// of phi (dt |Q phi| / phi < 2 at every cell, checked: NumericalError) and while the densities'
/// high modes are small (the FP solvers' positivity check). Both keep the discrete duality exact:
/// the backward step is the adjoint of the forward one, (I - dt/2 A)^-1 (I + dt/2 A) for CN.
enum class TimeScheme { backward_euler, crank_nicolson };

struct ForwardBackwardOptions {
  long steps = 100; ///< N: time levels t_n = n T / N, n = 0..N
  TimeScheme scheme = TimeScheme::backward_euler;
  LevelStorage storage = LevelStorage::automatic;
  double memory_budget = 256.0 * 1024 * 1024; ///< bytes per rank of stored levels (automatic)
  /// Prefix of the forward FP solvers' TS ("fb_"); the backward Kolmogorov KSP has
  /// "<prefix>backward_" (-fb_backward_ksp_type, -fb_backward_pc_type).
  std::string prefix = "fb_";
};

/// u(., t_n), n = 0..N, of the backward HJB by (a). One backward Euler step of the linear backward
/// Kolmogorov equation is phi^n = (I - dt Q)^-1 phi^{n+1} with Q = A^T, A the uncontrolled SG FP
/// operator (drift -grad f): Q is the generator of the continuous-time jump process on the cells
/// that A propagates densities of (nonnegative rates, rows summing to zero), so (I - dt Q)^-1 is a
/// stochastic matrix (monotone, a maximum principle for phi), and sum_i rho_i phi_i is conserved
/// exactly step by step when rho takes backward Euler steps with A: the discrete duality
/// int rho_sgd(T) exp(-V/k) = int rho0 phi(0). phi = exp(-u/k) underflows for V/k beyond ~700, so
/// the step is taken in log form: with E = diag(exp(-u^{n+1}/k)), phi^n = E r where
///   (I - dt E^-1 Q E) r = 1,  (E^-1 Q E)_ij = Q_ij exp((u^{n+1}_i - u^{n+1}_j)/k),
/// and u^n = u^{n+1} - k log r. Only differences of u between neighbouring cells enter an
/// exponent, r is a weighted mean of exp((u_i - u_j)/k) (an O(1) ratio), and phi is never formed.
/// (For V = f and c = 1 the scaled rates are z/(2 sinh(z/2)) times D/h^2: the symmetrized
/// generator.) The Crank–Nicolson step (I - dt/2 Q) phi^n = (I + dt/2 Q) phi^{n+1} is the same
/// with the right-hand side b = 1 + (dt/2) E^-1 Q E 1, that is b_i = 1 + (dt/2) (Q phi)_i / phi_i:
/// r > 0 as long as b > 0 (the matrix is still an M-matrix). NumericalError if u jumps by more than
/// 700 k between neighbours, or if b <= 0 somewhere (the step does not resolve phi's change).
class ValueFunction {
public:
  /// Collective. `forward_operator` is A (d rho/dt = A rho) on `grid`; runs the backward sweep.
  ValueFunction(const Grid& grid, const ControlledSgdProblem& problem, ::Mat forward_operator,
                const ForwardBackwardOptions& options);
  ~ValueFunction();
  ValueFunction(const ValueFunction&) = delete;
  ValueFunction& operator=(const ValueFunction&) = delete;

  long steps() const { return steps_; }
  double dt() const { return dt_; }
  double time(long n) const;
  bool is_checkpointed() const { return segment_ > 0; }
  /// Most levels held in memory at once (checkpoints plus one segment, or N + 1).
  long held_levels() const;
  /// Backward steps taken so far (N for the sweep, plus the recomputed segments).
  long backward_steps() const { return backward_steps_; }

  /// Collective when it recomputes a segment. u(., t_n); valid until the next call that needs
  /// another segment.
  const GridField& level(long n);
  /// Collective. u(., t_n) and u(., t_{n+1}) (n < N), both valid until the next call.
  std::pair<const GridField*, const GridField*> interval(long n);

private:
  struct Stepper;
  void step(const GridField& upper, GridField& lower); // one backward step u^{n+1} -> u^n
  void load_segment(long segment);

  const Grid& grid_;
  long steps_;
  double horizon_;
  double dt_;
  long segment_ = 0; // S; 0 when every level is stored
  std::unique_ptr<Stepper> stepper_;
  std::vector<GridField> stored_; // all levels, or the checkpoints at levels j S (and N)
  std::vector<GridField> window_; // levels first_ .. first_ + S of the loaded segment
  long window_first_ = -1;
  long backward_steps_ = 0;
};

/// (b) u(., t) for each of `times` (in [0, T], any order) by the monotone finite-difference
/// scheme: u_tau + (c/2)|grad u|^2 + h.grad u = (1/beta) Lap u in tau = T - t from u = V.
/// First order in h and dt. Collective.
std::vector<GridField> solve_backward_hjb(const Grid& grid, const ControlledSgdProblem& problem,
                                          const std::vector<double>& times,
                                          const HamiltonJacobiOptions& options);

/// The quantities of Theorem 7 as the PDE gives them.
struct ForwardBackwardQuantities {
  double J0 = 0;              ///< int u(x, 0) rho0
  double expected_V_csgd = 0; ///< int V rho_csgd(T)
  double control_cost = 0;    ///< (c/2) int_0^T int |alpha|^2 rho_csgd (trapezoid in t)
  double expected_V_sgd = 0;  ///< int V rho_sgd(T)
  /// J0 - (E[V(x_csgd(T))] + control cost): zero up to discretization error.
  double identity_defect() const { return J0 - expected_V_csgd - control_cost; }
};

/// Forward sweep over the levels of a ValueFunction: the controlled and the uncontrolled FP
/// densities and the Doob-transform prediction, advanced level by level.
class ForwardBackwardSolver {
public:
  /// Collective. Checks the problem (InputError), solves the backward equation (a) and sets the
  /// densities to rho0 at t = 0. rho0 must be a density >= 0 on the grid.
  ForwardBackwardSolver(const Grid& grid, const ControlledSgdProblem& problem,
                        const GridField& rho0, const ForwardBackwardOptions& options = {});
  ~ForwardBackwardSolver();
  ForwardBackwardSolver(const ForwardBackwardSolver&) = delete;
  ForwardBackwardSolver& operator=(const ForwardBackwardSolver&) = delete;

  const Grid& grid() const { return grid_; }
  const ControlledSgdProblem& problem() const { return problem_; }
  ValueFunction& value_function() { return *value_; }
  long steps() const { return value_->steps(); }
  double dt() const { return value_->dt(); }
  long level() const { return level_; }
  double time() const { return value_->time(level_); }

  /// Collective. u(., t_n), u(., t_{n+1}) at the current level n: what the particles need to
  /// advance from t_n to t_{n+1}. Ask before step().
  std::pair<const GridField*, const GridField*> control_interval();
  /// Collective. Advances every density from t_n to t_{n+1} and adds the step's control cost.
  /// NumericalError when a FP solve fails.
  void step();

  const GridField& rho0() const { return rho0_; }
  const GridField& rho_csgd() const { return rho_csgd_; }
  const GridField& rho_sgd() const { return rho_sgd_; }
  /// Collective. u(., t) at the current level.
  const GridField& u() { return value_->level(level_); }
  /// Collective. phi(., t) q(., t), q the uncontrolled FP solution from q(., 0) = rho0/phi(., 0),
  /// evaluated as exp(log q_s + M - u/k) with q_s = q e^-M scaled at t = 0 so that its largest
  /// value is 1 (phi itself may underflow).
  GridField doob_prediction();
  /// Collective. phi(., t) rho_sgd(., t) normalized to mass 1: the prediction that is right only
  /// for a point-mass rho0 (for contrast with doob_prediction()).
  GridField naive_doob_prediction();

  /// Collective. The quantities with the densities at the current level (the final ones at T).
  ForwardBackwardQuantities quantities();

private:
  double control_rate(const GridField& u, const GridField& rho) const; // int |grad u|^2 rho

  const Grid& grid_;
  ControlledSgdProblem problem_;
  ForwardBackwardOptions options_;
  GridField terminal_; // V at the cell centres
  GridField rho0_;
  GridField rho_sgd_;
  GridField rho_csgd_;
  GridField q_; // the Doob transform's uncontrolled density, scaled by e^-log_q_scale_
  double log_q_scale_ = 0;
  std::unique_ptr<FokkerPlanckSolver> sgd_;
  std::unique_ptr<ValueFunction> value_;
  struct ControlledDrift;
  std::shared_ptr<ControlledDrift> drift_;
  std::unique_ptr<FokkerPlanckSolver> csgd_;
  std::unique_ptr<FokkerPlanckSolver> doob_;
  long level_ = 0;
  double J0_ = 0;
  double control_cost_ = 0;
  double last_rate_ = 0; // int |grad u|^2 rho_csgd at the current level
};

} // namespace relax
