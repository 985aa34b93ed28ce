#include "sde/ensemble.hpp"

#include "core/error.hpp"
#include "core/memory.hpp"
#include "core/mpi.hpp"
#include "core/profiling.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace relax {

namespace {

constexpr std::uint64_t none = std::numeric_limits<std::uint64_t>::max();

std::uint64_t allreduce_min(MPI_Comm comm, std::uint64_t value) {
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_UINT64_T, MPI_MIN, comm));
  return value;
}

std::string noise_name(NoisePrecision noise) {
  return noise == NoisePrecision::float32 ? "float" : "double";
}

/// Particles per integrator block: about 128 KiB of positions, so a block and its work buffers
/// stay in L2 while it runs through all steps between two outputs, in whole multiples of the
/// random-number kernel's 64 lanes (a partial chunk computes 64 lanes anyway). MALA's step makes
/// about ten passes over as many buffers per particle, so its blocks are a quarter of that, at most
/// 256 particles (the landscape's own block), and stay in L1 (bench/README.md: 7 % faster in 1D).
std::size_t block_size(const EnsembleSettings& settings, int dim) {
  if (settings.block > 0) {
    return settings.block;
  }
  const std::size_t lanes = 64;
  const bool mala = settings.integrator.kind == IntegratorKind::mala;
  return std::clamp<std::size_t>((mala ? 4096 : 16384) / static_cast<std::size_t>(dim) / lanes *
                                     lanes,
                                 lanes, mala ? 256 : 1024);
}

/// Collective. The file at `path`, or an InputError that names the key it came from.
InputFile open_input(MPI_Comm comm, const std::string& path, const std::string& key) {
  try {
    return InputFile(comm, path);
  } catch (const InputError& e) {
    throw InputError(key + ": " + e.what());
  }
}

/// Names the initial state in error messages.
std::string origin_of(const InitialDistribution& initial) {
  switch (initial.kind) {
  case InitialDistribution::Kind::gaussian:
    return "initial state (initial.kind = gaussian)";
  case InitialDistribution::Kind::uniform:
    return "initial state (initial.kind = uniform)";
  case InitialDistribution::Kind::point:
    return "initial state (initial.kind = point)";
  case InitialDistribution::Kind::file:
    break;
  }
  return "initial.file '" + initial.file + "', dataset '" + initial.dataset + "'";
}

} // namespace

ParticleEnsemble::ParticleEnsemble(MPI_Comm comm, const Drift& drift,
                                   const TemperatureSchedule& schedule,
                                   const EnsembleSettings& settings)
    : comm_(comm), drift_(drift), schedule_(schedule), settings_(settings) {
  if (settings.particles < 1) {
    reject_value("sde.particles", std::to_string(settings.particles), "an integer >= 1");
  }
  if (settings.passage && (settings.passage->axis < 0 || settings.passage->axis >= dim())) {
    throw InputError("sde.passage_axis = " + std::to_string(settings.passage->axis) +
                     ": expected an axis in [0, " + std::to_string(dim()) + ")");
  }
  const auto ranks = static_cast<std::uint64_t>(comm_size(comm));
  const auto rank = static_cast<std::uint64_t>(comm_rank(comm));
  const std::uint64_t base = settings.particles / ranks;
  const std::uint64_t extra = settings.particles % ranks;
  first_id_ = rank * base + std::min(rank, extra);
  local_size_ = static_cast<std::size_t>(base + (rank < extra ? 1 : 0));
  integrator_ = BlockIntegrator::create(drift, schedule, settings.seed, settings.integrator,
                                        block_size(settings, dim()));
  const bool has_velocities = BlockIntegrator::has_velocities(settings.integrator.kind);
  // Per particle: positions, velocities, the auxiliary state, a passage step; 8 bytes each.
  const double values_per_particle = dim() * (has_velocities ? 2.0 : 1.0) +
                                     static_cast<double>(integrator_->aux_width()) +
                                     (settings.passage ? 1.0 : 0.0);
  require_memory(comm,
                 "sde.particles = " + std::to_string(settings.particles) + " (dimension " +
                     std::to_string(dim()) + ", " + short_number(8.0 * values_per_particle) +
                     " bytes each)",
                 8.0 * values_per_particle * static_cast<double>(local_size_));
  const std::size_t values = local_size_ * static_cast<std::size_t>(dim());
  x_.assign(values, 0.0);
  if (has_velocities) {
    v_.assign(values, 0.0);
  }
  if (settings.passage) {
    passage_step_.assign(local_size_, -1);
  }
  aux_.assign(local_size_ * integrator_->aux_width(), 0.0);
}

