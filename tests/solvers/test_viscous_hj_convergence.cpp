// (a) Cole–Hopf against (b) monotone finite differences: the two grid methods converge to each
// other as h and dt shrink together, at the first order of the finite differences.
#include "solvers/viscous_hj.hpp"

#include "fp_test_support.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <vector>

using namespace relax;
using relax::test::make_axis;

namespace {

/// f = cos x + 0.5 cos y + 0.3 cos x cos y on [0, 2 pi) x [0, pi]: periodic in x, and with
/// df/dy = 0 on y = 0, pi, so its even reflection is smooth and u stays smooth under the Neumann
/// walls (no boundary layer).
class Ridge final : public Landscape {
public:
  int dim() const override { return 2; }
  std::string describe() const override { return "test ridge"; }
  double value(const double* x) const override {
    return std::cos(x[0]) + 0.5 * std::cos(x[1]) + 0.3 * std::cos(x[0]) * std::cos(x[1]);
  }
  double gradient(const double* x, double* g) const override {
    g[0] = -std::sin(x[0]) * (1 + 0.3 * std::cos(x[1]));
    g[1] = -std::sin(x[1]) * (0.5 + 0.3 * std::cos(x[0]));
    return value(x);
  }
};

/// The order p of the leading term of e(h) = C h^p + D h^(p+1), from the errors at h, h/2, h/4:
/// with x = 2^-p they satisfy e0 x^2 - 3 e1 x + 2 e2 = 0; the root near 1/2 is the one for p
/// near 1. Unlike log2(e_k / e_(k+1)), this is not biased by the second-order term.
double leading_order(double e0, double e1, double e2) {
  const double discriminant = 9 * e1 * e1 - 8 * e0 * e2;
  if (!(discriminant >= 0)) {
    return std::nan("");
  }
  const double x = (3 * e1 - std::sqrt(discriminant)) / (2 * e0);
  return -std::log2(x);
}

} // namespace

TEST_CASE("Cole-Hopf and finite differences converge to each other at first order in h and dt",
          "[solvers][hj][convergence]") {
  // Cole–Hopf's error is spectrally small here (kernel variance 2 nu t = 0.3 >> h^2), so the
  // difference measures the finite differences: first order in h (Godunov) and dt (backward
  // Euler), with dt = h/2. The pairwise orders approach 1 from below (a second-order term of the
  // opposite sign); the leading order, with that term fitted out, is 1.
  const double pi = std::acos(-1.0);
  const Ridge f;
  HamiltonJacobiProblem problem;
  problem.nu = 0.3;
  problem.c = 1.0;
  const double t_end = 0.5;
  std::vector<double> differences;
  for (int n : {32, 64, 128, 256}) {
    const Grid grid(PETSC_COMM_WORLD, {make_axis(0, 2 * pi, n, Boundary::periodic),
                                       make_axis(0, pi, n / 2, Boundary::reflecting)});
    const GridField cole_hopf = ColeHopfSolver(grid, f, problem).solve(t_end);
    HamiltonJacobiOptions options;
    options.dt = grid.axis(0).h() / 2;
    options.prefix = "hjconv_";
    HamiltonJacobiSolver solver(grid, problem, options);
    GridField u(grid);
    u.fill([&](const double* x) { return f.value(x); });
    solver.advance_to(t_end, u);
    differences.push_back(linf_distance(u, cole_hopf));
  }
  test::check_orders("max |Cole-Hopf - finite differences|", differences, 0.85, 1.1);
  for (std::size_t k = 0; k + 2 < differences.size(); ++k) {
    const double order = leading_order(differences[k], differences[k + 1], differences[k + 2]);
    INFO("leading order from errors " << differences[k] << ", " << differences[k + 1] << ", "
                                      << differences[k + 2] << ": " << order);
    CHECK(order >= 0.95);
    CHECK(order <= 1.05);
  }
}
