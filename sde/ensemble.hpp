// N particles of Langevin dynamics spread over the ranks of a communicator (docs/theory.md): global
// ids in contiguous blocks (rank r holds [first_id, first_id + local_size)), each particle advanced
// by a BlockIntegrator with random numbers keyed by its id, so positions, histograms, moments and
// passage statistics have the same bits at any rank count. Time advances in steps of dt (t = n dt);
// between two outputs every block of particles runs through all its steps while it sits in cache.
// Every reduction is exact (integer counts, ExactSum), and every collective is marked.
#pragma once

#include "grids/grid.hpp"
#include "grids/histogram.hpp"
#include "io/output_file.hpp"
#include "models/drift.hpp"
#include "models/initial.hpp"
#include "models/schedule.hpp"
#include "sde/integrators.hpp"

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace relax {

/// A hyperplane x[axis] = level; a particle has passed it once x[axis] >= level (upward) or
/// x[axis] <= level (downward).
struct PassageSurface {
  int axis = 0;
  double level = 0;
  bool upward = true;
  bool is_passed(double x) const { return upward ? x >= level : x <= level; }
};

struct EnsembleSettings {
  std::uint64_t particles = 100000; ///< N, global
  std::uint32_t seed = 1;
  IntegratorSettings integrator;
  std::optional<PassageSurface> passage;
  std::size_t block =
      0; ///< particles per integrator block; 0 picks one (results do not depend on it)
};

/// Per-axis sample moments over all N particles (population form, divided by N) and the mean
/// energy <f>.
struct ParticleMoments {
  std::vector<double> mean;
  std::vector<double> variance;
  double mean_energy = 0;
};

/// First passages across the surface up to the current time t, for escape rates: with tau_i the
/// passage time of particle i, the exposure sum_i min(tau_i, t) and the exponential maximum-
/// likelihood rate passed / exposure with standard error rate / sqrt(passed).
struct PassageStatistics {
  std::uint64_t particles = 0;
  std::uint64_t passed = 0;
  double exposure = 0;
  double rate = 0;
  double rate_error = 0;
  double mean_time = 0; ///< mean tau over the particles that passed (NaN if none)
};

class ParticleEnsemble {
public:
  /// Collective. Samples the initial state of `initial` from stream rng_stream::initial, a function
  /// of the particle id only: Gaussian x_k = mean_k + std_k z_k, uniform x_k = lo_k + (hi_k - lo_k)
  /// u_k on `box` (one axis per coordinate), point x = mean, or file rows (N, dim) (the last level
  /// of a (t, N, dim) series); z_k, u_k = normal_pair / uniform_pair(id, 0, k/2)[k%2]. BAOAB
  /// velocities are Maxwellian at beta(0): sqrt(1/(beta m)) normal_pair(id, 1, k/2)[k%2].
  /// InputError for N < 1, a uniform start without a box of `dim` axes, a file of the wrong shape,
  /// or a non-finite initial coordinate (naming the first such particle).
  ParticleEnsemble(MPI_Comm comm, const Drift& drift, const TemperatureSchedule& schedule,
                   const EnsembleSettings& settings, const InitialDistribution& initial,
                   const std::vector<Axis>& box = {});

  /// Collective. Continues the run saved by write_checkpoint in the file at `path`: positions,
  /// velocities, step, passage steps and acceptance counts; the random streams continue where they
  /// stopped, so the continuation is bit-identical to an uninterrupted run. InputError when the
  /// checkpoint is missing or was written with other particles, dimension, seed, integrator, dt or
  /// noise, or lacks the integrator's auxiliary state.
  static ParticleEnsemble restart(MPI_Comm comm, const Drift& drift,
                                  const TemperatureSchedule& schedule,
                                  const EnsembleSettings& settings, const std::string& path);

  MPI_Comm comm() const { return comm_; }
  const Drift& drift() const { return drift_; }
  /// beta(t) the particles run with.
  const TemperatureSchedule& schedule() const { return schedule_; }
  int dim() const { return drift_.dim(); }
  std::uint64_t size() const { return settings_.particles; }
  std::uint64_t first_id() const { return first_id_; }
  std::size_t local_size() const { return local_size_; }
  const EnsembleSettings& settings() const { return settings_; }
  /// Particles per integrator block (sde.block, or the automatic choice).
  std::size_t block() const { return integrator_->capacity(); }
  std::uint32_t step() const { return step_; }
  double time() const { return static_cast<double>(step_) * settings_.integrator.dt; }

  /// Collective. Advances every particle to step `target` (>= step()). A particle that becomes
  /// non-finite stops the run: every rank throws the same NumericalError naming the first such
  /// particle (smallest step, then smallest id) and its step; the state is then not usable.
  void advance_to(std::uint32_t target);

  /// Local particles: coordinate k of local particle p at positions()[k * local_size() + p].
  const std::vector<double>& positions() const { return x_; }
  const std::vector<double>& velocities() const { return v_; }

  /// Collective: the histogram of the first grid.dim() coordinates (a marginal when dim() is
  /// larger), reduced. InputError when the grid has more axes than the particles.
  Histogram histogram(const Grid& grid) const;
  /// Collective, exact.
  ParticleMoments moments() const;
  /// Collective: NumericalError (on every rank) when a mean, a variance or the mean energy is not
  /// finite: finite positions of 1e150 are a blow-up too. Writers call it before they write a
  /// level, so the last level written is the last that passed.
  void require_finite_moments() const;
  /// Collective, exact. Zero counts when no surface is set.
  PassageStatistics passage_statistics() const;
  /// Local passage times tau (NaN where the particle has not passed yet).
  std::vector<double> passage_times() const;
  /// Collective: MALA's proposals and acceptances over all particles and steps so far.
  AcceptanceCounts acceptance() const;

  /// Collective: appends the positions as one (N, dim) level of the series `dataset`.
  void append_snapshot(OutputFile& file, const std::string& dataset) const;
  /// The integrator's auxiliary state per particle (pSGLD: V; CTLD: alpha, r_alpha, bias) and
  /// the names of its columns; append_auxiliary appends it as one (N, width) level.
  std::size_t aux_width() const;
  std::string aux_columns() const;
  void append_auxiliary(OutputFile& file, const std::string& dataset) const;
  /// Local auxiliary state: value j of local particle p at auxiliary()[j * local_size() + p].
  const std::vector<double>& auxiliary() const { return aux_; }
  /// Collective: writes /checkpoint (positions, velocities, passage steps as (N, width) datasets,
  /// and attributes step, time, particles, dim, seed, dt, integrator, noise, proposed, accepted),
  /// overwriting an earlier one.
  void write_checkpoint(OutputFile& file) const;

private:
  ParticleEnsemble(MPI_Comm comm, const Drift& drift, const TemperatureSchedule& schedule,
                   const EnsembleSettings& settings);
  void sample_initial(const InitialDistribution& initial, const std::vector<Axis>& box);
  /// InputError naming `origin` for a non-finite coordinate, or a landscape value or gradient
  /// that is not finite at a particle.
  void require_finite_state(const std::string& origin) const;

  void record_passages(std::size_t offset, std::uint32_t step);
  /// Steps the block at `offset` from step_ to target; returns the step after which one of its
  /// particles first became non-finite, with that particle's id, or nothing.
  struct Failure {
    std::uint32_t step;
    std::uint64_t id;
  };
  std::optional<Failure> advance_block(std::size_t offset, std::size_t count, std::uint32_t target);
  /// Local values between the SoA layout of positions() and row-major (local_size, dim) rows, the
  /// layout of the HDF5 datasets: to rows when `to_rows`, else back.
  /// `width` values per particle (0: dim()).
  std::vector<double> transpose(const std::vector<double>& values, bool to_rows,
                                std::size_t width = 0) const;

  MPI_Comm comm_;
  Drift drift_;
  TemperatureSchedule schedule_;
  EnsembleSettings settings_;
  std::uint64_t first_id_ = 0;
  std::size_t local_size_ = 0;
  std::uint32_t step_ = 0;
  std::vector<double> x_;
  std::vector<double> v_;
  std::vector<double> aux_;                ///< the integrator's auxiliary state (SoA rows)
  std::vector<std::int64_t> passage_step_; ///< -1: not passed yet
  AcceptanceCounts restarted_acceptance_;  ///< counts carried over by a restart (rank 0)
  std::unique_ptr<BlockIntegrator> integrator_;
};

} // namespace relax
