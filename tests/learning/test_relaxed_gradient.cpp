// The optimizers of the Deep Relaxation paper against their PDEs on landscapes: each estimate of
// grad u(x, t) (estimate_relaxed_gradient: mean and standard error over independent repeats) agrees
// with the PDE's solution (HEAT: the heat-smoothed gradient in closed form; HJ: the Hopf-Lax /
// Moreau-envelope gradient in closed form and by a 1D minimization; H-ESGD: the viscous HJ by
// Cole-Hopf, a quadrature of the Gibbs mean) within 4 SE, and the same estimate is more than 4 SE
// from the solution at a deliberately wrong parameter (half the time, twice the viscosity), so the
// check has teeth. Also the scoped time of the step and the effective-epoch count of each step.
#include "learning/relaxed_gradient.hpp"
#include "learning/sampler_table.hpp"
#include "models/landscapes.hpp"
#include "tests/learning/sampler_test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

using namespace relax;
using namespace relax::testing;

namespace {

RelaxedGradientEstimate estimate(std::shared_ptr<const Landscape> landscape,
                                 const std::map<std::string, std::string>& values,
                                 const std::vector<double>& x, int repeats) {
  LandscapeModel model(std::move(landscape));
  SamplerOptions options = sampler_options(values);
  options.seed = 11;
  return estimate_relaxed_gradient(model, options, x, repeats);
}

// f'(y) of TiltedDoubleWell(0.3) and its heat-smoothed mean E[f'(x + sqrt(t) xi)] = 4 (x^3 + 3 x t)
// - 4 x + 0.3 (Gaussian moments).
double heat_gradient(double x, double t) {
  return 4 * (x * x * x + 3 * x * t) - 4 * x + 0.3;
}

// The viscous HJ u_t + |u'|^2 / 2 = nu u'' from f = TiltedDoubleWell(0.3), at (x, t): u'(x, t) =
// (x - <y>) / t with <y> the mean of exp(-(f(y) + (y - x)^2 / (2t)) / (2 nu)) (docs/theory.md
// 3.1), by Simpson's rule.
double viscous_gradient(double x, double t, double nu) {
  const TiltedDoubleWell f;
  const auto w = [&](double y) {
    return std::exp(-(f.value(&y) + (y - x) * (y - x) / (2 * t)) / (2 * nu));
  };
  const double mean =
      simpson([&](double y) { return y * w(y); }, -6, 6, 20000) / simpson(w, -6, 6, 20000);
  return (x - mean) / t;
}

} // namespace

TEST_CASE("HEAT's estimate is the gradient of the heat-smoothed loss within 4 SE; half the "
          "smoothing time is detected",
          "[samplers][relaxed]") {
  const double x = 0.8, t = 0.2;
  const auto e = estimate(
      std::make_shared<TiltedDoubleWell>(),
      {{"train.sampler", "heat"}, {"heat.samples", "50"}, {"heat.time", format_real(t)}}, {x}, 200);
  CAPTURE(e.mean[0], e.standard_error[0], heat_gradient(x, t), heat_gradient(x, t / 2));
  REQUIRE(e.standard_error[0] > 0);
  CHECK(std::abs(e.mean[0] - heat_gradient(x, t)) < 4 * e.standard_error[0]);
  CHECK(std::abs(e.mean[0] - heat_gradient(x, t / 2)) > 4 * e.standard_error[0]);
  CHECK(std::abs(e.mean[0] - heat_gradient(x, 0)) > 4 * e.standard_error[0]); // plain gradient

  // A 2D quadratic a_i (x_i - c_i)^2 / 2: smoothing leaves the gradient a (x - c) unchanged and
  // each perturbation's gradient has standard deviation a_i sqrt(t), so the SE over 200 repeats of
  // 50 samples is a_i sqrt(t / 10^4) (its sample estimate within 15 %).
  const std::vector<double> a = {2.0, 0.5}, c = {0.3, -1.0}, point = {1.0, 0.5};
  const auto q =
      estimate(std::make_shared<QuadraticLandscape>(a, c),
               {{"train.sampler", "heat"}, {"heat.samples", "50"}, {"heat.time", format_real(t)}},
               point, 200);
  for (int k = 0; k < 2; ++k) {
    const double se = a[k] * std::sqrt(t / 1e4);
    CAPTURE(k, q.mean[k], q.standard_error[k], se);
    CHECK(std::abs(q.mean[k] - a[k] * (point[k] - c[k])) < 4 * se);
    CHECK(q.standard_error[k] == Approx(se).epsilon(0.15));
  }
}

