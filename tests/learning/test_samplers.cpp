// The training samplers against theory: exact update formulas, SGLD on Bayesian linear regression
// (closed-form Gaussian posterior), CTLD on a tilted double well (flat alpha marginal, reweighted
// theta is Gibbs), Entropy-SGD's outer direction against a quadrature of the local-entropy
// gradient. Statistical checks use fixed seeds and batch-means standard errors.
#include "learning/samplers.hpp"
#include "learning/samplers_driver.hpp"
#include "tests/learning/sampler_test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <numeric>
#include <vector>

using namespace relax;
using namespace relax::testing;

namespace {

// Ratio estimator sum(w h) / sum(w) with a batch-means standard error.
Estimate weighted_batch_means(const std::vector<double>& h, const std::vector<double>& w,
                              int batches = 40) {
  const std::size_t size = h.size() / static_cast<std::size_t>(batches);
  std::vector<double> ratios;
  double total_wh = 0;
  double total_w = 0;
  for (int b = 0; b < batches; ++b) {
    double wh = 0;
    double ws = 0;
    for (std::size_t i = static_cast<std::size_t>(b) * size; i < (b + 1) * size; ++i) {
      wh += w[i] * h[i];
      ws += w[i];
    }
    ratios.push_back(wh / ws);
    total_wh += wh;
    total_w += ws;
  }
  const double mean = total_wh / total_w;
  double ss = 0;
  for (double r : ratios) {
    ss += (r - mean) * (r - mean);
  }
  return {mean, std::sqrt(ss / (batches - 1) / batches)};
}

// Bayesian linear regression y = X w + noise(sigma), prior N(0, I / lambda), as a Model whose
// per-sample loss is (y_i - x_i.w)^2 / (2 sigma^2) + lambda |w|^2 / (2 N): the sum over samples is
// the negative log posterior.
class LinearRegression final : public Model<double> {
public:
  LinearRegression(std::vector<double> x, std::vector<double> y, double sigma, double lambda)
      : x_(std::move(x)), y_(std::move(y)), sigma2_(sigma * sigma), lambda_(lambda) {}
  std::size_t parameter_count() const override { return 2; }
  std::size_t sample_count() const override { return y_.size(); }
  std::string describe() const override { return "bayesian linear regression"; }
  double loss(const double* w, const std::size_t* samples, std::size_t n) override {
    std::vector<double> g(2);
    return loss_and_gradient(w, samples, n, g.data(), 1.0);
  }
  double loss_and_gradient(const double* w, const std::size_t* samples, std::size_t n, double* g,
                           double scale) override {
    const double prior_share = lambda_ / static_cast<double>(y_.size());
    g[0] = g[1] = 0;
    double sum = 0;
    for (std::size_t s = 0; s < n; ++s) {
      const std::size_t i = samples[s];
      const double r = y_[i] - x_[2 * i] * w[0] - x_[2 * i + 1] * w[1];
      sum += r * r / (2 * sigma2_) + prior_share * (w[0] * w[0] + w[1] * w[1]) / 2;
      for (int k = 0; k < 2; ++k) {
        g[k] +=
            scale * (-r * x_[2 * i + static_cast<std::size_t>(k)] / sigma2_ + prior_share * w[k]);
      }
    }
    return sum;
  }

private:
  std::vector<double> x_, y_;
  double sigma2_, lambda_;
};

} // namespace

TEST_CASE("momentum_step follows torch.optim.SGD (Nesterov and heavy ball)", "[samplers]") {
  // Two steps by hand: d = g + wd theta, v = mu v + d, theta -= lr (d + mu v) (Nesterov).
  MomentumParameters p{0.5, 0.9, true, 0.1};
  double theta = 1.0;
  double v = 0.0;
  const double g1 = 2.0;
  momentum_step(p, 1, &g1, &v, &theta);
  // d = 2.1, v = 2.1, theta = 1 - 0.5 (2.1 + 1.89) = -0.995
  CHECK(v == Approx(2.1).epsilon(1e-15));
  CHECK(theta == Approx(-0.995).epsilon(1e-15));
  const double g2 = -1.0;
  momentum_step(p, 1, &g2, &v, &theta);
  // d = -1 - 0.0995 = -1.0995, v = 1.89 - 1.0995 = 0.7905, theta = -0.995 - 0.5 (-1.0995 + 0.71145)
  CHECK(v == Approx(0.7905).epsilon(1e-14));
  CHECK(theta == Approx(-0.995 - 0.5 * (-1.0995 + 0.71145)).epsilon(1e-14));
  p.nesterov = false;
  double theta_hb = 1.0;
  double v_hb = 0.0;
  momentum_step(p, 1, &g1, &v_hb, &theta_hb);
  CHECK(theta_hb == Approx(1.0 - 0.5 * 2.1).epsilon(1e-15));
}

