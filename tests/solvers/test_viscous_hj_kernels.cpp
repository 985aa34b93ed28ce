// The pure kernels of the viscous HJ solvers: Godunov's numerical Hamiltonian (exact min/max,
// monotone, consistent, derivatives), the residual's M-matrix structure, and the log-domain
// Gaussian convolution of one axis against a direct sum over explicit images.
#include "solvers/viscous_hj_godunov.hpp"
#include "solvers/viscous_hj_log_gaussian.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace relax;

namespace {

/// min over [lo, hi] of the convex H: at the clamped minimizer; max: at an end.
double exact_godunov(const AxisHamiltonian& H, double p_minus, double p_plus) {
  if (p_minus <= p_plus) {
    if (H.c == 0) {
      return std::min(H(p_minus), H(p_plus));
    }
    return H(std::clamp(-H.b / H.c, p_minus, p_plus));
  }
  return std::max(H(p_minus), H(p_plus));
}

} // namespace

TEST_CASE("Godunov's flux is the min (max) of H over the slope interval, monotone and consistent",
          "[solvers][hj]") {
  std::mt19937_64 engine(7);
  std::uniform_real_distribution<double> slope(-5, 5);
  std::uniform_real_distribution<double> coefficient(0, 3);
  double worst = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const AxisHamiltonian H{trial % 5 == 0 ? 0.0 : coefficient(engine), slope(engine)};
    const double pm = slope(engine);
    const double pp = slope(engine);
    const GodunovFlux flux = godunov_flux(H, pm, pp);
    const double exact = exact_godunov(H, pm, pp);
    worst = std::max(worst, std::fabs(flux.value - exact) / (1 + std::fabs(exact)));
    REQUIRE(flux.d_minus >= 0);
    REQUIRE(flux.d_plus <= 0);
    REQUIRE(godunov_flux(H, pm, pm).value == Approx(H(pm)).margin(1e-14));
    // The derivative of the active branch, against a central difference away from kinks.
    const double e = 1e-6;
    const double dm =
        (godunov_flux(H, pm + e, pp).value - godunov_flux(H, pm - e, pp).value) / (2 * e);
    const double dp =
        (godunov_flux(H, pm, pp + e).value - godunov_flux(H, pm, pp - e).value) / (2 * e);
    const bool is_smooth = std::fabs(godunov_flux(H, pm + e, pp).d_minus - flux.d_minus) < 1e-9 &&
                           std::fabs(godunov_flux(H, pm - e, pp).d_minus - flux.d_minus) < 1e-9 &&
                           std::fabs(godunov_flux(H, pm, pp + e).d_plus - flux.d_plus) < 1e-9 &&
                           std::fabs(godunov_flux(H, pm, pp - e).d_plus - flux.d_plus) < 1e-9;
    if (is_smooth) {
      CAPTURE(H.c, H.b, pm, pp);
      REQUIRE(dm == Approx(flux.d_minus).margin(1e-6));
      REQUIRE(dp == Approx(flux.d_plus).margin(1e-6));
    }
  }
  INFO("largest relative deviation from the exact min/max: " << worst);
  CHECK(worst < 1e-15);
}

TEST_CASE("The HJ residual of one axis: derivatives match differences, M-matrix signs, Neumann "
          "walls",
          "[solvers][hj]") {
  const AxisHamiltonian H{1.5, -0.4};
  const double nu = 0.3;
  const double h = 0.1;
  for (const AxisNeighbours around :
       {AxisNeighbours{0.9, 1.3, true, true}, AxisNeighbours{1.4, 0.8, true, true},
        AxisNeighbours{0.0, 1.2, false, true}, AxisNeighbours{1.1, 0.0, true, false}}) {
    const double u = 1.0;
    const AxisResidual r = hj_axis_residual(H, nu, h, u, around);
    CHECK(r.d_lower <= 0);
    CHECK(r.d_upper <= 0);
    CHECK(r.d_centre == Approx(-(r.d_lower + r.d_upper)));
    const double e = 1e-7;
    const auto value = [&](double du, double dl, double dh) {
      AxisNeighbours moved = around;
      moved.lower += dl;
      moved.upper += dh;
      return hj_axis_residual(H, nu, h, u + du, moved).value;
    };
    CHECK((value(e, 0, 0) - value(-e, 0, 0)) / (2 * e) == Approx(r.d_centre).epsilon(1e-6));
    CHECK((value(0, e, 0) - value(0, -e, 0)) / (2 * e) ==
          Approx(r.d_lower).epsilon(1e-6).margin(1e-9));
    CHECK((value(0, 0, e) - value(0, 0, -e)) / (2 * e) ==
          Approx(r.d_upper).epsilon(1e-6).margin(1e-9));
  }
  // A wall mirrors the cell: the residual equals that with the neighbour set to u itself.
  const AxisResidual wall = hj_axis_residual(H, nu, h, 1.0, {0.0, 1.2, false, true});
  const AxisResidual mirrored = hj_axis_residual(H, nu, h, 1.0, {1.0, 1.2, true, true});
  CHECK(wall.value == mirrored.value);
}

