// Integrals, moments and distances of analytic fields against closed forms: exact where the
// midpoint rule is exact, second order otherwise; bit-identical at any rank count.
#include "grid_fixtures.hpp"

#include "core/error.hpp"
#include "grids/grid.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

using namespace relax;
using relax::test::asymmetric_box;

namespace {

// Box of asymmetric_box: [-1.3, 2.1] x [-0.7, 0.4] x [0.2, 0.9].
constexpr double xlo = -1.3, xhi = 2.1, ylo = -0.7, yhi = 0.4, zlo = 0.2, zhi = 0.9;

/// int_a^b x^p dx
double monomial(int p, double a, double b) {
  return (std::pow(b, p + 1) - std::pow(a, p + 1)) / (p + 1);
}
/// int_a^b e^{k x} dx
double exp_integral(double k, double a, double b) {
  return (std::exp(k * b) - std::exp(k * a)) / k;
}
/// int_a^b x e^{k x} dx
double x_exp_integral(double k, double a, double b) {
  const auto primitive = [k](double x) { return std::exp(k * x) * (x / k - 1 / (k * k)); };
  return primitive(b) - primitive(a);
}

/// Checks that every quantity's error falls at second order: errors(refine) returns the errors
/// of all quantities on the grid refined `refine` times; orders from refine 1->2 and 2->4.
void check_second_order(const std::vector<std::string>& names,
                        const std::function<std::vector<double>(int)>& errors) {
  const std::vector<std::vector<double>> e{errors(1), errors(2), errors(4)};
  for (std::size_t q = 0; q < names.size(); ++q) {
    for (std::size_t level = 0; level + 1 < e.size(); ++level) {
      const double order = test::observed_order(e[level][q], e[level + 1][q]);
      CAPTURE(names[q], level, e[level][q], e[level + 1][q], order);
      CHECK(order >= 1.8);
      CHECK(order <= 2.2);
    }
  }
}

} // namespace

TEST_CASE("The midpoint rule integrates a linear field exactly in 1, 2 and 3 D", "[grids]") {
  const auto f = [](const double* x, int dim) {
    return 6 + 2 * x[0] + (dim > 1 ? -5 * x[1] : 0) + (dim > 2 ? 0.7 * x[2] : 0);
  };
  for (int dim = 1; dim <= 3; ++dim) {
    const Grid grid(PETSC_COMM_WORLD, asymmetric_box(dim, 1));
    GridField field(grid);
    field.fill([&](const double* x) { return f(x, dim); });
    // Exact: volume times the value at the centre of the box.
    const double centre[3] = {(xlo + xhi) / 2, (ylo + yhi) / 2, (zlo + zhi) / 2};
    double volume = xhi - xlo;
    volume *= dim > 1 ? yhi - ylo : 1;
    volume *= dim > 2 ? zhi - zlo : 1;
    const double exact = volume * f(centre, dim);
    CAPTURE(dim, integral(field), exact);
    CHECK(integral(field) == Approx(exact).epsilon(1e-14));
  }
}

TEST_CASE("Moments of a uniform density equal the discrete closed form", "[grids]") {
  // Cell centres of one axis are n equispaced points: variance h^2 (n^2 - 1) / 12, mean the
  // middle of the box; independent axes have zero covariance.
  const Grid grid(PETSC_COMM_WORLD, asymmetric_box(2, 1));
  GridField rho(grid);
  rho.fill([](const double*) { return 0.5; });
  const Moments m = moments(rho);
  const Axis& ax = grid.axis(0);
  const Axis& ay = grid.axis(1);
  CHECK(m.mass == Approx(0.5 * (xhi - xlo) * (yhi - ylo)).epsilon(1e-15));
  CHECK(m.mean[0] == Approx((xlo + xhi) / 2).epsilon(1e-15));
  CHECK(m.mean[1] == Approx((ylo + yhi) / 2).epsilon(1e-14));
  CHECK(m.covariance[0] == Approx(ax.h() * ax.h() * (ax.n * ax.n - 1) / 12).epsilon(1e-14));
  CHECK(m.covariance[3] == Approx(ay.h() * ay.h() * (ay.n * ay.n - 1) / 12).epsilon(1e-14));
  CHECK(std::fabs(m.covariance[1]) < 1e-15);
  CHECK(m.covariance[1] == m.covariance[2]);
}

