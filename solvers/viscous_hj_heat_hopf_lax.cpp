// The heat equation and the Hopf–Lax envelope on the grid (viscous_hj_heat_hopf_lax.hpp).
#include "solvers/viscous_hj_heat_hopf_lax.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "solvers/viscous_hj_interpolation.hpp"

#include <petscvec.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace relax {

namespace {

void require_finite_field(const GridField& f, const char* who) {
  if (!is_finite(f)) {
    throw InputError(std::string(who) + ": the initial data f is not finite at every cell centre");
  }
}

/// x - y on an axis, the nearest image's on a periodic one.
double axis_offset(const Axis& axis, double x, double y) {
  double offset = x - y;
  if (axis.boundary == Boundary::periodic) {
    const double length = axis.hi - axis.lo;
    offset -= length * std::round(offset / length);
  }
  return offset;
}

/// One Hopf–Lax pass along a line: out[i - first] = min over y of g(y) + (x_i - y)^2/(2t), the
/// least lattice term refined within one cell by the quadratic interpolant of g (see the header).
void hopf_lax_line(const Axis& axis, double t, const double* g, int first, int count, double* out) {
  const int n = axis.n;
  const double h = axis.h();
  const bool periodic = axis.boundary == Boundary::periodic;
  for (int i = first; i < first + count; ++i) {
    const double x = axis.centre(i);
    int best = 0;
    double best_value = std::numeric_limits<double>::infinity();
    for (int k = 0; k < n; ++k) {
      const double offset = axis_offset(axis, x, axis.centre(k));
      const double value = g[k] + offset * offset / (2 * t);
      if (value < best_value) {
        best_value = value;
        best = k;
      }
    }
    // The model around the stencil middle m: g(y_m + e) ~ g_m + slope e + curvature e^2/2.
    const int m = periodic ? best : std::clamp(best, 1, n - 2);
    const double lower = g[(m - 1 + n) % n];
    const double middle = g[m];
    const double upper = g[(m + 1) % n];
    const double slope = (upper - lower) / (2 * h);
    const double curvature = (upper - 2 * middle + lower) / (h * h);
    const double total_curvature = curvature + 1 / t;
    const double offset = axis_offset(axis, x, axis.centre(m));
    double refined = best_value;
    if (total_curvature > 0) {
      // Within one cell of the best site (and inside the box unless periodic).
      const double best_e = (best - m) * h;
      double e_lo = best_e - h;
      double e_hi = best_e + h;
      if (!periodic) {
        e_lo = std::max(e_lo, axis.lo - axis.centre(m));
        e_hi = std::min(e_hi, axis.hi - axis.centre(m));
      }
      const double e = std::clamp((offset / t - slope) / total_curvature, e_lo, e_hi);
      refined =
          middle + slope * e + 0.5 * curvature * e * e + (offset - e) * (offset - e) / (2 * t);
    }
    out[i - first] = std::min(refined, best_value);
  }
}

} // namespace

// ---- HeatSolver ----

HeatSolver::HeatSolver(const Grid& grid, const GridField& f, double nu)
    : grid_(grid), nu_(nu), shift_(0), log_fc_(f), convolution_(grid) {
  require_positive("heat equation: nu", nu);
  require_finite_field(f, "heat equation");
  for (const Axis& axis : grid.axes()) {
    if (axis.boundary == Boundary::absorbing) {
      throw InputError("heat equation: an absorbing axis (grid.bc) does not conserve the kernel's "
                       "mass; expected reflecting or periodic");
    }
  }
  double least = 0;
  RELAX_PETSC(VecMin(f.vec(), nullptr, &least));
  shift_ = 1 - least;
  RELAX_PETSC(VecShift(log_fc_.vec(), shift_));
  RELAX_PETSC(VecLog(log_fc_.vec()));
}

void HeatSolver::solve(double t, GridField& u) const {
  if (!(t >= 0)) {
    throw Error("HeatSolver::solve: t = " + format_real(t) + " < 0");
  }
  convolution_.apply(log_fc_, 2 * nu_ * t, u);
  RELAX_PETSC(VecExp(u.vec()));
  RELAX_PETSC(VecShift(u.vec(), -shift_));
  if (!is_finite(u)) {
    throw NumericalError("heat equation: u(., " + format_real(t) + ") is not finite");
  }
}