TEST_CASE("fill_normal gives standard normals that depend only on the counters", "[samplers]") {
  const CounterRng rng(7, 3);
  const std::size_t n = 400001; // not a multiple of 4
  std::vector<double> z(n);
  fill_normal(rng, 5, 0, n, z.data());
  double sum = 0;
  double sum2 = 0;
  double sum4 = 0;
  for (double v : z) {
    sum += v;
    sum2 += v * v;
    sum4 += v * v * v * v;
  }
  const double N = static_cast<double>(n);
  CAPTURE(sum / N, sum2 / N, sum4 / N);
  CHECK(std::fabs(sum / N) < 4.0 / std::sqrt(N));               // var 1
  CHECK(std::fabs(sum2 / N - 1.0) < 4.0 * std::sqrt(2.0 / N));  // var 2
  CHECK(std::fabs(sum4 / N - 3.0) < 4.0 * std::sqrt(96.0 / N)); // var 105 - 9
  std::vector<double> again(n);
  fill_normal(rng, 5, 0, n, again.data());
  CHECK(again == z); // a function of the counters only
  fill_normal(rng, 6, 0, n, again.data());
  CHECK(again != z); // another step, other numbers
  std::vector<float> single(9);
  fill_normal(rng, 5, 0, single.size(), single.data());
  for (float v : single) {
    CHECK(std::isfinite(v));
  }
}

TEST_CASE("shuffled_indices is a permutation, uniform over positions", "[samplers]") {
  const CounterRng rng(1, train_stream::shuffle);
  std::vector<std::size_t> order;
  const std::size_t n = 10;
  std::vector<double> first_counts(n, 0);
  const int epochs = 20000;
  for (int e = 0; e < epochs; ++e) {
    shuffled_indices(rng, static_cast<std::uint32_t>(e), n, order);
    std::vector<std::size_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE(sorted[i] == i);
    }
    first_counts[order[0]] += 1;
  }
  // Pearson chi-square of the first element over 10 cells: 9 degrees of freedom; the 0.999
  // quantile is 27.9.
  double chi2 = 0;
  const double expected = static_cast<double>(epochs) / n;
  for (double c : first_counts) {
    chi2 += (c - expected) * (c - expected) / expected;
  }
  CAPTURE(chi2);
  CHECK(chi2 < 27.9);
}

