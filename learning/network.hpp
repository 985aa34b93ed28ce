// The networks of `relax train` as Models over a labelled Dataset (docs/theory.md, §5): a stack of
// layers ending in a fused softmax cross-entropy loss. Two families: the multilayer perceptron
// (net.type = mlp: dense layers with ReLU, optionally the reference mnistfc's batch norm and
// dropout) and LeNet (net.type = lenet: two k x k convolutions through im2col and sgemm, each with
// max pooling, a fully connected layer, batch norm and dropout as in the reference code). Dense
// blocks are row-major (sample, feature); convolution blocks are channel-major (channel, sample,
// y, x), so one GEMM covers a whole minibatch and batch norm reads each channel contiguously.
// All workspaces are allocated once: a training step allocates nothing.
//
// Training mode (the default) normalizes with the minibatch's statistics and drops units; its
// batch statistics are summed through the batch reduction (set_batch_reduction: an MPI sum in
// data-parallel runs, so they are the GLOBAL minibatch's), and dropout masks come from a Philox
// counter keyed by (seed, gradient evaluation, dataset index of the sample, unit), so a run does
// not depend on the rank count. Evaluation mode (set_training(false)) uses the running statistics
// and no dropout. The running statistics and the evaluation counter are the network's buffers,
// which a checkpoint saves. Networks train in float; the double instantiation is the precision
// path of the backprop-vs-finite-difference tests.
#pragma once

#include "core/config.hpp"
#include "learning/dataset.hpp"
#include "learning/model.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace relax {

/// "784-1024-1024-10", the widths of mnistfc, the default network of `relax train`.
std::vector<int> mnistfc_layers();

/// The shape of a LeNet on side x side grey images: conv k x k -> conv1 channels, max pool
/// pool1 (stride pool1), conv k x k -> conv2 channels, max pool pool2, dense -> hidden, dense ->
/// classes. The defaults are the reference code's mnistconv on 28 x 28 images.
struct LenetShape {
  int side = 28;
  int kernel = 5;
  int conv1 = 20;
  int pool1 = 3;
  int conv2 = 50;
  int pool2 = 2;
  int hidden = 500;
};

/// The image sides after LeNet's first and second convolution-and-pooling blocks (0 when the image
/// is too small for them): the layout Network builds and what a memory estimate counts.
struct LenetSides {
  std::size_t first = 0;
  std::size_t second = 0;
};
LenetSides lenet_sides(const LenetShape& shape);

/// What network to build.
struct NetworkSpec {
  std::string type = "mlp"; ///< "mlp" or "lenet"
  std::vector<int> layers;  ///< mlp: widths, input first (== data.features), classes last
  LenetShape lenet;         ///< lenet: the shape (side * side == data.features)
  bool batch_norm = false;  ///< batch norm after each hidden dense / convolution layer
  double dropout = 0;       ///< drop rate after each hidden block (reference: 0.5)
  double input_dropout = 0; ///< mlp: drop rate of the inputs (reference mnistfc: 0.2)
  std::uint32_t seed = 0;   ///< of the dropout masks
};

template <typename Real> class Layer;

template <typename Real> class Network final : public Model<Real> {
public:
  /// `batch_capacity` is the largest block evaluated at once (larger requests run in blocks; in
  /// training mode with batch norm a request must fit one block). InputError naming the net.*
  /// key when the network does not fit the data. `data` must outlive this.
  Network(const NetworkSpec& spec, const Dataset& data, std::size_t batch_capacity);
  /// A plain mlp of these widths (no batch norm, no dropout).
  Network(std::vector<int> layers, const Dataset& data, std::size_t batch_capacity);
  ~Network() override;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  std::size_t parameter_count() const override { return parameter_count_; }
  std::size_t sample_count() const override { return data_->count; }
  std::string describe() const override;
  void set_training(bool training) override { training_ = training; }

  /// Sum over the samples of the loss and its scaled gradient; in training mode advances the
  /// dropout counter after the evaluation (loss() does not).
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

  /// PyTorch's defaults: dense and convolution weights kaiming-uniform with a = sqrt(5), i.e.
  /// uniform on +-1/sqrt(fan_in), biases uniform on +-1/sqrt(fan_in); batch norm scale 1 and
  /// shift 0. `uniform(k)` returns the uniform (0, 1) number for parameter k (counter-based, so
  /// the result does not depend on who calls).
  void initialize(Real* params, const std::function<double(std::size_t)>& uniform) const;

  /// Sums values[0..count) over every part of a minibatch in training mode (batch norm's
  /// statistics); the default (none) treats the local samples as the whole minibatch.
  void set_batch_reduction(std::function<void(double* values, std::size_t count)> reduction) {
    reduction_ = std::move(reduction);
  }
  /// The state beside the parameters: every batch norm's running mean and variance, then the
  /// dropout counter (gradient evaluations so far). Empty for a network without either.
  std::vector<double> buffers() const;
  /// Restores buffers(); InputError naming `source` when the size differs.
  void restore_buffers(const std::vector<double>& values, const std::string& source);

  /// Which dropout counter the next evaluation uses (tests: the same masks for several calls).
  void set_dropout_counter(std::uint64_t counter) { dropout_counter_ = counter; }

private:
  static NetworkSpec plain_mlp(std::vector<int> layers);
  void build(const NetworkSpec& spec);
  double block(const Real* params, const std::size_t* samples, std::size_t n, Real* gradient,
               Real scale, bool accumulate, std::size_t* errors);

  const Dataset* data_;
  std::size_t capacity_;
  std::string description_;
  std::vector<std::unique_ptr<Layer<Real>>> layers_;
  std::vector<std::size_t> offsets_;           // start of layer l's parameters
  std::vector<std::vector<Real>> activations_; // layer l's input is activations_[l]
  std::vector<Real> delta_, delta_next_;       // capacity x widest
  std::vector<std::size_t> all_samples_;       // 0..count-1, for evaluate
  std::size_t parameter_count_ = 0;
  bool training_ = true;
  bool counts_evaluations_ = false; // dropout or batch norm: buffers() is not empty
  std::uint64_t dropout_counter_ = 0;
  std::uint32_t dropout_seed_ = 0;
  std::function<void(double*, std::size_t)> reduction_;
};

using Net = Network<float>;

extern template class Network<float>;
extern template class Network<double>;

/// [net] type, layers, batch_norm, dropout, input_dropout.
void declare_net_options(OptionSet& options);
/// The network the net.* keys describe (seed: of the dropout masks); InputError naming the key
/// for bad widths, rates, or keys the type does not use.
NetworkSpec make_network_spec(const Config& config, std::uint32_t seed);

} // namespace relax