ParticleEnsemble::ParticleEnsemble(MPI_Comm comm, const Drift& drift,
                                   const TemperatureSchedule& schedule,
                                   const EnsembleSettings& settings,
                                   const InitialDistribution& initial, const std::vector<Axis>& box)
    : ParticleEnsemble(comm, drift, schedule, settings) {
  sample_initial(initial, box);
}

void ParticleEnsemble::sample_initial(const InitialDistribution& initial,
                                      const std::vector<Axis>& box) {
  const CounterRng rng(settings_.seed, rng_stream::initial);
  const auto d = static_cast<std::size_t>(dim());
  const std::size_t n = local_size_;
  std::vector<double> pair(2 * n);
  // Coordinate k of every local particle from value k%2 of the counter (id, step, k/2).
  const auto fill = [&](std::vector<double>& out, std::uint32_t step, bool is_normal,
                        const auto& transform) {
    for (std::size_t k = 0; k < d; ++k) {
      if (k % 2 == 0) {
        const auto draw = static_cast<std::uint32_t>(k / 2);
        if (is_normal) {
          rng.normal_pairs(first_id_, n, step, draw, pair.data(), n);
        } else {
          rng.uniform_pairs(first_id_, n, step, draw, pair.data(), n);
        }
      }
      const double* value = pair.data() + (k % 2) * n;
      for (std::size_t p = 0; p < n; ++p) {
        out[k * n + p] = transform(k, value[p]);
      }
    }
  };
  switch (initial.kind) {
  case InitialDistribution::Kind::gaussian:
    fill(x_, 0, true,
         [&](std::size_t k, double z) { return initial.mean[k] + initial.std[k] * z; });
    break;
  case InitialDistribution::Kind::uniform:
    if (box.size() != d) {
      throw InputError("initial.kind = uniform: particles of dimension " + std::to_string(d) +
                       " need a grid box of as many axes, got " + std::to_string(box.size()));
    }
    fill(x_, 0, false,
         [&](std::size_t k, double u) { return box[k].lo + (box[k].hi - box[k].lo) * u; });
    break;
  case InitialDistribution::Kind::point:
    for (std::size_t k = 0; k < d; ++k) {
      std::fill_n(x_.begin() + static_cast<long>(k * n), n, initial.mean[k]);
    }
    break;
  case InitialDistribution::Kind::file: {
    const InputFile file = open_input(comm_, initial.file, "initial.file");
    const std::vector<std::size_t> shape = file.shape(initial.dataset);
    const std::size_t rank = shape.size();
    if ((rank != 2 && rank != 3) || shape[rank - 2] != settings_.particles ||
        shape[rank - 1] != d) {
      std::string text;
      for (std::size_t s : shape) {
        text += (text.empty() ? "" : ", ") + std::to_string(s);
      }
      throw InputError("initial.file '" + initial.file + "', dataset '" + initial.dataset +
                       "': shape (" + text + "); expected (" + std::to_string(settings_.particles) +
                       ", " + std::to_string(d) + ") particles or a series (t, " +
                       std::to_string(settings_.particles) + ", " + std::to_string(d) + ")");
    }
    x_ = transpose(file.read_rows(initial.dataset, first_id_, n), false);
    break;
  }
  }
  if (integrator_->has_velocities()) {
    const double std = integrator_->initial_velocity_std(schedule_.beta(0.0));
    fill(v_, 1, true, [std](std::size_t, double z) { return std * z; });
  }
  integrator_->initial_aux(first_id_, n, x_.data(), aux_.data(), n);
  require_finite_state(origin_of(initial));
  if (settings_.passage) {
    const double* x = x_.data() + static_cast<std::size_t>(settings_.passage->axis) * n;
    for (std::size_t p = 0; p < n; ++p) {
      if (settings_.passage->is_passed(x[p])) {
        passage_step_[p] = 0;
      }
    }
  }
}

