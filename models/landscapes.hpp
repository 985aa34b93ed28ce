// The built-in landscapes of relax (docs/theory.md): quadratic (Ornstein–Uhlenbeck), double well,
// Müller–Brown, Gaussian mixture, periodic cosine and the rugged 1D Entropy-SGD landscape. Each is
// a block kernel over structure-of-arrays points; value, gradient and evaluate_batch all go through
// that kernel, so a single point and the same point inside a batch give the same bits.
#pragma once

#include "core/config.hpp"
#include "models/landscape.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace relax {

/// Base of the built-ins. Derived classes implement one kernel that evaluates a block of at most
/// `block_size` points; evaluate_batch pays one virtual call per block, value() and gradient() are
/// the kernel at one point (stride 1). Kernels loop over points innermost, so GCC vectorizes the
/// polynomial ones (quadratic, double well, the mixture's distances); exp/cos/sin stay scalar libm
/// calls, since glibc's vector math needs -ffast-math, which would break the bit-identity of
/// single-point and batch values that the tests assert. The quadratic and double-well kernels (the
/// particles' hot loops) are compiled for x86-64, x86-64-v3 and x86-64-v4 and the loader picks the
/// best the CPU runs; landscapes.cpp is compiled with -ffp-contract=off, so every level performs
/// the same IEEE operations and gives the same bits.
class BlockLandscape : public Landscape {
public:
  static constexpr std::size_t block_size = 256;

  double value(const double* x) const final;
  double gradient(const double* x, double* g) const final;
  void evaluate_batch(std::size_t n, std::size_t stride, const double* x, double* f,
                      double* g) const final;

protected:
  /// m <= block_size points in the layout of evaluate_batch: f[p] when f is not null, g[d*stride +
  /// p] when g is not null (at least one is not). A kernel skips what is not asked for (a sampler's
  /// drift needs no f); the values written must not depend on which output is null.
  virtual void evaluate_block(std::size_t m, std::size_t stride, const double* x, double* f,
                              double* g) const = 0;
};

/// Ornstein–Uhlenbeck: f = sum_i a_i (x_i - c_i)^2 / 2 with a_i > 0; dim = stiffness.size().
class QuadraticLandscape final : public BlockLandscape {
public:
  /// InputError unless stiffness and centre have the same length >= 1 and every a_i > 0.
  QuadraticLandscape(std::vector<double> stiffness, std::vector<double> centre);

  int dim() const override { return static_cast<int>(stiffness_.size()); }
  std::string describe() const override;
  const std::vector<double>& stiffness() const { return stiffness_; }
  const std::vector<double>& centre() const { return centre_; }

protected:
  void evaluate_block(std::size_t m, std::size_t stride, const double* x, double* f,
                      double* g) const override;

private:
  std::vector<double> stiffness_;
  std::vector<double> centre_;
};

/// f = h (x0^2 - 1)^2 + tilt x0 + sum_{i>=1} k_i x_i^2 / 2. With tilt = 0 the minima are x0 = ±1
/// (f = 0) and the barrier at x0 = 0 has height h; a tilt t > 0 lowers the left well (x0 ≈ -1 -
/// t/(8h) to first order). `transverse` holds k_1..k_{d-1} (one value stands for all).
class DoubleWellLandscape final : public BlockLandscape {
public:
  /// InputError unless dim >= 1, height > 0, every k > 0 and transverse has 1 or dim - 1 entries.
  DoubleWellLandscape(int dim, double height = 1.0, double tilt = 0.0,
                      std::vector<double> transverse = {1.0});

  int dim() const override { return dim_; }
  std::string describe() const override;
  double height() const { return height_; }
  double tilt() const { return tilt_; }

protected:
  void evaluate_block(std::size_t m, std::size_t stride, const double* x, double* f,
                      double* g) const override;

private:
  int dim_;
  double height_;
  double tilt_;
  std::vector<double> transverse_; // dim - 1 entries
};