TEST_CASE("Mass, mean and covariance of a polynomial density converge at second order",
          "[grids][convergence]") {
  // rho = 1 + 0.3 x y + x^2 y^2 > 0 on the box; its moments are sums of monomial integrals.
  const auto raw_moment = [](int px, int py) { // int x^px y^py rho
    const auto m = [&](int a, int b) {
      return monomial(px + a, xlo, xhi) * monomial(py + b, ylo, yhi);
    };
    return m(0, 0) + 0.3 * m(1, 1) + m(2, 2);
  };
  const double mass = raw_moment(0, 0);
  const double mx = raw_moment(1, 0) / mass;
  const double my = raw_moment(0, 1) / mass;
  const std::vector<double> exact{mass,
                                  mx,
                                  my,
                                  raw_moment(2, 0) / mass - mx * mx,
                                  raw_moment(1, 1) / mass - mx * my,
                                  raw_moment(0, 2) / mass - my * my};
  check_second_order({"mass", "mean x", "mean y", "cov xx", "cov xy", "cov yy"}, [&](int refine) {
    const Grid grid(PETSC_COMM_WORLD, asymmetric_box(2, refine));
    GridField rho(grid);
    rho.fill([](const double* x) { return 1 + 0.3 * x[0] * x[1] + x[0] * x[0] * x[1] * x[1]; });
    const Moments m = moments(rho);
    const std::vector<double> measured{m.mass,          m.mean[0],       m.mean[1],
                                       m.covariance[0], m.covariance[1], m.covariance[3]};
    std::vector<double> errors;
    for (std::size_t q = 0; q < exact.size(); ++q) {
      errors.push_back(measured[q] - exact[q]);
    }
    return errors;
  });
}

TEST_CASE("L1, L2 and Linf distances converge at second order", "[grids][convergence]") {
  // a - b = (1 + y^2) e^x (1 - e^{x - 0.1}) changes sign on x = 0.1, a face at every refinement,
  // so |a - b| is smooth inside every cell.
  const double x_split = 0.1;
  const double kink_x =
      exp_integral(1, xlo, x_split) - std::exp(-0.1) * exp_integral(2, xlo, x_split) +
      std::exp(-0.1) * exp_integral(2, x_split, xhi) - exp_integral(1, x_split, xhi);
  const double y_weight = monomial(0, ylo, yhi) + monomial(2, ylo, yhi);
  const double l1 = kink_x * y_weight;
  const double l2 =
      std::sqrt((exp_integral(2, xlo, xhi) - 2 * std::exp(-0.1) * exp_integral(3, xlo, xhi) +
                 std::exp(-0.2) * exp_integral(4, xlo, xhi)) *
                (monomial(0, ylo, yhi) + 2 * monomial(2, ylo, yhi) + monomial(4, ylo, yhi)));
  // A bump with its maximum 1 on the vertex (0.1, -0.2): the nearest centres are h/2 away on
  // both axes at every refinement, so the Linf error is 1 - exp(-(hx/2)^2/0.5 - (hy/2)^2/0.3).
  check_second_order({"l1", "l2", "linf"}, [&](int refine) {
    const Grid grid(PETSC_COMM_WORLD, asymmetric_box(2, refine));
    GridField a(grid);
    GridField b(grid);
    a.fill([](const double* x) { return (1 + x[1] * x[1]) * std::exp(x[0]); });
    b.fill([](const double* x) { return (1 + x[1] * x[1]) * std::exp(2 * x[0] - 0.1); });
    GridField bump(grid);
    bump.fill([](const double* x) {
      return std::exp(-(x[0] - 0.1) * (x[0] - 0.1) / 0.5 - (x[1] + 0.2) * (x[1] + 0.2) / 0.3);
    });
    const GridField zero(grid);
    CHECK(total_variation(a, b) == 0.5 * l1_distance(a, b));
    CHECK(l1_distance(a, b) == l1_distance(b, a));
    return std::vector<double>{l1_distance(a, b) - l1, l2_distance(a, b) - l2,
                               linf_distance(bump, zero) - 1};
  });
}

TEST_CASE("KL divergence and Hellinger distance converge at second order", "[grids][convergence]") {
  // p ~ exp(alpha x + gamma y), q ~ exp(beta x + delta y), normalized on the box: log(p/q) is
  // linear and sqrt(p q) is again exponential, so both have closed forms.
  const double alpha = 1.0, gamma = -0.5, beta = -0.4, delta = 1.2;
  const auto z = [](double kx, double ky) {
    return exp_integral(kx, xlo, xhi) * exp_integral(ky, ylo, yhi);
  };
  const double zp = z(alpha, gamma);
  const double zq = z(beta, delta);
  const double mean_x = x_exp_integral(alpha, xlo, xhi) / exp_integral(alpha, xlo, xhi);
  const double mean_y = x_exp_integral(gamma, ylo, yhi) / exp_integral(gamma, ylo, yhi);
  const double kl = (alpha - beta) * mean_x + (gamma - delta) * mean_y + std::log(zq / zp);
  const double hellinger =
      std::sqrt(1 - z((alpha + beta) / 2, (gamma + delta) / 2) / std::sqrt(zp * zq));
  check_second_order({"kl", "hellinger"}, [&](int refine) {
    const Grid grid(PETSC_COMM_WORLD, asymmetric_box(2, refine));
    GridField p(grid);
    GridField q(grid);
    p.fill([&](const double* x) { return std::exp(alpha * x[0] + gamma * x[1]) / zp; });
    q.fill([&](const double* x) { return std::exp(beta * x[0] + delta * x[1]) / zq; });
    return std::vector<double>{kl_divergence(p, q) - kl, hellinger_distance(p, q) - hellinger};
  });
}

