// The viscous Hamilton–Jacobi equation u_t + H(x, grad u) = nu Lap u, H(x, p) = c|p|^2/2 + h(x).p,
// u(., 0) = f, on a Grid (docs/theory.md). With c = 1 and h = 0 its solution at t = gamma is the
// local entropy f_gamma. Two grid solvers that must agree: (a) Cole–Hopf in the log domain and
// (b) monotone finite differences through PETSc TS/SNES; the particle estimate (c) of grad f_gamma
// is in solvers/viscous_hj_particles.hpp. Neither solver knows about particles or files.
//
// Boundary conditions, per grid axis, the same for (a) and (b):
// * periodic:   the equation on the torus.
// * reflecting: homogeneous Neumann, du/dn = 0 (for (a): dv/dn = 0, even images of the data).
// * absorbing:  (a) only: the box truncates the convolution, i.e. exp(-c f/(2 nu)) = 0 outside
//               the box (f = +inf there). This is the local entropy of f restricted to the box and
//               has no local boundary condition, so (b) rejects it with InputError.
#pragma once

#include "core/petsc_handle.hpp"
#include "grids/grid.hpp"
#include "models/landscape.hpp"
#include "solvers/time_stepper.hpp"
#include "solvers/viscous_hj_log_gaussian.hpp"

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace relax {

/// The equation's data besides f.
struct HamiltonJacobiProblem {
  double nu = 0.5; ///< viscosity, > 0
  double c = 1.0;  ///< coefficient of |p|^2/2: > 0 for Cole–Hopf, >= 0 for finite differences
  /// h(x) into h[0..dim): the drift part h.p of H. Empty: h = 0 (required by Cole–Hopf).
  std::function<void(const double* x, double* h)> drift;
};

/// The image continuation Cole–Hopf uses on an axis with this boundary (see the head of the file).
LineImages line_images(Boundary boundary);

/// Gaussian convolution of fields on a grid in the log domain: out = log(G * exp(in)), G the
/// normalized Gaussian of one variance per axis, lattice-normalized as LogGaussianLine says,
/// applied axis by axis (the kernel is a product), with each axis's images.
///
/// Distribution: a DMDA partitions the grid into a tensor product of blocks, so the ranks whose
/// blocks share the same cells in the other axes hold, together, complete lines along an axis.
/// For each axis those P_a ranks (P_a the number of ranks along the axis) form a communicator
/// and exchange their blocks with one MPI_Allgatherv; each rank then convolves the full lines
/// through its block and keeps its own cells. Memory per rank: N_local P_a doubles for the lines
/// (plus O(n_a) per line in flight), i.e. N / (P / P_a): all of a 1D grid, N / sqrt(P) on a square
/// process grid in 2D. Communication per axis: N_local (P_a - 1) doubles received per rank. A
/// transpose (all-to-all) would bring memory down to N_local at twice the messages; not needed at
/// the sizes relax runs. Each output is a fixed sequence of operations on the full line (see
/// LogGaussianLine::apply), so the result has the same bits at any rank count.
class LogGaussianConvolution {
public:
  /// Collective: builds the line communicators. The grid must outlive the object.
  explicit LogGaussianConvolution(const Grid& grid);
  ~LogGaussianConvolution();
  LogGaussianConvolution(const LogGaussianConvolution&) = delete;
  LogGaussianConvolution& operator=(const LogGaussianConvolution&) = delete;

  /// Collective. log_out = log(G_variance * exp(log_in)) per axis (variance 0: a copy). The two
  /// fields may be the same object. Values may be -inf (g = 0), not +inf or NaN.
  void apply(const GridField& log_in, double variance, GridField& log_out) const;

  /// out[i - first] for i in [first, first + count) from the `line` of all n values along `axis`.
  using LineOperation =
      std::function<void(int axis, const double* line, int first, int count, double* out)>;
  /// Collective: apply()'s distribution for any operation on full lines, applied along every axis
  /// in turn (the Hopf–Lax envelope uses it too). An empty operation copies. The fields may be the
  /// same object. Bit-identical at any rank count when the operation's outputs depend only on
  /// the line and i.
  void along_lines(const GridField& in, const LineOperation& operation, GridField& out) const;

  /// The convolution at an arbitrary point x of the box, with the same kernel (images and
  /// lattice normalization at x): log of sum_j K(x, y_j) exp(log_in_j), and the mean of the image
  /// positions under the weights K(x, y_j) exp(log_in_j), per axis.
  struct PointValue {
    double log_value = 0;
    std::vector<double> mean;
  };
  /// Collective; the same values on every rank, bit-identical at any rank count (exact sums).
  /// Requires variance > 0.
  PointValue at(const GridField& log_in, double variance, const double* x) const;

private:
  struct Lines;
  const Grid& grid_;
  std::unique_ptr<Lines> lines_;
};

/// u and grad u at a point.
struct HamiltonJacobiPoint {
  double u = 0;
  std::vector<double> gradient;
  std::vector<double> mean; ///< <y>, the mean of the tilted measure: grad u = (x - <y>)/(c t)
};

/// (a) Cole–Hopf in the log domain: with u = -(2 nu/c) log v the equation (h = 0) becomes
/// v_t = nu Lap v, v(., 0) = exp(-c f/(2 nu)), so
///   u(., t) = -(2 nu/c) log(G_{2 nu t} * exp(-c f/(2 nu))),
/// G_{s^2} the normalized Gaussian of variance s^2 per axis. Normalized means that the quadratic
/// f = a|x|^2/2 gives u = a|x|^2/(2(1 + a c t)) + (nu d/c) log(1 + a c t), the exact solution of
/// the PDE (c = 1, nu = 1/2: the local entropy a|x|^2/(2(1 + a gamma)) + (d/2) log(1 + a gamma)).
/// The exponent -c f/(2 nu) is kept as a log, so f in the thousands is as accurate as f near 0.
class ColeHopfSolver {
public:
  /// Collective. InputError unless nu > 0, c > 0 (finite), the drift is empty and f is finite.
  ColeHopfSolver(const Grid& grid, const GridField& f, const HamiltonJacobiProblem& problem);
  /// Collective; f evaluated at the cell centres.
  ColeHopfSolver(const Grid& grid, const Landscape& f, const HamiltonJacobiProblem& problem);

  const Grid& grid() const { return grid_; }
  const HamiltonJacobiProblem& problem() const { return problem_; }

  /// Collective: u(., t) at the cell centres (t = 0: f). NumericalError if u is not finite.
  void solve(double t, GridField& u) const;
  GridField solve(double t) const;

  /// Collective: u, grad u = (x - <y>)/(c t) and <y> at a point x of the box, from the same
  /// quadrature as solve(): <y> is the mean of the image positions under the discrete weights, so
  /// the gradient is the derivative of the discrete convolution up to that of its lattice
  /// normalization, a relative ~exp(-2 pi^2 (2 nu t)/h^2). Requires t > 0.
  HamiltonJacobiPoint evaluate(const double* x, double t) const;

private:
  const Grid& grid_;
  HamiltonJacobiProblem problem_;
  GridField log_initial_; // -c f/(2 nu)
  LogGaussianConvolution convolution_;
};

struct HamiltonJacobiOptions {
  /// Time step (the initial one if -hj_ts_adapt_type selects adaptivity); -hj_ts_dt overrides.
  double dt = 1e-2;
  /// Options prefix of the TS, its SNES and KSP: -hj_ts_type, -hj_snes_monitor, -hj_pc_type.
  std::string prefix = "hj_";
};

/// (b) Monotone finite differences: F_i = du_i/dt + sum_a [G_a(p-, p+) - nu (p+ - p-)/h_a] = 0,
/// G_a Godunov's numerical Hamiltonian of c p^2/2 + h_a(x_i) p (solvers/viscous_hj_godunov.hpp),
/// integrated implicitly by a PETSc TS (backward Euler by default: first order, and monotone for
/// every step because the Jacobian is an M-matrix) with a Newton SNES for the viscous and the
/// Hamiltonian terms together. First order in h and dt. Reflecting walls: homogeneous Neumann
/// (the slope across the wall face is zero); periodic axes wrap.
///
/// For the backward HJB of controlled SGD, -u_t = -h.grad u - (c/2)|grad u|^2 + (1/beta) Lap u,
/// u(., T) = V: in the reversed time tau = T - t it is u_tau + c|grad u|^2/2 + h.grad u = nu Lap u
/// with nu = 1/beta, i.e. this solver with drift h, started from u = V and advanced in tau.
class HamiltonJacobiSolver {
public:
  /// Collective. InputError unless nu > 0 and c >= 0 are finite, no axis is absorbing, the drift
  /// is finite at every cell centre and dt > 0. The grid must outlive the solver.
  HamiltonJacobiSolver(const Grid& grid, const HamiltonJacobiProblem& problem,
                       const HamiltonJacobiOptions& options = {});
  ~HamiltonJacobiSolver();
  HamiltonJacobiSolver(const HamiltonJacobiSolver&) = delete;
  HamiltonJacobiSolver& operator=(const HamiltonJacobiSolver&) = delete;

  const Grid& grid() const { return grid_; }
  double time() const { return time_; }
  /// Accepted time steps since construction.
  long steps() const { return steps_; }
  ::TS ts() const { return stepper_.ts(); }

  /// Collective. Advances u from time() to t >= time(); the last step is shortened to end on t.
  /// NumericalError (on every rank) when a step fails or u becomes non-finite.
  void advance_to(double t, GridField& u);

private:
  void residual(::Vec u, ::Vec udot, ::Vec f);
  void jacobian(::Vec u, double shift, ::Mat J);
  /// Calls f(index, offset, centre value, neighbours) for every owned cell with the ghosted
  /// values of u along each axis.
  template <typename F> void for_each_stencil(::Vec u, F&& f);

  const Grid& grid_;
  HamiltonJacobiProblem problem_;
  HamiltonJacobiOptions options_;
  std::vector<double> drift_; // h_a at owned cell `offset`: drift_[offset * dim + a]
  petsc::Vec local_;          // ghosted copy of u
  petsc::Mat jacobian_;
  TimeStepper stepper_;
  double time_ = 0;
  long steps_ = 0;
};

/// The smallest value of a field and where it is. Ties go to the cell with the smallest natural
/// index (x fastest), so the answer does not depend on the partition.
struct FieldMinimum {
  double value = 0;
  std::array<int, 3> cell{};
  std::vector<double> location; ///< the cell centre, dim entries
};
/// Collective; the same on every rank.
FieldMinimum field_minimum(const GridField& field);

/// Collective: grad u at the cell centres, one field per axis, by central differences (second
/// order). At a reflecting wall the mirror ghost u_{-1} = u_0 (the Neumann condition) gives
/// (u_1 - u_0)/(2h); at an absorbing wall the one-sided (u_1 - u_0)/h; periodic axes wrap.
std::vector<GridField> central_gradient(const GridField& u);

} // namespace relax
