#include "learning/mlp.hpp"

#include "core/error.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace relax {

namespace {

// C (m x n) = A (m x k) * op(B) + beta C, row-major; op(B) = B^T when b_transposed (B is n x k).
void gemm(bool a_transposed, bool b_transposed, std::size_t m, std::size_t n, std::size_t k,
          const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
          std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, a_transposed ? CblasTrans : CblasNoTrans,
              b_transposed ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

void gemm(bool a_transposed, bool b_transposed, std::size_t m, std::size_t n, std::size_t k,
          const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, a_transposed ? CblasTrans : CblasNoTrans,
              b_transposed ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c,
              static_cast<int>(ldc));
}

std::string join(const std::vector<int>& layers) {
  std::string text;
  for (int width : layers) {
    text += (text.empty() ? "" : "-") + std::to_string(width);
  }
  return text;
}

} // namespace

std::vector<int> mnistfc_layers() {
  return {784, 1024, 1024, 10};
}

template <typename Real>
BasicMlp<Real>::BasicMlp(std::vector<int> layers, const Dataset& data, std::size_t batch_capacity)
    : layers_(std::move(layers)), data_(&data), capacity_(batch_capacity) {
  if (layers_.size() < 2 || static_cast<std::size_t>(layers_.front()) != data.features ||
      static_cast<std::size_t>(layers_.back()) != data.classes) {
    throw InputError("net.layers = '" + join(layers_) +
                     "': expected at least two widths, the first " + std::to_string(data.features) +
                     " (inputs) and the last " + std::to_string(data.classes) + " (classes)");
  }
  if (capacity_ == 0) {
    throw Error("BasicMlp: batch capacity must be >= 1");
  }
  for (std::size_t l = 0; l + 1 < layers_.size(); ++l) {
    offsets_.push_back(parameter_count_);
    parameter_count_ +=
        static_cast<std::size_t>(layers_[l + 1]) * (static_cast<std::size_t>(layers_[l]) + 1);
  }
  const int widest = *std::max_element(layers_.begin(), layers_.end());
  for (int width : layers_) {
    activations_.emplace_back(capacity_ * static_cast<std::size_t>(width));
  }
  delta_.resize(capacity_ * static_cast<std::size_t>(widest));
  delta_next_.resize(capacity_ * static_cast<std::size_t>(widest));
  all_samples_.resize(data.count);
  std::iota(all_samples_.begin(), all_samples_.end(), std::size_t{0});
}

template <typename Real> std::string BasicMlp<Real>::describe() const {
  return "mlp(" + join(layers_) + ", relu, softmax cross-entropy)";
}

template <typename Real>
double BasicMlp<Real>::block(const Real* params, const std::size_t* samples, std::size_t n,
                             Real* gradient, Real scale, bool accumulate, std::size_t* errors) {
  const std::size_t layer_count = layers_.size() - 1;
  const auto width = [&](std::size_t l) { return static_cast<std::size_t>(layers_[l]); };

  // Gather the inputs of the block.
  Real* x = activations_[0].data();
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = data_->row(samples[i]);
    std::copy(row, row + width(0), x + i * width(0));
  }

  // Forward: Z = A W^T + b, then ReLU on hidden layers (fused with the bias broadcast).
  for (std::size_t l = 0; l < layer_count; ++l) {
    const Real* w = params + weight_offset(l);
    const Real* b = params + bias_offset(l);
    Real* z = activations_[l + 1].data();
    const std::size_t out = width(l + 1);
    for (std::size_t i = 0; i < n; ++i) {
      std::copy(b, b + out, z + i * out);
    }
    gemm(false, true, n, out, width(l), activations_[l].data(), width(l), w, width(l), Real(1), z,
         out);
    if (l + 1 < layer_count) {
      for (std::size_t k = 0; k < n * out; ++k) {
        z[k] = std::max(z[k], Real(0));
      }
    }
  }

  // Softmax cross-entropy, fused: loss_i = log sum exp(z - max) + max - z_label; its gradient
  // with respect to the logits, softmax - onehot, overwrites the logits' block in delta_.
  const std::size_t classes = width(layer_count);
  const Real* logits = activations_[layer_count].data();
  double loss_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Real* z = logits + i * classes;
    const std::size_t label = data_->labels[samples[i]];
    const std::size_t argmax = static_cast<std::size_t>(std::max_element(z, z + classes) - z);
    const Real top = z[argmax];
    Real sum = 0;
    Real* d = delta_.data() + i * classes;
    for (std::size_t c = 0; c < classes; ++c) {
      d[c] = std::exp(z[c] - top);
      sum += d[c];
    }
    loss_sum += static_cast<double>(std::log(sum) + top - z[label]);
    if (errors != nullptr && argmax != label) {
      ++*errors;
    }
    if (gradient != nullptr) {
      const Real inverse = scale / sum;
      for (std::size_t c = 0; c < classes; ++c) {
        d[c] *= inverse;
      }
      d[label] -= scale;
    }
  }
  if (gradient == nullptr) {
    return loss_sum;
  }

  // Backward: dW = delta^T A, db = column sums of delta, delta_prev = (delta W) * [A > 0].
  for (std::size_t l = layer_count; l-- > 0;) {
    const std::size_t out = width(l + 1);
    const std::size_t in = width(l);
    const Real* a = activations_[l].data();
    Real* dw = gradient + weight_offset(l);
    Real* db = gradient + bias_offset(l);
    gemm(true, false, out, in, n, delta_.data(), out, a, in, accumulate ? Real(1) : Real(0), dw,
         in);
    if (!accumulate) {
      std::fill(db, db + out, Real(0));
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Real* d = delta_.data() + i * out;
      for (std::size_t c = 0; c < out; ++c) {
        db[c] += d[c];
      }
    }
    if (l > 0) {
      gemm(false, false, n, in, out, delta_.data(), out, params + weight_offset(l), in, Real(0),
           delta_next_.data(), in);
      for (std::size_t k = 0; k < n * in; ++k) {
        delta_next_[k] = a[k] > Real(0) ? delta_next_[k] : Real(0);
      }
      std::swap(delta_, delta_next_);
    }
  }
  return loss_sum;
}

