// The rugged-landscape exploration study (docs/theory.md 7): from starts spread uniformly over
// [-3, 3] on the 1D Entropy-SGD picture (a wide rippled valley around x = -1, the isolated sharp
// global minimum at x = 2, a flat plateau between), each sampler gets the same budget of gradient
// evaluations; the study reports the fraction of chains that end in the wide valley (|x + 1| < 1)
// and that reach the global minimum (|x - 2| < 0.1) at any step, with 95 % Wilson intervals.
// Usage: explore_rugged [CHAINS] [BUDGET]   (defaults 400 chains, 20000 gradient evaluations)
#include "core/config.hpp"
#include "core/session.hpp"
#include "learning/model.hpp"
#include "learning/samplers_driver.hpp"
#include "models/landscapes.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace relax;

namespace {

// 95 % Wilson score interval of k successes in n trials.
std::pair<double, double> wilson(long k, long n) {
  const double z = 1.96, p = static_cast<double>(k) / n, m = static_cast<double>(n);
  const double centre = (p + z * z / (2 * m)) / (1 + z * z / m);
  const double half = z * std::sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m);
  return {centre - half, centre + half};
}

struct Sampler {
  std::string label;
  std::map<std::string, std::string> keys;
  long evaluations_per_step;
};

} // namespace

int main(int argc, char** argv) {
  const Session session;
  const long chains = argc > 1 ? std::atol(argv[1]) : 400;
  const long budget = argc > 2 ? std::atol(argv[2]) : 20000;
  const auto landscape = std::make_shared<RuggedLandscape>();
  // Temperature 0.5 (in loss units, one sample) for the samplers. Steps stable in the sharp well
  // (curvature 5.9 / 0.05^2 = 2360): lr 5e-4 (lr f'' = 1.2), CTLD's eta = 0.015 (eta^2 f''/T =
  // 1.1). CTLD samples for 80 % of the budget, then runs its noiseless phase; Entropy-SGD's outer
  // step costs L = 20 evaluations.
  const std::string ls = std::to_string(budget * 4 / 5);
  const std::vector<Sampler> samplers = {
      {"sgd (lr 5e-4, momentum 0)",
       {{"train.sampler", "sgd"}, {"train.lr", "5e-4"}, {"train.momentum", "0"}},
       1},
      {"sgld (lr 5e-4, T 0.5)",
       {{"train.sampler", "sgld"}, {"train.lr", "5e-4"}, {"sgld.temperature", "0.5"}},
       1},
      {"ctld (eta 0.015, gamma 4, T 0.5, L_s 0.8 budget)",
       {{"train.sampler", "ctld"},
        {"ctld.eta", "0.015"},
        {"ctld.friction", "4"},
        {"ctld.alpha_friction", "2"},
        {"ctld.temperature", "0.5"},
        {"ctld.sampling_steps", ls},
        {"ctld.height", "1e-3"},
        {"ctld.width2", "0.01"},
        {"ctld.bins", "30"},
        {"ctld.confining", "20"}},
       1},
      {"entropy_sgd (L 20, eta' 5e-4, eps^2 0.5, gamma 0.03)",
       {{"train.sampler", "entropy_sgd"},
        {"train.lr", "0.5"},
        {"train.momentum", "0"},
        {"entropy.inner_steps", "20"},
        {"entropy.inner_lr", "5e-4"},
        {"entropy.noise", "0.7071"},
        {"entropy.gamma0", "0.03"},
        {"entropy.gamma1", "0.001"}},
       20},
  };
  std::printf("rugged landscape, %ld chains from U(-3, 3), budget %ld gradient evaluations\n",
              chains, budget);
  std::printf("%-58s %-26s %-26s\n", "sampler", "P(end in wide valley)", "P(reach global min)");
  for (const Sampler& sampler : samplers) {
    long valley = 0, global = 0;
    for (long c = 0; c < chains; ++c) {
      LandscapeModel model(landscape);
      SamplerOptions options = sampler_options(sampler.keys);
      options.seed = static_cast<std::uint32_t>(c);
      SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
      const double start = -3 + 6 * driver.rng(train_stream::init).uniform_pair(0, 0, 0)[0];
      driver.state().params = {start};
      bool reached = false;
      for (long s = 0; s < budget / sampler.evaluations_per_step; ++s) {
        driver.step();
        reached = reached || std::fabs(driver.state().params[0] - 2.0) < 0.1;
      }
      valley += std::fabs(driver.state().params[0] + 1.0) < 1.0 ? 1 : 0;
      global += reached ? 1 : 0;
    }
    const auto [vl, vh] = wilson(valley, chains);
    const auto [gl, gh] = wilson(global, chains);
    std::printf("%-58s %.3f [%.3f, %.3f]      %.3f [%.3f, %.3f]\n", sampler.label.c_str(),
                static_cast<double>(valley) / chains, vl, vh, static_cast<double>(global) / chains,
                gl, gh);
  }
  return 0;
}
