// The MLP's loss and backprop: gradients against central finite differences in the double
// instantiation (the precision check path), the float network against the double one within float
// round-off, closed-form losses, PyTorch's initialization bounds, and mnistfc's size.
#include "learning/network.hpp"
#include "sde/rng.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace relax;

namespace {

// 9 samples of 5 features (standard normals), 3 classes.
Dataset small_data() {
  Dataset data;
  data.count = 9;
  data.features = 5;
  data.classes = 3;
  const CounterRng rng(4, 0);
  for (std::size_t k = 0; k < data.count * data.features; ++k) {
    const auto u = rng.uniform_pair(k, 0, 0);
    data.inputs.push_back(static_cast<float>(2 * u[0] - 1));
  }
  for (std::size_t i = 0; i < data.count; ++i) {
    data.labels.push_back(static_cast<std::uint8_t>(i % 3));
  }
  return data;
}

// One blank 28x28 image of class 0: enough to build Fashion-MNIST-shaped networks.
Dataset one_image() {
  Dataset data;
  data.count = 1;
  data.features = 784;
  data.classes = 10;
  data.inputs.assign(784, 0.0f);
  data.labels = {0};
  return data;
}

template <typename Real> std::vector<Real> initial_parameters(const Network<Real>& mlp) {
  std::vector<Real> params(mlp.parameter_count());
  const CounterRng rng(8, 1);
  mlp.initialize(params.data(), [&](std::size_t k) { return rng.uniform_pair(k, 0, 0)[0]; });
  return params;
}

} // namespace

TEST_CASE("MLP backprop matches central finite differences (double precision)", "[mlp]") {
  const Dataset data = small_data();
  // Capacity 4 < 9 samples: the gradient also accumulates over blocks.
  Network<double> mlp({5, 7, 6, 3}, data, 4);
  std::vector<double> params = initial_parameters(mlp);
  for (double& p : params) {
    p *= 3; // larger weights: logits of order 1, so the softmax is far from uniform
  }
  std::vector<std::size_t> samples(data.count);
  std::iota(samples.begin(), samples.end(), std::size_t{0});
  std::vector<double> gradient(mlp.parameter_count());
  const double loss =
      mlp.loss_and_gradient(params.data(), samples.data(), samples.size(), gradient.data(), 1.0);
  CHECK(loss == Approx(mlp.loss(params.data(), samples.data(), samples.size())).epsilon(1e-14));
  // Central differences: truncation h^2 f'''/6 ~ 1e-12 and round-off eps |f| / h ~ 1e-10 for
  // h = 1e-5; the loss is piecewise smooth (ReLU kinks), and no pre-activation lies within h of a
  // kink at these parameters (the check would fail loudly if one did).
  const double h = 1e-5;
  double worst = 0;
  for (std::size_t k = 0; k < params.size(); ++k) {
    const double saved = params[k];
    params[k] = saved + h;
    const double up = mlp.loss(params.data(), samples.data(), samples.size());
    params[k] = saved - h;
    const double down = mlp.loss(params.data(), samples.data(), samples.size());
    params[k] = saved;
    worst = std::max(worst, std::fabs((up - down) / (2 * h) - gradient[k]));
  }
  CAPTURE(worst);
  CHECK(worst < 1e-8);
}

TEST_CASE("float MLP gradient equals the double one within float round-off", "[mlp]") {
  const Dataset data = small_data();
  Network<double> exact({5, 7, 6, 3}, data, 16);
  Net single({5, 7, 6, 3}, data, 16);
  const std::vector<float> params = initial_parameters(single);
  const std::vector<double> params_double(params.begin(), params.end());
  std::vector<std::size_t> samples(data.count);
  std::iota(samples.begin(), samples.end(), std::size_t{0});
  std::vector<float> g(single.parameter_count());
  std::vector<double> g_double(exact.parameter_count());
  const double loss =
      single.loss_and_gradient(params.data(), samples.data(), samples.size(), g.data(), 1.0f);
  const double loss_double = exact.loss_and_gradient(params_double.data(), samples.data(),
                                                     samples.size(), g_double.data(), 1.0);
  double scale = 0;
  double difference = 0;
  for (std::size_t k = 0; k < g.size(); ++k) {
    scale = std::max(scale, std::fabs(g_double[k]));
    difference = std::max(difference, std::fabs(g[k] - g_double[k]));
  }
  // Every entry is a sum of at most 9 samples x 7 products through three layers: the standard
  // error bound is (sum length) x (unit round-off 6e-8) x (sum of |terms|), below 100 u |g|max.
  CAPTURE(difference, scale, loss, loss_double);
  CHECK(difference < 100 * 6e-8 * scale);
  CHECK(loss == Approx(loss_double).epsilon(100 * 6e-8));
}

