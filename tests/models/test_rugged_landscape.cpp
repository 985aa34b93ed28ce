// The rugged 1D landscape has the Entropy-SGD shape it promises: the global minimizer of f is the
// sharp isolated minimum, while the local entropy f_gamma = -log(G_gamma * exp(-f)) (nu = 1/2,
// Gaussian kernel of variance gamma) is minimized in the wide valley once gamma > gamma* (~0.0486).
// Checked by direct quadrature on the box [-4, 4], against an independent gamma* (Gauss–Legendre,
// continuous minimization: tests/models/rugged_local_entropy.hpp).
#include "models/landscapes.hpp"
#include "tests/models/rugged_local_entropy.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace relax;

namespace {

const double pi = std::acos(-1.0);
constexpr double box_lo = -4.0;
constexpr double box_hi = 4.0;

/// f_gamma on the box by the trapezoid rule: y_j = lo + j h (h = 1/400, 20 points per width of
/// the sharp well and 60 per ripple period; the trapezoid rule on these smooth integrands is
/// exponentially accurate), evaluated at every second node x_i = y_{2i}. The kernel then depends
/// only on j - 2i and is tabulated once per gamma, so the quadrature is a discrete convolution.
class LocalEntropy {
public:
  explicit LocalEntropy(const Landscape& landscape)
      : n_(static_cast<int>(std::lround((box_hi - box_lo) / h_)) + 1) {
    weights_.resize(static_cast<std::size_t>(n_));
    for (int j = 0; j < n_; ++j) {
      const double y = node(j);
      const double trapezoid = (j == 0 || j == n_ - 1) ? 0.5 : 1.0;
      weights_[static_cast<std::size_t>(j)] = trapezoid * h_ * std::exp(-landscape.value(&y));
    }
  }

  double node(int j) const { return box_lo + j * h_; }
  int evaluation_points() const { return (n_ + 1) / 2; }
  double evaluation_point(int i) const { return node(2 * i); }

  /// f_gamma at every evaluation point.
  std::vector<double> values(double gamma) const {
    std::vector<double> kernel(static_cast<std::size_t>(n_));
    for (int k = 0; k < n_; ++k) {
      const double distance = k * h_;
      kernel[static_cast<std::size_t>(k)] =
          std::exp(-distance * distance / (2 * gamma)) / std::sqrt(2 * pi * gamma);
    }
    std::vector<double> f_gamma(static_cast<std::size_t>(evaluation_points()));
    for (int i = 0; i < evaluation_points(); ++i) {
      double sum = 0;
      for (int j = 0; j < n_; ++j) {
        sum += kernel[static_cast<std::size_t>(std::abs(j - 2 * i))] *
               weights_[static_cast<std::size_t>(j)];
      }
      f_gamma[static_cast<std::size_t>(i)] = -std::log(sum);
    }
    return f_gamma;
  }

  double minimizer(double gamma) const {
    const std::vector<double> f_gamma = values(gamma);
    const auto best = std::min_element(f_gamma.begin(), f_gamma.end()) - f_gamma.begin();
    return evaluation_point(static_cast<int>(best));
  }

private:
  double h_ = 1.0 / 400;
  int n_;
  std::vector<double> weights_;
};

} // namespace

TEST_CASE("Rugged landscape: the global minimizer of f is the sharp isolated minimum", "[models]") {
  const RuggedLandscape rugged;
  const RuggedParameters& q = rugged.parameters();
  // Scan at spacing 1e-4: between nodes f can be lower by at most max|f'| 5e-5 < 0.01 (|f'| < 200).
  double sharp_min = HUGE_VAL, sharp_at = 0, elsewhere_min = HUGE_VAL, elsewhere_at = 0;
  int valley_minima = 0;
  double previous = HUGE_VAL, current = rugged.value(&box_lo);
  for (int j = 1; j <= 80000; ++j) {
    const double x = box_lo + j * 1e-4;
    const double f = rugged.value(&x);
    if (std::abs(x - q.sharp_centre) < 2 * q.sharp_width) {
      if (f < sharp_min) {
        sharp_min = f;
        sharp_at = x;
      }
    } else if (f < elsewhere_min) {
      elsewhere_min = f;
      elsewhere_at = x;
    }
    const double xc = x - 1e-4; // a strict local minimum of f at the previous node
    if (current < previous && current < f && std::abs(xc - q.valley_centre) < 2 * q.valley_width) {
      ++valley_minima;
    }
    previous = current;
    current = f;
  }
  CAPTURE(sharp_min, sharp_at, elsewhere_min, elsewhere_at, valley_minima);
  CHECK(std::abs(sharp_at - q.sharp_centre) < 0.01);
  CHECK(sharp_min < elsewhere_min - 1.0); // deeper by ~1.9, far beyond the scan's 0.01
  CHECK(std::abs(elsewhere_at - q.valley_centre) < q.valley_width); // the valley floor
  // "densely filled": one ripple minimum per period 0.15 across the valley +-2 widths
  CHECK(valley_minima >= 20);
  const double edges[] = {box_lo, box_hi};
  for (double x : edges) {
    CHECK(std::exp(-rugged.value(&x)) < 1e-4); // the wall confines: the box holds the mass
  }
}

TEST_CASE("Rugged landscape: the local entropy's minimizer moves from the sharp minimum into "
          "the wide valley at gamma* (independent quadrature)",
          "[models]") {
  const RuggedLandscape rugged;
  const RuggedParameters& q = rugged.parameters();
  const LocalEntropy local_entropy(rugged);
  const auto in_sharp_well = [&](double x) { return std::abs(x - q.sharp_centre) < 0.1; };
  const auto in_valley = [&](double x) {
    return std::abs(x - q.valley_centre) <= 2 * q.valley_width;
  };

  for (double gamma : {1e-4, 1e-3, 1e-2, 0.03, 0.045}) {
    const double x = local_entropy.minimizer(gamma);
    CAPTURE(gamma, x);
    CHECK(in_sharp_well(x));
  }
  for (double gamma : {0.052, 0.1, 0.3, 1.0, 3.0}) {
    const double x = local_entropy.minimizer(gamma);
    CAPTURE(gamma, x);
    CHECK(in_valley(x));
  }

  // The threshold by bisection to 1e-5. The evaluation grid (spacing 0.005) shifts the two
  // competing minima of f_gamma by at most f_gamma'' (0.0025)^2 / 2 ~ 1e-4, i.e. gamma* by ~1e-5.
  double below = 0.03, above = 0.07;
  while (above - below > 1e-5) {
    const double middle = 0.5 * (below + above);
    (in_sharp_well(local_entropy.minimizer(middle)) ? below : above) = middle;
  }
  const double threshold = 0.5 * (below + above);
  // Against gamma* of the independent method (to 1e-6), in the band the evaluation spacing 0.005
  // and the two bisections allow.
  const testing::RuggedLocalEntropy independent(rugged);
  const double gamma_star = independent.gamma_star(1e-6);
  const double band = independent.grid_band(gamma_star, 0.005, 1e-5) + 5e-7;
  CAPTURE(threshold, gamma_star, threshold - gamma_star, band);
  CHECK(std::abs(threshold - gamma_star) < band);
  // The sharp well wins just below gamma*, the valley just above (the root is a sign change).
  CHECK(independent.delta(gamma_star - 1e-3) > 0);
  CHECK(independent.delta(gamma_star + 1e-3) < 0);
}
