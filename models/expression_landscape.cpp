#include "models/expression_landscape.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"
#include "models/muparser_error.hpp"

#include <muParser.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace relax {

namespace {

constexpr std::array<const char*, 3> variable_names{"x", "y", "z"};

} // namespace

struct ExpressionLandscape::Parsers {
  std::array<double, 3> variables{}; // the parsers read x, y, z from here
  mu::Parser value;
  std::vector<mu::Parser> gradient;

  /// A parser for `expression` bound to `variables`; returns the number of variables it needs
  /// (1 + the index of the last one used, 0 for a constant). `where` starts the error message.
  int define(mu::Parser& parser, const std::string& expression, const std::string& where) {
    if (expression.empty()) {
      throw InputError(where + ": expected an expression in x, y, z, got an empty one");
    }
    try {
      for (std::size_t i = 0; i < variable_names.size(); ++i) {
        parser.DefineVar(variable_names[i], &variables[i]);
      }
      parser.SetExpr(expression);
      int needed = 0;
      for (const auto& used : parser.GetUsedVar()) {
        const auto name = std::find(variable_names.begin(), variable_names.end(), used.first);
        if (name != variable_names.end()) { // an unknown name fails in Eval() below
          needed = std::max(needed, static_cast<int>(name - variable_names.begin()) + 1);
        }
      }
      parser.Eval(); // compiles the byte code, so every parse error surfaces here
      return needed;
    } catch (const mu::Parser::exception_type& error) {
      throw InputError(where + ": " + describe_parser_error(error, expression, "x, y, z"));
    }
  }
};

ExpressionLandscape::ExpressionLandscape(const std::string& expression, const std::string& gradient,
                                         int dim, double fd_step)
    : expression_(trim(expression)), gradient_expressions_(split(gradient, ';')), dim_(dim),
      fd_step_(fd_step), parsers_(std::make_unique<Parsers>()) {
  const std::string expr_key = "landscape.expr = '" + expression_ + "'";
  const std::string gradient_key = "landscape.gradient = '" + trim(gradient) + "'";
  if (dim < 0 || dim > 3) {
    reject_value("landscape.dim", std::to_string(dim),
                 "0 (inferred) or 1..3 for an expression in x, y, z");
  }
  if (!(fd_step >= 0) || !std::isfinite(fd_step)) {
    reject_value("landscape.fd_step", format_real(fd_step), "0 (automatic) or a finite step > 0");
  }
  const int needed = parsers_->define(parsers_->value, expression_, expr_key);
  if (dim_ == 0) {
    dim_ = std::max(needed, 1);
  } else if (needed > dim_) {
    throw InputError(expr_key + ": uses " + variable_names[static_cast<std::size_t>(needed - 1)] +
                     ", but landscape.dim = " + std::to_string(dim_));
  }

  if (gradient_expressions_.empty()) {
    return;
  }
  if (gradient_expressions_.size() != static_cast<std::size_t>(dim_)) {
    throw InputError(gradient_key + ": expected " + std::to_string(dim_) +
                     " expressions separated by ';' (one per dimension), got " +
                     std::to_string(gradient_expressions_.size()));
  }
  parsers_->gradient.resize(gradient_expressions_.size());
  for (std::size_t i = 0; i < gradient_expressions_.size(); ++i) {
    const std::string where = gradient_key + " (component " + std::to_string(i + 1) + ", '" +
                              gradient_expressions_[i] + "')";
    const int uses = parsers_->define(parsers_->gradient[i], gradient_expressions_[i], where);
    if (uses > dim_) {
      throw InputError(where + ": uses " + variable_names[static_cast<std::size_t>(uses - 1)] +
                       ", but the landscape has dimension " + std::to_string(dim_));
    }
  }
}

ExpressionLandscape::~ExpressionLandscape() = default;

std::string ExpressionLandscape::describe() const {
  std::string text = "expression(dim=" + std::to_string(dim_) + ", f=" + expression_;
  if (has_gradient_expressions()) {
    text += ", gradient=";
    for (std::size_t i = 0; i < gradient_expressions_.size(); ++i) {
      text += (i ? "; " : "") + gradient_expressions_[i];
    }
  } else {
    text += ", central differences" +
            (fd_step_ > 0 ? " h=" + format_real(fd_step_) : std::string(" h=eps^(1/3)max(1,|x|)"));
  }
  return text + ")";
}

double ExpressionLandscape::value(const double* x) const {
  std::copy(x, x + dim_, parsers_->variables.begin());
  return parsers_->value.Eval();
}

double ExpressionLandscape::gradient(const double* x, double* g) const {
  const double f = value(x);
  std::array<double, 3>& variables = parsers_->variables;
  if (has_gradient_expressions()) {
    for (int i = 0; i < dim_; ++i) {
      g[i] = parsers_->gradient[static_cast<std::size_t>(i)].Eval();
    }
    return f;
  }
  const double cube_root_eps = std::cbrt(std::numeric_limits<double>::epsilon());
  for (int i = 0; i < dim_; ++i) {
    double& xi = variables[static_cast<std::size_t>(i)];
    const double centre = xi;
    const double h = fd_step_ > 0 ? fd_step_ : cube_root_eps * std::max(1.0, std::abs(centre));
    const double forward = centre + h;
    const double backward = centre - h;
    xi = forward;
    const double f_forward = parsers_->value.Eval();
    xi = backward;
    const double f_backward = parsers_->value.Eval();
    xi = centre;
    g[i] = (f_forward - f_backward) / (forward - backward);
  }
  return f;
}

void ExpressionLandscape::evaluate_batch(std::size_t n, std::size_t stride, const double* x,
                                         double* f, double* g) const {
  if (g != nullptr) { // the generic loop over gradient(); the parser's work dominates the call
    Landscape::evaluate_batch(n, stride, x, f, g);
    return;
  }
  if (f == nullptr) {
    return;
  }
  std::array<double, 3> point{};
  for (std::size_t p = 0; p < n; ++p) {
    for (std::size_t k = 0; k < static_cast<std::size_t>(dim_); ++k) {
      point[k] = x[k * stride + p];
    }
    f[p] = value(point.data()); // a direct call (the class is final); no central differences
  }
}

} // namespace relax