TEST_CASE("softmax cross-entropy and error counts in closed form", "[mlp]") {
  const Dataset data = small_data();
  Net mlp({5, 4, 3}, data, 16);
  std::vector<float> params(mlp.parameter_count(), 0.0f);
  std::vector<std::size_t> samples(data.count);
  std::iota(samples.begin(), samples.end(), std::size_t{0});
  // Zero weights: uniform softmax, loss log 3 per sample; ties go to class 0, so the 6 samples
  // with labels 1 and 2 are errors.
  CHECK(mlp.loss(params.data(), samples.data(), samples.size()) ==
        Approx(9 * std::log(3.0)).epsilon(1e-6));
  CHECK(mlp.error_count(params.data(), samples.data(), samples.size()) == 6);
  // Output bias (b_0, b_1, b_2) = (0, 1, 2), other weights 0: loss of label c is
  // log(1 + e + e^2) - c; every prediction is class 2.
  const std::size_t bias = params.size() - 3;
  params[bias + 1] = 1.0f;
  params[bias + 2] = 2.0f;
  const double lse = std::log(1 + std::exp(1.0) + std::exp(2.0));
  CHECK(mlp.loss(params.data(), samples.data(), samples.size()) ==
        Approx(3 * (lse - 0) + 3 * (lse - 1) + 3 * (lse - 2)).epsilon(1e-6));
  const auto evaluation = mlp.evaluate(params.data(), 0, data.count);
  CHECK(evaluation.errors == 6);
  CHECK(mlp.evaluate(params.data(), 3, 3).errors == 2); // samples 3, 4, 5: labels 0, 1, 2
}

TEST_CASE("MLP initialization follows PyTorch's nn.Linear default", "[mlp]") {
  const Dataset data = one_image();
  Net mlp({784, 256, 10}, data, 1);
  CHECK(mlp.parameter_count() == 784 * 256 + 256 + 256 * 10 + 10);
  const std::vector<float> params = initial_parameters(mlp);
  // First layer (weights and biases): uniform on +-1/sqrt(784) = +-1/28, variance 1/(3 * 784).
  const std::size_t first = 784 * 256 + 256;
  const double bound = 1.0 / 28.0;
  double sum = 0;
  double sum2 = 0;
  double largest = 0;
  for (std::size_t k = 0; k < first; ++k) {
    sum += params[k];
    sum2 += static_cast<double>(params[k]) * params[k];
    largest = std::max(largest, std::fabs(static_cast<double>(params[k])));
  }
  const double n = static_cast<double>(first);
  const double variance = bound * bound / 3;
  CAPTURE(sum / n, sum2 / n, variance, largest);
  CHECK(largest <= bound);
  CHECK(largest > 0.999 * bound);
  CHECK(std::fabs(sum / n) < 4 * std::sqrt(variance / n));
  // Var of x^2 for x uniform on +-b: b^4/5 - b^4/9.
  CHECK(std::fabs(sum2 / n - variance) <
        4 * std::sqrt(std::pow(bound, 4) * (1.0 / 5 - 1.0 / 9) / n));
  // Second layer: +-1/16.
  double largest2 = 0;
  for (std::size_t k = first; k < params.size(); ++k) {
    largest2 = std::max(largest2, std::fabs(static_cast<double>(params[k])));
  }
  CHECK(largest2 <= 1.0 / 16);
  CHECK(largest2 > 0.9 * (1.0 / 16));
}

TEST_CASE("mnistfc is 784-1024-1024-10 with 1.86M parameters; widths must fit the data", "[mlp]") {
  const Dataset data = one_image();
  Net mlp(mnistfc_layers(), data, 128);
  CHECK(mlp.parameter_count() == 1863690);
  CHECK_THROWS_WITH(Net({784, 10, 9}, data, 1),
                    Catch::Contains("net.layers = '784-10-9'") && Catch::Contains("last 10"));
}
