// The table of samplers: every sampler x every sampler key (a key a sampler reads changes its
// trajectory, any other key is refused naming it), the prior of train.weight_decay, SGHMC and pSGLD
// against the Gibbs density of a landscape with their step-size bias measured, Adam and RMSProp
// against PyTorch's update formulas.
#include "core/error.hpp"
#include "learning/sampler_table.hpp"
#include "learning/samplers_driver.hpp"
#include "tests/learning/sampler_test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <sstream>
#include <vector>

using namespace relax;
using namespace relax::testing;

namespace {

// Least squares on 20 samples of 3 features: per-sample loss (y_i - x_i.w)^2 / 2.
class SmallRegression final : public Model<double> {
public:
  SmallRegression() : x_(60), y_(20) {
    fill_normal(CounterRng(4, 0), 0, 0, x_.size(), x_.data());
    fill_normal(CounterRng(4, 1), 0, 0, y_.size(), y_.data());
  }
  std::size_t parameter_count() const override { return 3; }
  std::size_t sample_count() const override { return 20; }
  std::string describe() const override { return "small regression"; }
  double loss(const double* w, const std::size_t* samples, std::size_t n) override {
    double g[3];
    return loss_and_gradient(w, samples, n, g, 1.0);
  }
  double loss_and_gradient(const double* w, const std::size_t* samples, std::size_t n, double* g,
                           double scale) override {
    std::fill(g, g + 3, 0.0);
    double sum = 0;
    for (std::size_t s = 0; s < n; ++s) {
      const double* x = x_.data() + 3 * samples[s];
      const double r = y_[samples[s]] - x[0] * w[0] - x[1] * w[1] - x[2] * w[2];
      sum += r * r / 2;
      for (int k = 0; k < 3; ++k) {
        g[k] -= scale * r * x[k];
      }
    }
    return sum;
  }

private:
  std::vector<double> x_, y_;
};

// A sampler's state (parameters, momenta, CTLD's alpha and r_alpha) after `steps` steps from
// w = (0.5, -0.5, 0.2), batch 7.
std::vector<double> trajectory_end(std::map<std::string, std::string> values, int steps = 30) {
  SmallRegression model;
  values["train.batch"] = "7";
  SamplerOptions options = sampler_options(values);
  options.seed = 2;
  SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
  driver.state().params = {0.5, -0.5, 0.2};
  for (int s = 0; s < steps; ++s) {
    driver.step();
  }
  std::vector<double> state = driver.state().params;
  state.insert(state.end(), driver.state().velocity.begin(), driver.state().velocity.end());
  state.insert(state.end(), driver.state().moment.begin(), driver.state().moment.end());
  state.push_back(driver.state().alpha.alpha);
  state.push_back(driver.state().alpha.velocity);
  return state;
}

// Another valid value of a key than `value`.
std::string alternative(const OptionSpec& spec, const std::string& value) {
  switch (spec.kind) {
  case ValueKind::real: {
    const double v = std::stod(value);
    return format_real(v == 0 ? 0.01 : 0.7 * v);
  }
  case ValueKind::integer: {
    const long v = std::stol(value);
    return std::to_string(v == -1 ? 2 : v >= 2 ? v / 2 : v + 1);
  }
  case ValueKind::boolean:
    return value == "true" ? "false" : "true";
  case ValueKind::real_list: { // every entry halved (train.lr_drops: earlier drops)
    std::string scaled;
    std::stringstream items(value);
    for (std::string item; std::getline(items, item, ',');) {
      scaled += (scaled.empty() ? "" : ",") + format_real(0.5 * std::stod(item));
    }
    return scaled;
  }
  case ValueKind::choice:
    for (const std::string& c : spec.choices) {
      if (c != value) {
        return c;
      }
    }
    break;
  default:
    break;
  }
  FAIL("no alternative for " << spec.key);
  return value;
}

} // namespace

