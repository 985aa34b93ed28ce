// The diffusion D(x, t) of dX = b dt + sqrt(2 D(X, t)) dW (Itô), diagonal: one coefficient per
// axis, D_i(x, t), each a muParser expression in x, y, z, t and beta = beta(t) of the
// [temperature] schedule (docs/theory.md), or the built-in diffusion of the SDE model of minibatch
// SGD / SGLD on a finite-sum loss, D_i = (eta/2) c_B Sigma_ii(theta) [+ 1/beta(t) for SGLD]
// (MinibatchNoiseModel). The Fokker–Planck equation it belongs to is
// rho_t = -div(b rho) + sum_i d_i^2 (D_i rho). Without diffusion.expr relax keeps its scalar
// D = 1/beta(t), which is not an object of this class (the solver and the particles keep their
// own code path for it, so its numbers do not change). Pure math; the parsers live in the object,
// so one Diffusion is not for concurrent use.
#pragma once

#include "core/config.hpp"
#include "models/schedule.hpp"

#include <memory>
#include <string>
#include <vector>

namespace relax {

class Grid;
class FiniteSumLoss;

/// The SDE model of minibatch SGD with learning rate eta and batch B on a finite-sum loss, in time
/// t = k eta: dtheta = -grad L dt + sqrt(eta c_B diag Sigma(theta)) dW, i.e. D_i = (eta/2) c_B
/// Sigma_ii(theta) with c_B = minibatch_covariance_factor; SGLD adds its injected 1/beta(t).
struct MinibatchNoiseModel {
  std::shared_ptr<const FiniteSumLoss> loss;
  double learning_rate = 0;         ///< eta
  double covariance_factor = 0;     ///< c_B: Sigma_B = c_B Sigma
  bool adds_temperature = false;    ///< SGLD: D_i = 1/beta(t) + (eta/2) c_B Sigma_ii
  bool temperature_changes = false; ///< beta(t) is not constant (the FP operator changes with t)
  std::string source;               ///< the keys it comes from, for messages and describe()
};

class Diffusion {
public:
  /// `expressions`: one expression for every axis, or dim expressions separated by ';'.
  /// InputError naming diffusion.expr for an empty list or a syntax error.
  explicit Diffusion(const std::string& expressions);
  /// The built-in diffusion of the SDE model of minibatch SGD / SGLD.
  explicit Diffusion(MinibatchNoiseModel model);
  ~Diffusion();
  Diffusion(const Diffusion&) = delete;
  Diffusion& operator=(const Diffusion&) = delete;

  /// InputError naming diffusion.expr unless the expressions fit `dim` axes: dim <= 3, one
  /// expression or exactly dim, and no expression in a coordinate beyond dim.
  void check_dimension(int dim) const;
  /// True when an expression reads t or beta: the FP operator then changes with t.
  bool depends_on_time() const { return depends_on_time_; }
  std::string describe() const;

  /// D_i(x, t) for i < dim into D (x has dim coordinates; beta = beta(t)).
  void evaluate(int dim, const double* x, double t, double beta, double* D) const;
  /// Empty when D[0..dim) are finite and > 0, else the one-line reason naming diffusion.expr, the
  /// axis, the value, the point and t.
  std::string check_value(int dim, const double* x, double t, const double* D) const;

private:
  struct Parsers;
  std::string name() const;
  std::vector<std::string> expressions_;
  std::shared_ptr<const MinibatchNoiseModel> minibatch_; // null for diffusion.expr
  bool depends_on_time_ = false;
  int needed_dim_ = 0; // 1 + the last coordinate any expression reads
  std::unique_ptr<Parsers> parsers_;
};

/// [diffusion] expr = "" (D = 1/beta(t)) or D_i expressions separated by ';'.
void declare_diffusion_options(OptionSet& options);
/// Null when diffusion.expr is empty (the scalar 1/beta(t)).
std::shared_ptr<const Diffusion> make_diffusion(const Config& config);

/// Collective. InputError naming diffusion.expr unless it fits the grid's dimension and D(x, t)
/// is finite and > 0 at every cell centre of the grid for t = 0 and t = t_end (the FP solver
/// checks every face it assembles, at every time it assembles).
void check_diffusion_on_grid(const Grid& grid, const Diffusion& diffusion,
                             const TemperatureSchedule& schedule, double t_end);

} // namespace relax