TEST_CASE("HJ's noise-free inner loop gives the Moreau-envelope (Hopf-Lax) gradient: the closed "
          "form on a quadratic, a 1D minimization on the double well",
          "[samplers][relaxed]") {
  // f = a (y - c)^2 / 2: y* = (x + t a c) / (1 + t a), grad u = a (x - c) / (1 + a t). From y_0 = x
  // each step contracts y - y* by rho = 1 - eta' (a + 1/t), so after L steps the estimate is
  // exactly (1 - rho^L) (x - y*) / t: checked to round-off at L = 5, and the converged value at
  // L = 80 within rho^80 |x - y*| / t of the closed form.
  const double a = 2, c = 0.3, x = 1.5, t = 1, lr = 0.1;
  const auto shape =
      std::make_shared<QuadraticLandscape>(std::vector<double>{a}, std::vector<double>{c});
  const double prox = (x + t * a * c) / (1 + t * a);
  const double exact = a * (x - c) / (1 + a * t);
  const double rho = 1 - lr * (a + 1 / t);
  for (const int steps : {5, 80}) {
    const auto e = estimate(shape,
                            {{"train.sampler", "hj"},
                             {"prox.inner_steps", std::to_string(steps)},
                             {"prox.inner_lr", format_real(lr)},
                             {"prox.time", format_real(t)}},
                            {x}, 2);
    CAPTURE(steps, e.mean[0], exact);
    CHECK(e.mean[0] == Approx((1 - std::pow(rho, steps)) * (x - prox) / t).epsilon(1e-12));
    CHECK(e.standard_error[0] < 1e-12); // deterministic on a landscape
    if (steps == 80) {
      CHECK(std::abs(e.mean[0] - exact) < std::pow(rho, steps) * std::abs(x - prox) / t + 1e-12);
      // half the time: a (x - c) / (1 + a t / 2) differs by 0.3
      CHECK(std::abs(e.mean[0] - a * (x - c) / (1 + a * t / 2)) > 0.1);
    }
  }

  // Double well at t = 0.2 (f'' >= -4 > -1/t: y -> f(y) + (y - x)^2 / (2t) is strictly convex, one
  // proximal point): y* by Newton on f'(y) + (y - x) / t = 0; 400 steps of eta' = 0.05 converge
  // to round-off.
  const TiltedDoubleWell f;
  const double tw = 0.2;
  for (const double xw : {-0.4, 0.7, 1.6}) {
    double y = xw;
    for (int i = 0; i < 100; ++i) {
      double g = 0;
      f.gradient(&y, &g);
      y -= (g + (y - xw) / tw) / (12 * y * y - 4 + 1 / tw);
    }
    const double moreau = (xw - y) / tw;
    const auto e = estimate(std::make_shared<TiltedDoubleWell>(),
                            {{"train.sampler", "hj"},
                             {"prox.inner_steps", "400"},
                             {"prox.inner_lr", "0.05"},
                             {"prox.time", format_real(tw)}},
                            {xw}, 2);
    CAPTURE(xw, e.mean[0], moreau);
    CHECK(e.mean[0] == Approx(moreau).epsilon(1e-9));
  }
}

TEST_CASE("H-ESGD's weighted Gaussian perturbations give the viscous-HJ (local-entropy) gradient "
          "within 4 SE; half the time and twice the viscosity are detected",
          "[samplers][relaxed]") {
  // nu = 0.25, t = 0.5: perturbations of variance 2 nu t = 0.25, weights exp(-2 f). The reference
  // is the Gibbs mean of docs/theory.md 3.1 (another formula than the estimator's E[w f'] / E[w]:
  // they agree by integration by parts). The ratio estimator's bias is O(1/samples): 2000
  // samples per repeat keep it below 0.1 SE of the mean of 40 repeats.
  const double nu = 0.25, t = 0.5;
  for (const double x : {-0.5, 0.3, 1.2}) {
    const auto e = estimate(std::make_shared<TiltedDoubleWell>(),
                            {{"train.sampler", "hesgd"},
                             {"hesgd.samples", "2000"},
                             {"hesgd.time", format_real(t)},
                             {"hesgd.nu", format_real(nu)}},
                            {x}, 40);
    const double exact = viscous_gradient(x, t, nu);
    CAPTURE(x, e.mean[0], e.standard_error[0], exact, viscous_gradient(x, t / 2, nu),
            viscous_gradient(x, t, 2 * nu));
    REQUIRE(e.standard_error[0] > 0);
    CHECK(std::abs(e.mean[0] - exact) < 4 * e.standard_error[0]);
    CHECK(std::abs(e.mean[0] - viscous_gradient(x, t / 2, nu)) > 4 * e.standard_error[0]);
    CHECK(std::abs(e.mean[0] - viscous_gradient(x, t, 2 * nu)) > 4 * e.standard_error[0]);
  }
}

