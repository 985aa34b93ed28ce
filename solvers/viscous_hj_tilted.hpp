// The energy whose Gibbs measure gives the gradient of the local entropy (docs/theory.md): with
// u(x, t) = -(2 nu/c) log(G_{2 nu t} * exp(-c f/(2 nu))), grad u(x, t) = (x - <y>)/(c t), <y> the
// mean of exp(-beta E_x(y)), E_x(y) = f(y) + |y - x|^2/(2 c t) and beta = c/(2 nu). For c = 1 this
// is the Entropy-SGD inner loop's measure exp(-f(y)/(2 nu) - |x - y|^2/(4 nu gamma)). Pure math.
#pragma once

#include "models/landscape.hpp"

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace relax {

/// E(y) = f(y) + |y - anchor|^2 / (2 coupling), coupling = c t.
class TiltedLandscape final : public Landscape {
public:
  TiltedLandscape(std::shared_ptr<const Landscape> f, std::vector<double> anchor, double coupling)
      : f_(std::move(f)), anchor_(std::move(anchor)), coupling_(coupling) {
    if (static_cast<int>(anchor_.size()) != f_->dim() || !(coupling_ > 0)) {
      throw std::invalid_argument("TiltedLandscape: expected dim anchor entries and coupling > 0");
    }
  }

  int dim() const override { return f_->dim(); }
  std::string describe() const override {
    return f_->describe() + " + |y - x|^2/(2*" + std::to_string(coupling_) + ")";
  }
  const std::vector<double>& anchor() const { return anchor_; }
  double coupling() const { return coupling_; }

  double value(const double* y) const override {
    double e = f_->value(y);
    for (std::size_t k = 0; k < anchor_.size(); ++k) {
      e += (y[k] - anchor_[k]) * (y[k] - anchor_[k]) / (2 * coupling_);
    }
    return e;
  }
  double gradient(const double* y, double* g) const override {
    double e = f_->gradient(y, g);
    for (std::size_t k = 0; k < anchor_.size(); ++k) {
      const double d = y[k] - anchor_[k];
      e += d * d / (2 * coupling_);
      g[k] += d / coupling_;
    }
    return e;
  }
  /// f's own block evaluation, then the coupling added point by point.
  void evaluate_batch(std::size_t n, std::size_t stride, const double* y, double* f,
                      double* g) const override {
    f_->evaluate_batch(n, stride, y, f, g);
    for (std::size_t k = 0; k < anchor_.size(); ++k) {
      const double* yk = y + k * stride;
      for (std::size_t p = 0; p < n; ++p) {
        const double d = yk[p] - anchor_[k];
        if (f != nullptr) {
          f[p] += d * d / (2 * coupling_);
        }
        if (g != nullptr) {
          g[k * stride + p] += d / coupling_;
        }
      }
    }
  }

private:
  std::shared_ptr<const Landscape> f_;
  std::vector<double> anchor_;
  double coupling_;
};

} // namespace relax
