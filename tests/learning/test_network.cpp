// The layers beyond the plain MLP (learning/network.hpp): backprop of batch norm, dropout,
// im2col convolutions, max pooling and the flatten against central finite differences in double;
// batch norm's running statistics and evaluation mode in closed form; dropout's rate and its
// keying by sample; the reference networks' sizes; data-parallel training with batch norm and
// dropout at 1, 2 and 3 ranks against the single-rank run.
#include "core/mpi.hpp"
#include "learning/network.hpp"
#include "learning/parle.hpp"
#include "learning/samplers_driver.hpp"
#include "sde/rng.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace relax;

namespace {

// `count` samples of `features` uniform(-1, 1) inputs, labels i % classes.
Dataset uniform_data(std::size_t count, std::size_t features, std::size_t classes,
                     std::uint32_t seed) {
  Dataset data;
  data.count = count;
  data.features = features;
  data.classes = classes;
  const CounterRng rng(seed, 0);
  for (std::size_t k = 0; k < count * features; ++k) {
    data.inputs.push_back(static_cast<float>(2 * rng.uniform_pair(k, 0, 0)[0] - 1));
  }
  for (std::size_t i = 0; i < count; ++i) {
    data.labels.push_back(static_cast<std::uint8_t>(i % classes));
  }
  return data;
}

template <typename Real> std::vector<Real> initial_parameters(const Network<Real>& net) {
  std::vector<Real> params(net.parameter_count());
  const CounterRng rng(8, 1);
  net.initialize(params.data(), [&](std::size_t k) { return rng.uniform_pair(k, 0, 0)[0]; });
  return params;
}

// A LeNet small enough for finite differences: 15x15 images, 3x3 kernels, 2 and 3 channels,
// pools of 2 (13 -> 6 drops a remainder row and column; 4 -> 2), 4 hidden units.
NetworkSpec tiny_lenet(bool batch_norm, double dropout) {
  NetworkSpec spec;
  spec.type = "lenet";
  spec.lenet = {15, 3, 2, 2, 3, 2, 4};
  spec.batch_norm = batch_norm;
  spec.dropout = dropout;
  spec.seed = 5;
  return spec;
}

NetworkSpec small_mlp(std::vector<int> layers, bool batch_norm, double dropout,
                      double input_dropout) {
  NetworkSpec spec;
  spec.layers = std::move(layers);
  spec.batch_norm = batch_norm;
  spec.dropout = dropout;
  spec.input_dropout = input_dropout;
  spec.seed = 5;
  return spec;
}

// Largest |central difference - backprop| over all parameters relative to max(1, largest
// |gradient|), in training mode with the dropout masks of counter 3 throughout. Central
// differences with h = 1e-5 in double: truncation h^2 f''' / 6, about 1e-10 of the gradient's
// scale (batch norm's third derivatives grow with the gradient; the error falls as h^2 from
// h = 1e-3 to 1e-5, as truncation does), round-off eps |f| / h ~ 1e-10; ReLU, max-pool and
// dropout make the loss piecewise smooth, and no kink lies within h of these parameters (the
// check fails loudly if one does).
double finite_difference_error(const NetworkSpec& spec, const Dataset& data) {
  Network<double> net(spec, data, 16);
  std::vector<double> params = initial_parameters(net);
  const CounterRng rng(3, 2); // batch norm's scale and shift away from 1 and 0
  for (std::size_t k = 0; k < params.size(); ++k) {
    params[k] = 2 * params[k] + 0.3 * (2 * rng.uniform_pair(k, 0, 0)[0] - 1);
  }
  std::vector<std::size_t> samples(data.count);
  std::iota(samples.begin(), samples.end(), std::size_t{0});
  std::vector<double> gradient(net.parameter_count());
  net.set_dropout_counter(3);
  const double loss =
      net.loss_and_gradient(params.data(), samples.data(), samples.size(), gradient.data(), 1.0);
  net.set_dropout_counter(3);
  CHECK(loss == Approx(net.loss(params.data(), samples.data(), samples.size())).epsilon(1e-14));
  const double h = 1e-5;
  double worst = 0;
  double largest = 0;
  for (std::size_t k = 0; k < params.size(); ++k) {
    const double saved = params[k];
    params[k] = saved + h;
    const double up = net.loss(params.data(), samples.data(), samples.size());
    params[k] = saved - h;
    const double down = net.loss(params.data(), samples.data(), samples.size());
    params[k] = saved;
    worst = std::max(worst, std::fabs((up - down) / (2 * h) - gradient[k]));
    largest = std::max(largest, std::fabs(gradient[k]));
  }
  CAPTURE(net.describe(), loss, largest);
  CHECK(largest > 1e-2); // the check sees a gradient
  return worst / std::max(1.0, largest);
}

} // namespace

TEST_CASE("mlp with batch norm and dropout: backprop matches finite differences", "[network]") {
  const Dataset data = uniform_data(9, 5, 3, 4);
  const double error = finite_difference_error(small_mlp({5, 7, 6, 3}, true, 0.3, 0.2), data);
  CAPTURE(error);
  CHECK(error < 1e-8);
  const double plain_dropout = finite_difference_error(small_mlp({5, 7, 3}, false, 0.4, 0), data);
  CAPTURE(plain_dropout);
  CHECK(plain_dropout < 1e-8);
}

