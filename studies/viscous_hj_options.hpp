// The [hj] configuration keys of the local-entropy run (`relax hj`) and the settings they describe:
// viscosity, the scoping sequence of gamma, which grid method(s), and the particle estimate.
#pragma once

#include "core/config.hpp"
#include "solvers/viscous_hj.hpp"
#include "studies/viscous_hj_particles.hpp"

#include <vector>

namespace relax {

/// hj.nu, hj.gamma, hj.method, hj.dt, hj.points, hj.chains, hj.integrator, hj.particle_dt,
/// hj.burn_in, hj.samples, hj.thin, hj.seed.
void declare_viscous_hj_options(OptionSet& options);

struct ViscousHjSettings {
  HamiltonJacobiProblem problem; ///< nu from hj.nu, c = 1, no drift: the local entropy
  std::vector<double> gamma;     ///< increasing, > 0
  bool use_cole_hopf = true;
  bool use_finite_difference = false;
  HamiltonJacobiOptions finite_difference;
  std::vector<double> points; ///< particle sample points, row-major (count x dim); may be empty
  LocalEntropySampling sampling;
};

/// InputError naming the key, its value and what was expected for: nu <= 0; an empty gamma list,
/// a gamma <= 0 or gamma not strictly increasing; dt <= 0; a number of point coordinates that is
/// not a multiple of the grid's dimension or a point outside the grid's box; chains < 2,
/// samples < 1, thin < 1, burn_in < 0, particle_dt <= 0, a seed outside [0, 2^32), or more steps
/// than 2^32 - 1.
ViscousHjSettings make_viscous_hj_settings(const Config& config, const Grid& grid);

} // namespace relax