TEST_CASE("SGLD samples the closed-form posterior of Bayesian linear regression", "[samplers]") {
  // Data: N = 100, x_i standard normal, w* = (1, -0.5), sigma = 1, prior precision lambda = 1.
  const std::size_t N = 100;
  const double sigma = 1.0;
  const double lambda = 1.0;
  std::vector<double> x(2 * N), y(N), z(3 * N);
  fill_normal(CounterRng(11, 0), 0, 0, z.size(), z.data());
  for (std::size_t i = 0; i < N; ++i) {
    x[2 * i] = z[3 * i];
    x[2 * i + 1] = z[3 * i + 1];
    y[i] = 1.0 * x[2 * i] - 0.5 * x[2 * i + 1] + sigma * z[3 * i + 2];
  }
  // Posterior: precision A = X^T X / sigma^2 + lambda I, mean A^-1 X^T y / sigma^2.
  double a00 = lambda, a01 = 0, a11 = lambda, b0 = 0, b1 = 0;
  for (std::size_t i = 0; i < N; ++i) {
    a00 += x[2 * i] * x[2 * i] / (sigma * sigma);
    a01 += x[2 * i] * x[2 * i + 1] / (sigma * sigma);
    a11 += x[2 * i + 1] * x[2 * i + 1] / (sigma * sigma);
    b0 += x[2 * i] * y[i] / (sigma * sigma);
    b1 += x[2 * i + 1] * y[i] / (sigma * sigma);
  }
  const double det = a00 * a11 - a01 * a01;
  const double mean[2] = {(a11 * b0 - a01 * b1) / det, (a00 * b1 - a01 * b0) / det};
  const double variance[2] = {a11 / det, a00 / det};

  // SGLD with T = 1, minibatch B = 10 and lr = 2e-3, i.e. step h = lr/N = 2e-5 in energy units.
  // Biases, relative to the posterior variance: Euler (A - h A^2/2)^-1 gives h lambda_max / 2
  // ~ 0.1%; minibatch gradient noise adds h N^2 C / (2B) ~ 1% (C ~ 1 the per-sample gradient
  // variance). Both are well below the 4-standard-error band (~10% here); the mean is unbiased.
  LinearRegression model(x, y, sigma, lambda);
  SamplerOptions options =
      sampler_options({{"train.sampler", "sgld"}, {"train.batch", "10"}, {"train.lr", "2e-3"}});
  options.seed = 3;
  SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
  driver.state().params = {mean[0], mean[1]};
  const int burn_in = 20000;
  const int steps = 800000;
  std::vector<double> w0, w1;
  for (int s = 0; s < burn_in + steps; ++s) {
    driver.step();
    if (s >= burn_in) {
      w0.push_back(driver.state().params[0]);
      w1.push_back(driver.state().params[1]);
    }
  }
  const std::vector<double>* samples[2] = {&w0, &w1};
  for (int k = 0; k < 2; ++k) {
    const Estimate m = batch_means(*samples[k]);
    std::vector<double> squares;
    for (double v : *samples[k]) {
      squares.push_back((v - mean[k]) * (v - mean[k]));
    }
    const Estimate v = batch_means(squares);
    // The SE of the mean from the chain's mixing: per step SGLD is OU with drift matrix h A
    // (h = lr / N) and noise 2 h, so the time average of `steps` iterates has covariance
    // (2 / h) A^-2 / steps (minibatch noise inflates it by ~0.5 %). Measured within [2/3, 1.5]
    // of it (40 batch means: ~11 % relative noise), so a chain that mixes 2x slower fails.
    const double h = 2e-3 / static_cast<double>(N);
    const double inverse_squared[2] = {(a11 * a11 + a01 * a01) / (det * det),
                                       (a00 * a00 + a01 * a01) / (det * det)};
    const double predicted_se = std::sqrt(2.0 / h * inverse_squared[k] / steps);
    CAPTURE(k, m.mean, mean[k], m.se, predicted_se, m.se / predicted_se, v.mean, variance[k], v.se);
    CHECK(std::fabs(m.mean - mean[k]) < 4 * m.se);
    CHECK(m.se < 1.5 * predicted_se);
    CHECK(m.se > predicted_se / 1.5);
    CHECK(std::fabs(v.mean - variance[k]) < 4 * v.se);
    CHECK(v.se < 0.05 * variance[k]); // the check has teeth: the band is a few percent wide
  }
}

