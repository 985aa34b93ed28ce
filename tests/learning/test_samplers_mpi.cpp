// Distributed training: data-parallel gradients give the same trajectory at any rank count (up to
// float round-off of the gradient sum), and the elastic (Parle) coupling keeps the replicas' mean.
#include "core/mpi.hpp"
#include "learning/model.hpp"
#include "learning/network.hpp"
#include "learning/parle.hpp"
#include "learning/samplers_driver.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace relax;

namespace {

// 30 samples of 6 features in 3 classes, label = argmax of three fixed linear scores of the inputs.
Dataset synthetic_data() {
  Dataset data;
  data.count = 30;
  data.features = 6;
  data.classes = 3;
  data.inputs.resize(data.count * data.features);
  fill_normal(CounterRng(21, 0), 0, 0, data.inputs.size(), data.inputs.data());
  for (std::size_t i = 0; i < data.count; ++i) {
    const float* x = data.row(i);
    const float scores[3] = {x[0] + x[1], x[2] - x[3], x[4] * x[5]};
    data.labels.push_back(static_cast<std::uint8_t>(std::max_element(scores, scores + 3) - scores));
  }
  return data;
}

std::vector<float> run(MPI_Comm comm, const std::string& sampler, std::size_t batch, int steps) {
  const Dataset data = synthetic_data();
  Net model({6, 8, 3}, data, 16);
  SamplerOptions options = sampler_options({{"train.sampler", sampler},
                                            {"train.batch", std::to_string(batch)},
                                            {"train.lr", sampler == "adam" ? "0.01" : "0.05"}});
  options.seed = 9;
  SamplerDriver<float> driver(comm, model, options);
  const CounterRng init = driver.rng(train_stream::init);
  model.initialize(driver.state().params.data(),
                   [&](std::size_t k) { return init.uniform_pair(k, 0, 0)[0]; });
  for (int s = 0; s < steps; ++s) {
    driver.step();
  }
  return driver.state().params;
}

} // namespace

TEST_CASE("data-parallel training matches the single-rank run up to float round-off",
          "[samplers][mpi]") {
  // Global batches of 12 split evenly over 1, 2, 3 ranks, and of 10 (uneven at 3 ranks: 4,3,3).
  for (const std::size_t batch : {std::size_t{12}, std::size_t{10}}) {
    for (const std::string kind : {"sgd", "sgld", "psgld", "sghmc", "adam", "rmsprop"}) {
      const int steps = 9; // three epochs of 3 minibatches (batch 10 or 12 of 30)
      const std::vector<float> serial = run(MPI_COMM_SELF, kind, batch, steps);
      const std::vector<float> parallel = run(MPI_COMM_WORLD, kind, batch, steps);
      double difference = 0;
      double scale = 0;
      for (std::size_t k = 0; k < serial.size(); ++k) {
        difference = std::max(difference, static_cast<double>(std::fabs(serial[k] - parallel[k])));
        scale = std::max(scale, static_cast<double>(std::fabs(serial[k])));
      }
      // A different summation order changes each gradient by a few float ulps of its terms
      // (unit round-off 6e-8); nine small steps amplify that by far less than 100.
      const double bound = 100 * 6e-8 * scale;
      CAPTURE(batch, kind, difference, bound);
      CHECK(difference <= bound);
    }
  }
}

TEST_CASE("elastic coupling keeps the replicas' mean and rho = 1 makes them equal",
          "[samplers][mpi]") {
  const int rank = comm_rank(MPI_COMM_WORLD);
  const int size = comm_size(MPI_COMM_WORLD);
  const std::size_t n = 5;
  std::vector<double> x(n), mean(n);
  for (std::size_t k = 0; k < n; ++k) {
    x[k] = 1.0 + rank * 0.5 + static_cast<double>(k); // mean over ranks: 1 + 0.25 (size-1) + k
  }
  elastic_couple(MPI_COMM_WORLD, 0.5, n, x.data(), mean.data());
  for (std::size_t k = 0; k < n; ++k) {
    const double expected_mean = 1.0 + 0.25 * (size - 1) + static_cast<double>(k);
    CHECK(mean[k] == Approx(expected_mean).epsilon(1e-15));
    // Halfway toward the mean.
    CHECK(x[k] == Approx(0.5 * (1.0 + rank * 0.5 + static_cast<double>(k)) + 0.5 * expected_mean)
                      .epsilon(1e-15));
  }
  elastic_couple(MPI_COMM_WORLD, 1.0, n, x.data(), mean.data());
  double spread = 0;
  for (std::size_t k = 0; k < n; ++k) {
    ExactSum low;
    low.add(x[k]);
    const double total = allreduce_value(MPI_COMM_WORLD, low);
    spread = std::max(spread, std::fabs(x[k] - total / size));
  }
  CHECK(spread <= 1e-15);
}