TEST_CASE("KL, Hellinger and Linf special values; NaN propagates", "[grids][mpi]") {
  const Grid grid(PETSC_COMM_WORLD, {{0, 1, 4, Boundary::reflecting}});
  GridField p(grid);
  GridField q(grid);
  GridField r(grid);
  test::assign_natural(p, {2, 2, 0, 0});
  test::assign_natural(q, {1, 1, 1, 1});
  test::assign_natural(r, {0, 0, 2, 2});
  // sum p log(p/q) h = 2 * (2 log 2) * 0.25
  CHECK(kl_divergence(p, q) == Approx(std::log(2.0)).epsilon(1e-15));
  CHECK(kl_divergence(p, p) == 0);                                       // 0 log 0 = 0
  CHECK(kl_divergence(q, p) == std::numeric_limits<double>::infinity()); // q > 0 = p
  CHECK(hellinger_distance(p, r) == Approx(1).epsilon(1e-15));           // disjoint supports
  CHECK(hellinger_distance(p, p) == 0);
  CHECK(linf_distance(p, r) == 2);
  CHECK(l2_distance(p, q) == Approx(1).epsilon(1e-15)); // sqrt(4 * 1^2 * 0.25)

  // A NaN in the last cell (owned by the last rank): every rank sees NaN.
  GridField bad(grid);
  test::assign_natural(bad, {1, 1, 1, std::numeric_limits<double>::quiet_NaN()});
  CHECK(std::isnan(integral(bad)));
  CHECK(std::isnan(l1_distance(bad, q)));
  CHECK(std::isnan(linf_distance(bad, q)));
  CHECK(std::isnan(linf_distance(q, bad)));
  CHECK(std::isnan(kl_divergence(bad, q)));
  CHECK(std::isnan(hellinger_distance(q, bad)));
  CHECK(std::isnan(moments(bad).mean[0]));
}

TEST_CASE("Distances refuse fields of different grids", "[grids]") {
  const Grid a(PETSC_COMM_WORLD, asymmetric_box(2, 1));
  const Grid b(PETSC_COMM_WORLD, asymmetric_box(2, 2));
  const Grid a_again(PETSC_COMM_WORLD, asymmetric_box(2, 1));
  const GridField u(a);
  const GridField v(b);
  const GridField w(a_again);
  CHECK_THROWS_AS(l1_distance(u, v), Error);
  CHECK_THROWS_WITH(kl_divergence(u, v), Catch::Contains("different grids"));
  CHECK(l1_distance(u, w) == 0); // another grid object with the same layout is fine
}

TEST_CASE("Diagnostics of a distributed field have the same bits as on one rank", "[grids][mpi]") {
  // Each rank builds the same grid on PETSC_COMM_SELF: its diagnostics are the 1-rank values,
  // which the distributed grid (1, 2 or 3 ranks) must reproduce exactly.
  const auto diagnostics = [](const Grid& grid) {
    GridField p(grid);
    GridField q(grid);
    p.fill([&](const double* x) {
      double s = 0;
      for (int a = 0; a < grid.dim(); ++a) {
        s += std::sin(3 * x[a] + a) / (a + 1);
      }
      return std::exp(s);
    });
    q.fill([&](const double* x) { return 1.0 + 0.5 * std::cos(x[0] + 2 * x[grid.dim() - 1]); });
    const Moments m = moments(p);
    std::map<std::string, double> values{
        {"integral", integral(p)},           {"mass", m.mass},
        {"l1", l1_distance(p, q)},           {"l2", l2_distance(p, q)},
        {"linf", linf_distance(p, q)},       {"tv", total_variation(p, q)},
        {"kl", kl_divergence(p, q)},         {"hellinger", hellinger_distance(p, q)},
        {"kl reversed", kl_divergence(q, p)}};
    for (std::size_t i = 0; i < m.mean.size(); ++i) {
      values["mean " + std::to_string(i)] = m.mean[i];
    }
    for (std::size_t i = 0; i < m.covariance.size(); ++i) {
      values["covariance " + std::to_string(i)] = m.covariance[i];
    }
    return values;
  };
  for (int dim = 1; dim <= 3; ++dim) {
    const auto axes = asymmetric_box(dim, 2, dim == 2 ? Boundary::periodic : Boundary::absorbing);
    const Grid distributed(PETSC_COMM_WORLD, axes);
    const Grid single(PETSC_COMM_SELF, axes);
    const auto expected = diagnostics(single);
    const auto measured = diagnostics(distributed);
    for (const auto& [name, value] : expected) {
      CAPTURE(dim, name, value, measured.at(name));
      CHECK(measured.at(name) == value);
    }
  }
}
