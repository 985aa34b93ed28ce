// The /sde group of an output file (docs/output.md): what `relax sde` writes at t = 0 and at every
// output time, and what `relax compare` writes for its particle side. Collective calls on a
// ParticleEnsemble and an OutputFile; the ensemble computes, this file only names and arranges.
#pragma once

#include "grids/grid.hpp"
#include "io/output_file.hpp"
#include "sde/ensemble.hpp"

#include <string>

namespace relax {

/// What each output level holds besides time, step, beta and moments.
struct SdeOutputPlan {
  const Grid* grid = nullptr; ///< histogram grid (the marginal of its first axes), or none
  long snapshot_every = 0;    ///< positions at every k-th level (0: never)
  bool checkpoint = true;     ///< rewrite /checkpoint at every level
};

/// Collective: attributes of `group`: landscape, temperature, integrator, noise, dt, particles,
/// moments_columns, histogram (its normalization) and, with a passage surface, passage_columns and
/// passage_surface.
void write_sde_attributes(OutputFile& file, const ParticleEnsemble& ensemble,
                          const std::string& group = "sde");

/// Collective: appends one level to `group`: time, step, beta, histogram (density counts /
/// (N * cell volume)) and outside (fraction of particles off the grid box), moments (mean_k,
/// variance_k for every axis, then <f>), acceptance (MALA: the cumulative rate), passage (passed,
/// exposure, rate, rate_error, mean_time) with passage_time (N, 1) rewritten, particles and
/// particles_time at every snapshot_every-th level (`index` counts the levels of this run, from 0),
/// then /checkpoint and a flush. Returns a short metric for the progress line.
std::string append_sde_output(OutputFile& file, const ParticleEnsemble& ensemble,
                              const SdeOutputPlan& plan, long index,
                              const std::string& group = "sde");

} // namespace relax
