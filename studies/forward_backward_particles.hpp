// The particle side of controlled SGD (docs/theory.md): dx = -grad f dt - c alpha(x, t) dt +
// sqrt(2/beta) dW with alpha = grad u from the grid (face values of solvers/forward_backward.hpp's
// ValueFunction, interpolated multilinearly in x and linearly in t between two time levels), next
// to plain SGD from the same initial distribution, and the Theorem-7 quantities with standard
// errors.
//
// Reuse of sde/: the controlled drift is the gradient drift of the time-dependent potential
// f + c u(., t), so it runs through the unchanged ParticleEnsemble / Euler–Maruyama BlockIntegrator
// with a Landscape (ControlledPotential) whose clock the forward sweep sets between steps; the
// ensemble is advanced one step at a time. Random numbers are the ensemble's counter-based streams
// (seed, particle id, step), so results do not depend on the rank count beyond the ~1e-12
// differences of the grid fields that the control comes from.
//
// Memory: every rank holds the whole field u at two time levels (natural order) and their face
// controls, (1 + dim) 2 N_cells doubles, gathered once per level (particles are spread by id, not
// by space): fine for the 1D and 2D grids of `relax fb`.
#pragma once

#include "core/petsc_handle.hpp"
#include "grids/grid.hpp"
#include "grids/histogram.hpp"
#include "models/initial.hpp"
#include "models/landscape.hpp"
#include "sde/ensemble.hpp"
#include "solvers/forward_backward.hpp"
#include "solvers/forward_backward_control.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace relax {

/// f + c u(., t) with t between two levels: value() = f + c ((1 - theta) u~_n + theta u~_{n+1}),
/// gradient() = grad f + c ((1 - theta) alpha_n + theta alpha_{n+1}), u~ the cell-centred and
/// alpha the face-lattice multilinear interpolants. The gradient is the face control the PDE flux
/// uses, not the derivative of u~ (they agree to O(h)). Not for concurrent use while the forward
/// sweep changes its levels.
class ControlledPotential final : public Landscape {
public:
  ControlledPotential(std::shared_ptr<const Landscape> f, double c, std::vector<ControlAxis> axes);

  /// u at every cell (natural order) at the two levels of the interval.
  void set_levels(const std::vector<double>& lower, const std::vector<double>& upper);
  /// theta in [0, 1]: the position of the current time in the interval.
  void set_weight(double theta) { theta_ = theta; }

  int dim() const override { return f_->dim(); }
  std::string describe() const override;
  double value(const double* x) const override;
  double gradient(const double* x, double* g) const override;
  /// f's own block evaluation plus the control, point by point.
  void evaluate_batch(std::size_t n, std::size_t stride, const double* x, double* f,
                      double* g) const override;
  /// alpha(x, t) into alpha[0..dim).
  void control(const double* x, double* alpha) const;

private:
  std::shared_ptr<const Landscape> f_;
  double c_;
  FaceControl lower_control_;
  FaceControl upper_control_;
  StaggeredLattice lower_u_;
  StaggeredLattice upper_u_;
  double theta_ = 0;
};

struct ControlledParticleSettings {
  std::uint64_t particles = 10000;
  std::uint32_t seed = 1;
  long substeps = 1; ///< Euler–Maruyama steps per time level of the PDE
};

/// A mean over particles and its standard error sqrt(sample variance / N).
struct ParticleEstimate {
  double mean = 0;
  double standard_error = 0;
};

struct ParticleQuantities {
  ParticleEstimate expected_V_csgd;
  ParticleEstimate control_cost; ///< (c/2) int |alpha|^2 along each path (left-point rule)
  ParticleEstimate total;        ///< V(x_csgd(T)) + control cost, per path: the estimate of J0
  ParticleEstimate expected_V_sgd;
};

class ControlledParticles {
public:
  /// Collective. Both ensembles start from `initial` with the same seed (common random numbers);
  /// time levels of width problem.T / steps, each taken in `substeps` steps.
  ControlledParticles(const Grid& grid, const ControlledSgdProblem& problem,
                      const InitialDistribution& initial,
                      const ControlledParticleSettings& settings, long steps);
  ~ControlledParticles();
  ControlledParticles(const ControlledParticles&) = delete;
  ControlledParticles& operator=(const ControlledParticles&) = delete;

  long level() const { return level_; }
  /// Collective. Advances the controlled particles by one level with the control between u^n
  /// (`lower`) and u^{n+1} (`upper`), adding each path's control cost; the uncontrolled ones too.
  void step(const GridField& lower, const GridField& upper);

  const ParticleEnsemble& controlled() const { return *controlled_; }
  const ParticleEnsemble& uncontrolled() const { return *uncontrolled_; }
  /// Collective. The quantities at the current level.
  ParticleQuantities quantities() const;

private:
  std::vector<double> replicate(const GridField& u) const; // the whole field, natural order

  const Grid& grid_;
  ControlledSgdProblem problem_;
  ControlledParticleSettings settings_;
  double dt_; // of one substep
  std::shared_ptr<ControlledPotential> potential_;
  std::unique_ptr<ParticleEnsemble> controlled_;
  std::unique_ptr<ParticleEnsemble> uncontrolled_;
  std::vector<double> cost_; // per local controlled particle
  petsc::VecScatter to_all_;
  petsc::Vec all_;
  long level_ = 0;
};

} // namespace relax
