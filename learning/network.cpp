#include "learning/network.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"
#include "sde/rng.hpp"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace relax {

namespace {

// The Philox stream of the dropout masks: the last of a replica's 16 training streams
// (learning/samplers.hpp, train_stream), which the samplers leave free.
constexpr std::uint32_t dropout_stream = 15;
// PyTorch's BatchNorm defaults.
constexpr double batch_norm_momentum = 0.1;
constexpr double batch_norm_epsilon = 1e-5;

// C (m x n) = op(A) (m x k) * op(B) (k x n) + beta C, row-major; empty products skipped.
void gemm(bool a_transposed, bool b_transposed, std::size_t m, std::size_t n, std::size_t k,
          const float* a, std::size_t lda, const float* b, std::size_t ldb, float beta, float* c,
          std::size_t ldc) {
  if (m == 0 || n == 0) {
    return;
  }
  cblas_sgemm(CblasRowMajor, a_transposed ? CblasTrans : CblasNoTrans,
              b_transposed ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

void gemm(bool a_transposed, bool b_transposed, std::size_t m, std::size_t n, std::size_t k,
          const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta,
          double* c, std::size_t ldc) {
  if (m == 0 || n == 0) {
    return;
  }
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

std::string format_rate(double rate) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", rate);
  return text;
}

template <typename Real> void relu(std::size_t count, Real* values) {
  for (std::size_t k = 0; k < count; ++k) {
    values[k] = std::max(values[k], Real(0));
  }
}

// delta <- delta * [out > 0]: the backward pass of a ReLU applied to `out`.
template <typename Real> void relu_backward(std::size_t count, const Real* out, Real* delta) {
  for (std::size_t k = 0; k < count; ++k) {
    delta[k] = out[k] > Real(0) ? delta[k] : Real(0);
  }
}

} // namespace

/// What a layer's forward and backward passes see besides its arrays.
struct LayerPass {
  std::size_t n = 0;                    // samples in the block
  const std::size_t* samples = nullptr; // their dataset indices (dropout keys)
  bool training = true;                 // batch statistics and dropout
  std::uint64_t counter = 0;            // dropout: the gradient evaluation
  std::uint32_t seed = 0;               // dropout: the seed
  const std::function<void(double*, std::size_t)>* reduction = nullptr; // batch norm sums
};

// Layout of an activation block of n samples: `channels` x `spatial` values per sample, stored
// sample-major (dense: value (i, c) at i * channels + c, spatial = 1) or channel-major
// (convolutions: value (c, i, p) at (c * n + i) * spatial + p).
struct Layout {
  std::size_t channels = 0;
  std::size_t spatial = 1;
  bool channel_major = false;
  std::size_t size() const { return channels * spatial; }
};

template <typename Real> class Layer {
public:
  virtual ~Layer() = default;
  virtual Layout input() const = 0;
  virtual Layout output() const = 0;
  virtual std::size_t parameter_count() const { return 0; }
  /// Parameters of this layer at params[0..); `first` is the index of params[0] in the network.
  virtual void initialize(Real* /*params*/, const std::function<double(std::size_t)>& /*uniform*/,
                          std::size_t /*first*/) const {}
  virtual std::string describe() const = 0;
  virtual void forward(const Real* params, const Real* in, Real* out, const LayerPass& pass) = 0;
  /// delta = dLoss/d(out) (may be overwritten); writes dLoss/d(in) into delta_in unless null, and
  /// the parameter gradient into gradient (added to it when accumulate).
  virtual void backward(const Real* params, const Real* in, const Real* out, Real* delta,
                        Real* delta_in, Real* gradient, bool accumulate, const LayerPass& pass) = 0;
  virtual std::size_t buffer_count() const { return 0; }
  virtual void save_buffers(double* /*out*/) const {}
  virtual void load_buffers(const double* /*in*/) {}
};

namespace {

// PyTorch's default initialization of a weight block and its bias: uniform on +-1/sqrt(fan_in).
template <typename Real>
void kaiming_uniform(Real* params, std::size_t count, std::size_t fan_in,
                     const std::function<double(std::size_t)>& uniform, std::size_t first) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  for (std::size_t i = 0; i < count; ++i) {
    params[i] = static_cast<Real>(bound * (2.0 * uniform(first + i) - 1.0));
  }
}

// z = x W^T + b on sample-major blocks (W: out x in, then b: out), then ReLU when `relu`.
template <typename Real> class Dense final : public Layer<Real> {
public:
  Dense(std::size_t in, std::size_t out, bool relu) : in_(in), out_(out), relu_(relu) {}
  Layout input() const override { return {in_, 1, false}; }
  Layout output() const override { return {out_, 1, false}; }
  std::size_t parameter_count() const override { return out_ * (in_ + 1); }
  void initialize(Real* params, const std::function<double(std::size_t)>& uniform,
                  std::size_t first) const override {
    kaiming_uniform(params, parameter_count(), in_, uniform, first);
  }
  std::string describe() const override { return "dense " + std::to_string(out_); }

  void forward(const Real* params, const Real* in, Real* out, const LayerPass& pass) override {
    const Real* b = params + in_ * out_;
    for (std::size_t i = 0; i < pass.n; ++i) {
      std::copy(b, b + out_, out + i * out_);
    }
    gemm(false, true, pass.n, out_, in_, in, in_, params, in_, Real(1), out, out_);
    if (relu_) {
      relu(pass.n * out_, out);
    }
  }

  void backward(const Real* params, const Real* in, const Real* out, Real* delta, Real* delta_in,
                Real* gradient, bool accumulate, const LayerPass& pass) override {
    const std::size_t n = pass.n;
    if (relu_) {
      relu_backward(n * out_, out, delta);
    }
    Real* db = gradient + in_ * out_;
    gemm(true, false, out_, in_, n, delta, out_, in, in_, accumulate ? Real(1) : Real(0), gradient,
         in_);
    if (!accumulate) {
      std::fill(db, db + out_, Real(0));
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Real* d = delta + i * out_;
      for (std::size_t c = 0; c < out_; ++c) {
        db[c] += d[c];
      }
    }
    if (delta_in != nullptr) {
      gemm(false, false, n, in_, out_, delta, out_, params, in_, Real(0), delta_in, in_);
    }
  }

private:
  std::size_t in_, out_;
  bool relu_;
};

// Batch normalization per channel (PyTorch's BatchNorm1d/2d: biased variance in the
// normalization, unbiased in the running average, momentum 0.1, epsilon 1e-5), scale gamma and
// shift beta (parameters: gamma[C], then beta[C]), then ReLU when `relu`. The statistics are
// summed through pass.reduction: over the global minibatch, in one pass and one reduction, as
// sums of d = x - (running mean) and d^2 in double (the shift is the same on every rank and near
// the batch mean, so var = <d^2> - <d>^2 loses nothing in double).
template <typename Real> class BatchNorm final : public Layer<Real> {
public:
  BatchNorm(Layout layout, bool relu, std::size_t capacity)
      : layout_(layout), relu_(relu), normalized_(capacity * layout.size()),
        running_mean_(layout.channels, 0.0), running_var_(layout.channels, 1.0),
        mean_(layout.channels), inverse_std_(layout.channels), sums_(2 * layout.channels + 1),
        scale_(layout.channels), shift_(layout.channels), extra_(layout.channels) {}
  Layout input() const override { return layout_; }
  Layout output() const override { return layout_; }
  std::size_t parameter_count() const override { return 2 * layout_.channels; }
  void initialize(Real* params, const std::function<double(std::size_t)>& /*uniform*/,
                  std::size_t /*first*/) const override {
    std::fill(params, params + layout_.channels, Real(1));
    std::fill(params + layout_.channels, params + 2 * layout_.channels, Real(0));
  }
  std::string describe() const override { return "batch norm"; }
  std::size_t buffer_count() const override { return 2 * layout_.channels; }
  void save_buffers(double* out) const override {
    std::copy(running_mean_.begin(), running_mean_.end(), out);
    std::copy(running_var_.begin(), running_var_.end(), out + layout_.channels);
  }
  void load_buffers(const double* in) override {
    std::copy(in, in + layout_.channels, running_mean_.begin());
    std::copy(in + layout_.channels, in + 2 * layout_.channels, running_var_.begin());
  }

  void forward(const Real* params, const Real* in, Real* out, const LayerPass& pass) override {
    const std::size_t channels = layout_.channels;
    if (pass.training) {
      // sums_: [sum d, sum d^2] per channel, then the local count.
      for (std::size_t c = 0; c < channels; ++c) {
        extra_[c] = static_cast<Real>(running_mean_[c]);
      }
      sum_products(pass.n, in, extra_.data(), nullptr);
      sums_[2 * channels] = static_cast<double>(pass.n * layout_.spatial);
      reduce(pass, sums_.data(), 2 * channels + 1);
      count_ = sums_[2 * channels];
      for (std::size_t c = 0; c < channels; ++c) {
        const double shifted_mean = count_ > 0 ? sums_[c] / count_ : 0.0;
        const double variance =
            count_ > 0 ? std::max(sums_[channels + c] / count_ - shifted_mean * shifted_mean, 0.0)
                       : 0.0;
        mean_[c] = static_cast<double>(extra_[c]) + shifted_mean;
        inverse_std_[c] = 1.0 / std::sqrt(variance + batch_norm_epsilon);
        const double unbiased = count_ > 1 ? variance * count_ / (count_ - 1) : variance;
        running_mean_[c] =
            (1 - batch_norm_momentum) * running_mean_[c] + batch_norm_momentum * mean_[c];
        running_var_[c] =
            (1 - batch_norm_momentum) * running_var_[c] + batch_norm_momentum * unbiased;
      }
    } else {
      for (std::size_t c = 0; c < channels; ++c) {
        mean_[c] = running_mean_[c];
        inverse_std_[c] = 1.0 / std::sqrt(running_var_[c] + batch_norm_epsilon);
      }
    }
    // normalized = (x - mean) inverse_std = x scale + shift; out = gamma normalized + beta.
    for (std::size_t c = 0; c < channels; ++c) {
      scale_[c] = static_cast<Real>(inverse_std_[c]);
      shift_[c] = static_cast<Real>(-mean_[c] * inverse_std_[c]);
    }
    channel_affine(pass.n, in, scale_.data(), nullptr, nullptr, shift_.data(), normalized_.data());
    channel_affine(pass.n, normalized_.data(), params, nullptr, nullptr, params + channels, out);
    if (relu_) {
      relu(pass.n * layout_.size(), out);
    }
  }

  void backward(const Real* params, const Real* /*in*/, const Real* out, Real* delta,
                Real* delta_in, Real* gradient, bool accumulate, const LayerPass& pass) override {
    const std::size_t channels = layout_.channels;
    if (relu_) {
      relu_backward(pass.n * layout_.size(), out, delta);
    }
    // sums_: [sum delta, sum delta * normalized] per channel.
    const Real* normalized = normalized_.data();
    sum_products(pass.n, delta, nullptr, normalized);
    Real* dgamma = gradient;
    Real* dbeta = gradient + channels;
    for (std::size_t c = 0; c < channels; ++c) {
      dgamma[c] = static_cast<Real>((accumulate ? dgamma[c] : 0.0) + sums_[channels + c]);
      dbeta[c] = static_cast<Real>((accumulate ? dbeta[c] : 0.0) + sums_[c]);
    }
    if (delta_in == nullptr) {
      return;
    }
    const Real* gamma = params;
    // delta_in = gamma inverse_std (delta - <delta> - normalized <delta normalized>) in training
    // (the statistics depend on the input), gamma inverse_std delta with fixed statistics:
    // delta_in = delta scale + normalized shift + extra.
    if (pass.training) {
      reduce(pass, sums_.data(), 2 * channels);
    }
    for (std::size_t c = 0; c < channels; ++c) {
      const double factor = static_cast<double>(gamma[c]) * inverse_std_[c];
      scale_[c] = static_cast<Real>(factor);
      shift_[c] = pass.training ? static_cast<Real>(-factor * sums_[channels + c] / count_) : 0;
      extra_[c] = pass.training ? static_cast<Real>(-factor * sums_[c] / count_) : 0;
    }
    channel_affine(pass.n, delta, scale_.data(), normalized, shift_.data(), extra_.data(),
                   delta_in);
  }

private:
  // out = x a[c] + z d[c] + b[c] for every value with its channel c (no z term when z is null).
  void channel_affine(std::size_t n, const Real* x, const Real* a, const Real* z, const Real* d,
                      const Real* b, Real* out) const {
    const std::size_t channels = layout_.channels;
    if (layout_.channel_major) {
      const std::size_t run = n * layout_.spatial;
      for (std::size_t c = 0; c < channels; ++c) {
        const Real ac = a[c];
        const Real bc = b[c];
        const Real* xc = x + c * run;
        Real* oc = out + c * run;
        if (z == nullptr) {
          for (std::size_t j = 0; j < run; ++j) {
            oc[j] = xc[j] * ac + bc;
          }
        } else {
          const Real dc = d[c];
          const Real* zc = z + c * run;
          for (std::size_t j = 0; j < run; ++j) {
            oc[j] = xc[j] * ac + zc[j] * dc + bc;
          }
        }
      }
      return;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const Real* xi = x + i * channels;
      Real* oi = out + i * channels;
      if (z == nullptr) {
        for (std::size_t c = 0; c < channels; ++c) {
          oi[c] = xi[c] * a[c] + b[c];
        }
      } else {
        const Real* zi = z + i * channels;
        for (std::size_t c = 0; c < channels; ++c) {
          oi[c] = xi[c] * a[c] + zi[c] * d[c] + b[c];
        }
      }
    }
  }
  // sums_[c] = sum of u, sums_[C + c] = sum of u * v with u = a - centre[c] and v = (other ?
  // other : u), accumulated in double with eight independent partial sums (vectorizable).
  void sum_products(std::size_t n, const Real* a, const Real* centre, const Real* other) {
    const std::size_t channels = layout_.channels;
    std::fill(sums_.begin(), sums_.end(), 0.0);
    if (layout_.channel_major) {
      const std::size_t run = n * layout_.spatial;
      for (std::size_t c = 0; c < channels; ++c) {
        const Real* x = a + c * run;
        const Real* y = other != nullptr ? other + c * run : nullptr;
        const Real shift = centre != nullptr ? centre[c] : Real(0);
        double first[8] = {}, second[8] = {};
        std::size_t j = 0;
        for (; j + 8 <= run; j += 8) {
          for (std::size_t w = 0; w < 8; ++w) {
            const double u = static_cast<double>(x[j + w] - shift);
            const double v = y != nullptr ? static_cast<double>(y[j + w]) : u;
            first[w] += u;
            second[w] += u * v;
          }
        }
        for (; j < run; ++j) {
          const double u = static_cast<double>(x[j] - shift);
          const double v = y != nullptr ? static_cast<double>(y[j]) : u;
          first[0] += u;
          second[0] += u * v;
        }
        for (std::size_t w = 0; w < 8; ++w) {
          sums_[c] += first[w];
          sums_[channels + c] += second[w];
        }
      }
    } else {
      double* first = sums_.data();
      double* second = sums_.data() + channels;
      for (std::size_t i = 0; i < n; ++i) {
        const Real* x = a + i * channels;
        const Real* y = other != nullptr ? other + i * channels : nullptr;
        for (std::size_t c = 0; c < channels; ++c) {
          const double u = static_cast<double>(x[c] - (centre != nullptr ? centre[c] : Real(0)));
          const double v = y != nullptr ? static_cast<double>(y[c]) : u;
          first[c] += u;
          second[c] += u * v;
        }
      }
    }
  }
  static void reduce(const LayerPass& pass, double* values, std::size_t count) {
    if (pass.reduction != nullptr && *pass.reduction) {
      (*pass.reduction)(values, count);
    }
  }

  Layout layout_;
  bool relu_;
  std::vector<Real> normalized_;
  std::vector<double> running_mean_, running_var_;
  std::vector<double> mean_, inverse_std_, sums_;
  std::vector<Real> scale_, shift_, extra_; // per-channel coefficients of the element loops
  double count_ = 0;
};

// Inverted dropout: in training, value e of sample i is kept with probability 1 - p and scaled by
// 1 / (1 - p); the keep decision is word e % 4 of the Philox call (dataset index, counter,
// layer << 24 | e / 4), so it does not depend on which rank holds the sample.
template <typename Real> class Dropout final : public Layer<Real> {
public:
  Dropout(Layout layout, double rate, std::uint32_t layer, std::size_t capacity)
      : layout_(layout), rate_(rate), layer_(layer), mask_(capacity * layout.size()),
        sample_mask_(layout.size() + 4) {}
  Layout input() const override { return layout_; }
  Layout output() const override { return layout_; }
  std::string describe() const override { return "dropout " + format_rate(rate_); }

  void forward(const Real* /*params*/, const Real* in, Real* out, const LayerPass& pass) override {
    const std::size_t size = layout_.size();
    if (!pass.training) {
      std::copy(in, in + pass.n * size, out);
      return;
    }
    const CounterRng rng(pass.seed, dropout_stream);
    const auto keep = static_cast<Real>(1.0 / (1.0 - rate_));
    const auto rate = static_cast<float>(rate_);
    for (std::size_t i = 0; i < pass.n; ++i) {
      for (std::size_t q = 0; q < (size + 3) / 4; ++q) {
        const CounterRng::Bits bits =
            rng.bits(pass.samples[i], static_cast<std::uint32_t>(pass.counter),
                     (layer_ << 24) | static_cast<std::uint32_t>(q));
        for (std::size_t w = 0; w < 4; ++w) {
          sample_mask_[4 * q + w] = CounterRng::to_open_unit(bits[w]) < rate ? Real(0) : keep;
        }
      }
      for (std::size_t e = 0; e < size; ++e) {
        mask_[index(pass.n, i, e)] = sample_mask_[e];
      }
    }
    for (std::size_t k = 0; k < pass.n * size; ++k) {
      out[k] = in[k] * mask_[k];
    }
  }

  void backward(const Real* /*params*/, const Real* /*in*/, const Real* /*out*/, Real* delta,
                Real* delta_in, Real* /*gradient*/, bool /*accumulate*/,
                const LayerPass& pass) override {
    if (delta_in == nullptr) {
      return;
    }
    const std::size_t count = pass.n * layout_.size();
    for (std::size_t k = 0; k < count; ++k) {
      delta_in[k] = pass.training ? delta[k] * mask_[k] : delta[k];
    }
  }

private:
  // Position of value e (= c * spatial + p) of sample i in a block of n.
  std::size_t index(std::size_t n, std::size_t i, std::size_t e) const {
    if (!layout_.channel_major) {
      return i * layout_.size() + e;
    }
    const std::size_t c = e / layout_.spatial;
    return (c * n + i) * layout_.spatial + e % layout_.spatial;
  }

  Layout layout_;
  double rate_;
  std::uint32_t layer_;
  std::vector<Real> mask_;
  std::vector<Real> sample_mask_;
};

// A k x k convolution, stride 1, no padding, on channel-major blocks (in_channels, n, side,
// side) -> (out_channels, n, side - k + 1, side - k + 1): im2col into a (in_channels k k) x (n
// out_side^2) matrix, then one GEMM with the weights (out_channels x in_channels k k, PyTorch's
// layout), then the bias (out_channels) and ReLU when `relu`.
template <typename Real> class Convolution final : public Layer<Real> {
public:
  Convolution(std::size_t in_channels, std::size_t side, std::size_t out_channels,
              std::size_t kernel, bool relu, std::size_t capacity)
      : in_channels_(in_channels), side_(side), out_channels_(out_channels), kernel_(kernel),
        out_side_(side - kernel + 1), relu_(relu),
        columns_(in_channels * kernel * kernel * capacity * out_side_ * out_side_) {}
  Layout input() const override { return {in_channels_, side_ * side_, true}; }
  Layout output() const override { return {out_channels_, out_side_ * out_side_, true}; }
  std::size_t parameter_count() const override { return out_channels_ * (patch() + 1); }
  void initialize(Real* params, const std::function<double(std::size_t)>& uniform,
                  std::size_t first) const override {
    kaiming_uniform(params, parameter_count(), patch(), uniform, first);
  }
  std::string describe() const override {
    return "conv " + std::to_string(kernel_) + "x" + std::to_string(kernel_) + "x" +
           std::to_string(out_channels_);
  }

  void forward(const Real* params, const Real* in, Real* out, const LayerPass& pass) override {
    const std::size_t columns = pass.n * out_side_ * out_side_;
    for (std::size_t c = 0; c < in_channels_; ++c) {
      for (std::size_t ky = 0; ky < kernel_; ++ky) {
        for (std::size_t kx = 0; kx < kernel_; ++kx) {
          Real* row = columns_.data() + ((c * kernel_ + ky) * kernel_ + kx) * columns;
          for (std::size_t i = 0; i < pass.n; ++i) {
            const Real* image = in + (c * pass.n + i) * side_ * side_;
            for (std::size_t y = 0; y < out_side_; ++y) {
              const Real* source = image + (y + ky) * side_ + kx;
              std::copy(source, source + out_side_, row + (i * out_side_ + y) * out_side_);
            }
          }
        }
      }
    }
    const Real* bias = params + out_channels_ * patch();
    for (std::size_t o = 0; o < out_channels_; ++o) {
      std::fill(out + o * columns, out + (o + 1) * columns, bias[o]);
    }
    gemm(false, false, out_channels_, columns, patch(), params, patch(), columns_.data(), columns,
         Real(1), out, columns);
    if (relu_) {
      relu(out_channels_ * columns, out);
    }
  }

  void backward(const Real* params, const Real* /*in*/, const Real* out, Real* delta,
                Real* delta_in, Real* gradient, bool accumulate, const LayerPass& pass) override {
    const std::size_t columns = pass.n * out_side_ * out_side_;
    if (relu_) {
      relu_backward(out_channels_ * columns, out, delta);
    }
    gemm(false, true, out_channels_, patch(), columns, delta, columns, columns_.data(), columns,
         accumulate ? Real(1) : Real(0), gradient, patch());
    Real* db = gradient + out_channels_ * patch();
    for (std::size_t o = 0; o < out_channels_; ++o) {
      const Real* d = delta + o * columns;
      db[o] = (accumulate ? db[o] : Real(0)) + std::accumulate(d, d + columns, Real(0));
    }
    if (delta_in == nullptr) {
      return;
    }
    // The columns' gradient W^T delta overwrites the columns (used above for the last time),
    // then col2im adds each entry back onto the input value it was copied from.
    gemm(true, false, patch(), columns, out_channels_, params, patch(), delta, columns, Real(0),
         columns_.data(), columns);
    std::fill(delta_in, delta_in + in_channels_ * pass.n * side_ * side_, Real(0));
    for (std::size_t c = 0; c < in_channels_; ++c) {
      for (std::size_t ky = 0; ky < kernel_; ++ky) {
        for (std::size_t kx = 0; kx < kernel_; ++kx) {
          const Real* row = columns_.data() + ((c * kernel_ + ky) * kernel_ + kx) * columns;
          for (std::size_t i = 0; i < pass.n; ++i) {
            Real* image = delta_in + (c * pass.n + i) * side_ * side_;
            for (std::size_t y = 0; y < out_side_; ++y) {
              Real* target = image + (y + ky) * side_ + kx;
              const Real* source = row + (i * out_side_ + y) * out_side_;
              for (std::size_t x = 0; x < out_side_; ++x) {
                target[x] += source[x];
              }
            }
          }
        }
      }
    }
  }

private:
  std::size_t patch() const { return in_channels_ * kernel_ * kernel_; }

  std::size_t in_channels_, side_, out_channels_, kernel_, out_side_;
  bool relu_;
  std::vector<Real> columns_;
};

// Max pooling over non-overlapping k x k windows (stride k; a remainder row/column is dropped, as
// in PyTorch) on channel-major blocks.
template <typename Real> class MaxPool final : public Layer<Real> {
public:
  MaxPool(std::size_t channels, std::size_t side, std::size_t window, std::size_t capacity)
      : channels_(channels), side_(side), window_(window), out_side_(side / window),
        winners_(capacity * channels * out_side_ * out_side_) {}
  Layout input() const override { return {channels_, side_ * side_, true}; }
  Layout output() const override { return {channels_, out_side_ * out_side_, true}; }
  std::string describe() const override { return "max pool " + std::to_string(window_); }

  void forward(const Real* /*params*/, const Real* in, Real* out, const LayerPass& pass) override {
    std::size_t k = 0;
    for (std::size_t plane = 0; plane < channels_ * pass.n; ++plane) {
      const Real* image = in + plane * side_ * side_;
      for (std::size_t y = 0; y < out_side_; ++y) {
        for (std::size_t x = 0; x < out_side_; ++x, ++k) {
          std::size_t best = (y * window_) * side_ + x * window_;
          for (std::size_t dy = 0; dy < window_; ++dy) {
            for (std::size_t dx = 0; dx < window_; ++dx) {
              const std::size_t at = (y * window_ + dy) * side_ + x * window_ + dx;
              best = image[at] > image[best] ? at : best;
            }
          }
          winners_[k] = plane * side_ * side_ + best;
          out[k] = image[best];
        }
      }
    }
  }

  void backward(const Real* /*params*/, const Real* /*in*/, const Real* /*out*/, Real* delta,
                Real* delta_in, Real* /*gradient*/, bool /*accumulate*/,
                const LayerPass& pass) override {
    if (delta_in == nullptr) {
      return;
    }
    std::fill(delta_in, delta_in + channels_ * pass.n * side_ * side_, Real(0));
    for (std::size_t k = 0; k < channels_ * pass.n * out_side_ * out_side_; ++k) {
      delta_in[winners_[k]] = delta[k]; // windows do not overlap
    }
  }

private:
  std::size_t channels_, side_, window_, out_side_;
  std::vector<std::size_t> winners_;
};

// Channel-major (channels, n, spatial) -> sample-major n x (channels spatial), PyTorch's view of
// an NCHW tensor as N x CHW.
template <typename Real> class Flatten final : public Layer<Real> {
public:
  Flatten(std::size_t channels, std::size_t spatial) : channels_(channels), spatial_(spatial) {}
  Layout input() const override { return {channels_, spatial_, true}; }
  Layout output() const override { return {channels_ * spatial_, 1, false}; }
  std::string describe() const override { return "flatten"; }

  void forward(const Real* /*params*/, const Real* in, Real* out, const LayerPass& pass) override {
    transpose(pass.n, in, out, false);
  }
  void backward(const Real* /*params*/, const Real* /*in*/, const Real* /*out*/, Real* delta,
                Real* delta_in, Real* /*gradient*/, bool /*accumulate*/,
                const LayerPass& pass) override {
    if (delta_in != nullptr) {
      transpose(pass.n, delta, delta_in, true);
    }
  }

private:
  void transpose(std::size_t n, const Real* from, Real* to, bool to_channel_major) const {
    for (std::size_t c = 0; c < channels_; ++c) {
      for (std::size_t i = 0; i < n; ++i) {
        const std::size_t channel_major = (c * n + i) * spatial_;
        const std::size_t sample_major = (i * channels_ + c) * spatial_;
        const Real* source = from + (to_channel_major ? sample_major : channel_major);
        std::copy(source, source + spatial_,
                  to + (to_channel_major ? channel_major : sample_major));
      }
    }
  }

  std::size_t channels_, spatial_;
};

} // namespace

LenetSides lenet_sides(const LenetShape& shape) {
  const auto kernel = static_cast<std::size_t>(shape.kernel);
  const auto side = static_cast<std::size_t>(shape.side);
  LenetSides sides;
  sides.first = side >= kernel ? (side - kernel + 1) / static_cast<std::size_t>(shape.pool1) : 0;
  sides.second = sides.first >= kernel
                     ? (sides.first - kernel + 1) / static_cast<std::size_t>(shape.pool2)
                     : 0;
  return sides;
}

std::vector<int> mnistfc_layers() {
  return {784, 1024, 1024, 10};
}

template <typename Real>
Network<Real>::Network(const NetworkSpec& spec, const Dataset& data, std::size_t batch_capacity)
    : data_(&data), capacity_(batch_capacity) {
  if (capacity_ == 0) {
    throw Error("Network: batch capacity must be >= 1");
  }
  build(spec);
}

template <typename Real>
Network<Real>::Network(std::vector<int> layers, const Dataset& data, std::size_t batch_capacity)
    : Network(plain_mlp(std::move(layers)), data, batch_capacity) {}

template <typename Real> Network<Real>::~Network() = default;

template <typename Real> NetworkSpec Network<Real>::plain_mlp(std::vector<int> layers) {
  NetworkSpec spec;
  spec.layers = std::move(layers);
  return spec;
}

template <typename Real> void Network<Real>::build(const NetworkSpec& spec) {
  const std::size_t classes = data_->classes;
  std::uint32_t dropouts = 0;
  const auto add = [&](std::unique_ptr<Layer<Real>> layer) { layers_.push_back(std::move(layer)); };
  // A hidden block's tail: batch norm with the ReLU (or the ReLU fused into the layer before),
  // then dropout.
  const auto dropout = [&](Layout layout, double rate) {
    if (rate > 0) {
      add(std::make_unique<Dropout<Real>>(layout, rate, dropouts++, capacity_));
    }
  };
  const auto normalize = [&](Layout layout) {
    if (spec.batch_norm) {
      add(std::make_unique<BatchNorm<Real>>(layout, true, capacity_));
    }
  };
  std::string options;
  if (spec.batch_norm) {
    options += ", batch norm";
  }
  if (spec.dropout > 0) {
    options += ", dropout " + format_rate(spec.dropout);
  }
  if (spec.input_dropout > 0) {
    options += ", input dropout " + format_rate(spec.input_dropout);
  }
  if (spec.type == "mlp") {
    const std::vector<int>& widths = spec.layers;
    if (widths.size() < 2 || static_cast<std::size_t>(widths.front()) != data_->features ||
        static_cast<std::size_t>(widths.back()) != classes) {
      throw InputError("net.layers = '" + join(widths) +
                       "': expected at least two widths, the first " +
                       std::to_string(data_->features) + " (inputs) and the last " +
                       std::to_string(classes) + " (classes)");
    }
    dropout({data_->features, 1, false}, spec.input_dropout);
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
      const auto in = static_cast<std::size_t>(widths[l]);
      const auto out = static_cast<std::size_t>(widths[l + 1]);
      const bool hidden = l + 2 < widths.size();
      add(std::make_unique<Dense<Real>>(in, out, hidden && !spec.batch_norm));
      if (hidden) {
        normalize({out, 1, false});
        dropout({out, 1, false}, spec.dropout);
      }
    }
    description_ = "mlp(" + join(widths) + ", relu" + options + ", softmax cross-entropy)";
  } else if (spec.type == "lenet") {
    const LenetShape& s = spec.lenet;
    const auto side = static_cast<std::size_t>(s.side);
    const auto kernel = static_cast<std::size_t>(s.kernel);
    const auto [side1, side2] = lenet_sides(s);
    if (side * side != data_->features || side2 == 0) {
      throw InputError("net.type = 'lenet': expected square images whose side leaves at least "
                       "one pixel after two " +
                       std::to_string(kernel) + "x" + std::to_string(kernel) +
                       " convolutions and pooling, got " + std::to_string(data_->features) +
                       " features");
    }
    const auto conv1 = static_cast<std::size_t>(s.conv1);
    const auto conv2 = static_cast<std::size_t>(s.conv2);
    dropout({1, side * side, true}, spec.input_dropout);
    add(std::make_unique<Convolution<Real>>(1, side, conv1, kernel, !spec.batch_norm, capacity_));
    normalize(layers_.back()->output());
    add(std::make_unique<MaxPool<Real>>(conv1, side - kernel + 1, s.pool1, capacity_));
    dropout(layers_.back()->output(), spec.dropout);
    add(std::make_unique<Convolution<Real>>(conv1, side1, conv2, kernel, !spec.batch_norm,
                                            capacity_));
    normalize(layers_.back()->output());
    add(std::make_unique<MaxPool<Real>>(conv2, side1 - kernel + 1, s.pool2, capacity_));
    dropout(layers_.back()->output(), spec.dropout);
    add(std::make_unique<Flatten<Real>>(conv2, side2 * side2));
    const auto hidden = static_cast<std::size_t>(s.hidden);
    add(std::make_unique<Dense<Real>>(conv2 * side2 * side2, hidden, !spec.batch_norm));
    normalize({hidden, 1, false});
    dropout({hidden, 1, false}, spec.dropout);
    add(std::make_unique<Dense<Real>>(hidden, classes, false));
    description_ = "lenet(1x" + std::to_string(side) + "x" + std::to_string(side) + ", conv " +
                   std::to_string(kernel) + "x" + std::to_string(kernel) + "x" +
                   std::to_string(conv1) + ", max pool " + std::to_string(s.pool1) + ", conv " +
                   std::to_string(kernel) + "x" + std::to_string(kernel) + "x" +
                   std::to_string(conv2) + ", max pool " + std::to_string(s.pool2) + ", dense " +
                   std::to_string(hidden) + ", relu" + options + ", softmax cross-entropy)";
  } else {
    reject_value("net.type", spec.type, "mlp or lenet");
  }
  counts_evaluations_ = spec.batch_norm || spec.dropout > 0 || spec.input_dropout > 0;
  dropout_seed_ = spec.seed;
  std::size_t widest = 0;
  activations_.emplace_back(capacity_ * data_->features);
  for (const auto& layer : layers_) {
    offsets_.push_back(parameter_count_);
    parameter_count_ += layer->parameter_count();
    widest = std::max(widest, layer->output().size());
    activations_.emplace_back(capacity_ * layer->output().size());
  }
  delta_.resize(capacity_ * widest);
  delta_next_.resize(capacity_ * widest);
  all_samples_.resize(data_->count);
  std::iota(all_samples_.begin(), all_samples_.end(), std::size_t{0});
}

