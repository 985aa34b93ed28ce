#include "models/diffusion.hpp"

#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/text.hpp"
#include "grids/grid.hpp"
#include "models/finite_sum.hpp"
#include "models/muparser_error.hpp"

#include <muParser.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace relax {

namespace {

constexpr std::array<const char*, 3> coordinate_names{"x", "y", "z"};

std::string point_text(int dim, const double* x) {
  std::string text;
  for (int i = 0; i < dim; ++i) {
    text += (i ? ", " : "") + format_real(x[i]);
  }
  return dim == 1 ? text : "(" + text + ")";
}

} // namespace

struct Diffusion::Parsers {
  std::array<double, 3> coordinates{}; // the parsers read x, y, z, t, beta from here
  double t = 0;
  double beta = 1;
  std::vector<mu::Parser> axes;
};

Diffusion::Diffusion(const std::string& expressions)
    : expressions_(split(expressions, ';')), parsers_(std::make_unique<Parsers>()) {
  const std::string key = "diffusion.expr = '" + trim(expressions) + "'";
  if (expressions_.empty()) {
    throw InputError(key + ": expected one expression for every axis or one per axis separated "
                           "by ';', got none");
  }
  parsers_->axes.resize(expressions_.size());
  for (std::size_t i = 0; i < expressions_.size(); ++i) {
    const std::string where =
        expressions_.size() == 1 ? key : key + " (axis " + std::to_string(i) + ")";
    if (expressions_[i].empty()) {
      throw InputError(where + ": expected an expression in x, y, z, t, beta, got an empty one");
    }
    mu::Parser& parser = parsers_->axes[i];
    try {
      for (std::size_t k = 0; k < coordinate_names.size(); ++k) {
        parser.DefineVar(coordinate_names[k], &parsers_->coordinates[k]);
      }
      parser.DefineVar("t", &parsers_->t);
      parser.DefineVar("beta", &parsers_->beta);
      parser.SetExpr(expressions_[i]);
      for (const auto& used : parser.GetUsedVar()) {
        const auto name = std::find(coordinate_names.begin(), coordinate_names.end(), used.first);
        if (name != coordinate_names.end()) {
          needed_dim_ =
              std::max(needed_dim_, static_cast<int>(name - coordinate_names.begin()) + 1);
        }
        depends_on_time_ = depends_on_time_ || used.first == "t" || used.first == "beta";
      }
      parser.Eval(); // compiles the byte code, so every parse error surfaces here
    } catch (const mu::Parser::exception_type& error) {
      throw InputError(where + ": " +
                       describe_parser_error(error, expressions_[i], "x, y, z, t, beta"));
    }
  }
}

Diffusion::Diffusion(MinibatchNoiseModel model)
    : depends_on_time_(model.adds_temperature && model.temperature_changes),
      parsers_(std::make_unique<Parsers>()) {
  if (!model.loss) {
    throw InputError(model.source + ": the SDE model of minibatch SGD needs a finite-sum loss");
  }
  needed_dim_ = model.loss->dim();
  minibatch_ = std::make_shared<const MinibatchNoiseModel>(std::move(model));
}

Diffusion::~Diffusion() = default;

std::string Diffusion::name() const {
  return minibatch_ ? minibatch_->source : "diffusion.expr = '" + describe() + "'";
}

void Diffusion::check_dimension(int dim) const {
  const std::string key = name();
  if (minibatch_) {
    if (dim != needed_dim_) {
      throw InputError(key + ": the loss has dimension " + std::to_string(needed_dim_) +
                       ", the problem " + std::to_string(dim));
    }
    return;
  }
  if (dim > 3) {
    throw InputError(key + ": the problem has dimension " + std::to_string(dim) +
                     "; a diffusion expression is for 1 to 3 dimensions (x, y, z)");
  }
  if (expressions_.size() != 1 && expressions_.size() != static_cast<std::size_t>(dim)) {
    throw InputError(key + ": expected 1 expression (every axis) or " + std::to_string(dim) +
                     " separated by ';' (one per axis), got " +
                     std::to_string(expressions_.size()));
  }
  if (needed_dim_ > dim) {
    throw InputError(key + ": uses " + coordinate_names[static_cast<std::size_t>(needed_dim_ - 1)] +
                     ", but the problem has dimension " + std::to_string(dim));
  }
}