void ParticleEnsemble::require_finite_state(const std::string& origin) const {
  std::uint64_t bad = none;
  for (std::size_t i = 0; i < x_.size(); ++i) { // the smallest id, whatever its coordinate
    if (!std::isfinite(x_[i]) || (!v_.empty() && !std::isfinite(v_[i]))) {
      bad = std::min(bad, first_id_ + i % local_size_);
    }
  }
  bad = allreduce_min(comm_, bad);
  if (bad != none) {
    throw InputError(origin + ": particle " + std::to_string(bad) +
                     " has a non-finite coordinate; expected finite numbers");
  }
  // The dynamics need f and grad f where the particles start: a landscape that is not finite
  // there (log(x) at x <= 0) is bad input, as it is for the grid of the PDE.
  const auto d = static_cast<std::size_t>(dim());
  std::vector<double> f(local_size_);
  std::vector<double> g(local_size_ * d);
  drift_.landscape().evaluate_batch(local_size_, local_size_, x_.data(), f.data(), g.data());
  for (std::size_t p = 0; p < local_size_ && bad == none; ++p) {
    bool finite = std::isfinite(f[p]);
    for (std::size_t k = 0; k < d; ++k) {
      finite = finite && std::isfinite(g[k * local_size_ + p]);
    }
    bad = finite ? none : first_id_ + p;
  }
  bad = allreduce_min(comm_, bad);
  if (bad != none) {
    throw InputError(origin + ": the landscape " + drift_.landscape().describe() +
                     " or its gradient is not finite at particle " + std::to_string(bad) +
                     "; expected a landscape finite where the initial distribution lives");
  }
}

void ParticleEnsemble::require_finite_moments() const {
  const ParticleMoments m = moments();
  bool finite = std::isfinite(m.mean_energy);
  for (std::size_t k = 0; k < m.mean.size(); ++k) {
    finite = finite && std::isfinite(m.mean[k]) && std::isfinite(m.variance[k]);
  }
  if (!finite) { // the same exact sums on every rank: every rank throws
    char t[32];
    std::snprintf(t, sizeof t, "%.6g", time());
    throw NumericalError("sde: the particle moments are not finite at step " +
                         std::to_string(step_) + " (t = " + t + ", mean " + join_reals(m.mean) +
                         ", variance " + join_reals(m.variance) + ", <f> " +
                         format_real(m.mean_energy) +
                         "): the integrator blew up; reduce sde.dt or check the landscape");
  }
}

void ParticleEnsemble::record_passages(std::size_t offset, std::uint32_t step) {
  const PassageSurface& surface = *settings_.passage;
  const double* x =
      integrator_->positions() + static_cast<std::size_t>(surface.axis) * integrator_->capacity();
  std::int64_t* passed = passage_step_.data() + offset;
  for (std::size_t p = 0; p < integrator_->count(); ++p) {
    if (passed[p] < 0 && surface.is_passed(x[p])) {
      passed[p] = step;
    }
  }
}

std::optional<ParticleEnsemble::Failure>
ParticleEnsemble::advance_block(std::size_t offset, std::size_t count, std::uint32_t target) {
  double* v = v_.empty() ? nullptr : v_.data() + offset;
  double* aux = aux_.empty() ? nullptr : aux_.data() + offset;
  BlockIntegrator& integrator = *integrator_;
  const auto rows = static_cast<std::size_t>(dim());
  const std::size_t capacity = integrator.capacity();
  // Index of the first loaded particle with a non-finite coordinate, or count.
  const auto first_bad = [&] {
    std::size_t bad = count;
    for (std::size_t k = 0; k < rows; ++k) {
      for (std::size_t p = 0; p < count; ++p) {
        const std::size_t i = k * capacity + p;
        if (!std::isfinite(integrator.positions()[i]) ||
            (integrator.has_velocities() && !std::isfinite(integrator.velocities()[i]))) {
          bad = std::min(bad, p);
        }
      }
    }
    return bad;
  };
  integrator.load(first_id_ + offset, count, x_.data() + offset, v, aux, local_size_);
  for (std::uint32_t s = step_; s < target; ++s) {
    integrator.step(s);
    if (settings_.passage) {
      record_passages(offset, s + 1);
    }
  }
  // A non-finite value stays non-finite, so one check at the end finds every failure; only then
  // is the block run again from its saved start to name the step.
  if (first_bad() == count) {
    integrator.store(x_.data() + offset, v, aux, local_size_);
    return std::nullopt;
  }
  integrator.load(first_id_ + offset, count, x_.data() + offset, v, aux, local_size_);
  for (std::uint32_t s = step_; s < target; ++s) {
    integrator.step(s);
    if (const std::size_t p = first_bad(); p < count) {
      return Failure{s + 1, first_id_ + offset + p};
    }
  }
  return Failure{target, first_id_ + offset}; // unreachable for a deterministic integrator
}

