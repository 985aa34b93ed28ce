// An independent gamma* of the rugged landscape, shared by the models/ and solvers/ tests: the
// local entropy f_gamma(x) = -log int G_gamma(x - y) exp(-f(y)) dy by 10-point Gauss–Legendre on
// panels of width 0.01 (not the trapezoid lattice of test_rugged_landscape.cpp, not the Cole–Hopf
// convolution), minimized over continuous x by golden-section search (not on a grid), and gamma*
// as the root of Delta(gamma) = min_valley f_gamma - min_sharp f_gamma by bisection.
#pragma once

#include "models/landscapes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>

namespace relax::testing {

class RuggedLocalEntropy {
public:
  explicit RuggedLocalEntropy(const RuggedLandscape& rugged) : rugged_(rugged) {}

  /// f_gamma(x): the integrand is restricted to |y - x| <= 12 sqrt(gamma) (the rest is below
  /// e^-72 of the peak) and to the box [-4, 4] (the wall confines: exp(-f) < 1e-4 at its edges
  /// and falls as exp(-(x/3.2)^8) beyond). Panels of 0.01 resolve the sharp well (width 0.05)
  /// and the ripple (period 0.15): 10-point Gauss–Legendre is then accurate to ~1e-15 relative.
  double value(double gamma, double x) const {
    const double reach = 12 * std::sqrt(gamma);
    const double lo = std::max(-4.0, x - reach);
    const double hi = std::min(4.0, x + reach);
    const int panels = std::max(1, static_cast<int>(std::ceil((hi - lo) / 0.01)));
    const double width = (hi - lo) / panels;
    const double norm = 1 / std::sqrt(2 * M_PI * gamma);
    double sum = 0;
    for (int k = 0; k < panels; ++k) {
      const double mid = lo + (k + 0.5) * width;
      for (std::size_t j = 0; j < nodes.size(); ++j) {
        for (const double sign : {-1.0, 1.0}) {
          const double y = mid + sign * 0.5 * width * nodes[j];
          const double d = x - y;
          sum += 0.5 * width * weights[j] * norm * std::exp(-d * d / (2 * gamma)) *
                 std::exp(-rugged_.value(&y));
        }
      }
    }
    return -std::log(sum);
  }

  /// The minimum of f_gamma over [a, b]: a scan at spacing 0.01 (below the kernel width
  /// sqrt(gamma) >= 0.17, so f_gamma has at most one minimum between scan points) refined by
  /// golden-section search to 1e-9 in x.
  struct Minimum {
    double x = 0;
    double value = 0;
  };
  Minimum minimum(double gamma, double a, double b) const {
    const auto f = [&](double x) { return value(gamma, x); };
    const int n = static_cast<int>(std::lround((b - a) / 0.01));
    int best = 0;
    double best_value = HUGE_VAL;
    for (int i = 0; i <= n; ++i) {
      const double v = f(a + i * (b - a) / n);
      if (v < best_value) {
        best_value = v;
        best = i;
      }
    }
    double lo = a + std::max(best - 1, 0) * (b - a) / n;
    double hi = a + std::min(best + 1, n) * (b - a) / n;
    const double r = 0.5 * (std::sqrt(5.0) - 1);
    double x1 = hi - r * (hi - lo);
    double x2 = lo + r * (hi - lo);
    double f1 = f(x1);
    double f2 = f(x2);
    while (hi - lo > 1e-9) {
      if (f1 < f2) {
        hi = x2;
        x2 = x1;
        f2 = f1;
        x1 = hi - r * (hi - lo);
        f1 = f(x1);
      } else {
        lo = x1;
        x1 = x2;
        f1 = f2;
        x2 = lo + r * (hi - lo);
        f2 = f(x2);
      }
    }
    return {0.5 * (lo + hi), f(0.5 * (lo + hi))};
  }

  /// min over the wide valley (+-2 widths) minus min over the sharp well (+-0.1): > 0 while the
  /// sharp minimum wins.
  double delta(double gamma) const {
    const RuggedParameters& q = rugged_.parameters();
    return minimum(gamma, q.valley_centre - 2 * q.valley_width,
                   q.valley_centre + 2 * q.valley_width)
               .value -
           minimum(gamma, q.sharp_centre - 0.1, q.sharp_centre + 0.1).value;
  }

  /// gamma* by bisection of delta on [0.03, 0.07] to `tolerance`.
  double gamma_star(double tolerance = 1e-7) const {
    double below = 0.03;
    double above = 0.07;
    while (above - below > tolerance) {
      const double middle = 0.5 * (below + above);
      (delta(middle) > 0 ? below : above) = middle;
    }
    return 0.5 * (below + above);
  }

  /// f_gamma'' at x by a central difference of step 1e-3 (f_gamma is smooth on the scale
  /// sqrt(gamma) ~ 0.2, so the O(step^2) error is ~1e-5 relative).
  double curvature(double gamma, double x) const {
    const double s = 1e-3;
    return (value(gamma, x + s) - 2 * value(gamma, x) + value(gamma, x - s)) / (s * s);
  }

  /// The band a grid-based gamma* must fall in around the independent one: a minimum sampled on
  /// points spaced h is too high by at most f_gamma'' (h/2)^2 / 2 at each of the two minima, which
  /// moves the root of delta by that over |d delta / d gamma|; plus half the grid method's
  /// bisection bracket and this method's own.
  double grid_band(double gamma, double h, double bisection) const {
    const RuggedParameters& q = rugged_.parameters();
    const Minimum valley =
        minimum(gamma, q.valley_centre - 2 * q.valley_width, q.valley_centre + 2 * q.valley_width);
    const Minimum sharp = minimum(gamma, q.sharp_centre - 0.1, q.sharp_centre + 0.1);
    const double sampling =
        (std::fabs(curvature(gamma, valley.x)) + std::fabs(curvature(gamma, sharp.x))) * (h / 2) *
        (h / 2) / 2;
    const double dg = 1e-4;
    const double slope = (delta(gamma + dg) - delta(gamma - dg)) / (2 * dg);
    return sampling / std::fabs(slope) + bisection / 2 + 1e-7;
  }

private:
  static constexpr std::array<double, 5> nodes = {0.1488743389816312, 0.4333953941292472,
                                                  0.6794095682990244, 0.8650633666889845,
                                                  0.9739065285171717};
  static constexpr std::array<double, 5> weights = {0.2955242247147529, 0.2692667193099963,
                                                    0.2190863625659820, 0.1494513491505806,
                                                    0.0666713443086881};
  const RuggedLandscape& rugged_;
};

} // namespace relax::testing
