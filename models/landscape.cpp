#include "models/landscape.hpp"

#include <vector>

namespace relax {

void Landscape::evaluate_batch(std::size_t n, std::size_t stride, const double* x, double* f,
                               double* g) const {
  const auto d = static_cast<std::size_t>(dim());
  std::vector<double> point(d);
  std::vector<double> gradient_at_point(d);
  for (std::size_t p = 0; p < n; ++p) {
    for (std::size_t k = 0; k < d; ++k) {
      point[k] = x[k * stride + p];
    }
    const double value_at_point = gradient(point.data(), gradient_at_point.data());
    if (f != nullptr) {
      f[p] = value_at_point;
    }
    if (g != nullptr) {
      for (std::size_t k = 0; k < d; ++k) {
        g[k * stride + p] = gradient_at_point[k];
      }
    }
  }
}

} // namespace relax