TEST_CASE("SGLD's prior is train.weight_decay: the posterior with precision N wd", "[samplers]") {
  // The same regression without a prior in the model (lambda = 0); train.weight_decay = 0.5 is the
  // Gaussian prior exp(-N wd |w|^2 / 2) of precision lambda = N wd = 50, which moves the posterior
  // mean by ~1/3 (~80 of its standard errors here): a run that ignored the key fails.
  const std::size_t N = 100;
  std::vector<double> x(2 * N), y(N), z(3 * N);
  fill_normal(CounterRng(11, 0), 0, 0, z.size(), z.data());
  for (std::size_t i = 0; i < N; ++i) {
    x[2 * i] = z[3 * i];
    x[2 * i + 1] = z[3 * i + 1];
    y[i] = 1.0 * x[2 * i] - 0.5 * x[2 * i + 1] + z[3 * i + 2];
  }
  const double lambda = 50;
  double a00 = lambda, a01 = 0, a11 = lambda, b0 = 0, b1 = 0;
  for (std::size_t i = 0; i < N; ++i) {
    a00 += x[2 * i] * x[2 * i];
    a01 += x[2 * i] * x[2 * i + 1];
    a11 += x[2 * i + 1] * x[2 * i + 1];
    b0 += x[2 * i] * y[i];
    b1 += x[2 * i + 1] * y[i];
  }
  const double det = a00 * a11 - a01 * a01;
  const double mean[2] = {(a11 * b0 - a01 * b1) / det, (a00 * b1 - a01 * b0) / det};
  const double unregularized0 =
      ((a11 - lambda) * b0 - a01 * b1) / ((a00 - lambda) * (a11 - lambda) - a01 * a01);
  LinearRegression model(x, y, 1.0, 0.0);
  SamplerOptions options = sampler_options({{"train.sampler", "sgld"},
                                            {"train.batch", "10"},
                                            {"train.lr", "2e-3"},
                                            {"train.weight_decay", "0.5"}});
  options.seed = 4;
  SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
  driver.state().params = {mean[0], mean[1]};
  std::vector<double> w0, w1;
  for (int s = 0; s < 220000; ++s) {
    driver.step();
    if (s >= 20000) {
      w0.push_back(driver.state().params[0]);
      w1.push_back(driver.state().params[1]);
    }
  }
  const Estimate m0 = batch_means(w0);
  const Estimate m1 = batch_means(w1);
  CAPTURE(m0.mean, m0.se, mean[0], unregularized0, m1.mean, m1.se, mean[1]);
  CHECK(std::fabs(m0.mean - mean[0]) < 4 * m0.se);
  CHECK(std::fabs(m1.mean - mean[1]) < 4 * m1.se);
  CHECK(std::fabs(unregularized0 - mean[0]) > 20 * m0.se);
}

TEST_CASE("SGLD schedules: lr(t) and T(t) in epochs follow their formulas", "[samplers]") {
  // One sample: every step is one epoch, so step k runs at t = k.
  LandscapeModel model(std::make_shared<TiltedDoubleWell>(0.0));
  const SamplerOptions options = sampler_options({{"train.sampler", "sgld"},
                                                  {"train.lr", "0.2"},
                                                  {"train.lr_schedule", "polynomial"},
                                                  {"train.lr_a", "4"},
                                                  {"train.lr_p", "0.55"},
                                                  {"sgld.schedule", "logarithmic"},
                                                  {"sgld.c", "2"}});
  SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
  for (int k = 0; k < 5; ++k) {
    const StepRecord r = driver.step();
    CHECK(r.lr == Approx(0.2 * std::pow(1.0 + k / 4.0, -0.55)).epsilon(1e-14));
    CHECK(r.temperature == Approx(2.0 / std::log(2.0 + k)).epsilon(1e-14));
    CHECK(r.epoch == k + 1);
  }
  SamplerDriver<double> logarithmic(
      MPI_COMM_SELF, model,
      sampler_options(
          {{"train.sampler", "sgld"}, {"train.lr", "0.3"}, {"train.lr_schedule", "logarithmic"}}));
  for (int k = 0; k < 7; ++k) {
    const StepRecord r = logarithmic.step();
    CHECK(r.lr == Approx(0.3 * std::log(2.0) / std::log(2.0 + k)).epsilon(1e-15));
  }
}

TEST_CASE("CTLD tempering function g and its derivative", "[samplers]") {
  CtldParameters p;
  const CtldTempering t(p);
  CHECK(t.g(0.0) == 1.0);
  CHECK(t.g(0.4) == 1.0);
  CHECK(t.g(-1.5) == Approx(0.15).epsilon(1e-15));
  CHECK(t.g(3.0) == Approx(0.15).epsilon(1e-15));
  for (double a : {-1.3, -0.7, 0.5, 0.95, 1.45}) {
    const double h = 1e-6;
    CAPTURE(a);
    CHECK(t.dg(a) == Approx((t.g(a + h) - t.g(a - h)) / (2 * h)).epsilon(1e-7));
    CHECK(t.g(a) == t.g(-a));
  }
  // C^1 at delta and delta': smoothstep has zero slope at both ends.
  CHECK(std::fabs(t.dg(0.4 + 1e-9)) < 1e-7);
  CHECK(std::fabs(t.dg(1.5 - 1e-9)) < 1e-7);
}

