// An eigenvalue reference for the Fokker–Planck generator of the double well, computed
// independently of the SG scheme (the Schrödinger form and Sturm bisection), for the convergence
// and spectrum tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace relax::test {

/// Eigenvalue number `k` (0-based, ascending) of the symmetric tridiagonal matrix with diagonal
/// `a` and off-diagonal `b`, by Sturm-sequence bisection (exact count of eigenvalues below x).
inline double tridiagonal_eigenvalue(const std::vector<double>& a, const std::vector<double>& b,
                                     int k) {
  double lo = 0;
  double hi = 0;
  for (std::size_t i = 0; i < a.size(); ++i) { // Gershgorin bounds
    const double r = (i > 0 ? std::fabs(b[i - 1]) : 0) + (i < b.size() ? std::fabs(b[i]) : 0);
    lo = std::min(lo, a[i] - r);
    hi = std::max(hi, a[i] + r);
  }
  const auto count_below = [&](double x) {
    int count = 0;
    double q = a[0] - x;
    count += q < 0;
    for (std::size_t i = 1; i < a.size(); ++i) {
      q = a[i] - x - b[i - 1] * b[i - 1] / (q != 0 ? q : 1e-300);
      count += q < 0;
    }
    return count;
  };
  for (int iteration = 0; iteration < 200 && hi - lo > 1e-15 * std::max(1.0, std::fabs(hi));
       ++iteration) {
    const double mid = 0.5 * (lo + hi);
    (count_below(mid) > k ? hi : lo) = mid;
  }
  return 0.5 * (lo + hi);
}

/// Eigenvalue number k (1: the slow relaxation rate) of FP for f = (x^2-1)^2 on [-L, L], computed
/// independently of the SG scheme: the FP generator is unitarily equivalent to the Schrödinger
/// operator H = -D d^2/dx^2 + V, V = (beta/4) f'^2 - f''/2. Three-point finite differences with
/// Dirichlet ends (the ground state exp(-beta f/2) is 1e-6 there, so the boundary condition moves
/// the eigenvalue by ~1e-12), Richardson-extrapolated from N and 2N.
inline double schroedinger_eigenvalue(double beta, double L, int n, int k) {
  const auto eigenvalue = [&](int cells) {
    const double D = 1 / beta;
    const double h = 2 * L / cells;
    std::vector<double> diagonal(static_cast<std::size_t>(cells - 1));
    std::vector<double> off(static_cast<std::size_t>(cells - 2), -D / (h * h));
    for (int i = 1; i < cells; ++i) {
      const double x = -L + i * h;
      const double fp = 4 * x * (x * x - 1);
      const double fpp = 12 * x * x - 4;
      diagonal[static_cast<std::size_t>(i - 1)] = 2 * D / (h * h) + beta / 4 * fp * fp - fpp / 2;
    }
    return tridiagonal_eigenvalue(diagonal, off, k);
  };
  const double coarse = eigenvalue(n);
  const double fine = eigenvalue(2 * n);
  return fine + (fine - coarse) / 3;
}

} // namespace relax::test