TEST_CASE("HEAT, HJ, H-ESGD: one step is L gradient evaluations (effective epochs), the scoped "
          "time t_k = t0 / (1 + gamma1)^k, the outer step x <- x - lr grad u",
          "[samplers][relaxed]") {
  for (const auto& [name, keys] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"heat", {"heat.samples", "heat.time", "heat.scoping"}},
           {"hj", {"prox.inner_steps", "prox.time", "prox.scoping"}},
           {"hesgd", {"hesgd.samples", "hesgd.time", "hesgd.scoping"}}}) {
    CAPTURE(name);
    LandscapeModel model(std::make_shared<TiltedDoubleWell>());
    SamplerOptions options = sampler_options({{"train.sampler", name},
                                              {"train.lr", "0.01"},
                                              {"train.momentum", "0"},
                                              {keys[0], "6"},
                                              {keys[1], "0.1"},
                                              {keys[2], "0.5"}});
    SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
    driver.state().params = {0.4};
    StepRecord record;
    for (int k = 0; k < 3; ++k) {
      record = driver.step();
    }
    CHECK(driver.state().minibatches == 18);
    CHECK(driver.epoch() == 18.0); // one sample: a minibatch is an epoch
    CHECK(record.gamma == Approx(std::pow(1.5, 2) / 0.1).epsilon(1e-12)); // step k = 2
    if (name == "hj") { // deterministic: replay step 3 by hand from the state before it
      SamplerDriver<double> replay(MPI_COMM_SELF, model, options);
      replay.state().params = {0.4};
      replay.step();
      replay.step();
      const double before = replay.state().params[0];
      std::vector<double> g(1);
      replay.relaxed_gradient(replay.state().params.data(), g.data());
      CHECK(driver.state().params[0] == Approx(before - 0.01 * g[0]).epsilon(1e-14));
    }
  }
}

TEST_CASE("train.lr_schedule = step: lr0 f^(drops passed) in effective epochs; bad drops and "
          "factors refused by key",
          "[samplers][relaxed]") {
  // One landscape sample: every SGD step is one epoch, and the step at epoch e uses lr(e).
  LandscapeModel model(std::make_shared<TiltedDoubleWell>());
  SamplerDriver<double> driver(MPI_COMM_SELF, model,
                               sampler_options({{"train.sampler", "sgd"},
                                                {"train.lr", "0.01"},
                                                {"train.lr_schedule", "step"},
                                                {"train.lr_drops", "2,5"},
                                                {"train.lr_factor", "0.5"}}));
  driver.state().params = {0.4};
  const std::vector<double> expected = {0.01, 0.01, 0.005, 0.005, 0.005, 0.0025, 0.0025};
  for (double lr : expected) {
    CHECK(driver.step().lr == Approx(lr).epsilon(1e-15));
  }
  REQUIRE_THROWS_WITH(sampler_options({{"train.lr_schedule", "step"}, {"train.lr_drops", "5,2"}}),
                      Catch::Contains("train.lr_drops = '5,2'") &&
                          Catch::Contains("ascending positive epochs"));
  REQUIRE_THROWS_WITH(sampler_options({{"train.lr_schedule", "step"}, {"train.lr_factor", "0"}}),
                      Catch::Contains("train.lr_factor = '0'"));
  REQUIRE_THROWS_WITH(sampler_options({{"train.lr_drops", "3"}}),
                      Catch::Contains("used only with train.lr_schedule = step"));
  REQUIRE_THROWS_WITH(sampler_options({{"train.sampler", "hj"}, {"prox.inner_lr", "2"}}),
                      Catch::Contains("prox.inner_lr = '2'") &&
                          Catch::Contains("at most prox.time"));
}

TEST_CASE("HEAT's and H-ESGD's estimate replayed by hand from the perturbations' normals",
          "[samplers][relaxed]") {
  // The estimate at x from 8 perturbations y_l = x + s xi_l (xi_l: stream 3, counter l, seed 11):
  // HEAT the plain mean of f'(y_l) (s^2 = t), H-ESGD the mean weighted by exp(-f(y_l) / (2 nu))
  // (s^2 = 2 nu t) — to round-off, so a weight sum or a rescale of the running maximum gone wrong
  // shows even where the Monte Carlo checks above cannot resolve it. The points are chosen so that
  // the largest weight moves after the first perturbation (counted below).
  const TiltedDoubleWell f;
  const double t = 0.6, nu = 0.05;
  int moves = 0;
  for (const double x : {0.2, -0.7, 1.1, 0.5}) {
    for (const bool weighted : {false, true}) {
      CAPTURE(x, weighted);
      LandscapeModel model(std::make_shared<TiltedDoubleWell>());
      SamplerOptions options =
          weighted ? sampler_options({{"train.sampler", "hesgd"},
                                      {"hesgd.samples", "8"},
                                      {"hesgd.time", format_real(t)},
                                      {"hesgd.nu", format_real(nu)}})
                   : sampler_options(
                         {{"train.sampler", "heat"}, {"heat.samples", "8"}, {"heat.time", "0.6"}});
      options.seed = 11;
      SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
      double estimate = 0;
      driver.relaxed_gradient(&x, &estimate);
      const CounterRng rng(11, train_stream::noise);
      const double s = std::sqrt(weighted ? 2 * nu * t : t);
      double sum = 0, weights = 0, highest = 0;
      for (std::uint32_t l = 0; l < 8; ++l) {
        double xi = 0;
        fill_normal(rng, l, 0, 1, &xi);
        double y = x + s * xi, g = 0;
        const double value = f.gradient(&y, &g);
        const double w = weighted ? std::exp(-value / (2 * nu)) : 1.0;
        sum += w * g;
        weights += w;
        moves += weighted && l > 0 && w > highest ? 1 : 0;
        highest = std::max(highest, w);
      }
      CHECK(estimate == Approx(sum / weights).epsilon(1e-12));
    }
  }
  CHECK(moves > 0);
}