TEST_CASE("CTLD (Algorithm 1): joint law exp(-H_e) in (theta, alpha), reweighted theta is Gibbs",
          "[samplers]") {
  // Tilted double well, U = f / T at T = 0.25 (barrier 4 at g = 1, 0.6 at g = 1 - S = 0.15). Time
  // step eta = 0.025, gamma = gamma_alpha = 2 (eta gamma = 0.05; at eta = 0.05 the outer alpha bins
  // are off by 4-5 SE, ~4 %: the step bias of the confining wall's discontinuous force).
  // Metadynamics for the first `learn` steps, then the bias is frozen and the stationary law of
  // (theta, r, alpha, r_alpha) is exp(-g(alpha) (U + r^2/2) - phi(alpha) - V_b(alpha) -
  // r_alpha^2/2): integrating r out, the (theta, alpha) law is exp(-g U - phi - V_b) g^(-1/2)
  // (Theorem 1 with eq. 12), whose alpha marginal is Z(g(alpha)) g^(-1/2) e^(-phi - V_b) with Z(g)
  // = int exp(-g U).
  const double temperature = 0.25;
  auto landscape = std::make_shared<TiltedDoubleWell>(0.3);
  LandscapeModel model(landscape);
  const long learn = 3000000;
  const long sample = 4000000;
  CtldParameters p;
  p.eta = 0.025;
  p.friction = 2;
  p.alpha_friction = 2;
  p.temperature = temperature;
  p.bins = 60;
  p.height = 2e-5;
  p.width2 = 0.05 * 0.05;
  p.confining = 20;
  SamplerOptions options = sampler_options({{"train.sampler", "ctld"},
                                            {"train.batch", "1"},
                                            {"ctld.eta", "0.025"},
                                            {"ctld.friction", "2"},
                                            {"ctld.alpha_friction", "2"},
                                            {"ctld.temperature", "0.25"},
                                            {"ctld.bins", "60"},
                                            {"ctld.height", "2e-5"},
                                            {"ctld.width2", "0.0025"},
                                            {"ctld.confining", "20"},
                                            {"ctld.sampling_steps", std::to_string(learn + sample)},
                                            {"ctld.metadynamics_steps", std::to_string(learn)}});
  options.seed = 5;
  SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
  driver.state().params = {-1.0};
  std::vector<double> alpha, theta;
  alpha.reserve(static_cast<std::size_t>(sample / 4));
  theta.reserve(static_cast<std::size_t>(sample / 4));
  for (long s = 0; s < learn + sample; ++s) {
    if (driver.step().phase != 0) {
      FAIL("CTLD left its sampling phase at step " << s);
    }
    if (s >= learn && s % 4 == 0) {
      alpha.push_back(driver.state().alpha.alpha);
      theta.push_back(driver.state().params[0]);
    }
  }
  const std::vector<double> bias = driver.state().bias;
  REQUIRE(bias.size() == 61); // K + 1 edges
  const CtldTempering tempering(p);
  const auto energy = [&](double t) { return landscape->value(&t) / temperature; };
  const auto z_of_g = [&](double g) {
    return simpson([&](double t) { return std::exp(-g * energy(t)); }, -4, 4, 2000);
  };
  const auto alpha_density = [&](double a, bool kinetic) {
    const double g = tempering.g(a);
    return z_of_g(g) * (kinetic ? 1.0 / std::sqrt(g) : 1.0) *
           std::exp(-tempering.bias_potential(a, bias) - tempering.confining_potential(a));
  };
  const double outer = p.delta_prime + 1.0; // e^-20 beyond
  const double z_alpha = simpson([&](double a) { return alpha_density(a, true); }, -outer, outer, 4000);
  const double z_alpha_no_kinetic =
      simpson([&](double a) { return alpha_density(a, false); }, -outer, outer, 4000);

  // (1) alpha marginal in 6 bins of [-delta', delta'] against the analytic one with the frozen
  // bias; the law without the kinetic term r^T r / 2 in h~ (no g^(-1/2)) is rejected by > 10 SE.
  const int bins = 6;
  const double width = 2 * p.delta_prime / bins;
  double worst_wrong = 0;
  std::vector<double> fractions;
  for (int b = 0; b < bins; ++b) {
    const double lo = -p.delta_prime + b * width;
    std::vector<double> in_bin(alpha.size());
    std::transform(alpha.begin(), alpha.end(), in_bin.begin(),
                   [&](double a) { return a >= lo && a < lo + width ? 1.0 : 0.0; });
    const Estimate fraction = batch_means(in_bin);
    const double exact =
        simpson([&](double a) { return alpha_density(a, true); }, lo, lo + width, 400) / z_alpha;
    const double wrong =
        simpson([&](double a) { return alpha_density(a, false); }, lo, lo + width, 400) /
        z_alpha_no_kinetic;
    CAPTURE(b, fraction.mean, fraction.se, exact, wrong);
    CHECK(std::fabs(fraction.mean - exact) < 4 * fraction.se);
    worst_wrong = std::max(worst_wrong, std::fabs(wrong - exact) / fraction.se);
    fractions.push_back(fraction.mean);
  }
  CHECK(worst_wrong > 10);
  // Metadynamics flattened the marginal: every bin within 25 % of 1/6 (measured ~5 %).
  for (double f : fractions) {
    CAPTURE(fractions);
    CHECK(std::fabs(f * bins - 1.0) < 0.25);
  }

  // (2) theta given alpha: P(theta < 0 | alpha in A) for A = {|alpha| < delta} (g = 1) and the hot
  // ends {|alpha| > 1.2} against exp(-g U) mixed over the alpha density on A.
  const auto conditional_left = [&](double lo, double hi) {
    const auto mixed = [&](double t_lo, double t_hi) {
      const auto over_alpha = [&](double a) {
        const double g = tempering.g(a);
        return alpha_density(a, true) / z_of_g(g) *
               simpson([&](double t) { return std::exp(-g * energy(t)); }, t_lo, t_hi, 400);
      };
      return simpson(over_alpha, lo, hi, 40) + simpson(over_alpha, -hi, -lo, 40);
    };
    return mixed(-4, 0) / mixed(-4, 4);
  };
  for (const auto& [lo, hi] : {std::pair<double, double>{0.0, 0.4}, {1.2, 1.5}}) {
    std::vector<double> left, in_set;
    for (std::size_t i = 0; i < theta.size(); ++i) {
      const bool in = std::fabs(alpha[i]) >= lo && std::fabs(alpha[i]) < hi;
      in_set.push_back(in ? 1.0 : 0.0);
      left.push_back(theta[i] < 0 ? 1.0 : 0.0);
    }
    const Estimate measured = weighted_batch_means(left, in_set);
    const double exact = conditional_left(lo, hi);
    CAPTURE(lo, hi, measured.mean, measured.se, exact);
    CHECK(std::fabs(measured.mean - exact) < 4 * measured.se);
    CHECK(measured.se < 0.02);
  }

  // (3) theta reweighted to g = 1 by w = exp(-(1 - g(alpha)) U(theta)): the theta marginal of
  // q w is exp(-U) / Z (the alpha factors separate).
  std::vector<double> weight(theta.size()), left(theta.size()), x(theta.size());
  for (std::size_t i = 0; i < theta.size(); ++i) {
    weight[i] = std::exp(-(1.0 - tempering.g(alpha[i])) * energy(theta[i]));
    left[i] = theta[i] < 0 ? 1.0 : 0.0;
    x[i] = theta[i];
  }
  const auto gibbs = [&](double t) { return std::exp(-energy(t)); };
  const double z = simpson(gibbs, -4, 4);
  const double p_left = simpson(gibbs, -4, 0) / z;
  const double mean_x = simpson([&](double t) { return t * gibbs(t); }, -4, 4) / z;
  const Estimate left_w = weighted_batch_means(left, weight);
  const Estimate mean_w = weighted_batch_means(x, weight);
  const Estimate left_raw = batch_means(left);
  const Estimate mean_raw = batch_means(x);
  CAPTURE(p_left, left_w.mean, left_w.se, mean_x, mean_w.mean, mean_w.se, left_raw.mean,
          mean_raw.mean);
  CHECK(std::fabs(left_w.mean - p_left) < 4 * left_w.se);
  CHECK(std::fabs(mean_w.mean - mean_x) < 4 * mean_w.se);
  // Unweighted samples are tempered (hotter than T): they must not pass as Gibbs. This also bounds
  // the SE of both reweighted checks: they resolve the tempering bias by 10 SE.
  CHECK(std::fabs(left_raw.mean - p_left) > 10 * left_w.se);
  CHECK(std::fabs(mean_raw.mean - mean_x) > 10 * mean_w.se);
}

