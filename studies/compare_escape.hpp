// Escape over a barrier between two wells (docs/theory.md, issue 6), the pure-math half: the wells
// and the saddle of a landscape along x0, refined to its critical points, and Kramers'
// (Eyring–Kramers) rate from their curvatures. No PETSc, MPI or HDF5; solvers/compare.hpp turns it
// into the three rates relax compare prints (PDE slow mode, particle first passages, Kramers).
#pragma once

#include "grids/grid.hpp"
#include "models/landscape.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace relax {

/// Eigenvalues of a symmetric dim x dim matrix (row-major; the upper triangle is used), ascending,
/// by cyclic Jacobi rotations (dim is the landscape's, a handful).
std::vector<double> symmetric_eigenvalues(std::vector<double> matrix, int dim);

/// Eyring–Kramers rate of dX = -grad f dt + sqrt(2/beta) dW out of the well of a minimum a over a
/// saddle s, with Hessians H_a, H_s (dim x dim, row-major) and barrier f(s) - f(a):
///   k = |mu_s| / (2 pi) sqrt(det H_a / |det H_s|) exp(-beta (f(s) - f(a))),
/// mu_s the one negative eigenvalue of H_s; in 1D sqrt(f''(a) |f''(s)|) / (2 pi) exp(-beta Δf).
/// Asymptotic in beta Δf: the relative error of the quartic double well is about 0.45 / (beta Δf).
/// Error unless H_a is positive definite and H_s has exactly one negative eigenvalue.
double kramers_rate(const std::vector<double>& hessian_minimum,
                    const std::vector<double>& hessian_saddle, int dim, double barrier,
                    double beta);

/// A point where grad f = 0, with f and the Hessian there (row-major, dim x dim).
struct CriticalPoint {
  std::vector<double> x;
  double f = 0;
  std::vector<double> hessian;
};

/// The Hessian of f at x by central differences of the gradient (step 1e-5 max(1, |x_j|)),
/// symmetrized.
std::vector<double> hessian(const Landscape& f, const std::vector<double>& x);

/// Newton's method on grad f = 0 from `start` (a cell centre next to the point), with the
/// Hessian of hessian(): converges to the nearby critical point, minimum or saddle alike, and
/// stops once a step is below 1e-13 max(1, |x|). Nothing when that takes more than 50 steps, the
/// Hessian is singular, or a step leaves the `box` (one axis per coordinate).
std::optional<CriticalPoint> refine_critical_point(const Landscape& f, std::vector<double> start,
                                                   const std::vector<Axis>& box);

/// Indices into a profile sampled at increasing positions: the local minimum whose basin holds
/// the start, the lowest other local minimum, and the maximum between the two.
struct ProfileWells {
  std::size_t start_well = 0;
  std::size_t saddle = 0;
  std::size_t target_well = 0;
};

/// The two wells of `profile` seen from index `start` (descending from it), or nothing when the
/// profile has a single local minimum. A plateau counts as one minimum, at its first index.
std::optional<ProfileWells> find_profile_wells(const std::vector<double>& profile,
                                               std::size_t start);

/// The start well a (holding `start`), the saddle s and the target well b of a landscape whose
/// wells are separated along x0, with the barrier f(s) - f(a).
struct TwoWells {
  CriticalPoint start_well;
  CriticalPoint saddle;
  CriticalPoint target_well;
  double barrier() const { return saddle.f - start_well.f; }
  /// +1 when the target well lies at larger x0 than the start well, else -1.
  int direction() const { return target_well.x[0] > start_well.x[0] ? 1 : -1; }
};

/// The wells of f on the cells of `box` (one axis per coordinate of f): the profile
/// min over x1.. of f along x0 at the cell centres, its two wells seen from the cell of x0 =
/// start[0], and the three critical points refined from the cells that realize them. Nothing when
/// the profile has one well, `start` lies outside the box, or a refinement fails (no clean
/// minimum-saddle-minimum along x0). Evaluates f on every cell: a pure function of its arguments,
/// so every rank finds the same wells.
std::optional<TwoWells> find_two_wells(const Landscape& f, const std::vector<Axis>& box,
                                       const std::vector<double>& start);

} // namespace relax