TEST_CASE("shards split a batch contiguously, uneven counts first", "[samplers]") {
  CHECK(shard(10, 0, 3) == std::pair<std::size_t, std::size_t>{0, 4});
  CHECK(shard(10, 1, 3) == std::pair<std::size_t, std::size_t>{4, 7});
  CHECK(shard(10, 2, 3) == std::pair<std::size_t, std::size_t>{7, 10});
  CHECK(shard(2, 2, 3) == std::pair<std::size_t, std::size_t>{2, 2});
}

TEST_CASE("elastic replicas: independent noise between couplings, equal after a rho = 1 coupling",
          "[samplers][mpi]") {
  const Dataset data = synthetic_data();
  Net model({6, 8, 3}, data, 16);
  const SamplerOptions options = sampler_options({{"train.sampler", "sgld"},
                                                  {"train.batch", "10"},
                                                  {"train.lr", "0.05"},
                                                  {"parle.replicas", "true"},
                                                  {"parle.every", "3"},
                                                  {"parle.rho", "1"}});
  SamplerDriver<float> driver(MPI_COMM_WORLD, model, options);
  const auto spread = [&] { // max over parameters and ranks of |x - mean over ranks|
    std::vector<float> mean = driver.state().params;
    allreduce_sum(MPI_COMM_WORLD, mean.data(), mean.size());
    double local = 0;
    for (std::size_t k = 0; k < mean.size(); ++k) {
      local = std::max(local, std::fabs(static_cast<double>(driver.state().params[k]) -
                                        mean[k] / comm_size(MPI_COMM_WORLD)));
    }
    double global = 0;
    MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return global;
  };
  driver.step();
  driver.step();
  const double before = spread(); // replicas differ: own shuffles and noise (all zero at start)
  driver.step();                  // third step: coupled onto the mean
  const double after = spread();
  CAPTURE(before, after);
  if (comm_size(MPI_COMM_WORLD) > 1) {
    CHECK(before > 1e-3);
  }
  CHECK(after <= 1e-6 * before + 1e-7); // float mean: equal up to the rounding of the average
}

TEST_CASE("Parle: one outer step by hand, elastic coupling to the master (the replicas' mean)",
          "[samplers][mpi]") {
  // Replica a starts at x_a = 0.3 + 0.2 a on f(x) = (x^2 - 1)^2 (one sample, no noise): L = 3 inner
  // steps y <- y - eta' (f'(y) + gamma (y - x_a)), z <- (1 - a) z + a y, then x_a <- x_a - eta D
  // with D = (x_a - z) + rho (x_a - mean_b x_b) (outer momentum 0).
  class Well final : public Landscape {
  public:
    int dim() const override { return 1; }
    std::string describe() const override { return "double well"; }
    double value(const double* x) const override { return (x[0] * x[0] - 1) * (x[0] * x[0] - 1); }
    double gradient(const double* x, double* g) const override {
      g[0] = 4 * x[0] * (x[0] * x[0] - 1);
      return value(x);
    }
  };
  const int rank = comm_rank(MPI_COMM_WORLD);
  const int size = comm_size(MPI_COMM_WORLD);
  LandscapeModel model(std::make_shared<Well>());
  SamplerDriver<double> driver(MPI_COMM_WORLD, model,
                               sampler_options({{"train.sampler", "parle"},
                                                {"parle.replicas", "true"},
                                                {"train.lr", "0.5"},
                                                {"train.momentum", "0"},
                                                {"entropy.inner_steps", "3"},
                                                {"entropy.inner_lr", "0.05"},
                                                {"entropy.noise", "0"},
                                                {"entropy.gamma0", "2"},
                                                {"entropy.gamma1", "0"},
                                                {"entropy.average", "0.25"},
                                                {"parle.elastic", "0.8"}}));
  const auto start = [](int a) { return 0.3 + 0.2 * a; };
  driver.state().params = {start(rank)};
  double master = 0;
  for (int a = 0; a < size; ++a) {
    master += start(a) / size;
  }
  const double x = start(rank);
  double y = x, z = x;
  for (int l = 0; l < 3; ++l) {
    const double g = 4 * y * (y * y - 1);
    y -= 0.05 * (g + 2 * (y - x));
    z = 0.75 * z + 0.25 * y;
  }
  const double expected = x - 0.5 * ((x - z) + 0.8 * (x - master));
  driver.step();
  CAPTURE(rank, size, master);
  CHECK(driver.state().params[0] == Approx(expected).epsilon(1e-14));
  if (std::fabs(x - master) > 0.05) { // the elastic term acts: without it the step differs
    CHECK(std::fabs(expected - (x - 0.5 * (x - z))) > 1e-3);
  }
}
