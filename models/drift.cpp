#include "models/drift.hpp"

#include "core/error.hpp"

#include <utility>

namespace relax {

Drift::Drift(std::shared_ptr<const Landscape> landscape, double rotation)
    : landscape_(std::move(landscape)), rotation_(rotation) {
  if (rotation_ != 0.0 && landscape_->dim() < 2) {
    throw InputError("drift.rotation = " + format_real(rotation_) +
                     ": a rotational drift needs a landscape of dimension >= 2");
  }
}

void Drift::evaluate(const double* x, double* b) const {
  landscape_->gradient(x, b);
  const double g0 = b[0];
  const double g1 = dim() > 1 ? b[1] : 0.0;
  for (int d = 0; d < dim(); ++d) {
    b[d] = -b[d];
  }
  if (rotation_ != 0.0) { // + eps * J grad f with J (g0, g1) = (-g1, g0)
    b[0] -= rotation_ * g1;
    b[1] += rotation_ * g0;
  }
}

void Drift::evaluate_batch(std::size_t n, std::size_t stride, const double* x, double* b) const {
  landscape_->evaluate_batch(n, stride, x, nullptr, b);
  const auto d = static_cast<std::size_t>(dim());
  for (std::size_t k = 0; k < d; ++k) {
    for (std::size_t p = 0; p < n; ++p) {
      b[k * stride + p] = -b[k * stride + p];
    }
  }
  if (rotation_ != 0.0) {
    double* b0 = b;
    double* b1 = b + stride;
    for (std::size_t p = 0; p < n; ++p) {
      const double minus_g0 = b0[p];
      const double minus_g1 = b1[p];
      b0[p] += rotation_ * minus_g1; // -g0 - eps g1
      b1[p] -= rotation_ * minus_g0; // -g1 + eps g0
    }
  }
}

void declare_drift_options(OptionSet& options) {
  options.real("drift.rotation", 0.0, "",
               "eps of the rotational drift eps*J*grad f added to -grad f (0: gradient dynamics)");
}

Drift make_drift(const Config& config, std::shared_ptr<const Landscape> landscape) {
  return Drift(std::move(landscape), config.real("drift.rotation"));
}

} // namespace relax