HamiltonJacobiPoint HeatSolver::evaluate(const double* x, double t) const {
  if (!(t > 0)) {
    throw Error("HeatSolver::evaluate: t = " + format_real(t) + ", expected t > 0");
  }
  const double variance = 2 * nu_ * t;
  const LogGaussianConvolution::PointValue value = convolution_.at(log_fc_, variance, x);
  const double convolved = std::exp(value.log_value); // G * (f + C) at x
  HamiltonJacobiPoint point;
  point.u = convolved - shift_;
  point.mean = value.mean;
  for (int a = 0; a < grid_.dim(); ++a) {
    point.gradient.push_back(convolved * (value.mean[static_cast<std::size_t>(a)] - x[a]) /
                             variance);
  }
  return point;
}

// ---- HopfLaxSolver ----

HopfLaxSolver::HopfLaxSolver(const Grid& grid, const GridField& f)
    : grid_(grid), f_(f), lines_(grid) {
  require_finite_field(f, "Hopf-Lax");
  for (const Axis& axis : grid.axes()) {
    if (axis.n < 3) {
      throw InputError("Hopf-Lax: the refinement needs at least 3 cells per axis (grid.n)");
    }
  }
}

void HopfLaxSolver::solve(double t, GridField& u) const {
  if (!(t >= 0)) {
    throw Error("HopfLaxSolver::solve: t = " + format_real(t) + " < 0");
  }
  if (t == 0) {
    u = f_;
    return;
  }
  lines_.along_lines(
      f_,
      [&](int axis, const double* line, int first, int count, double* out) {
        hopf_lax_line(grid_.axis(axis), t, line, first, count, out);
      },
      u);
}

HamiltonJacobiPoint HopfLaxSolver::evaluate(const double* x, double t) const {
  if (!(t > 0)) {
    throw Error("HopfLaxSolver::evaluate: t = " + format_real(t) + ", expected t > 0");
  }
  const int dim = grid_.dim();
  const auto d = static_cast<std::size_t>(dim);
  // The least lattice term of f(y) + |x - y|^2/(2t).
  GridField objective(f_);
  {
    petsc::VecArray values(objective.vec());
    grid_.for_each_owned([&](const std::array<int, 3>& index, std::size_t offset) {
      double y[3];
      grid_.centre(index, y);
      for (int a = 0; a < dim; ++a) {
        const double along = axis_offset(grid_.axis(a), x[a], y[a]);
        values[offset] += along * along / (2 * t);
      }
    });
  }
  const FieldMinimum least = field_minimum(objective);
  std::vector<double> offset(d);
  for (int a = 0; a < dim; ++a) {
    offset[static_cast<std::size_t>(a)] =
        axis_offset(grid_.axis(a), x[a], least.location[static_cast<std::size_t>(a)]);
  }
  // Newton's step on f's quadratic model there plus the exact |x - y|^2/(2t):
  // (H + I/t) e = (x - y)/t - grad f.
  const FieldPoint model = interpolate(f_, least.location.data());
  std::vector<double> hessian = model.hessian;
  std::vector<double> gradient(d);
  for (std::size_t a = 0; a < d; ++a) {
    hessian[a * d + a] += 1 / t;
    gradient[a] = model.gradient[a] - offset[a] / t;
  }
  std::vector<double> e(d, 0.0);
  if (newton_step(hessian, gradient, e)) {
    for (int a = 0; a < dim; ++a) {
      const Axis& axis = grid_.axis(a);
      const auto sa = static_cast<std::size_t>(a);
      double e_lo = -axis.h();
      double e_hi = axis.h();
      if (axis.boundary != Boundary::periodic) {
        e_lo = std::max(e_lo, axis.lo - least.location[sa]);
        e_hi = std::min(e_hi, axis.hi - least.location[sa]);
      }
      e[sa] = std::clamp(e[sa], e_lo, e_hi);
    }
  } else {
    e.assign(d, 0.0);
  }
  double refined = model.value;
  for (std::size_t a = 0; a < d; ++a) {
    refined += model.gradient[a] * e[a] + (offset[a] - e[a]) * (offset[a] - e[a]) / (2 * t);
    for (std::size_t b = 0; b < d; ++b) {
      refined += 0.5 * e[a] * model.hessian[a * d + b] * e[b];
    }
  }
  HamiltonJacobiPoint point;
  point.u = std::min(refined, least.value);
  const bool kept = refined <= least.value;
  for (std::size_t a = 0; a < d; ++a) {
    const double step = kept ? e[a] : 0.0;
    point.mean.push_back(least.location[a] + step); // the proximal point (unwrapped)
    point.gradient.push_back((offset[a] - step) / t);
  }
  return point;
}

} // namespace relax