void ParticleEnsemble::advance_to(std::uint32_t target) {
  const PhaseScope phase(Phase::particle_stepping);
  if (target < step_) {
    throw Error("ParticleEnsemble::advance_to: step " + std::to_string(target) +
                " is before the current step " + std::to_string(step_));
  }
  const std::size_t block = integrator_->capacity();
  std::optional<Failure> failure;
  for (std::size_t offset = 0; offset < local_size_; offset += block) {
    const auto f = advance_block(offset, std::min(block, local_size_ - offset), target);
    if (f && (!failure || f->step < failure->step)) {
      failure = f; // blocks run in id order: equal steps keep the smaller id
    }
  }
  if (any_rank(comm_, failure.has_value())) {
    const std::uint64_t step = allreduce_min(comm_, failure ? failure->step : none);
    const std::uint64_t id =
        allreduce_min(comm_, failure && failure->step == step ? failure->id : none);
    char time[32];
    std::snprintf(time, sizeof time, "%.6g", static_cast<double>(step) * settings_.integrator.dt);
    throw NumericalError("particle " + std::to_string(id) + " became non-finite at step " +
                         std::to_string(step) + " (t = " + time +
                         "); reduce sde.dt or check the landscape and drift");
  }
  step_ = target;
}

Histogram ParticleEnsemble::histogram(const Grid& grid) const {
  const PhaseScope phase(Phase::histograms);
  if (grid.dim() > dim()) {
    throw InputError("grid: " + std::to_string(grid.dim()) + " axes for particles of dimension " +
                     std::to_string(dim()) + "; expected at most " + std::to_string(dim()));
  }
  Histogram histogram(grid);
  histogram.add(local_size_, local_size_, x_.data());
  histogram.reduce();
  return histogram;
}

ParticleMoments ParticleEnsemble::moments() const {
  const auto d = static_cast<std::size_t>(dim());
  const std::size_t n = local_size_;
  const auto total = static_cast<double>(settings_.particles);
  const ColumnMoments columns = exact_column_moments(comm_, x_.data(), d, n, total);
  ParticleMoments moments;
  moments.mean = columns.mean;
  for (const double squares : columns.squared_deviations) {
    moments.variance.push_back(squares / total);
  }
  std::vector<double> energy(n);
  drift_.landscape().evaluate_batch(n, n, x_.data(), energy.data(), nullptr);
  ExactSum energy_sum;
  for (double f : energy) {
    energy_sum.add(f);
  }
  moments.mean_energy = allreduce_value(comm_, energy_sum) / total;
  return moments;
}

PassageStatistics ParticleEnsemble::passage_statistics() const {
  PassageStatistics statistics;
  statistics.particles = settings_.particles;
  const double dt = settings_.integrator.dt;
  std::uint64_t passed = 0;
  std::array<ExactSum, 2> sums; // exposure, sum of passage times
  for (const std::int64_t s : passage_step_) {
    if (s >= 0) {
      ++passed;
      sums[0].add(static_cast<double>(s) * dt);
      sums[1].add(static_cast<double>(s) * dt);
    } else {
      sums[0].add(time());
    }
  }
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &passed, 1, MPI_UINT64_T, MPI_SUM, comm_));
  allreduce(comm_, sums.data(), sums.size());
  statistics.passed = passed;
  statistics.exposure = sums[0].value();
  const auto count = static_cast<double>(passed);
  statistics.rate = statistics.exposure > 0 ? count / statistics.exposure : 0.0;
  statistics.rate_error = passed > 0 ? statistics.rate / std::sqrt(count) : 0.0;
  statistics.mean_time =
      passed > 0 ? sums[1].value() / count : std::numeric_limits<double>::quiet_NaN();
  return statistics;
}

std::vector<double> ParticleEnsemble::passage_times() const {
  std::vector<double> times(local_size_, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t p = 0; p < passage_step_.size(); ++p) {
    if (passage_step_[p] >= 0) {
      times[p] = static_cast<double>(passage_step_[p]) * settings_.integrator.dt;
    }
  }
  return times;
}

AcceptanceCounts ParticleEnsemble::acceptance() const {
  std::array<std::int64_t, 2> counts = {
      integrator_->acceptance().proposed + restarted_acceptance_.proposed,
      integrator_->acceptance().accepted + restarted_acceptance_.accepted};
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, counts.data(), 2, MPI_INT64_T, MPI_SUM, comm_));
  return {counts[0], counts[1]};
}

