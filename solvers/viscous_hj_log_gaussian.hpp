// Gaussian convolution in the log domain along one axis of a cell-centred grid: the kernel of the
// Cole–Hopf method of the viscous Hamilton–Jacobi solver (docs/theory.md). Given a = log g on the
// cells it returns log(K * g) by log-sum-exp, so g = exp(a) is never formed and a may range over
// thousands. Pure math: no PETSc, no MPI.
//
// Discretization. On the lattice of cell centres the kernel is the Gaussian of variance s^2,
// normalized so that its weights sum to one over the whole lattice:
//   K(m) = exp(-(m h)^2 / (2 s^2)) / S,  S = sum_{k in Z} exp(-(k h)^2 / (2 s^2)).
// S = sqrt(2 pi s^2)/h (1 + 2 exp(-2 pi^2 s^2/h^2) + ...), so for s >~ h this is the midpoint rule
// of the normalized continuous kernel (error ~ exp(-2 pi^2 s^2/h^2), spectrally small), and for
// s << h it tends to the identity instead of blowing up.
//
// Beyond the ends of the axis the data is continued by its images:
// * none:     g = 0 outside [lo, hi]: the box truncates the convolution (f = +inf outside).
// * periodic: g wraps with period hi - lo: the heat equation on the circle.
// * mirror:   g is reflected evenly at lo and at hi (period 2 (hi - lo)): the heat equation with
//             homogeneous Neumann walls, dv/dn = 0, which is du/dn = 0 for u = -2 nu log v.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

namespace relax {

enum class LineImages { none, periodic, mirror };

struct LineGeometry {
  double lo = 0;
  double h = 1;
  int n = 1; ///< cells
  LineImages images = LineImages::none;
  double centre(int i) const { return lo + (i + 0.5) * h; }
  double length() const { return n * h; }
};

/// Streaming log-sum-exp: value() = log sum_k exp(a_k) without overflow or underflow (the terms
/// are scaled by the running maximum). Empty or all -inf: -inf.
class LogSumExp {
public:
  void add(double a) {
    if (a == -std::numeric_limits<double>::infinity()) {
      return;
    }
    if (a > max_) {
      sum_ = sum_ * std::exp(max_ - a) + 1.0;
      max_ = a;
    } else {
      sum_ += std::exp(a - max_);
    }
  }
  double max() const { return max_; }
  double value() const { return max_ + std::log(sum_); }

private:
  double max_ = -std::numeric_limits<double>::infinity();
  double sum_ = 0;
};

/// Terms below the largest one by more than this (in log units, e^-50 ~ 2e-22) are left out:
/// the scans below stop once every remaining term is provably that small, which bounds the
/// relative error of a convolution by ~1e-20.
constexpr double log_negligible = 50.0;

/// log sum_{k in Z} exp(-(offset + k h)^2 / (2 variance)): the lattice normalization at a point
/// `offset` away from a lattice site. Requires variance > 0.
double log_lattice_sum(double h, double variance, double offset = 0.0);

/// The lattice-normalized Gaussian of one variance on one axis, applied in the log domain.
class LogGaussianLine {
public:
  /// Requires variance > 0 and line.n >= 1.
  LogGaussianLine(const LineGeometry& line, double variance);

  const LineGeometry& line() const { return line_; }
  double variance() const { return variance_; }

  /// out[i - first] = log sum_{k in Z} K(i - k) exp(a(k)) for i in [first, first + count), where
  /// a(k) is in[k] on the axis and its image beyond it (none: no term). `in` holds all n values
  /// of the axis (any of them may be -inf). The terms are visited outward from i and the scan of
  /// a side stops once a bound on all its remaining terms (the kernel at the current distance
  /// times the largest data value still ahead within this period, and the kernel at the next
  /// period times the global largest value) is negligible against the running maximum. The
  /// result depends only on i and the data, never on first/count, so any split of the outputs
  /// gives the same bits.
  void apply(const double* in, int first, int count, double* out) const;

  /// The kernel between an arbitrary point x of the axis and every cell j: log_k[j] = log of the
  /// sum over the images y~ of cell j of exp(-(x - y~)^2 / (2 s^2)) / S(x), S(x) the lattice
  /// normalization at x, and mean_image[j] = the kernel-weighted mean of those y~ (the position
  /// that grad u = (x - <y>)/(c t) needs). At a cell centre log_k is apply()'s kernel.
  void row(double x, double* log_k, double* mean_image) const;

private:
  double log_kernel(double distance) const {
    return -distance * distance / (2 * variance_) - log_norm_;
  }

  LineGeometry line_;
  double variance_;
  double log_norm_; // log S
};

} // namespace relax
