#include "studies/forward_backward_particles.hpp"

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/mpi.hpp"
#include "core/validate.hpp"
#include "models/drift.hpp"
#include "models/schedule.hpp"

#include <petscdmda.h>

#include <array>
#include <cmath>
#include <limits>

namespace relax {

namespace {

std::vector<ControlAxis> control_axes(const Grid& grid) {
  std::vector<ControlAxis> axes;
  for (const Axis& axis : grid.axes()) {
    axes.push_back({axis.lo, axis.h(), axis.n, axis.boundary == Boundary::periodic});
  }
  return axes;
}

/// Collective: the mean of one value per particle over all particles and its standard error.
ParticleEstimate estimate(MPI_Comm comm, const std::vector<double>& values, std::uint64_t count) {
  const auto n = static_cast<double>(count);
  ExactSum sum;
  for (double v : values) {
    sum.add(v);
  }
  ParticleEstimate result;
  result.mean = allreduce_value(comm, sum) / n;
  ExactSum squares;
  for (double v : values) {
    squares.add((v - result.mean) * (v - result.mean));
  }
  const double variance = count > 1 ? allreduce_value(comm, squares) / (n - 1) : 0.0;
  result.standard_error = std::sqrt(variance / n);
  return result;
}

/// V at every local particle of an ensemble (positions in structure-of-arrays layout).
std::vector<double> terminal_values(const Landscape& V, const ParticleEnsemble& ensemble) {
  std::vector<double> values(ensemble.local_size());
  if (!values.empty()) {
    V.evaluate_batch(values.size(), values.size(), ensemble.positions().data(), values.data(),
                     nullptr);
  }
  return values;
}

} // namespace

// ---- ControlledPotential ----

ControlledPotential::ControlledPotential(std::shared_ptr<const Landscape> f, double c,
                                         std::vector<ControlAxis> axes)
    : f_(std::move(f)), c_(c), lower_control_(axes), upper_control_(axes), lower_u_(axes, -1),
      upper_u_(axes, -1) {}

std::string ControlledPotential::describe() const {
  return f_->describe() + " + " + format_real(c_) + " u(., t) (controlled SGD)";
}

void ControlledPotential::set_levels(const std::vector<double>& lower,
                                     const std::vector<double>& upper) {
  lower_control_.assign(lower);
  upper_control_.assign(upper);
  lower_u_.values() = lower;
  upper_u_.values() = upper;
}

double ControlledPotential::value(const double* x) const {
  const double u = (1 - theta_) * lower_u_.interpolate(x) + theta_ * upper_u_.interpolate(x);
  return f_->value(x) + c_ * u;
}

void ControlledPotential::control(const double* x, double* alpha) const {
  std::array<double, 3> lower{};
  std::array<double, 3> upper{};
  lower_control_.evaluate(x, lower.data());
  upper_control_.evaluate(x, upper.data());
  for (int a = 0; a < dim(); ++a) {
    const auto sa = static_cast<std::size_t>(a);
    alpha[a] = (1 - theta_) * lower[sa] + theta_ * upper[sa];
  }
}

double ControlledPotential::gradient(const double* x, double* g) const {
  const double value_f = f_->gradient(x, g);
  std::array<double, 3> alpha{};
  control(x, alpha.data());
  for (int a = 0; a < dim(); ++a) {
    g[a] += c_ * alpha[static_cast<std::size_t>(a)];
  }
  const double u = (1 - theta_) * lower_u_.interpolate(x) + theta_ * upper_u_.interpolate(x);
  return value_f + c_ * u;
}

void ControlledPotential::evaluate_batch(std::size_t n, std::size_t stride, const double* x,
                                         double* f, double* g) const {
  f_->evaluate_batch(n, stride, x, f, g);
  const auto d = static_cast<std::size_t>(dim());
  std::array<double, 3> point{};
  std::array<double, 3> alpha{};
  for (std::size_t p = 0; p < n; ++p) {
    for (std::size_t k = 0; k < d; ++k) {
      point[k] = x[k * stride + p];
    }
    if (g != nullptr) {
      control(point.data(), alpha.data());
      for (std::size_t k = 0; k < d; ++k) {
        g[k * stride + p] += c_ * alpha[k];
      }
    }
    if (f != nullptr) {
      f[p] += c_ * ((1 - theta_) * lower_u_.interpolate(point.data()) +
                    theta_ * upper_u_.interpolate(point.data()));
    }
  }
}

// ---- ControlledParticles ----

ControlledParticles::ControlledParticles(const Grid& grid, const ControlledSgdProblem& problem,
                                         const InitialDistribution& initial,
                                         const ControlledParticleSettings& settings, long steps)
    : grid_(grid), problem_(problem), settings_(settings) {
  check_controlled_sgd_problem(grid, problem_);
  require_at_least("fb.substeps", settings_.substeps, 1);
  require_at_least("fb.steps", steps, 1);
  const double total_steps = static_cast<double>(steps) * static_cast<double>(settings_.substeps);
  if (total_steps >= static_cast<double>(std::numeric_limits<std::uint32_t>::max())) {
    throw InputError("fb.steps * fb.substeps = " + format_real(total_steps) +
                     ": expected fewer than 2^32 particle steps");
  }
  dt_ = problem_.T / total_steps;
  potential_ = std::make_shared<ControlledPotential>(problem_.f, problem_.c, control_axes(grid));
  EnsembleSettings ensemble;
  ensemble.particles = settings_.particles;
  ensemble.seed = settings_.seed;
  ensemble.integrator.kind = IntegratorKind::euler_maruyama;
  ensemble.integrator.dt = dt_;
  const TemperatureSchedule schedule = TemperatureSchedule::constant(problem_.beta);
  controlled_ = std::make_unique<ParticleEnsemble>(grid.comm(), Drift(potential_), schedule,
                                                   ensemble, initial, grid.axes());
  uncontrolled_ = std::make_unique<ParticleEnsemble>(grid.comm(), Drift(problem_.f), schedule,
                                                     ensemble, initial, grid.axes());
  cost_.assign(controlled_->local_size(), 0.0);
  RELAX_PETSC(DMDAGlobalToNaturalAllCreate(grid.dm(), to_all_.out()));
  RELAX_PETSC(VecCreateSeq(PETSC_COMM_SELF, static_cast<PetscInt>(grid.cell_count()), all_.out()));
}

ControlledParticles::~ControlledParticles() = default;

std::vector<double> ControlledParticles::replicate(const GridField& u) const {
  RELAX_PETSC(VecScatterBegin(to_all_, u.vec(), all_, INSERT_VALUES, SCATTER_FORWARD));
  RELAX_PETSC(VecScatterEnd(to_all_, u.vec(), all_, INSERT_VALUES, SCATTER_FORWARD));
  const petsc::ConstVecArray values(all_);
  return {values.begin(), values.end()};
}

void ControlledParticles::step(const GridField& lower, const GridField& upper) {
  potential_->set_levels(replicate(lower), replicate(upper));
  const std::size_t local = controlled_->local_size();
  const auto dim = static_cast<std::size_t>(grid_.dim());
  const double weight = 0.5 * problem_.c * dt_;
  for (long s = 0; s < settings_.substeps; ++s) {
    // Euler–Maruyama takes the drift at the start of the substep: the same time for the cost.
    potential_->set_weight(static_cast<double>(s) / static_cast<double>(settings_.substeps));
    const std::vector<double>& x = controlled_->positions();
    std::array<double, 3> point{};
    std::array<double, 3> alpha{};
    for (std::size_t p = 0; p < local; ++p) {
      for (std::size_t a = 0; a < dim; ++a) {
        point[a] = x[a * local + p];
      }
      potential_->control(point.data(), alpha.data());
      double square = 0;
      for (std::size_t a = 0; a < dim; ++a) {
        square += alpha[a] * alpha[a];
      }
      cost_[p] += weight * square;
    }
    controlled_->advance_to(controlled_->step() + 1);
  }
  ++level_;
  uncontrolled_->advance_to(static_cast<std::uint32_t>(level_ * settings_.substeps));
}

ParticleQuantities ControlledParticles::quantities() const {
  const MPI_Comm comm = grid_.comm();
  const std::uint64_t n = settings_.particles;
  ParticleQuantities q;
  std::vector<double> v = terminal_values(*problem_.V, *controlled_);
  q.expected_V_csgd = estimate(comm, v, n);
  q.control_cost = estimate(comm, cost_, n);
  for (std::size_t p = 0; p < v.size(); ++p) {
    v[p] += cost_[p];
  }
  q.total = estimate(comm, v, n);
  q.expected_V_sgd = estimate(comm, terminal_values(*problem_.V, *uncontrolled_), n);
  return q;
}

} // namespace relax
