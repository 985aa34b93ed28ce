// Helpers of the sampler tests: the tilted double well and batch-means estimates (Simpson's rule
// comes from tests/sde/sde_test_support.hpp).
#pragma once

#include "models/landscape.hpp"
#include "tests/sde/sde_test_support.hpp" // simpson

#include <cmath>
#include <cstddef>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

namespace relax::testing {

// f(x) = (x^2 - 1)^2 + tilt x: two wells of unequal depth.
class TiltedDoubleWell final : public Landscape {
public:
  explicit TiltedDoubleWell(double tilt = 0.3) : tilt_(tilt) {}
  int dim() const override { return 1; }
  std::string describe() const override { return "tilted double well"; }
  double value(const double* x) const override {
    const double u = x[0] * x[0] - 1.0;
    return u * u + tilt_ * x[0];
  }
  double gradient(const double* x, double* g) const override {
    g[0] = 4.0 * x[0] * (x[0] * x[0] - 1.0) + tilt_;
    return value(x);
  }

private:
  double tilt_;
};

// Mean of a series and its standard error from `batches` batch means (autocorrelation-robust).
struct Estimate {
  double mean;
  double se;
};
inline Estimate batch_means(const std::vector<double>& x, int batches = 40) {
  const std::size_t size = x.size() / static_cast<std::size_t>(batches);
  std::vector<double> means(static_cast<std::size_t>(batches));
  for (int b = 0; b < batches; ++b) {
    const auto first = x.begin() + static_cast<std::ptrdiff_t>(b * size);
    means[static_cast<std::size_t>(b)] =
        std::accumulate(first, first + static_cast<std::ptrdiff_t>(size), 0.0) /
        static_cast<double>(size);
  }
  const double mean = std::accumulate(means.begin(), means.end(), 0.0) / batches;
  double ss = 0;
  for (double m : means) {
    ss += (m - mean) * (m - mean);
  }
  return {mean, std::sqrt(ss / (batches - 1) / batches)};
}


} // namespace relax::testing
