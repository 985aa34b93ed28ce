// The Model the samplers drive (docs/theory.md): a loss summed over data samples and its gradient
// with respect to a flat parameter vector, on the whole data set or on a minibatch given by sample
// indices. Networks are Model<float> (learning/network.hpp); a low-dimensional Landscape is a
// Model<double> with one "sample" (LandscapeModel below). Pure: no MPI; data-parallel reductions
// happen in the sampler glue (sde/samplers.hpp). Implementations preallocate their workspaces, so a
// step allocates nothing.
#pragma once

#include "models/landscape.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace relax {

template <typename Real> class Model {
public:
  using real_type = Real;
  virtual ~Model() = default;

  virtual std::size_t parameter_count() const = 0;
  /// Number of data samples N the loss is summed over (1 for a landscape).
  virtual std::size_t sample_count() const = 0;
  virtual std::string describe() const = 0;

  /// Sum over the samples `samples[0..n)` of the per-sample loss at `params`; writes `scale` times
  /// the gradient of that sum into `gradient[0..parameter_count())` (overwritten; scale = 1/batch
  /// gives the mean gradient without another pass over the parameters). n may be 0 (loss 0,
  /// gradient 0).
  virtual double loss_and_gradient(const Real* params, const std::size_t* samples, std::size_t n,
                                   Real* gradient, Real scale) = 0;
  /// The same sum without the gradient.
  virtual double loss(const Real* params, const std::size_t* samples, std::size_t n) = 0;
  /// Training mode (the default: batch statistics, dropout) or evaluation mode (running
  /// statistics, no dropout); a model without such layers ignores it.
  virtual void set_training(bool /*training*/) {}
  /// Misclassified samples among `samples[0..n)` (0 for a model that does not classify).
  virtual std::size_t error_count(const Real* /*params*/, const std::size_t* /*samples*/,
                                  std::size_t /*n*/) {
    return 0;
  }
};

/// A Landscape f : R^d -> R as a Model<double> with one sample: loss = f(params), gradient =
/// grad f. The samplers' statistical tests run on it, where closed forms and quadratures exist.
class LandscapeModel final : public Model<double> {
public:
  explicit LandscapeModel(std::shared_ptr<const Landscape> landscape)
      : landscape_(std::move(landscape)) {}

  std::size_t parameter_count() const override {
    return static_cast<std::size_t>(landscape_->dim());
  }
  std::size_t sample_count() const override { return 1; }
  std::string describe() const override { return landscape_->describe(); }
  const Landscape& landscape() const { return *landscape_; }

  double loss_and_gradient(const double* params, const std::size_t* /*samples*/, std::size_t n,
                           double* gradient, double scale) override {
    if (n == 0) {
      for (std::size_t k = 0; k < parameter_count(); ++k) {
        gradient[k] = 0.0;
      }
      return 0.0;
    }
    const double f = landscape_->gradient(params, gradient);
    for (std::size_t k = 0; k < parameter_count(); ++k) {
      gradient[k] *= scale * static_cast<double>(n); // n copies of the one sample
    }
    return static_cast<double>(n) * f;
  }
  double loss(const double* params, const std::size_t* /*samples*/, std::size_t n) override {
    return n == 0 ? 0.0 : static_cast<double>(n) * landscape_->value(params);
  }

private:
  std::shared_ptr<const Landscape> landscape_;
};

} // namespace relax