TEST_CASE("LeNet (im2col convolutions, max pooling, batch norm, dropout): backprop matches "
          "finite differences",
          "[network]") {
  const Dataset data = uniform_data(6, 15 * 15, 3, 7);
  for (const bool batch_norm : {false, true}) {
    const double error = finite_difference_error(tiny_lenet(batch_norm, 0.25), data);
    CAPTURE(batch_norm, error);
    CHECK(error < 1e-8);
  }
}

TEST_CASE("batch norm: running statistics and evaluation mode in closed form", "[network]") {
  // 2-2-2 with the first layer the identity: its pre-activations are the inputs.
  const Dataset data = uniform_data(5, 2, 2, 11);
  Network<double> net(small_mlp({2, 2, 2}, true, 0.5, 0), data, 8);
  std::vector<double> params = initial_parameters(net);
  // Layout: W1 (2x2), b1, gamma, beta, W2 (2x2), b2.
  const std::vector<double> identity = {1, 0, 0, 1};
  std::copy(identity.begin(), identity.end(), params.begin());
  std::fill(params.begin() + 4, params.begin() + 6, 0.0);
  std::copy(identity.begin(), identity.end(), params.begin() + 10);
  std::fill(params.begin() + 14, params.end(), 0.0);
  const std::vector<std::size_t> samples = {0, 1, 2, 3, 4};
  std::vector<double> gradient(net.parameter_count());
  net.loss_and_gradient(params.data(), samples.data(), 5, gradient.data(), 0.2);
  double mean[2] = {0, 0};
  double variance[2] = {0, 0};
  for (int c = 0; c < 2; ++c) {
    for (std::size_t i = 0; i < 5; ++i) {
      mean[c] += data.row(i)[c] / 5.0;
    }
    for (std::size_t i = 0; i < 5; ++i) {
      variance[c] += std::pow(data.row(i)[c] - mean[c], 2) / 4.0; // unbiased
    }
  }
  const std::vector<double> buffers = net.buffers(); // mean[2], var[2], counter
  REQUIRE(buffers.size() == 5);
  for (int c = 0; c < 2; ++c) {
    CHECK(buffers[c] == Approx(0.1 * mean[c]).epsilon(1e-12));
    CHECK(buffers[2 + c] == Approx(0.9 + 0.1 * variance[c]).epsilon(1e-12));
  }
  CHECK(buffers[4] == 1); // one gradient evaluation
  // Evaluation mode: logits relu((x - running mean) / sqrt(running var + 1e-5)), no dropout.
  net.set_training(false);
  double expected = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    double z[2];
    for (int c = 0; c < 2; ++c) {
      z[c] = std::max(0.0, (data.row(i)[c] - buffers[c]) / std::sqrt(buffers[2 + c] + 1e-5));
    }
    const double top = std::max(z[0], z[1]);
    expected += std::log(std::exp(z[0] - top) + std::exp(z[1] - top)) + top - z[data.labels[i]];
  }
  CHECK(net.loss(params.data(), samples.data(), 5) == Approx(expected).epsilon(1e-12));
  // The evaluation changed neither the statistics nor the counter.
  CHECK(net.buffers() == buffers);
}

TEST_CASE("dropout drops at its rate, scales by 1/(1 - p), and keys masks by sample", "[network]") {
  // One dense layer after input dropout: dL/dW[c][j] = delta_c x_j mask_j with x = 1.
  const std::size_t features = 4000;
  Dataset data = uniform_data(3, features, 2, 1);
  std::fill(data.inputs.begin(), data.inputs.end(), 1.0f);
  const double p = 0.3;
  Network<double> net(small_mlp({static_cast<int>(features), 2}, false, 0, p), data, 4);
  const std::vector<double> params(net.parameter_count(), 0.0); // delta = softmax - onehot
  std::vector<double> gradient(net.parameter_count());
  const std::size_t one[] = {1};
  net.set_dropout_counter(7);
  net.loss_and_gradient(params.data(), one, 1, gradient.data(), 1.0);
  // Sample 1 has label 1: delta = (1/2, -1/2); kept weights get 0.5 / (1 - p).
  std::size_t dropped = 0;
  for (std::size_t j = 0; j < features; ++j) {
    if (gradient[j] == 0) {
      ++dropped;
    } else {
      CHECK(gradient[j] == Approx(0.5 / (1 - p)).epsilon(1e-15));
    }
  }
  const double se = std::sqrt(p * (1 - p) / features);
  CAPTURE(dropped, se);
  CHECK(std::fabs(static_cast<double>(dropped) / features - p) < 4 * se);
  // The same sample at another position of a block (with sample 2 before it) has the same mask:
  // the block's gradient is the sum of both samples' gradients.
  std::vector<double> other(net.parameter_count()), both(net.parameter_count());
  const std::size_t two[] = {2};
  const std::size_t pair[] = {2, 1};
  net.set_dropout_counter(7);
  net.loss_and_gradient(params.data(), two, 1, other.data(), 1.0);
  net.set_dropout_counter(7);
  net.loss_and_gradient(params.data(), pair, 2, both.data(), 1.0);
  double difference = 0;
  for (std::size_t k = 0; k < both.size(); ++k) {
    difference = std::max(difference, std::fabs(both[k] - gradient[k] - other[k]));
  }
  CHECK(difference < 1e-15);
  // Another counter: another mask.
  net.set_dropout_counter(8);
  net.loss_and_gradient(params.data(), one, 1, other.data(), 1.0);
  std::size_t changed = 0;
  for (std::size_t j = 0; j < features; ++j) {
    changed += (other[j] == 0) != (gradient[j] == 0) ? 1 : 0;
  }
  CHECK(changed > features / 5); // expected 2 p (1 - p) = 42 %
}