/// Müller–Brown (Müller & Brown, Theor. Chim. Acta 53, 75 (1979)), 2D:
///   f = scale * sum_{k=1..4} A_k exp(a_k (x-x0_k)^2 + b_k (x-x0_k)(y-y0_k) + c_k (y-y0_k)^2)
/// with A = (-200, -100, -170, 15), a = (-1, -1, -6.5, 0.7), b = (0, 0, 11, 0.6),
/// c = (-10, -10, -6.5, 0.7), x0 = (1, 0, -0.5, -1), y0 = (0, 0.5, 1.5, 1).
/// Minima (independent of scale): (-0.558, 1.442) f = -146.70 scale, (0.623, 0.028)
/// f = -108.17 scale, (-0.050, 0.467) f = -80.77 scale; saddles (-0.822, 0.624) f = -40.66 scale
/// and (0.212, 0.293) f = -72.25 scale. With the default scale 0.1 the barriers are 10.6, 3.6 and
/// 0.85.
class MullerBrownLandscape final : public BlockLandscape {
public:
  /// InputError unless scale > 0.
  explicit MullerBrownLandscape(double scale = 0.1);

  int dim() const override { return 2; }
  std::string describe() const override;
  double scale() const { return scale_; }

protected:
  void evaluate_block(std::size_t m, std::size_t stride, const double* x, double* f,
                      double* g) const override;

private:
  double scale_;
};

/// exp(-f(x)) = sum_k w_k N(x; m_k, s_k^2 I) exactly, N(x; m, s^2 I) = (2 pi s^2)^(-d/2)
/// exp(-|x - m|^2 / (2 s^2)) the normalized isotropic Gaussian and the weights normalized to
/// sum_k w_k = 1, so exp(-f) is a probability density on R^d (Z = 1 at beta = 1). Evaluated with
/// log-sum-exp, so f is finite and accurate far from every component. Closed form of the local
/// entropy (nu = 1/2, kernel G_gamma of variance gamma, normalized):
///   G_gamma * exp(-f) = sum_k w_k N(x; m_k, (s_k^2 + gamma) I).
class GaussianMixtureLandscape final : public BlockLandscape {
public:
  /// means: K x dim row-major. InputError unless dim >= 1, K >= 1, weights finite and > 0,
  /// means.size() == K dim, stds.size() == K and stds > 0.
  GaussianMixtureLandscape(int dim, std::vector<double> weights, std::vector<double> means,
                           std::vector<double> stds);

  int dim() const override { return dim_; }
  std::string describe() const override;
  std::size_t components() const { return weights_.size(); }
  /// Normalized weights (sum 1).
  const std::vector<double>& weights() const { return weights_; }
  const std::vector<double>& means() const { return means_; }
  const std::vector<double>& stds() const { return stds_; }

protected:
  void evaluate_block(std::size_t m, std::size_t stride, const double* x, double* f,
                      double* g) const override;

private:
  int dim_;
  std::vector<double> weights_;
  std::vector<double> means_;
  std::vector<double> stds_;
  std::vector<double> log_normalizer_; // log w_k - (d/2) log(2 pi s_k^2)
  std::vector<double> precision_;      // 1 / s_k^2
};

/// f = A sum_i (1 - cos(2 pi x_i / L)): minima on the lattice L Z^d (f = 0), maxima 2 A d.
class PeriodicCosineLandscape final : public BlockLandscape {
public:
  /// InputError unless dim >= 1, amplitude > 0 and period > 0.
  PeriodicCosineLandscape(int dim, double amplitude = 1.0, double period = 1.0);

  int dim() const override { return dim_; }
  std::string describe() const override;
  double amplitude() const { return amplitude_; }
  double period() const { return period_; }

protected:
  void evaluate_block(std::size_t m, std::size_t stride, const double* x, double* f,
                      double* g) const override;

private:
  int dim_;
  double amplitude_;
  double period_;
};

