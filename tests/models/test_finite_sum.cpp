// Finite-sum losses against closed forms: the wells' L, grad L and constant Sigma from the sample
// moments of the centres; least squares' normal equations and Sigma = mean(r_i^2 a_i a_i^T) -
// grad L grad L^T; logistic regression at theta = 0 (L = log 2); every per-sample gradient
// against central differences; minibatch factors; reproducible seeded points; refused input; the
// built-in diffusion of the SDE model of SGD / SGLD.
#include "core/error.hpp"
#include "models/diffusion.hpp"
#include "models/finite_sum.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <numeric>
#include <vector>

using namespace relax;

namespace {

/// |grad l_i - central difference| <= 1e-7 (scale of the loss) at theta for every sample.
void check_gradients(const FiniteSumLoss& loss, const std::array<double, 3>& theta) {
  const double h = 1e-5;
  for (std::size_t i = 0; i < loss.size(); ++i) {
    std::array<double, 3> g{};
    loss.sample_gradient(i, theta.data(), g.data());
    for (int k = 0; k < loss.dim(); ++k) {
      std::array<double, 3> plus = theta;
      std::array<double, 3> minus = theta;
      plus[static_cast<std::size_t>(k)] += h;
      minus[static_cast<std::size_t>(k)] -= h;
      const double fd =
          (loss.sample_value(i, plus.data()) - loss.sample_value(i, minus.data())) / (2 * h);
      CAPTURE(i, k, g[static_cast<std::size_t>(k)], fd);
      CHECK(std::abs(g[static_cast<std::size_t>(k)] - fd) <= 1e-7 * std::max(1.0, std::abs(fd)));
    }
  }
}

} // namespace

TEST_CASE("Shifted wells: L, grad L and Sigma from the moments of the centres", "[models][loss]") {
  const std::vector<double> kappa = {2.0, 0.5};
  const FiniteSumLoss loss = synthetic_wells(2, 400, 11, {1.0, 3.0}, kappa);
  REQUIRE(loss.size() == 400);
  // Sample moments of the centres, computed here from the points.
  std::array<double, 2> mean{};
  for (std::size_t i = 0; i < loss.size(); ++i) {
    for (int k = 0; k < 2; ++k) {
      mean[static_cast<std::size_t>(k)] += loss.point(i)[k] / 400.0;
    }
  }
  std::array<double, 4> cov{};
  for (std::size_t i = 0; i < loss.size(); ++i) {
    for (int k = 0; k < 2; ++k) {
      for (int l = 0; l < 2; ++l) {
        cov[static_cast<std::size_t>(2 * k + l)] +=
            (loss.point(i)[k] - mean[static_cast<std::size_t>(k)]) *
            (loss.point(i)[l] - mean[static_cast<std::size_t>(l)]) / 400.0;
      }
    }
  }
  // The sample spreads are the requested ones within sampling error (sd/sqrt(2n): 3.5%).
  CHECK(std::sqrt(cov[0]) == Approx(1.0).epsilon(0.15));
  CHECK(std::sqrt(cov[3]) == Approx(3.0).epsilon(0.15));
  for (const std::array<double, 3> theta :
       {std::array<double, 3>{0.3, -1.2, 0}, std::array<double, 3>{-2.0, 4.0, 0}}) {
    // L = sum_k kappa_k ((theta_k - cbar_k)^2 + Var c_k) / 2, grad L = kappa (theta - cbar),
    // Sigma_kl = kappa_k kappa_l Cov(c_k, c_l) for every theta.
    double expected = 0;
    for (int k = 0; k < 2; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      const double d = theta[kk] - mean[kk];
      expected += 0.5 * kappa[kk] * (d * d + cov[3 * kk]);
    }
    std::array<double, 3> g{};
    CHECK(loss.gradient(theta.data(), g.data()) == Approx(expected).epsilon(1e-12));
    CHECK(loss.value(theta.data()) == Approx(expected).epsilon(1e-12));
    for (int k = 0; k < 2; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      CHECK(g[kk] == Approx(kappa[kk] * (theta[kk] - mean[kk])).margin(1e-12));
    }
    std::array<double, 4> sigma{};
    loss.gradient_covariance(theta.data(), sigma.data());
    for (int k = 0; k < 2; ++k) {
      for (int l = 0; l < 2; ++l) {
        const auto kl = static_cast<std::size_t>(2 * k + l);
        CHECK(sigma[kl] == Approx(kappa[static_cast<std::size_t>(k)] *
                                  kappa[static_cast<std::size_t>(l)] * cov[kl])
                               .margin(1e-10));
      }
    }
    check_gradients(loss, theta);
  }
}