TEST_CASE("every sampler x every sampler key: read and effective, or refused naming the key",
          "[samplers]") {
  const OptionSet options = sampler_option_set();
  std::vector<std::string> all_keys;
  for (const SamplerSpec& spec : sampler_table()) {
    all_keys.insert(all_keys.end(), spec.keys.begin(), spec.keys.end());
  }
  std::sort(all_keys.begin(), all_keys.end());
  all_keys.erase(std::unique(all_keys.begin(), all_keys.end()), all_keys.end());
  // Settings under which every key of a sampler acts within 30 steps (CTLD: alpha leaves the
  // narrow g = 1 plateau, reaches the confining wall and hands over to the noiseless phase).
  const std::map<std::string, std::map<std::string, std::string>> base = {
      {"ctld",
       {{"ctld.eta", "0.02"},
        {"ctld.delta", "0.02"},
        {"ctld.delta_prime", "0.1"},
        {"ctld.sampling_steps", "20"},
        {"ctld.bins", "10"}}},
      {"adam", {{"train.lr", "0.01"}}},
      {"rmsprop", {{"train.lr", "0.01"}}}};
  // The keys that act only under another key's value.
  const std::map<std::string, std::pair<std::string, std::string>> condition = {
      {"train.lr_a", {"train.lr_schedule", "polynomial"}},
      {"train.lr_p", {"train.lr_schedule", "polynomial"}},
      {"train.lr_drops", {"train.lr_schedule", "step"}},
      {"train.lr_factor", {"train.lr_schedule", "step"}},
      {"sgld.c", {"sgld.schedule", "logarithmic"}},
      {"sgld.a", {"sgld.schedule", "polynomial"}},
      {"sgld.p", {"sgld.schedule", "polynomial"}},
      // the bias acts on alpha inside [-delta', delta']: keep alpha there (small forces)
      {"ctld.metadynamics_steps", {"ctld.temperature", "100"}}};
  int checked = 0;
  for (const SamplerSpec& spec : sampler_table()) {
    for (const std::string& key : all_keys) {
      const OptionSpec& option = *options.find(key);
      CAPTURE(spec.name, key);
      const bool reads = std::find(spec.keys.begin(), spec.keys.end(), key) != spec.keys.end();
      if (reads && key == "parle.elastic") {
        // Acts between replicas only (one rank here): tests/learning/test_samplers_mpi.cpp checks
        // Parle's step with it by hand at 1, 2 and 3 ranks.
        ++checked;
        continue;
      }
      if (!reads) {
        // Any other value is refused; its default value is accepted (a printed configuration
        // given back holds every key).
        REQUIRE_THROWS_WITH(sampler_options({{"train.sampler", spec.name},
                                             {key, alternative(option, option.default_value)}}),
                            Catch::Contains(key + " = '") &&
                                Catch::Contains("not used by train.sampler = " + spec.name));
        REQUIRE_NOTHROW(
            sampler_options({{"train.sampler", spec.name}, {key, option.default_value}}));
        ++checked;
        continue;
      }
      std::map<std::string, std::string> values = {{"train.sampler", spec.name}};
      if (const auto b = base.find(spec.name); b != base.end()) {
        values.insert(b->second.begin(), b->second.end());
      }
      if (const auto c = condition.find(key); c != condition.end()) {
        values[c->second.first] = c->second.second;
        if (key == "ctld.metadynamics_steps") {
          values["ctld.delta_prime"] = "0.5";
        }
        if (key == "train.lr_factor") { // drops within the 10 epochs of SGD's 30 steps
          values["train.lr_drops"] = "2,5";
        }
      }
      const std::string current = values.count(key) ? values[key] : option.default_value;
      const std::vector<double> reference = trajectory_end(values);
      values[key] = alternative(option, current);
      CAPTURE(current, values[key]);
      const std::vector<double> changed = trajectory_end(values);
      for (double w : reference) {
        REQUIRE(std::isfinite(w));
      }
      CHECK(changed != reference);
      ++checked;
    }
  }
  CHECK(checked == static_cast<int>(sampler_table().size() * all_keys.size()));
  // A key read only under another key's value is refused otherwise.
  REQUIRE_THROWS_WITH(sampler_options({{"train.sampler", "sgd"}, {"train.lr_a", "2"}}),
                      Catch::Contains("train.lr_a = '2'") &&
                          Catch::Contains("used only with train.lr_schedule = polynomial"));
  REQUIRE_THROWS_WITH(sampler_options({{"train.sampler", "sgld"}, {"sgld.c", "2"}}),
                      Catch::Contains("sgld.c = '2'"));
  REQUIRE_THROWS_WITH(sampler_options({{"train.sampler", "parle"}, {"parle.elastic", "1"}}),
                      Catch::Contains("used only with parle.replicas = true"));
  REQUIRE_THROWS_WITH(
      sampler_options(
          {{"train.sampler", "parle"}, {"parle.replicas", "true"}, {"parle.every", "5"}}),
      Catch::Contains("parle.every = '5'"));
  REQUIRE_THROWS_WITH(sampler_options({{"train.sampler", "nadam"}}),
                      Catch::Contains("train.sampler = 'nadam'"));
  REQUIRE_THROWS_WITH(sampler_options({{"train.sampler", "ctld"},
                                       {"ctld.sampling_steps", "5"},
                                       {"ctld.metadynamics_steps", "6"}}),
                      Catch::Contains("ctld.metadynamics_steps = '6'"));
}

