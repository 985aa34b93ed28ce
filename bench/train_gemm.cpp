// The sgemm ceiling of training (bench/train.sh, bench/README.md): for mnistfc and 784-256-10 at
// batch 128, the time of one relax training step (gradient and Nesterov-momentum update), the time
// of the step's sgemm calls alone (the same shapes and transposes, OpenBLAS), and those sgemms'
// rate against a 2048^3 sgemm. Both relax and PyTorch make the same sgemm calls on the same
// OpenBLAS, so relax / PyTorch <= (PyTorch's step) / (the sgemms alone).
// Times are medians of 7 repeats, wall clock and process CPU time (robust under load). Another
// BLAS with the CBLAS interface can be measured in its place with LD_PRELOAD (bench/README.md).
// Usage: train_gemm [THREADS...] (default 1 2).
#include "learning/network.hpp"
#include "learning/samplers.hpp"
#include "sde/rng.hpp"

#include <cblas.h>
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <numeric>
#include <vector>

using namespace relax;

namespace {

using Clock = std::chrono::steady_clock;

double cpu_seconds() { // of the whole process: every OpenBLAS thread
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Medians over 7 repeats of the mean wall-clock and CPU seconds of `steps` calls of f. On a loaded
// machine the CPU time is the robust figure (at 1 thread it is the quiet machine's wall time).
struct Seconds {
  double wall = 0;
  double cpu = 0;
};
template <typename F> Seconds median_seconds(int steps, F&& f) {
  f(); // warm-up
  std::vector<double> wall, cpu;
  for (int r = 0; r < 7; ++r) {
    const auto start = Clock::now();
    const double start_cpu = cpu_seconds();
    for (int s = 0; s < steps; ++s) {
      f();
    }
    wall.push_back(std::chrono::duration<double>(Clock::now() - start).count() / steps);
    cpu.push_back((cpu_seconds() - start_cpu) / steps);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[3], cpu[3]};
}

void sgemm(bool at, bool bt, int m, int n, int k, const float* a, int lda, const float* b, int ldb,
           float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, at ? CblasTrans : CblasNoTrans, bt ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

constexpr int batch = 128;

// 1024 images of standard normal pixels in 10 classes.
Dataset noise_images() {
  Dataset data;
  data.count = 1024;
  data.features = 784;
  data.classes = 10;
  data.inputs.resize(data.count * data.features);
  fill_normal(CounterRng(1, 0), 0, 0, data.inputs.size(), data.inputs.data());
  for (std::size_t i = 0; i < data.count; ++i) {
    data.labels.push_back(static_cast<std::uint8_t>(i % 10));
  }
  return data;
}

// One training step of `net` (gradient of a minibatch of 128, Nesterov momentum update).
Seconds time_steps(Net& net, std::vector<float>& params, std::vector<float>& gradient) {
  std::vector<float> velocity(params.size());
  const CounterRng init(2, 1);
  net.initialize(params.data(), [&](std::size_t k) { return init.uniform_pair(k, 0, 0)[0]; });
  std::vector<std::size_t> samples(batch);
  std::size_t first = 0;
  const MomentumParameters momentum;
  return median_seconds(20, [&] {
    std::iota(samples.begin(), samples.end(), first);
    first = (first + batch) % (net.sample_count() - batch);
    net.loss_and_gradient(params.data(), samples.data(), batch, gradient.data(), 1.0f / batch);
    momentum_step(momentum, params.size(), gradient.data(), velocity.data(), params.data());
  });
}

void measure_lenet(int threads) {
  openblas_set_num_threads(threads);
  const Dataset data = noise_images();
  NetworkSpec spec;
  spec.type = "lenet";
  spec.batch_norm = true;
  spec.dropout = 0.5;
  Net net(spec, data, batch);
  std::vector<float> params(net.parameter_count()), gradient(params.size());
  const Seconds step = time_steps(net, params, gradient);
  std::printf("lenet (batch norm, dropout 0.5) OpenBLAS threads %d: relax step %.3f ms wall, %.3f "
              "ms CPU (%.0f samples per CPU second)\n",
              threads, 1e3 * step.wall, 1e3 * step.cpu, batch / step.cpu);
}

void measure(const std::vector<int>& widths, int threads) {
  openblas_set_num_threads(threads);
  const Dataset data = noise_images();
  Net net(widths, data, batch);
  std::vector<float> params(net.parameter_count()), gradient(params.size());
  const Seconds step = time_steps(net, params, gradient);
  // The step's sgemms: forward Z = A W^T, backward dW = D^T A and (above the first layer) D W.
  const int widest = *std::max_element(widths.begin(), widths.end());
  std::vector<std::vector<float>> activations;
  for (int w : widths) {
    activations.emplace_back(static_cast<std::size_t>(batch * w), 0.5f);
  }
  std::vector<float> delta(static_cast<std::size_t>(batch * widest), 0.01f), delta_in(delta.size());
  double flops = 0;
  const Seconds gemms = median_seconds(20, [&] {
    std::size_t offset = 0;
    flops = 0;
    std::vector<std::size_t> offsets;
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
      offsets.push_back(offset);
      sgemm(false, true, batch, widths[l + 1], widths[l], activations[l].data(), widths[l],
            params.data() + offset, widths[l], 1.0f, activations[l + 1].data(), widths[l + 1]);
      flops += 2.0 * batch * widths[l + 1] * widths[l];
      offset += static_cast<std::size_t>(widths[l + 1]) * (widths[l] + 1);
    }
    for (std::size_t l = widths.size() - 1; l-- > 0;) {
      sgemm(true, false, widths[l + 1], widths[l], batch, delta.data(), widths[l + 1],
            activations[l].data(), widths[l], 0.0f, gradient.data() + offsets[l], widths[l]);
      flops += 2.0 * batch * widths[l + 1] * widths[l];
      if (l > 0) {
        sgemm(false, false, batch, widths[l], widths[l + 1], delta.data(), widths[l + 1],
              params.data() + offsets[l], widths[l], 0.0f, delta_in.data(), widths[l]);
        flops += 2.0 * batch * widths[l + 1] * widths[l];
      }
    }
  });
  const int n = 2048;
  std::vector<float> a(static_cast<std::size_t>(n) * n, 0.5f), b(a.size(), 0.25f), c(a.size());
  const Seconds peak_seconds = median_seconds(
      1, [&] { sgemm(false, false, n, n, n, a.data(), n, b.data(), n, 0.0f, c.data(), n); });
  const double peak = 2.0 * n * n * n / peak_seconds.cpu / 1e9;
  const double rate = flops / gemms.cpu / 1e9;
  std::string name;
  for (int w : widths) {
    name += (name.empty() ? "" : "-") + std::to_string(w);
  }
  std::printf("%s OpenBLAS threads %d: relax step %.3f ms wall, %.3f ms CPU (%.0f samples/s "
              "per CPU second); its sgemms alone %.3f ms CPU = %.0f%% of the step, %.1f GFLOP/s "
              "per CPU = %.0f%% of the 2048^3 sgemm's %.1f\n",
              name.c_str(), threads, 1e3 * step.wall, 1e3 * step.cpu, batch / step.cpu,
              1e3 * gemms.cpu, 100 * gemms.cpu / step.cpu, rate, 100 * rate / peak, peak);
}

} // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  std::vector<int> threads;
  for (int i = 1; i < argc; ++i) {
    threads.push_back(std::atoi(argv[i]));
  }
  if (threads.empty()) {
    threads = {1, 2};
  }
  for (int t : threads) {
    measure(mnistfc_layers(), t);
    measure({784, 256, 10}, t);
    measure_lenet(t);
  }
  MPI_Finalize();
  return 0;
}