TEST_CASE("CTLD step by hand: Algorithm 1's order, noise sqrt(2 eta gamma / g), h~ with r^T r / 2",
          "[samplers]") {
  // One sample, f(x) = (x^2 - 1)^2 + 0.3 x; a step from theta0 with r0, alpha0, r_alpha0 set by
  // hand (alpha0 = 0.9 inside the tempering ramp, so g' != 0), against the formulas of Algorithm 1
  // with the step's own noise (streams 3 and 4 at counter 0).
  auto landscape = std::make_shared<TiltedDoubleWell>(0.3);
  LandscapeModel model(landscape);
  SamplerOptions options = sampler_options({{"train.sampler", "ctld"},
                                            {"ctld.eta", "0.1"},
                                            {"ctld.friction", "3"},
                                            {"ctld.alpha_friction", "2"},
                                            {"ctld.temperature", "0.5"},
                                            {"ctld.bins", "10"},
                                            {"ctld.height", "0.2"},
                                            {"ctld.width2", "0.04"},
                                            {"ctld.sampling_steps", "1"},
                                            {"train.weight_decay", "0.4"}});
  options.seed = 8;
  SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
  driver.state().params = {0.7};
  driver.state().velocity = {-0.3};
  driver.state().alpha = {0.9, 0.5};
  double xi = 0;
  double xi_alpha = 0;
  fill_normal(driver.rng(train_stream::noise), 0, 0, 1, &xi);
  fill_normal(driver.rng(train_stream::alpha_noise), 0, 0, 1, &xi_alpha);
  CtldParameters p;
  p.delta_prime = 1.5;
  p.bins = 10;
  p.height = 0.2;
  p.width2 = 0.04;
  const CtldTempering t(p);
  const double eta = 0.1, gamma = 3, gamma_alpha = 2, wd = 0.4, scale = 1 / 0.5;
  const double theta = 0.7 + eta * -0.3;
  double gradient = 0;
  const double f = landscape->gradient(&theta, &gradient);
  const double r = (1 - eta * gamma) * -0.3 - eta * scale * (gradient + wd * theta) +
                   std::sqrt(2 * eta * gamma / t.g(0.9)) * xi;
  const double alpha = 0.9 + eta * 0.5;
  std::vector<double> bias(11, 0.0);
  t.deposit(alpha, bias);
  const double h = 2 * 1.5 / 10;
  const auto k = static_cast<std::size_t>((alpha + 1.5) / h);
  const double energy = scale * (f + wd * theta * theta / 2);
  const double force = -t.dg(alpha) * (energy + r * r / 2) - (bias[k + 1] - bias[k]) / h;
  const double r_alpha =
      (1 - eta * gamma_alpha) * 0.5 + eta * force + std::sqrt(2 * eta * gamma_alpha) * xi_alpha;
  const StepRecord record = driver.step();
  CHECK(driver.state().params[0] == Approx(theta).epsilon(1e-14));
  CHECK(driver.state().velocity[0] == Approx(r).epsilon(1e-13));
  CHECK(driver.state().alpha.alpha == Approx(alpha).epsilon(1e-14));
  CHECK(driver.state().alpha.velocity == Approx(r_alpha).epsilon(1e-12));
  CHECK(record.alpha_force.total() == Approx(force).epsilon(1e-12));
  CHECK(record.alpha_force.kinetic == Approx(-t.dg(alpha) * r * r / 2).epsilon(1e-12));
  CHECK(record.temperature == Approx(1 / t.g(alpha)).epsilon(1e-14));
  CHECK(record.loss == Approx(f).epsilon(1e-14));
  CHECK(driver.state().bias == bias);
  // After L_s = 1: the same integrator without noise, r kept, alpha frozen.
  const double theta2 = theta + eta * r;
  const double f2 = landscape->gradient(&theta2, &gradient);
  const double r2 = (1 - eta * gamma) * r - eta * scale * (gradient + wd * theta2);
  const StepRecord second = driver.step();
  CHECK(second.phase == 1);
  CHECK(second.temperature == 0);
  CHECK(second.loss == Approx(f2).epsilon(1e-14));
  CHECK(driver.state().velocity[0] == Approx(r2).epsilon(1e-13));
  CHECK(driver.state().alpha.alpha == alpha);
}