TEST_CASE("Adam and RMSProp follow PyTorch's update formulas", "[samplers]") {
  // One sample of f(x) = (x^2 - 1)^2 + 0.3 x: two steps by hand from x = 0.8, weight decay 0.1.
  LandscapeModel model(std::make_shared<TiltedDoubleWell>());
  const TiltedDoubleWell f;
  const auto gradient = [&](double x) {
    double g = 0;
    f.gradient(&x, &g);
    return g + 0.1 * x;
  };
  {
    SamplerDriver<double> adam(MPI_COMM_SELF, model,
                               sampler_options({{"train.sampler", "adam"},
                                                {"train.lr", "0.05"},
                                                {"train.weight_decay", "0.1"},
                                                {"adam.beta1", "0.8"},
                                                {"adam.beta2", "0.9"},
                                                {"adam.eps", "1e-3"}}));
    adam.state().params = {0.8};
    double x = 0.8, m = 0, v = 0;
    for (int t = 1; t <= 2; ++t) {
      const double g = gradient(x);
      m = 0.8 * m + 0.2 * g;
      v = 0.9 * v + 0.1 * g * g;
      x -= 0.05 * (m / (1 - std::pow(0.8, t))) / (std::sqrt(v / (1 - std::pow(0.9, t))) + 1e-3);
      adam.step();
      CHECK(adam.state().params[0] == Approx(x).epsilon(1e-14));
    }
  }
  SamplerDriver<double> rmsprop(MPI_COMM_SELF, model,
                                sampler_options({{"train.sampler", "rmsprop"},
                                                 {"train.lr", "0.05"},
                                                 {"train.weight_decay", "0.1"},
                                                 {"rmsprop.alpha", "0.9"},
                                                 {"rmsprop.eps", "1e-3"}}));
  rmsprop.state().params = {0.8};
  double x = 0.8, v = 0;
  for (int t = 1; t <= 2; ++t) {
    const double g = gradient(x);
    v = 0.9 * v + 0.1 * g * g;
    x -= 0.05 * g / (std::sqrt(v) + 1e-3);
    rmsprop.step();
    CHECK(rmsprop.state().params[0] == Approx(x).epsilon(1e-14));
  }
}

// A sampler's chain on the tilted double well at T = 1 (one sample: stationary exp(-f)), started at
// x = -1: P(x < 0) and <x^2> with batch-means SEs.
std::pair<Estimate, Estimate> landscape_chain(const std::string& sampler, double lr, long steps,
                                              std::map<std::string, std::string> extra = {}) {
  LandscapeModel model(std::make_shared<TiltedDoubleWell>());
  extra["train.sampler"] = sampler;
  extra["train.lr"] = format_real(lr);
  SamplerOptions options = sampler_options(extra);
  options.seed = 13;
  SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
  driver.state().params = {-1.0};
  std::vector<double> left, squares;
  for (long s = 0; s < steps; ++s) {
    driver.step();
    if (s >= steps / 20 && s % 4 == 0) {
      const double x = driver.state().params[0];
      left.push_back(x < 0 ? 1.0 : 0.0);
      squares.push_back(x * x);
    }
  }
  return {batch_means(left), batch_means(squares)};
}

