// A landscape given as a muParser expression in x, y, z, e.g. "(x^2-1)^2 + 0.5*y^2", with optional
// gradient expressions; without them the gradient is a central difference. The parsers live in the
// object and evaluate through variables bound to its own storage, so an ExpressionLandscape is not
// for concurrent use: give every thread its own (MPI ranks each have their own anyway).
#pragma once

#include "models/landscape.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace relax {

class ExpressionLandscape final : public Landscape {
public:
  /// expression: f in the variables x, y, z (muParser syntax; constants _pi, _e).
  /// gradient: "" for central differences, or dim expressions separated by ';'.
  /// dim: 0 infers 1 + the index of the last variable used (x -> 1, y -> 2, z -> 3); 1..3 fixes it,
  ///   and then no expression may use a variable beyond it.
  /// fd_step: 0 for the automatic step h_i = eps^(1/3) max(1, |x_i|), > 0 for a fixed step.
  /// InputError naming landscape.expr / landscape.gradient / landscape.dim / landscape.fd_step,
  /// the expression and, for syntax errors, muParser's message with the 0-based position.
  explicit ExpressionLandscape(const std::string& expression, const std::string& gradient = "",
                               int dim = 0, double fd_step = 0.0);
  ~ExpressionLandscape() override;
  ExpressionLandscape(const ExpressionLandscape&) = delete;
  ExpressionLandscape& operator=(const ExpressionLandscape&) = delete;

  int dim() const override { return dim_; }
  std::string describe() const override;
  const std::string& expression() const { return expression_; }
  bool has_gradient_expressions() const { return !gradient_expressions_.empty(); }

  double value(const double* x) const override;
  /// The gradient expressions, or central differences
  ///   g_i = (f(x + h e_i) - f(x - h e_i)) / ((x_i + h) - (x_i - h)), h = eps^(1/3) max(1, |x_i|)
  /// (or fd_step), dividing by the representable step. Error: truncation h^2 |f'''| / 6 plus
  /// round-off ~ eps |f| / h; with h = eps^(1/3) both are ~ eps^(2/3) ~ 4e-11 in units of f's scale
  /// over its length scale: at most 2e-10 relative for the double well on [-2, 2]^2 (tests).
  double gradient(const double* x, double* g) const override;
  /// Point by point: with g, Landscape's generic loop over gradient() (1 + 2 dim parser
  /// evaluations per point with central differences, which dominate its virtual call); values
  /// only, one evaluation per point. muParser's bulk mode is not used: it spawns OpenMP threads,
  /// which would oversubscribe the cores that the MPI ranks already use (Debian's
  /// libmuparser is built with OpenMP).
  void evaluate_batch(std::size_t n, std::size_t stride, const double* x, double* f,
                      double* g) const override;

private:
  struct Parsers; // muParser state, kept out of this header

  std::string expression_;
  std::vector<std::string> gradient_expressions_;
  int dim_ = 1;
  double fd_step_ = 0.0;
  std::unique_ptr<Parsers> parsers_;
};

} // namespace relax