std::vector<double> ParticleEnsemble::transpose(const std::vector<double>& values, bool to_rows,
                                                std::size_t width) const {
  const std::size_t d = width > 0 ? width : static_cast<std::size_t>(dim());
  std::vector<double> out(values.size());
  for (std::size_t k = 0; k < d; ++k) {
    for (std::size_t p = 0; p < local_size_; ++p) {
      const std::size_t row_major = p * d + k;
      const std::size_t soa = k * local_size_ + p;
      out[to_rows ? row_major : soa] = values[to_rows ? soa : row_major];
    }
  }
  return out;
}

void ParticleEnsemble::append_snapshot(OutputFile& file, const std::string& dataset) const {
  const std::vector<double> rows = transpose(x_, true);
  file.append_rows(dataset, rows.data(), local_size_, first_id_, settings_.particles,
                   static_cast<std::size_t>(dim()));
}

void ParticleEnsemble::append_auxiliary(OutputFile& file, const std::string& dataset) const {
  const std::size_t width = integrator_->aux_width();
  const std::vector<double> rows = transpose(aux_, true, width);
  file.append_rows(dataset, rows.data(), local_size_, first_id_, settings_.particles, width);
}

std::size_t ParticleEnsemble::aux_width() const {
  return integrator_->aux_width();
}

std::string ParticleEnsemble::aux_columns() const {
  return integrator_->aux_columns();
}

namespace checkpoint {
constexpr const char* group = "checkpoint";
constexpr const char* positions = "checkpoint/positions";
constexpr const char* velocities = "checkpoint/velocities";
constexpr const char* passage_step = "checkpoint/passage_step";
constexpr const char* auxiliary = "checkpoint/auxiliary";
} // namespace checkpoint

void ParticleEnsemble::write_checkpoint(OutputFile& file) const {
  const auto d = static_cast<std::size_t>(dim());
  file.write_rows(checkpoint::positions, transpose(x_, true).data(), local_size_, first_id_,
                  settings_.particles, d);
  if (!v_.empty()) {
    file.write_rows(checkpoint::velocities, transpose(v_, true).data(), local_size_, first_id_,
                    settings_.particles, d);
  }
  if (settings_.passage) {
    const std::vector<double> steps(passage_step_.begin(), passage_step_.end());
    file.write_rows(checkpoint::passage_step, steps.data(), local_size_, first_id_,
                    settings_.particles, 1);
  }
  if (const std::size_t width = integrator_->aux_width(); width > 0) {
    file.write_rows(checkpoint::auxiliary, transpose(aux_, true, width).data(), local_size_,
                    first_id_, settings_.particles, width);
  }
  const AcceptanceCounts counts = acceptance();
  const auto as_int = [](auto value) { return static_cast<std::int64_t>(value); };
  file.write_attribute(checkpoint::group, "step", as_int(step_));
  file.write_attribute(checkpoint::group, "time", time());
  file.write_attribute(checkpoint::group, "particles", as_int(settings_.particles));
  file.write_attribute(checkpoint::group, "dim", as_int(dim()));
  file.write_attribute(checkpoint::group, "seed", as_int(settings_.seed));
  file.write_attribute(checkpoint::group, "dt", settings_.integrator.dt);
  file.write_attribute(checkpoint::group, "integrator", to_string(settings_.integrator.kind));
  file.write_attribute(checkpoint::group, "noise", noise_name(settings_.integrator.noise));
  if (const std::string minibatch = describe_minibatch(settings_.integrator); !minibatch.empty()) {
    file.write_attribute(checkpoint::group, "minibatch", minibatch); // SGD / SGLD only
  }
  if (const std::string entropy = describe_entropy(settings_.integrator); !entropy.empty()) {
    file.write_attribute(checkpoint::group, "entropy", entropy); // Entropy-SGD / Parle only
  }
  if (settings_.integrator.diffusion) { // absent: D = 1/beta(t)
    file.write_attribute(checkpoint::group, "diffusion",
                         settings_.integrator.diffusion->describe());
  }
  file.write_attribute(checkpoint::group, "proposed", counts.proposed);
  file.write_attribute(checkpoint::group, "accepted", counts.accepted);
  if (settings_.passage) {
    file.write_attribute(checkpoint::group, "passage_axis", as_int(settings_.passage->axis));
    file.write_attribute(checkpoint::group, "passage_level", settings_.passage->level);
    file.write_attribute(checkpoint::group, "passage", settings_.passage->upward ? "up" : "down");
  }
}