TEST_CASE("CTLD starts from r ~ N(0, I), r_alpha ~ N(0, 1), alpha = 0", "[samplers]") {
  auto landscape = std::make_shared<TiltedDoubleWell>(0.3);
  const std::size_t n = 20000;
  double sum = 0, squares = 0, alpha_sum = 0, alpha_squares = 0;
  for (std::size_t i = 0; i < n; ++i) {
    LandscapeModel model(landscape);
    SamplerOptions options = sampler_options({{"train.sampler", "ctld"}});
    options.seed = static_cast<std::uint32_t>(i);
    const SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
    const double r = driver.state().velocity[0];
    sum += r;
    squares += r * r;
    alpha_sum += driver.state().alpha.velocity;
    alpha_squares += driver.state().alpha.velocity * driver.state().alpha.velocity;
    REQUIRE(driver.state().alpha.alpha == 0.0);
  }
  const double N = static_cast<double>(n);
  CHECK(std::fabs(sum / N) < 4 / std::sqrt(N));
  CHECK(std::fabs(squares / N - 1) < 4 * std::sqrt(2 / N));
  CHECK(std::fabs(alpha_sum / N) < 4 / std::sqrt(N));
  CHECK(std::fabs(alpha_squares / N - 1) < 4 * std::sqrt(2 / N));
}