template <typename Real> std::string Network<Real>::describe() const {
  return description_;
}

template <typename Real>
void Network<Real>::initialize(Real* params,
                               const std::function<double(std::size_t)>& uniform) const {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    layers_[l]->initialize(params + offsets_[l], uniform, offsets_[l]);
  }
}

template <typename Real> std::vector<double> Network<Real>::buffers() const {
  std::vector<double> values;
  if (!counts_evaluations_) {
    return values;
  }
  for (const auto& layer : layers_) {
    const std::size_t at = values.size();
    values.resize(at + layer->buffer_count());
    layer->save_buffers(values.data() + at);
  }
  values.push_back(static_cast<double>(dropout_counter_)); // exact below 2^53
  return values;
}

template <typename Real>
void Network<Real>::restore_buffers(const std::vector<double>& values, const std::string& source) {
  const std::size_t expected = buffers().size();
  if (values.size() != expected) {
    throw InputError(source + ": " + std::to_string(values.size()) +
                     " network buffers (batch norm statistics, dropout counter), expected " +
                     std::to_string(expected) + " (same net.* keys)");
  }
  if (expected == 0) {
    return;
  }
  std::size_t at = 0;
  for (const auto& layer : layers_) {
    layer->load_buffers(values.data() + at);
    at += layer->buffer_count();
  }
  dropout_counter_ = static_cast<std::uint64_t>(values.back());
}