TEST_CASE("the reference mnistfc and LeNet have PyTorch's parameter counts", "[network]") {
  Dataset image = uniform_data(1, 784, 10, 1);
  // mnistfc with batch norm: 1863690 + 2 x (1024 scales + 1024 shifts).
  Net mnistfc(small_mlp(mnistfc_layers(), true, 0.5, 0.2), image, 2);
  CHECK(mnistfc.parameter_count() == 1863690 + 4096);
  // mnistconv: conv 20 (520), bn (40), conv 50 (25050), bn (100), dense 200 -> 500 (100500),
  // bn (1000), dense 500 -> 10 (5010).
  NetworkSpec lenet;
  lenet.type = "lenet";
  lenet.batch_norm = true;
  lenet.dropout = 0.5;
  Net reference(lenet, image, 2);
  CHECK(reference.parameter_count() == 520 + 40 + 25050 + 100 + 100500 + 1000 + 5010);
  CHECK(reference.describe() == "lenet(1x28x28, conv 5x5x20, max pool 3, conv 5x5x50, max pool "
                                "2, dense 500, relu, batch norm, dropout 0.5, softmax "
                                "cross-entropy)");
  CHECK(reference.buffers().size() == 2 * (20 + 50 + 500) + 1);
  Dataset wrong = uniform_data(1, 100, 10, 1);
  CHECK_THROWS_WITH(Net(lenet, wrong, 2), Catch::Contains("net.type = 'lenet'"));
}

namespace {

// Trains `spec` with SGD for 9 steps (three epochs of batch 10 over 30 samples) over `comm`,
// batch norm reduced over comm; returns the parameters and then the network's buffers.
std::vector<double> train(MPI_Comm comm, const NetworkSpec& spec, const Dataset& data) {
  Net net(spec, data, 16);
  net.set_batch_reduction(
      [comm](double* values, std::size_t count) { allreduce_sum(comm, values, count); });
  SamplerOptions options = sampler_options({{"train.batch", "10"}, {"train.lr", "0.05"}});
  options.seed = 9;
  SamplerDriver<float> driver(comm, net, options);
  net.initialize(driver.state().params.data(), [&](std::size_t k) {
    return driver.rng(train_stream::init).uniform_pair(k, 0, 0)[0];
  });
  for (int s = 0; s < 9; ++s) {
    driver.step();
  }
  std::vector<double> result(driver.state().params.begin(), driver.state().params.end());
  const std::vector<double> buffers = net.buffers();
  result.insert(result.end(), buffers.begin(), buffers.end());
  return result;
}

} // namespace

TEST_CASE("batch norm over the global minibatch and sample-keyed dropout: data-parallel training "
          "matches the single-rank run to float round-off",
          "[network][mpi]") {
  const Dataset flat = uniform_data(30, 6, 3, 21);
  const Dataset images = uniform_data(30, 15 * 15, 3, 22);
  for (const bool lenet : {false, true}) {
    const NetworkSpec spec =
        lenet ? tiny_lenet(true, 0.25) : small_mlp({6, 8, 8, 3}, true, 0.3, 0.2);
    const Dataset& data = lenet ? images : flat;
    const std::vector<double> serial = train(MPI_COMM_SELF, spec, data);
    const std::vector<double> parallel = train(MPI_COMM_WORLD, spec, data);
    REQUIRE(serial.size() == parallel.size());
    double difference = 0;
    double scale = 0;
    for (std::size_t k = 0; k < serial.size(); ++k) {
      difference = std::max(difference, std::fabs(serial[k] - parallel[k]));
      scale = std::max(scale, std::fabs(serial[k]));
    }
    // The batch statistics and gradients change by float round-off of their sums (unit 6e-8)
    // when the minibatch is split; nine steps amplify that by far less than 100. A mask or a
    // statistic over the local shard only would differ by O(1).
    const double bound = 100 * 6e-8 * scale;
    CAPTURE(lenet, difference, bound, comm_size(MPI_COMM_WORLD));
    CHECK(difference <= bound);
    CHECK(serial.back() == 9); // the dropout counter: one per gradient evaluation
    CHECK(parallel.back() == 9);
  }
}
