// Independent reference rates for the escape tests of studies/, computed here from the landscape
// alone (no solver, no eigen solver of the project): the exact mean first-passage time of a 1D
// diffusion by quadrature, and the slow eigenvalue of a 1D Scharfetter–Gummel generator by Sturm
// bisection of its symmetrized tridiagonal matrix. Pure math, no PETSc.
#pragma once

#include <cmath>
#include <functional>
#include <vector>

namespace relax::testing {

/// Exact mean first-passage time of dX = -f'(X) dt + sqrt(2/beta) dW from `start` to `target`
/// (> start) with a reflecting wall at `wall` (< start) (Gardiner 5.2.7):
///   tau = beta int_start^target e^(beta f(x)) int_wall^x e^(-beta f(y)) dy dx,
/// by the trapezoid rule at step h, exponents shifted by `shift` (the barrier height) so that
/// tau e^(-beta shift) is returned.
inline double mfpt_scaled(const std::function<double(double)>& f, double beta, double wall,
                          double start, double target, double shift, double h = 2e-5) {
  double inner = 0;
  double outer = 0;
  double previous_inner_term = std::exp(-beta * f(wall));
  double previous_outer_term = 0;
  const long steps = std::lround((target - wall) / h);
  for (long k = 1; k <= steps; ++k) {
    const double x = wall + static_cast<double>(k) * h;
    const double term = std::exp(-beta * f(x));
    inner += 0.5 * h * (term + previous_inner_term);
    previous_inner_term = term;
    if (x > start + 0.5 * h) {
      const double outer_term = std::exp(beta * (f(x) - shift)) * inner;
      outer += 0.5 * h * (outer_term + previous_outer_term);
      previous_outer_term = outer_term;
    } else {
      previous_outer_term = std::exp(beta * (f(x) - shift)) * inner;
    }
  }
  return beta * outer;
}

/// The second-smallest eigenvalue lambda1 of the Scharfetter–Gummel Fokker–Planck operator of f on
/// n cells of [lo, hi] with reflecting walls, D = 1/beta. With pi_i = e^(-beta f_i) the face flux
/// is (D/h) B(dpsi_i) pi_i (u_i - u_{i+1}) in u = rho / pi, so the operator is similar to the
/// symmetric tridiagonal M = Pi^-1/2 K Pi^-1/2, K the Laplacian with edge weights
/// c_i = B(dpsi_i) pi_i D / h^2 (B(z) = z / (e^z - 1), written here, not taken from solvers/).
/// lambda1 by bisection on the Sturm count of M - mu, to relative 1e-14.
inline double sg_slow_eigenvalue(const std::function<double(double)>& f, double beta, double lo,
                                 double hi, int n) {
  const double h = (hi - lo) / n;
  std::vector<double> fi(static_cast<std::size_t>(n));
  double f_min = HUGE_VAL;
  for (int i = 0; i < n; ++i) {
    fi[static_cast<std::size_t>(i)] = f(lo + (i + 0.5) * h);
    f_min = std::min(f_min, fi[static_cast<std::size_t>(i)]);
  }
  const auto b = [](double z) { return std::fabs(z) < 1e-8 ? 1 - z / 2 : z / std::expm1(z); };
  std::vector<double> pi(fi.size());
  for (std::size_t i = 0; i < fi.size(); ++i) {
    pi[i] = std::exp(-beta * (fi[i] - f_min));
  }
  const double d = 1 / beta;
  std::vector<double> edge(fi.size() - 1);
  for (std::size_t i = 0; i + 1 < fi.size(); ++i) {
    edge[i] = b(beta * (fi[i + 1] - fi[i])) * pi[i] * d / (h * h);
  }
  std::vector<double> diagonal(fi.size());
  std::vector<double> off_squared(edge.size());
  for (std::size_t i = 0; i < fi.size(); ++i) {
    const double left = i > 0 ? edge[i - 1] : 0.0;
    const double right = i + 1 < fi.size() ? edge[i] : 0.0;
    diagonal[i] = (left + right) / pi[i];
  }
  for (std::size_t i = 0; i < edge.size(); ++i) {
    off_squared[i] = edge[i] * edge[i] / (pi[i] * pi[i + 1]);
  }
  const auto count_below = [&](double mu) {
    int count = 0;
    double q = diagonal[0] - mu;
    count += q < 0;
    for (std::size_t i = 1; i < diagonal.size(); ++i) {
      if (q == 0) {
        q = 1e-300;
      }
      q = diagonal[i] - mu - off_squared[i - 1] / q;
      count += q < 0;
    }
    return count;
  };
  double below = 0;
  double above = 1;
  while (count_below(above) < 2) {
    above *= 2;
  }
  while (above - below > 1e-14 * above) {
    const double middle = 0.5 * (below + above);
    (count_below(middle) >= 2 ? above : below) = middle;
  }
  return 0.5 * (below + above);
}

} // namespace relax::testing
