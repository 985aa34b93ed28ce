// The drift b(x) of dX = b dt + sqrt(2/beta(t)) dW (docs/theory.md): the gradient drift -grad f of
// a landscape plus an optional rotational part eps * J grad f, J the rotation by +90 degrees in the
// (x0, x1) plane. The rotational part is divergence-free and orthogonal to grad f, so Gibbs
// exp(-beta f)/Z stays stationary while the probability flux no longer vanishes. Pure math.
#pragma once

#include "core/config.hpp"
#include "models/landscape.hpp"

#include <cstddef>
#include <memory>

namespace relax {

class Drift {
public:
  /// InputError when rotation != 0 on a one-dimensional landscape.
  explicit Drift(std::shared_ptr<const Landscape> landscape, double rotation = 0.0);

  const Landscape& landscape() const { return *landscape_; }
  std::shared_ptr<const Landscape> landscape_ptr() const { return landscape_; }
  int dim() const { return landscape_->dim(); }
  double rotation() const { return rotation_; }
  /// True when b = -grad f exactly (the FP solver then uses the exact-Gibbs SG weights).
  bool is_gradient() const { return rotation_ == 0.0; }

  /// b(x) into b[0..dim).
  void evaluate(const double* x, double* b) const;
  /// Structure-of-arrays block with the layout of Landscape::evaluate_batch: b[d*stride + p].
  void evaluate_batch(std::size_t n, std::size_t stride, const double* x, double* b) const;

private:
  std::shared_ptr<const Landscape> landscape_;
  double rotation_;
};

/// [drift] rotation = eps (0: gradient dynamics).
void declare_drift_options(OptionSet& options);
Drift make_drift(const Config& config, std::shared_ptr<const Landscape> landscape);

} // namespace relax