template <typename Real>
double Network<Real>::block(const Real* params, const std::size_t* samples, std::size_t n,
                            Real* gradient, Real scale, bool accumulate, std::size_t* errors) {
  LayerPass pass;
  pass.n = n;
  pass.samples = samples;
  pass.training = training_;
  pass.counter = dropout_counter_;
  pass.seed = dropout_seed_;
  pass.reduction = &reduction_;

  Real* x = activations_[0].data();
  const std::size_t features = data_->features;
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = data_->row(samples[i]);
    std::copy(row, row + features, x + i * features);
  }
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    layers_[l]->forward(params + offsets_[l], activations_[l].data(), activations_[l + 1].data(),
                        pass);
  }

  // Softmax cross-entropy, fused: loss_i = log sum exp(z - max) + max - z_label; its gradient
  // with respect to the logits, softmax - onehot, overwrites the logits' block in delta_.
  const std::size_t classes = data_->classes;
  const Real* logits = activations_.back().data();
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

  // Backward; the input gradient of a layer is needed only when a layer below has parameters.
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const bool below = offsets_[l] > 0;
    layers_[l]->backward(params + offsets_[l], activations_[l].data(), activations_[l + 1].data(),
                         delta_.data(), below ? delta_next_.data() : nullptr,
                         gradient + offsets_[l], accumulate, pass);
    if (!below) {
      break;
    }
    std::swap(delta_, delta_next_);
  }
  return loss_sum;
}