TEST_CASE("Entropy-SGD's outer step follows the local-entropy gradient (quadrature)",
          "[samplers]") {
  // At x, the inner loop samples rho(y) ~ exp(-(f(y) + gamma (y - x)^2 / 2) / eps^2); with outer
  // lr 1 and no momentum the outer step moves x to mu, an average of the late inner iterates, so
  // E[x_new] = <y>_rho and the direction x - mu estimates grad F(x) / gamma = x - <y>.
  // gamma = 4 makes the tilted energy f(y) + 2 (y - x)^2 convex (f'' >= -4), so the inner chain
  // relaxes in ~1/(eta' f''(y*)) ~ 40 steps and L = 600 steps forget the start y = x.
  auto landscape = std::make_shared<TiltedDoubleWell>(0.3);
  const double x0 = 0.6;
  const double eps = 0.5;
  const double gamma = 4.0;
  const auto tilted = [&](double y) {
    return std::exp(-(landscape->value(&y) + gamma * (y - x0) * (y - x0) / 2) / (eps * eps));
  };
  const double z = simpson(tilted, -5, 5);
  const double mean_y = simpson([&](double y) { return y * tilted(y); }, -5, 5) / z;

  // Euler bias O(eta' = 0.003) on <y>: ~1e-3, below the standard error.
  SamplerOptions options = sampler_options({{"train.sampler", "entropy_sgd"},
                                            {"train.lr", "1"},
                                            {"train.momentum", "0"},
                                            {"train.nesterov", "false"},
                                            {"entropy.inner_steps", "600"},
                                            {"entropy.inner_lr", "0.003"},
                                            {"entropy.noise", std::to_string(eps)},
                                            {"entropy.gamma0", std::to_string(gamma)},
                                            {"entropy.gamma1", "0"}});
  const int inner_steps = 600;
  const int replicas = 3000;
  std::vector<double> direction;
  LandscapeModel model(landscape);
  for (int r = 0; r < replicas; ++r) {
    options.seed = static_cast<std::uint32_t>(100 + r);
    SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
    driver.state().params = {x0};
    const StepRecord record = driver.step();
    REQUIRE(record.gamma == gamma);
    direction.push_back(x0 - driver.state().params[0]);
  }
  const Estimate d = batch_means(direction);
  CAPTURE(d.mean, x0 - mean_y, d.se);
  CHECK(std::fabs(d.mean - (x0 - mean_y)) < 4 * d.se);
  CHECK(std::fabs(x0 - mean_y) > 10 * d.se); // the direction is resolved, not noise around 0
  // Effective epochs: each outer step costs L gradient evaluations (one sample per epoch here).
  SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
  driver.step();
  CHECK(driver.epoch() == Approx(inner_steps));
}