TEST_CASE("Least squares: the normal-equation solution is a zero of grad L, Sigma is the "
          "residual-weighted second moment",
          "[models][loss]") {
  const FiniteSumLoss loss = synthetic_least_squares(2, 300, 5, {1.5, -0.7}, 0.3);
  // A^T A theta = A^T y (2x2, by Cramer's rule).
  double s00 = 0, s01 = 0, s11 = 0, b0 = 0, b1 = 0;
  for (std::size_t i = 0; i < loss.size(); ++i) {
    const double* a = loss.point(i);
    s00 += a[0] * a[0];
    s01 += a[0] * a[1];
    s11 += a[1] * a[1];
    b0 += a[0] * loss.target(i);
    b1 += a[1] * loss.target(i);
  }
  const double det = s00 * s11 - s01 * s01;
  const std::array<double, 3> minimizer = {(b0 * s11 - b1 * s01) / det, (s00 * b1 - s01 * b0) / det,
                                           0};
  std::array<double, 3> g{};
  loss.gradient(minimizer.data(), g.data());
  CHECK(std::abs(g[0]) < 1e-13);
  CHECK(std::abs(g[1]) < 1e-13);
  // The fit recovers theta_star within the noise (0.3/sqrt(300) ~ 0.02 per coefficient).
  CHECK(minimizer[0] == Approx(1.5).margin(0.1));
  CHECK(minimizer[1] == Approx(-0.7).margin(0.1));
  // At the minimizer grad L = 0, so Sigma = (1/n) sum r_i^2 a_i a_i^T.
  std::array<double, 4> expected{};
  for (std::size_t i = 0; i < loss.size(); ++i) {
    const double* a = loss.point(i);
    const double r = a[0] * minimizer[0] + a[1] * minimizer[1] - loss.target(i);
    for (int k = 0; k < 2; ++k) {
      for (int l = 0; l < 2; ++l) {
        expected[static_cast<std::size_t>(2 * k + l)] += r * r * a[k] * a[l] / 300.0;
      }
    }
  }
  std::array<double, 4> sigma{};
  loss.gradient_covariance(minimizer.data(), sigma.data());
  for (std::size_t k = 0; k < 4; ++k) {
    CHECK(sigma[k] == Approx(expected[k]).epsilon(1e-10));
  }
  check_gradients(loss, {0.2, 0.9, 0});
  // A minibatch of every index once is the full gradient; seeded points repeat exactly.
  std::vector<std::uint32_t> all(loss.size());
  std::iota(all.begin(), all.end(), 0u);
  std::array<double, 3> batch{};
  const std::array<double, 3> theta = {0.2, 0.9, 0};
  loss.gradient(theta.data(), g.data());
  loss.batch_gradient(all.data(), all.size(), theta.data(), batch.data());
  CHECK(batch[0] == Approx(g[0]).epsilon(1e-14));
  CHECK(batch[1] == Approx(g[1]).epsilon(1e-14));
  const FiniteSumLoss again = synthetic_least_squares(2, 300, 5, {1.5, -0.7}, 0.3);
  CHECK(again.point(299)[1] == loss.point(299)[1]);
  CHECK(synthetic_least_squares(2, 300, 6, {1.5, -0.7}, 0.3).point(0)[0] != loss.point(0)[0]);
}

TEST_CASE("Logistic regression: L(0) = log 2, grad L(0) = -mean(y a)/2, Sigma(0) = mean(a a^T)/4 "
          "- grad grad^T",
          "[models][loss]") {
  const FiniteSumLoss loss = synthetic_logistic(3, 500, 9, {2.0, -1.0, 0.5});
  const std::array<double, 3> zero{};
  CHECK(loss.value(zero.data()) == Approx(std::log(2.0)).epsilon(1e-14));
  std::array<double, 3> mean_ya{};
  std::array<double, 9> second{};
  int positives = 0;
  for (std::size_t i = 0; i < loss.size(); ++i) {
    const double* a = loss.point(i);
    positives += loss.target(i) > 0 ? 1 : 0;
    for (int k = 0; k < 3; ++k) {
      mean_ya[static_cast<std::size_t>(k)] += loss.target(i) * a[k] / 500.0;
      for (int l = 0; l < 3; ++l) {
        second[static_cast<std::size_t>(3 * k + l)] += a[k] * a[l] / 500.0;
      }
    }
  }
  std::array<double, 3> g{};
  loss.gradient(zero.data(), g.data());
  std::array<double, 9> sigma{};
  loss.gradient_covariance(zero.data(), sigma.data());
  for (int k = 0; k < 3; ++k) {
    CHECK(g[static_cast<std::size_t>(k)] ==
          Approx(-mean_ya[static_cast<std::size_t>(k)] / 2).margin(1e-14));
    for (int l = 0; l < 3; ++l) {
      const auto kl = static_cast<std::size_t>(3 * k + l);
      CHECK(sigma[kl] ==
            Approx(second[kl] / 4 - g[static_cast<std::size_t>(k)] * g[static_cast<std::size_t>(l)])
                .margin(1e-13));
    }
  }
  // The labels follow theta_star: the gradient at 0 points against it (descent goes toward it).
  CHECK(g[0] < 0);
  CHECK(g[1] > 0);
  CHECK(positives > 150);
  CHECK(positives < 350);
  check_gradients(loss, {0.7, -0.3, 1.1});
  check_gradients(loss, {40, -30, 20}); // saturated margins: no overflow, gradients still exact
}