template <typename Real>
double Network<Real>::loss_and_gradient(const Real* params, const std::size_t* samples,
                                        std::size_t n, Real* gradient, Real scale) {
  // In training mode batch norm's reductions are collective: every part of the minibatch
  // evaluates one block, even an empty one.
  const bool one_block = training_ && counts_evaluations_;
  if (one_block && n > capacity_) {
    throw Error("Network: a training minibatch of " + std::to_string(n) +
                " samples exceeds the capacity " + std::to_string(capacity_));
  }
  if (n == 0 && !one_block) {
    std::fill(gradient, gradient + parameter_count_, Real(0));
    return 0.0;
  }
  double sum = 0;
  std::size_t start = 0;
  do {
    const std::size_t count = std::min(capacity_, n - start);
    sum += block(params, samples + start, count, gradient, scale, start > 0, nullptr);
    start += count;
  } while (start < n);
  if (training_) {
    ++dropout_counter_;
  }
  return sum;
}

template <typename Real>
double Network<Real>::loss(const Real* params, const std::size_t* samples, std::size_t n) {
  double sum = 0;
  for (std::size_t start = 0; start < n; start += capacity_) {
    sum += block(params, samples + start, std::min(capacity_, n - start), nullptr, Real(0), false,
                 nullptr);
  }
  return sum;
}