template <typename Real>
double BasicMlp<Real>::loss_and_gradient(const Real* params, const std::size_t* samples,
                                         std::size_t n, Real* gradient, Real scale) {
  if (n == 0) {
    std::fill(gradient, gradient + parameter_count_, Real(0));
    return 0.0;
  }
  double sum = 0;
  for (std::size_t start = 0; start < n; start += capacity_) {
    const std::size_t count = std::min(capacity_, n - start);
    sum += block(params, samples + start, count, gradient, scale, start > 0, nullptr);
  }
  return sum;
}

template <typename Real>
double BasicMlp<Real>::loss(const Real* params, const std::size_t* samples, std::size_t n) {
  double sum = 0;
  for (std::size_t start = 0; start < n; start += capacity_) {
    sum += block(params, samples + start, std::min(capacity_, n - start), nullptr, Real(0), false,
                 nullptr);
  }
  return sum;
}

template <typename Real>
std::size_t BasicMlp<Real>::error_count(const Real* params, const std::size_t* samples,
                                        std::size_t n) {
  std::size_t errors = 0;
  for (std::size_t start = 0; start < n; start += capacity_) {
    block(params, samples + start, std::min(capacity_, n - start), nullptr, Real(0), false,
          &errors);
  }
  return errors;
}

template <typename Real>
typename BasicMlp<Real>::Evaluation BasicMlp<Real>::evaluate(const Real* params, std::size_t first,
                                                             std::size_t count) {
  Evaluation result;
  const std::size_t end = std::min(first + count, all_samples_.size());
  for (std::size_t start = first; start < end; start += capacity_) {
    result.loss += block(params, all_samples_.data() + start, std::min(capacity_, end - start),
                         nullptr, Real(0), false, &result.errors);
  }
  return result;
}

template class BasicMlp<float>;
template class BasicMlp<double>;

void declare_net_options(OptionSet& options) {
  options.integers("net.layers", "784,1024,1024,10", "",
                   "layer widths, input first and classes last (784,1024,1024,10 = mnistfc; "
                   "784,256,10 = the small net)");
}

std::vector<int> make_net_layers(const Config& config) {
  std::vector<int> layers;
  for (long width : config.integers("net.layers")) {
    if (width < 1 || width > std::numeric_limits<int>::max()) {
      throw InputError("net.layers = '" + config.text("net.layers") +
                       "': expected positive widths");
    }
    layers.push_back(static_cast<int>(width));
  }
  if (layers.size() < 2) {
    throw InputError("net.layers = '" + config.text("net.layers") +
                     "': expected at least two widths (inputs and classes)");
  }
  return layers;
}

} // namespace relax