TEST_CASE("SGLD, pSGLD, SGHMC sample the Gibbs density of a landscape; their step bias measured",
          "[samplers]") {
  const TiltedDoubleWell f;
  const auto gibbs = [&](double x) { return std::exp(-f.value(&x)); };
  const double z = simpson(gibbs, -5, 5);
  const double p_left = simpson(gibbs, -5, 0) / z;
  const double second = simpson([&](double x) { return x * x * gibbs(x); }, -5, 5) / z;
  struct Case {
    std::string sampler;
    double lr;
    std::map<std::string, std::string> extra;
  };
  // Small steps (SGHMC: lr = eta^2 with eta = 0.03, momentum 1 - eta gamma = 0.9; pSGLD: G =
  // 1 / sqrt(V) ~ 0.4, so lr 4e-3 is a step ~ 1.6e-3, its V averaged over ~1e5 steps, long
  // against the chain's correlation time).
  for (const Case& c : {Case{"sgld", 2e-3, {}}, Case{"psgld", 4e-3, {{"rmsprop.alpha", "0.99999"}}},
                        Case{"sghmc", 1e-3, {{"train.momentum", "0.9"}}}}) {
    const auto [left, sq] = landscape_chain(c.sampler, c.lr, 3000000, c.extra);
    CAPTURE(c.sampler, left.mean, left.se, p_left, sq.mean, sq.se, second);
    CHECK(std::fabs(left.mean - p_left) < 4 * left.se);
    CHECK(std::fabs(sq.mean - second) < 4 * sq.se);
    CHECK(left.se < 0.01); // the band resolves a 4 % error in P(x < 0)
  }
  // pSGLD with a short average (rmsprop.alpha = 0.999, ~1000 steps, comparable with the
  // correlation time): V, hence G, correlates with the recent path, and with the correction term
  // dropped the chain is biased (measured <x^2> 0.94 against 0.85, ~10 SE).
  {
    const auto [left, sq] = landscape_chain("psgld", 1e-3, 3000000, {{"rmsprop.alpha", "0.999"}});
    CAPTURE(sq.mean, sq.se, second);
    CHECK(sq.mean - second > 5 * sq.se);
  }
  // The bias at larger steps: first order in the step for SGLD (Euler-Maruyama): the <x^2> bias
  // doubles with the step. SGHMC's time step is eta = sqrt(lr): doubling lr multiplies it by
  // 1.41, and the measured bias grows by 1.4-1.5 (first order in eta; the SE allows +-0.3).
  for (const Case& c : {Case{"sgld", 0.02, {}}, Case{"sghmc", 0.02, {{"train.momentum", "0.9"}}}}) {
    const auto [left1, sq1] = landscape_chain(c.sampler, c.lr, 2000000, c.extra);
    const auto [left2, sq2] = landscape_chain(c.sampler, 2 * c.lr, 2000000, c.extra);
    const double bias1 = sq1.mean - second;
    const double bias2 = sq2.mean - second;
    CAPTURE(c.sampler, c.lr, bias1, sq1.se, bias2, sq2.se);
    WARN(c.sampler << ": <x^2> bias " << bias1 << " (SE " << sq1.se << ") at lr " << c.lr << ", "
                   << bias2 << " (SE " << sq2.se << ") at lr " << 2 * c.lr);
    CHECK(std::fabs(bias1) > 5 * sq1.se);
    const double expected = c.sampler == "sgld" ? 2.0 : std::sqrt(2.0);
    CHECK(bias2 / bias1 > expected - 0.5);
    CHECK(bias2 / bias1 < expected + 0.5);
  }
}

TEST_CASE("Entropy-SGD's inner loop with Nesterov momentum and weight decay (reference code)",
          "[samplers]") {
  // One outer step, L = 2 inner steps without noise on f(x) = (x^2 - 1)^2 + 0.3 x from x = 0.8:
  // d = f'(y) + wd y, m <- mu m + d, d <- d + mu m, y <- y - eta' (d + gamma (y - x)),
  // mu_avg <- (1 - a) mu_avg + a y, then x <- x - lr (x - mu_avg) (outer momentum 0).
  LandscapeModel model(std::make_shared<TiltedDoubleWell>());
  const TiltedDoubleWell f;
  SamplerDriver<double> driver(MPI_COMM_SELF, model,
                               sampler_options({{"train.sampler", "entropy_sgd"},
                                                {"train.lr", "0.5"},
                                                {"train.momentum", "0"},
                                                {"entropy.inner_steps", "2"},
                                                {"entropy.inner_lr", "0.05"},
                                                {"entropy.noise", "0"},
                                                {"entropy.gamma0", "2"},
                                                {"entropy.gamma1", "0"},
                                                {"entropy.average", "0.25"},
                                                {"entropy.inner_momentum", "0.7"},
                                                {"entropy.inner_weight_decay", "0.1"}}));
  driver.state().params = {0.8};
  const double x = 0.8;
  double y = x, m = 0, average = x;
  for (int l = 0; l < 2; ++l) {
    double g = 0;
    f.gradient(&y, &g);
    double d = g + 0.1 * y;
    m = 0.7 * m + d;
    d += 0.7 * m;
    y -= 0.05 * (d + 2 * (y - x));
    average = 0.75 * average + 0.25 * y;
  }
  driver.step();
  CHECK(driver.state().params[0] == Approx(x - 0.5 * (x - average)).epsilon(1e-14));
}

