// The Bernoulli function and the Scharfetter–Gummel flux, pointwise (no PETSc objects).
#include "solvers/scharfetter_gummel.hpp"

#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <vector>

using relax::bernoulli;
using relax::scharfetter_gummel_flux;

namespace {

// Reference in long double (11 more mantissa bits, exponent range to 1e4932, so e^z never
// overflows for the z tested here).
long double bernoulli_reference(long double z) {
  return z == 0 ? 1.0L : z / std::expm1(z);
}

std::vector<double> sample_points() {
  std::vector<double> z{0.0,
                        DBL_MIN,
                        -DBL_MIN,
                        1e-300,
                        -1e-300,
                        1e-2,
                        -1e-2,
                        std::nextafter(1e-2, 0.0),
                        std::nextafter(-1e-2, 0.0)};
  for (double magnitude = 1e-12; magnitude < 800; magnitude *= 1.07) {
    z.push_back(magnitude);
    z.push_back(-magnitude);
  }
  return z;
}

} // namespace

TEST_CASE("Bernoulli function is accurate to a few ulp from 1e-300 to |z| = 800", "[solvers]") {
  double worst = 0;
  double worst_z = 0;
  for (double z : sample_points()) {
    const long double reference = bernoulli_reference(z);
    if (reference < DBL_MIN) {
      // Subnormal result: e^-z carries an absolute error of half a subnormal step, times z.
      INFO("z = " << z << ", "
                  << "bernoulli(z) = " << bernoulli(z) << ", "
                  << "static_cast<double>(reference) = " << static_cast<double>(reference));
      CHECK(std::fabs(bernoulli(z) - static_cast<double>(reference)) <= (z + 1) * DBL_TRUE_MIN);
      continue;
    }
    const double error = static_cast<double>(std::fabs((bernoulli(z) - reference) / reference));
    if (error > worst) {
      worst = error;
      worst_z = z;
    }
  }
  INFO("worst = " << worst << ", "
                  << "worst_z = " << worst_z << ", "
                  << "worst / DBL_EPSILON = " << worst / DBL_EPSILON);
  CHECK(worst <= 4 * DBL_EPSILON);
}

TEST_CASE("Bernoulli function has no overflow, the right limits and the identity B(-z) = B(z) + z",
          "[solvers]") {
  CHECK(bernoulli(0.0) == 1.0);
  CHECK(bernoulli(1e4) == 0.0);
  CHECK(bernoulli(-1e4) == 1e4);
  CHECK(bernoulli(-1e300) == 1e300);
  CHECK(std::isnan(bernoulli(std::nan(""))));
  // B(-z) - B(z) = z exactly in real arithmetic; the rounding error is a few ulp of max(B).
  for (double z : sample_points()) {
    const double scale = std::max(bernoulli(z), bernoulli(-z));
    INFO("z = " << z);
    CHECK(std::fabs(bernoulli(-z) - bernoulli(z) - z) <= 4 * DBL_EPSILON * scale);
  }
}

TEST_CASE("SG flux vanishes on the Gibbs ratio exp(-dpsi), diffuses at dpsi = 0, upwinds for "
          "|dpsi| >> 1",
          "[solvers]") {
  const double D = 0.7;
  const double h = 0.01;
  // Gradient drift: rho_r / rho_l = exp(-beta (f_r - f_l)) = exp(-dpsi) carries no flux.
  for (double dpsi : {-300.0, -20.0, -1.0, -1e-3, 1e-9, 0.5, 5.0, 300.0}) {
    const double rho_l = 1.3;
    const double rho_r = rho_l * std::exp(-dpsi);
    const double scale = D / h * std::max(bernoulli(dpsi) * rho_l, bernoulli(-dpsi) * rho_r);
    INFO("dpsi = " << dpsi << ", "
                   << "scharfetter_gummel_flux(dpsi, rho_l, rho_r, D, h) = "
                   << scharfetter_gummel_flux(dpsi, rho_l, rho_r, D, h) << ", "
                   << "scale = " << scale);
    CHECK(std::fabs(scharfetter_gummel_flux(dpsi, rho_l, rho_r, D, h)) <= 8 * DBL_EPSILON * scale);
  }
  // Pure diffusion: Fick's law D (rho_l - rho_r) / h.
  CHECK(scharfetter_gummel_flux(0.0, 2.0, 0.5, D, h) == Approx(D * 1.5 / h).epsilon(1e-15));
  // Strong drift b (dpsi = -h b / D): the flux becomes the upwind b rho_upstream.
  const double b = 1e4;
  const double dpsi = -h * b / D;
  CHECK(scharfetter_gummel_flux(dpsi, 2.0, 0.5, D, h) == Approx(b * 2.0).epsilon(1e-12));
  CHECK(scharfetter_gummel_flux(-dpsi, 2.0, 0.5, D, h) == Approx(-b * 0.5).epsilon(1e-12));
  // Consistency with the continuous flux J = b rho - D rho' for smooth data: the error of the
  // face flux is O(h^2) (central in both terms); halving h must divide it by about 4.
  auto error = [&](double spacing) {
    const double drift = 0.8;
    auto rho = [](double x) { return std::exp(-x * x); };
    const double x_face = 0.3;
    const double exact = drift * rho(x_face) + D * 2 * x_face * rho(x_face);
    return std::fabs(scharfetter_gummel_flux(-spacing * drift / D, rho(x_face - spacing / 2),
                                             rho(x_face + spacing / 2), D, spacing) -
                     exact);
  };
  const double order = std::log2(error(0.02) / error(0.01));
  INFO("error(0.02) = " << error(0.02) << ", "
                        << "error(0.01) = " << error(0.01) << ", "
                        << "order = " << order);
  CHECK(order == Approx(2.0).margin(0.1));
}