namespace {

/// sum over every image of every cell, written out, in plain (not log) arithmetic.
double direct_convolution(const LineGeometry& line, double variance, const std::vector<double>& in,
                          double x) {
  double norm = 0;
  const int reach = static_cast<int>(12 * std::sqrt(variance) / line.h) + 2 +
                    static_cast<int>(std::fabs(x - line.lo) / line.h);
  for (int k = -reach; k <= reach; ++k) { // the lattice sum S(x)
    const double d = x - (line.lo + (k + 0.5) * line.h);
    norm += std::exp(-d * d / (2 * variance));
  }
  const double length = line.length();
  double sum = 0;
  for (int j = 0; j < line.n; ++j) {
    const double y = line.centre(j);
    std::vector<double> images;
    for (int m = -40; m <= 40; ++m) {
      if (line.images == LineImages::none && m == 0) {
        images.push_back(y);
      } else if (line.images == LineImages::periodic) {
        images.push_back(y + m * length);
      } else if (line.images == LineImages::mirror) {
        images.push_back(y + 2 * m * length);
        images.push_back(2 * line.lo - y + 2 * m * length);
      }
    }
    for (double image : images) {
      sum += std::exp(-(x - image) * (x - image) / (2 * variance)) *
             std::exp(in[static_cast<std::size_t>(j)]);
    }
  }
  return std::log(sum / norm);
}

} // namespace

TEST_CASE("Log-domain line convolution equals the direct sum over explicit images",
          "[solvers][hj]") {
  for (const LineImages images : {LineImages::none, LineImages::periodic, LineImages::mirror}) {
    for (const double variance : {1e-4, 0.01, 0.3, 5.0}) {
      const LineGeometry line{-1.3, 0.1, 23, images};
      std::vector<double> in(23);
      for (int j = 0; j < 23; ++j) {
        in[static_cast<std::size_t>(j)] = std::sin(1.7 * j) - 0.02 * j * j;
      }
      const LogGaussianLine kernel(line, variance);
      std::vector<double> out(23);
      kernel.apply(in.data(), 0, 23, out.data());
      std::vector<double> log_k(23);
      std::vector<double> mean(23);
      double worst = 0;
      double worst_row = 0;
      for (int i = 0; i < 23; ++i) {
        const double exact = direct_convolution(line, variance, in, line.centre(i));
        worst = std::max(worst, std::fabs(out[static_cast<std::size_t>(i)] - exact));
        // row() at a cell centre is the same kernel.
        kernel.row(line.centre(i), log_k.data(), mean.data());
        LogSumExp sum;
        for (int j = 0; j < 23; ++j) {
          sum.add(log_k[static_cast<std::size_t>(j)] + in[static_cast<std::size_t>(j)]);
        }
        worst_row = std::max(worst_row, std::fabs(sum.value() - exact));
      }
      INFO("images " << static_cast<int>(images) << ", variance " << variance << ": apply error "
                     << worst << ", row error " << worst_row);
      CHECK(worst < 1e-13);
      CHECK(worst_row < 1e-13);
    }
  }
}

TEST_CASE("Log-domain line convolution: a constant shifts exactly, the kernel sums to one, and "
          "splitting the outputs changes no bit",
          "[solvers][hj]") {
  const int n = 400;
  for (const LineImages images : {LineImages::periodic, LineImages::mirror}) {
    const LineGeometry line{0.0, 0.01, n, images};
    const LogGaussianLine kernel(line, 0.05);
    // Sum of the kernel over the lattice: exp(0) convolves to exp(0) on a periodic or mirror line.
    std::vector<double> zero(n, 0.0);
    std::vector<double> out(n);
    kernel.apply(zero.data(), 0, n, out.data());
    double worst = 0;
    for (double v : out) {
      worst = std::max(worst, std::fabs(v));
    }
    INFO("images " << static_cast<int>(images) << ": |log sum of the kernel| " << worst);
    CHECK(worst < 1e-14);
    // log(K * exp(a - C)) = log(K * exp(a)) - C, with exp(a - C) = exp(-10000) = 0 in doubles.
    std::vector<double> in(n);
    for (int j = 0; j < n; ++j) {
      const double x = line.centre(j);
      in[static_cast<std::size_t>(j)] = -50 * (x - 0.3) * (x - 0.3) + std::cos(20 * x);
    }
    std::vector<double> shifted(in);
    for (double& v : shifted) {
      v -= 1e4;
    }
    std::vector<double> a(n);
    std::vector<double> b(n);
    kernel.apply(in.data(), 0, n, a.data());
    kernel.apply(shifted.data(), 0, n, b.data());
    double shift_error = 0;
    for (int i = 0; i < n; ++i) {
      shift_error = std::max(shift_error, std::fabs(b[static_cast<std::size_t>(i)] + 1e4 -
                                                    a[static_cast<std::size_t>(i)]));
    }
    INFO("shift error " << shift_error);
    CHECK(shift_error < 1e4 * 4e-16 * 8); // round-off of numbers near 1e4
    // Outputs computed in pieces have the same bits as in one call.
    std::vector<double> pieces(n);
    kernel.apply(in.data(), 0, 137, pieces.data());
    kernel.apply(in.data(), 137, n - 137, pieces.data() + 137);
    CHECK(pieces == a);
  }
}

TEST_CASE("A kernel much narrower than a cell is the identity", "[solvers][hj]") {
  const LineGeometry line{0.0, 0.1, 10, LineImages::mirror};
  const LogGaussianLine kernel(line, 1e-6); // s = 1e-3 h
  std::vector<double> in{3, -2, 7, 0.5, 1, 1e3, -1e3, 2, 2, 4};
  std::vector<double> out(10);
  kernel.apply(in.data(), 0, 10, out.data());
  for (std::size_t i = 0; i < 10; ++i) {
    CHECK(out[i] == Approx(in[i]).margin(1e-12));
  }
}
