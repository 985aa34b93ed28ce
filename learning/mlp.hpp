// A multilayer perceptron with ReLU hidden layers and a fused softmax cross-entropy loss, as a
// Model over a labelled Dataset (docs/theory.md, §5). Forward and backward passes are BLAS GEMMs
// (CBLAS from OpenBLAS) on row-major minibatch blocks; bias + ReLU and softmax + cross-entropy are
// fused loops; all workspaces are allocated once, so a training step allocates nothing.
// Networks train in float (Mlp); the double instantiation is the precision check path of the
// backprop-vs-finite-difference test.
#pragma once

#include "core/config.hpp"
#include "learning/dataset.hpp"
#include "learning/model.hpp"

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace relax {

/// "784-1024-1024-10" (mnistfc, no batch-norm), the default network of `relax train`.
std::vector<int> mnistfc_layers();

template <typename Real> class BasicMlp final : public Model<Real> {
public:
  /// `layers` are the widths, input first (== data.features) and classes last (== data.classes);
  /// `batch_capacity` is the largest block evaluated at once (larger requests run in blocks).
  /// InputError naming net.layers when the widths do not fit the data. `data` must outlive this.
  BasicMlp(std::vector<int> layers, const Dataset& data, std::size_t batch_capacity);

  std::size_t parameter_count() const override { return parameter_count_; }
  std::size_t sample_count() const override { return data_->count; }
  std::string describe() const override;
  const std::vector<int>& layers() const { return layers_; }

  double loss_and_gradient(const Real* params, const std::size_t* samples, std::size_t n,
                           Real* gradient, Real scale) override;
  double loss(const Real* params, const std::size_t* samples, std::size_t n) override;
  std::size_t error_count(const Real* params, const std::size_t* samples, std::size_t n) override;

  /// Loss summed over and errors among the samples first .. first + count - 1 of the data set
  /// (ranks split an evaluation into such ranges).
  struct Evaluation {
    double loss = 0;
    std::size_t errors = 0;
  };
  Evaluation evaluate(const Real* params, std::size_t first, std::size_t count);

  /// PyTorch's nn.Linear default: weights kaiming-uniform with a = sqrt(5), i.e. uniform on
  /// +-1/sqrt(fan_in), and biases uniform on +-1/sqrt(fan_in). `uniform(k)` returns the uniform
  /// (0, 1) number for parameter k (counter-based, so the result does not depend on who calls).
  template <typename Uniform> void initialize(Real* params, Uniform&& uniform) const {
    std::size_t k = 0;
    for (std::size_t l = 0; l + 1 < layers_.size(); ++l) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(layers_[l]));
      const std::size_t count =
          static_cast<std::size_t>(layers_[l + 1]) * (static_cast<std::size_t>(layers_[l]) + 1);
      for (std::size_t i = 0; i < count; ++i, ++k) {
        params[k] = static_cast<Real>(bound * (2.0 * uniform(k) - 1.0));
      }
    }
  }

private:
  // One block of at most batch_capacity samples: forward (and backward of scale x the loss sum
  // when gradient != null, accumulating into it when accumulate). Returns the loss sum; counts
  // errors into *errors.
  double block(const Real* params, const std::size_t* samples, std::size_t n, Real* gradient,
               Real scale, bool accumulate, std::size_t* errors);
  std::size_t weight_offset(std::size_t layer) const { return offsets_[layer]; }
  std::size_t bias_offset(std::size_t layer) const {
    return offsets_[layer] +
           static_cast<std::size_t>(layers_[layer]) * static_cast<std::size_t>(layers_[layer + 1]);
  }

  std::vector<int> layers_;
  const Dataset* data_;
  std::size_t capacity_;
  std::size_t parameter_count_ = 0;
  std::vector<std::size_t> offsets_;           // start of layer l's weights in the flat vector
  std::vector<std::vector<Real>> activations_; // per layer: capacity x width (post-ReLU)
  std::vector<Real> delta_;                    // capacity x max width
  std::vector<Real> delta_next_;               // capacity x max width
  std::vector<std::size_t> all_samples_;       // 0..count-1, for evaluate
};

using Mlp = BasicMlp<float>;

extern template class BasicMlp<float>;
extern template class BasicMlp<double>;

/// [net] layers.
void declare_net_options(OptionSet& options);
/// The layer widths from net.layers; InputError unless every width >= 1 and there are >= 2.
std::vector<int> make_net_layers(const Config& config);

} // namespace relax