template <typename Real>
std::size_t Network<Real>::error_count(const Real* params, const std::size_t* samples,
                                       std::size_t n) {
  std::size_t errors = 0;
  for (std::size_t start = 0; start < n; start += capacity_) {
    block(params, samples + start, std::min(capacity_, n - start), nullptr, Real(0), false,
          &errors);
  }
  return errors;
}

template <typename Real>
typename Network<Real>::Evaluation Network<Real>::evaluate(const Real* params, std::size_t first,
                                                           std::size_t count) {
  Evaluation result;
  const std::size_t end = std::min(first + count, all_samples_.size());
  for (std::size_t start = first; start < end; start += capacity_) {
    result.loss += block(params, all_samples_.data() + start, std::min(capacity_, end - start),
                         nullptr, Real(0), false, &result.errors);
  }
  return result;
}

template class Network<float>;
template class Network<double>;

void declare_net_options(OptionSet& options) {
  options
      .choice("net.type", "mlp", {"mlp", "lenet"},
              "mlp: dense layers of net.layers; lenet: the reference mnistconv (conv 5x5x20, max "
              "pool 3, conv 5x5x50, max pool 2, dense 500) on 28x28 images")
      .integers("net.layers", "784,1024,1024,10", "",
                "mlp layer widths, input first and classes last (784,1024,1024,10 = mnistfc; "
                "784,256,10 = the small net)")
      .boolean("net.batch_norm", false,
               "batch norm after each hidden layer, over the global minibatch (reference: true)")
      .real("net.dropout", 0.0, "",
            "drop rate after each hidden block (reference mnistfc and LeNet: 0.5)")
      .real("net.input_dropout", 0.0, "", "drop rate of the inputs (reference mnistfc: 0.2)");
}

NetworkSpec make_network_spec(const Config& config, std::uint32_t seed) {
  NetworkSpec spec;
  spec.type = config.text("net.type");
  spec.batch_norm = config.boolean("net.batch_norm");
  spec.dropout = config.real_in("net.dropout", 0, 0.999, "a drop rate in [0, 0.999]");
  spec.input_dropout = config.real_in("net.input_dropout", 0, 0.999, "a drop rate in [0, 0.999]");
  spec.seed = seed;
  if (spec.type == "lenet") {
    if (!config.is_default("net.layers")) {
      throw InputError("net.layers = '" + config.text("net.layers") + "' (" +
                       config.origin("net.layers") +
                       "): not used by net.type = lenet (its shape is fixed)");
    }
    return spec;
  }
  for (long width : config.integers("net.layers")) {
    if (width < 1 || width > std::numeric_limits<int>::max()) {
      throw InputError("net.layers = '" + config.text("net.layers") +
                       "': expected positive widths");
    }
    spec.layers.push_back(static_cast<int>(width));
  }
  if (spec.layers.size() < 2) {
    throw InputError("net.layers = '" + config.text("net.layers") +
                     "': expected at least two widths (inputs and classes)");
  }
  return spec;
}

} // namespace relax
