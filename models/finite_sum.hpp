// Finite-sum losses L(theta) = (1/n) sum_i l_i(theta), theta in 1-3 dimensions (docs/theory.md):
// least squares l_i = (a_i . theta - y_i)^2 / 2, logistic regression l_i = log(1 + exp(-y_i a_i .
// theta)) with labels y_i = +-1, and shifted quadratic wells l_i = sum_k kappa_k (theta_k -
// c_ik)^2 / 2. The loss holds its n points (features a_i or centres c_i, and targets y_i) and gives
// the exact full-batch L and grad L, the per-sample gradients that minibatch SGD averages, and the
// per-sample gradient covariance Sigma(theta) that the SDE model of SGD diffuses with. Synthetic
// points come from a seeded generator (the same points on every rank and platform). Pure math.
#pragma once

#include "models/landscape.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace relax {

enum class FiniteSumKind { least_squares, logistic, wells };

class FiniteSumLoss {
public:
  /// `points`: n rows of dim values, row-major (features a_i, or the centres c_i of the wells);
  /// `targets`: n values y_i (least squares; logistic: +1 or -1; wells: ignored, may be empty);
  /// `stiffness`: kappa_k per axis (wells only; empty elsewhere). Throws InputError (naming
  /// `source`, where the points came from) for dim outside 1..3, no points, a size mismatch,
  /// non-finite values, a label other than +-1 or a stiffness <= 0.
  FiniteSumLoss(FiniteSumKind kind, int dim, std::vector<double> points,
                std::vector<double> targets, std::vector<double> stiffness,
                const std::string& source);

  FiniteSumKind kind() const { return kind_; }
  int dim() const { return dim_; }
  std::size_t size() const { return n_; }
  const double* point(std::size_t i) const { return points_.data() + i * dim_u(); }
  double target(std::size_t i) const { return targets_.empty() ? 0.0 : targets_[i]; }
  std::string describe() const;

  /// l_i(theta).
  double sample_value(std::size_t i, const double* theta) const;
  /// grad l_i(theta) into g[0..dim).
  void sample_gradient(std::size_t i, const double* theta, double* g) const;
  /// L(theta) = (1/n) sum_i l_i(theta).
  double value(const double* theta) const;
  /// grad L(theta) into g; returns L(theta).
  double gradient(const double* theta, double* g) const;
  /// The mean of grad l_i over the `count` indices (a minibatch, repeats allowed) into g.
  void batch_gradient(const std::uint32_t* indices, std::size_t count, const double* theta,
                      double* g) const;
  /// Sigma(theta) = (1/n) sum_i (grad l_i - grad L)(grad l_i - grad L)^T, dim x dim row-major:
  /// the covariance of one uniformly drawn sample's gradient.
  void gradient_covariance(const double* theta, double* sigma) const;

private:
  std::size_t dim_u() const { return static_cast<std::size_t>(dim_); }
  FiniteSumKind kind_;
  int dim_;
  std::size_t n_;
  std::vector<double> points_;
  std::vector<double> targets_;
  std::vector<double> stiffness_;
  std::string source_;
};

/// The full-batch loss L as a landscape (landscape.type = wells, least_squares, logistic): the
/// drift -grad L of the particles and the FP solver, and the loss whose minibatches sde.integrator
/// = sgd / sgld draw.
class FiniteSumLandscape final : public Landscape {
public:
  explicit FiniteSumLandscape(std::shared_ptr<const FiniteSumLoss> loss) : loss_(std::move(loss)) {}
  int dim() const override { return loss_->dim(); }
  std::string describe() const override { return loss_->describe(); }
  double value(const double* x) const override { return loss_->value(x); }
  double gradient(const double* x, double* g) const override { return loss_->gradient(x, g); }
  const FiniteSumLoss& loss() const { return *loss_; }
  const std::shared_ptr<const FiniteSumLoss>& shared_loss() const { return loss_; }

private:
  std::shared_ptr<const FiniteSumLoss> loss_;
};

/// The covariance of the mean of B sample gradients relative to one sample's, Sigma_B = factor *
/// Sigma: 1/B drawn with replacement, (n - B) / (B (n - 1)) without (the finite-population
/// correction; 0 for B = n).
double minibatch_covariance_factor(std::size_t n, std::size_t batch, bool with_replacement);

/// n points with features a_i ~ N(0, I) and y_i = a_i . theta_star + noise * e_i, e_i ~ N(0, 1).
FiniteSumLoss synthetic_least_squares(int dim, std::size_t n, std::uint64_t seed,
                                      const std::vector<double>& theta_star, double noise);
/// n points a_i ~ N(0, I), y_i = +1 with probability 1 / (1 + exp(-a_i . theta_star)), else -1.
FiniteSumLoss synthetic_logistic(int dim, std::size_t n, std::uint64_t seed,
                                 const std::vector<double>& theta_star);
/// n wells of stiffness kappa_k with centres c_ik = spread_k * e_ik, e_ik ~ N(0, 1).
FiniteSumLoss synthetic_wells(int dim, std::size_t n, std::uint64_t seed,
                              const std::vector<double>& spread,
                              const std::vector<double>& stiffness);

} // namespace relax