/// The Entropy-SGD picture in 1D (Chaudhari et al., ICLR 2017, Fig. 1). With E(x) = exp(-(x -
/// valley_centre)^2 / (2 valley_width^2)) and S(x) = exp(-(x - sharp_centre)^2 / (2
/// sharp_width^2)):
///   f = plateau (1 - E) + ripple (1 - cos(2 pi x / ripple_period)) E - sharp_depth S + (x/wall)^8:
/// a wide valley around -1 holding 26 shallow minima within two widths (ripple 0.3, period 0.15),
/// a plateau of height 4, an isolated sharp minimum at x ≈ 2 (width 0.05) with f ≈ -1.92, and a
/// wall that makes exp(-f) < 1e-4 at |x| = 4. On the box [-4, 4] the global minimizer of f is the
/// sharp minimum (the valley floor is f ≈ 0.005 at x ≈ -1.05). The local entropy
/// f_gamma = -log(G_gamma * exp(-f)) (nu = 1/2, normalized Gaussian kernel of variance gamma,
/// integral over the box) has its minimizer in the sharp well |x - 2| < 0.1 for gamma < gamma* and
/// in the valley [-3, 1] for gamma > gamma*, gamma* = 0.0486 (trapezoid quadrature,
/// tests/models/test_rugged_landscape.cpp).
struct RuggedParameters {
  double valley_centre = -1.0;
  double valley_width = 1.0;
  double plateau = 4.0;
  double ripple = 0.3;
  double ripple_period = 0.15;
  double sharp_centre = 2.0;
  double sharp_width = 0.05;
  double sharp_depth = 5.9;
  double wall = 3.2;
};

class RuggedLandscape final : public BlockLandscape {
public:
  /// InputError unless widths, periods, wall > 0 and plateau, ripple, sharp_depth >= 0.
  explicit RuggedLandscape(const RuggedParameters& parameters = {});

  int dim() const override { return 1; }
  std::string describe() const override;
  const RuggedParameters& parameters() const { return parameters_; }

protected:
  void evaluate_block(std::size_t m, std::size_t stride, const double* x, double* f,
                      double* g) const override;

private:
  RuggedParameters parameters_;
};

/// One row of the landscape table, from which models/landscape_options.cpp builds the choice of
/// landscape.type, the [landscape] keys and the factory. Adding a landscape is its class and kernel
/// here and one row in landscape_types() (docs/architecture.md).
struct LandscapeType {
  std::string name;    ///< the value of landscape.type
  std::string summary; ///< a few words for the help of landscape.type, or empty
  /// Declares every landscape.* key the type reads (landscape.type and landscape.dim aside); a
  /// key two types share is declared by one function both call, so the specs agree. A key that
  /// is not the type's and differs from its default is an input error.
  std::function<void(OptionSet&)> declare_keys;
  /// The landscape; `dim` is landscape.dim, 0 = automatic, already checked to be >= 0.
  std::function<std::shared_ptr<const Landscape>(const Config&, long dim)> make;
};

/// landscape.type of the finite sum whose points come from an HDF5 file: its row's `make` refuses
/// (no file reader); make_landscape builds it with make_finite_sum_from_file.
constexpr const char* finite_sum_file_type = "finite_sum_file";
/// The finite sum landscape.loss = wells | least_squares | logistic on the points of a dataset:
/// (n, dim) centres for wells, (n, dim + 1) features and target y_i (last column) otherwise, dim
/// 1..3 (and landscape.dim when set). InputError naming the file and dataset for another shape;
/// non-finite values and labels other than +-1 are refused by FiniteSumLoss.
std::shared_ptr<const Landscape> make_finite_sum_from_file(const Config& config, long dim,
                                                           const std::vector<double>& values,
                                                           const std::vector<std::size_t>& shape);

/// The built-in types in the order of the help text, double_well (the default) first.
std::vector<LandscapeType> landscape_types();

} // namespace relax