std::string Diffusion::describe() const {
  if (minibatch_) {
    return std::string(minibatch_->adds_temperature ? "1/beta(t) + " : "") +
           "(eta/2) c_B Sigma_ii(x), eta = " + format_real(minibatch_->learning_rate) +
           ", c_B = " + format_real(minibatch_->covariance_factor) + " (SDE model of minibatch " +
           (minibatch_->adds_temperature ? "SGLD" : "SGD") + ")";
  }
  std::string text;
  for (std::size_t i = 0; i < expressions_.size(); ++i) {
    text += (i ? "; " : "") + expressions_[i];
  }
  return text;
}

void Diffusion::evaluate(int dim, const double* x, double t, double beta, double* D) const {
  if (minibatch_) {
    std::array<double, 9> sigma{};
    minibatch_->loss->gradient_covariance(x, sigma.data());
    const double scale = 0.5 * minibatch_->learning_rate * minibatch_->covariance_factor;
    const double temperature = minibatch_->adds_temperature ? 1.0 / beta : 0.0;
    for (int i = 0; i < dim; ++i) {
      D[i] = temperature + scale * sigma[static_cast<std::size_t>(i * (dim + 1))];
    }
    return;
  }
  std::copy(x, x + dim, parsers_->coordinates.begin());
  parsers_->t = t;
  parsers_->beta = beta;
  const bool is_isotropic = expressions_.size() == 1;
  const double common = is_isotropic ? parsers_->axes[0].Eval() : 0.0;
  for (int i = 0; i < dim; ++i) {
    D[i] = is_isotropic ? common : parsers_->axes[static_cast<std::size_t>(i)].Eval();
  }
}

std::string Diffusion::check_value(int dim, const double* x, double t, const double* D) const {
  for (int i = 0; i < dim; ++i) {
    if (!(std::isfinite(D[i]) && D[i] > 0)) {
      return name() + ": D_" + std::to_string(i) + " = " + format_real(D[i]) +
             " at x = " + point_text(dim, x) + ", t = " + format_real(t) +
             " (expected finite and > 0)";
    }
  }
  return {};
}

void declare_diffusion_options(OptionSet& options) {
  options.text("diffusion.expr", "",
               "diagonal diffusion D_i(x, t) of dX = b dt + sqrt(2 D) dW (Ito): one muParser "
               "expression in x, y, z, t, beta for every axis, or one per axis separated by ';' "
               "(empty: D = 1/beta(t))");
}

std::shared_ptr<const Diffusion> make_diffusion(const Config& config) {
  const std::string& text = config.text("diffusion.expr");
  if (trim(text).empty()) {
    return nullptr;
  }
  return std::make_shared<const Diffusion>(text);
}

void check_diffusion_on_grid(const Grid& grid, const Diffusion& diffusion,
                             const TemperatureSchedule& schedule, double t_end) {
  diffusion.check_dimension(grid.dim());
  std::string problem;
  for (const double t : {0.0, t_end}) {
    const double beta = schedule.beta(t);
    grid.for_each_owned([&](const std::array<int, 3>& index, std::size_t /*offset*/) {
      if (!problem.empty()) {
        return;
      }
      std::array<double, 3> x{};
      std::array<double, 3> D{};
      grid.centre(index, x.data());
      diffusion.evaluate(grid.dim(), x.data(), t, beta, D.data());
      problem = diffusion.check_value(grid.dim(), x.data(), t, D.data());
    });
  }
  if (const std::string first = first_nonempty(grid.comm(), problem); !first.empty()) {
    throw InputError(first);
  }
}

} // namespace relax