TEST_CASE("Minibatch covariance factors and refused input", "[models][loss]") {
  CHECK(minibatch_covariance_factor(100, 10, true) == Approx(0.1));
  CHECK(minibatch_covariance_factor(100, 10, false) == Approx(90.0 / (10 * 99)));
  CHECK(minibatch_covariance_factor(100, 100, false) == 0);
  CHECK(minibatch_covariance_factor(100, 1, false) == Approx(1.0));
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(FiniteSumLoss(FiniteSumKind::logistic, 1, {1, 2}, {1, 0}, {}, "test"),
                    Contains("test (logistic loss): a label is not +1 or -1"));
  CHECK_THROWS_WITH(FiniteSumLoss(FiniteSumKind::least_squares, 2, {1, 2, 3}, {1}, {}, "f.h5"),
                    Contains("f.h5 (least_squares loss): 3 point values"));
  CHECK_THROWS_WITH(FiniteSumLoss(FiniteSumKind::wells, 1, {1, 2}, {}, {0}, "w"),
                    Contains("finite stiffnesses > 0"));
  CHECK_THROWS_WITH(FiniteSumLoss(FiniteSumKind::wells, 4, {1, 2, 3, 4}, {}, {1, 1, 1, 1}, "w"),
                    Contains("dimension 4, expected 1 to 3"));
  CHECK_THROWS_AS(FiniteSumLoss(FiniteSumKind::least_squares, 1, {NAN}, {1}, {}, "n"), InputError);
}

TEST_CASE("The SDE model's diffusion: D_i = (eta/2) c_B Sigma_ii(theta), SGLD adds 1/beta, "
          "c_B = 0 is refused naming its source",
          "[models][loss][diffusion]") {
  // Least squares in 2D: Sigma(theta) depends on theta, so D does too.
  auto loss =
      std::make_shared<const FiniteSumLoss>(synthetic_least_squares(2, 30, 4, {1.0, -2.0}, 0.3));
  const double eta = 0.05;
  const double factor = minibatch_covariance_factor(30, 4, false);
  MinibatchNoiseModel model{loss, eta, factor, false, false, "sde.integrator = sgd"};
  const Diffusion sgd(model);
  model.adds_temperature = true;
  model.source = "sde.integrator = sgld";
  const Diffusion sgld(model);
  CHECK_FALSE(sgd.depends_on_time()); // SGLD's 1/beta(t) only when beta changes
  CHECK_FALSE(sgld.depends_on_time());
  CHECK_NOTHROW(sgd.check_dimension(2));
  CHECK_THROWS_WITH(sgd.check_dimension(1), Catch::Matchers::Contains("sde.integrator = sgd"));
  for (const std::array<double, 2> theta :
       {std::array<double, 2>{0.0, 0.0}, {1.0, -2.0}, {3.0, 1.0}}) {
    std::array<double, 4> sigma{};
    loss->gradient_covariance(theta.data(), sigma.data());
    std::array<double, 2> D{};
    sgd.evaluate(2, theta.data(), 0.0, 2.0, D.data());
    CHECK(D[0] == Approx(eta / 2 * factor * sigma[0]).epsilon(1e-14));
    CHECK(D[1] == Approx(eta / 2 * factor * sigma[3]).epsilon(1e-14));
    CHECK(sgd.check_value(2, theta.data(), 0.0, D.data()).empty());
    std::array<double, 2> E{};
    sgld.evaluate(2, theta.data(), 0.0, 2.0, E.data()); // beta = 2
    CHECK(E[0] == Approx(0.5 + D[0]).epsilon(1e-14));
    CHECK(E[1] == Approx(0.5 + D[1]).epsilon(1e-14));
  }
  CHECK_THAT(sgd.describe(), Catch::Matchers::Contains("(eta/2) c_B Sigma_ii"));
  // B = n without replacement: no minibatch noise, D = 0, refused with the point.
  model = {loss,  eta,   minibatch_covariance_factor(30, 30, false),
           false, false, "sde.integrator = sgd"};
  const Diffusion none(model);
  std::array<double, 2> D{};
  const std::array<double, 2> theta{0.5, 0.5};
  none.evaluate(2, theta.data(), 0.0, 1.0, D.data());
  CHECK(D[0] == 0);
  CHECK_THAT(none.check_value(2, theta.data(), 0.0, D.data()),
             Catch::Matchers::StartsWith("sde.integrator = sgd: D_0 = 0"));
}