TEST_CASE("Entropy-SGD's slow variable follows the local-entropy gradient flow; the error shrinks "
          "with the inner loop length",
          "[samplers]") {
  // f(y) = (y^2 - 1)^2 + 0.3 y, inner temperature eps^2 = 0.25, coupling gamma = 4 (f + 2 (y - x)^2
  // is convex), outer lr 0.05 without momentum. The outer step x <- x - eta (x - mu) tracks
  // dx/dk = -eta (x - <y>_x) = -(eta / gamma) grad F(x), F(x) = -eps^2 log int exp(-(f(y) +
  // gamma (y - x)^2 / 2) / eps^2) dy the local entropy (Cole-Hopf, docs/theory.md 3), <y>_x by
  // quadrature, the ODE by RK4. mu is an average started at y = x, biased toward x for short inner
  // loops: the error of E[x_K] at K = 40 must fall as L grows and, at L = 160, lie within 4 SE of
  // the outer map's own distance to the ODE (the map is Euler on the ODE with step 1).
  const TiltedDoubleWell f;
  const double eps2 = 0.25, gamma = 4, eta = 0.05, x0 = 0.6;
  const int outer = 40;
  const auto mean_y = [&](double x) {
    const auto w = [&](double y) {
      return std::exp(-(f.value(&y) + gamma * (y - x) * (y - x) / 2) / eps2);
    };
    return simpson([&](double y) { return y * w(y); }, -4, 4, 2000) / simpson(w, -4, 4, 2000);
  };
  const auto rate = [&](double x) { return -eta * (x - mean_y(x)); };
  double ode = x0, map = x0;
  for (int k = 0; k < outer; ++k) {
    for (int s = 0; s < 10; ++s) { // RK4, step 0.1 in k
      const double h = 0.1;
      const double k1 = rate(ode), k2 = rate(ode + h * k1 / 2), k3 = rate(ode + h * k2 / 2),
                   k4 = rate(ode + h * k3);
      ode += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6;
    }
    map += rate(map);
  }
  std::vector<double> errors;
  double last_se = 0;
  for (const int inner : {10, 40, 160}) {
    std::vector<double> ends;
    for (int r = 0; r < 400; ++r) {
      LandscapeModel model(std::make_shared<TiltedDoubleWell>());
      SamplerOptions options = sampler_options({{"train.sampler", "entropy_sgd"},
                                                {"train.lr", format_real(eta)},
                                                {"train.momentum", "0"},
                                                {"train.nesterov", "false"},
                                                {"entropy.inner_steps", std::to_string(inner)},
                                                {"entropy.inner_lr", "0.005"},
                                                {"entropy.noise", "0.5"},
                                                {"entropy.gamma0", "4"},
                                                {"entropy.gamma1", "0"},
                                                {"entropy.average", "0.1"}});
      options.seed = static_cast<std::uint32_t>(1000 + r);
      SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
      driver.state().params = {x0};
      for (int k = 0; k < outer; ++k) {
        driver.step();
      }
      ends.push_back(driver.state().params[0]);
    }
    const Estimate e = batch_means(ends);
    errors.push_back(std::fabs(e.mean - ode));
    last_se = e.se;
    WARN("Entropy-SGD, L = " << inner << ": E[x_40] = " << e.mean << " +- " << e.se << ", ODE "
                             << ode << ", outer map " << map);
  }
  CHECK(errors[0] > errors[1]);
  CHECK(errors[1] > errors[2]);
  CHECK(errors[0] > 10 * last_se); // the short-loop bias is resolved
  CHECK(errors[2] < std::fabs(map - ode) + 4 * last_se);
}