ParticleEnsemble ParticleEnsemble::restart(MPI_Comm comm, const Drift& drift,
                                           const TemperatureSchedule& schedule,
                                           const EnsembleSettings& settings,
                                           const std::string& path) {
  const InputFile file = open_input(comm, path, "sde.restart");
  const std::string where = "sde.restart = '" + path + "'";
  if (!file.exists(checkpoint::positions)) {
    throw InputError(where +
                     ": the file has no /checkpoint; expected the output of a relax sde run");
  }
  ParticleEnsemble ensemble(comm, drift, schedule, settings);
  const auto require = [&](const std::string& key, const std::string& mine,
                           const std::string& saved) {
    if (mine != saved) {
      throw InputError(where + ": checkpoint written with " + key + " = " + saved + ", but " + key +
                       " = " + mine + "; expected the settings of the saved run");
    }
  };
  const auto integer = [&](const char* name) {
    return std::to_string(file.read_int_attribute(checkpoint::group, name));
  };
  require("sde.particles", std::to_string(settings.particles), integer("particles"));
  require("landscape dimension", std::to_string(drift.dim()), integer("dim"));
  require("sde.seed", std::to_string(settings.seed), integer("seed"));
  require("sde.dt", format_real(settings.integrator.dt),
          format_real(file.read_double_attribute(checkpoint::group, "dt")));
  require("sde.integrator", to_string(settings.integrator.kind),
          file.read_string_attribute(checkpoint::group, "integrator"));
  require("sde.noise", noise_name(settings.integrator.noise),
          file.read_string_attribute(checkpoint::group, "noise"));
  if (const std::string minibatch = describe_minibatch(settings.integrator); !minibatch.empty()) {
    require("sde.batch, sde.replacement, sde.sgd_rates", minibatch,
            file.read_string_attribute(checkpoint::group, "minibatch"));
  }
  if (const std::string entropy = describe_entropy(settings.integrator); !entropy.empty()) {
    require("entropy.*, parle.elastic, sde.replicas", entropy,
            file.read_string_attribute(checkpoint::group, "entropy"));
  }
  if (settings.integrator.diffusion) {
    require("diffusion.expr", settings.integrator.diffusion->describe(),
            file.read_string_attribute(checkpoint::group, "diffusion"));
  }
  const bool saved_passage = file.exists(checkpoint::passage_step);
  require("sde.passage",
          settings.passage ? (settings.passage->upward ? "up" : "down") : std::string("none"),
          saved_passage ? file.read_string_attribute(checkpoint::group, "passage") : "none");
  if (settings.passage) {
    require("sde.passage_axis", std::to_string(settings.passage->axis), integer("passage_axis"));
    require("sde.passage_level", format_real(settings.passage->level),
            format_real(file.read_double_attribute(checkpoint::group, "passage_level")));
  }
  const std::int64_t step = file.read_int_attribute(checkpoint::group, "step");
  if (step < 0 || step > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(where + ": checkpoint step " + std::to_string(step) +
                     " out of range; expected 0 <= step < 2^32");
  }
  ensemble.step_ = static_cast<std::uint32_t>(step);
  const std::size_t n = ensemble.local_size_;
  ensemble.x_ =
      ensemble.transpose(file.read_rows(checkpoint::positions, ensemble.first_id_, n), false);
  if (!ensemble.v_.empty()) {
    ensemble.v_ =
        ensemble.transpose(file.read_rows(checkpoint::velocities, ensemble.first_id_, n), false);
  }
  if (settings.passage) {
    const std::vector<double> steps =
        file.read_rows(checkpoint::passage_step, ensemble.first_id_, n);
    ensemble.passage_step_.assign(steps.begin(), steps.end());
  }
  if (const std::size_t width = ensemble.integrator_->aux_width(); width > 0) {
    if (!file.exists(checkpoint::auxiliary) ||
        file.shape(checkpoint::auxiliary) != std::vector<std::size_t>{settings.particles, width}) {
      throw InputError(where + ": no /checkpoint/auxiliary of " + std::to_string(width) +
                       " values per particle; expected the settings of the saved run");
    }
    ensemble.aux_ = ensemble.transpose(file.read_rows(checkpoint::auxiliary, ensemble.first_id_, n),
                                       false, width);
  }
  if (comm_rank(comm) == 0) {
    ensemble.restarted_acceptance_ = {file.read_int_attribute(checkpoint::group, "proposed"),
                                      file.read_int_attribute(checkpoint::group, "accepted")};
  }
  ensemble.require_finite_state(where);
  return ensemble;
}

} // namespace relax
