// The [hj] configuration keys of the local-entropy run (`relax hj`) and the settings they describe:
// viscosity, the scoping sequence of gamma, which grid method(s), and the particle estimate.
#pragma once

#include "core/config.hpp"
#include "solvers/viscous_hj.hpp"
#include "studies/viscous_hj_particles.hpp"

#include <vector>

namespace relax {

/// hj.equation, hj.nu, hj.gamma, hj.method, hj.dt, hj.query_points, hj.points, hj.chains,
/// hj.integrator, hj.particle_dt, hj.burn_in, hj.samples, hj.thin, hj.max_doublings, hj.seed.
void declare_viscous_hj_options(OptionSet& options);

/// Which equation /hj solves from u(., 0) = f (solvers/viscous_hj.hpp,
/// viscous_hj_heat_hopf_lax.hpp).
enum class HjEquation {
  viscous,  ///< u_t + |grad u|^2/2 = nu Lap u: the local entropy f_gamma
  heat,     ///< u_t = nu Lap u: f smoothed by a Gaussian of variance 2 nu gamma
  inviscid, ///< u_t + |grad u|^2/2 = 0: the Hopf–Lax (Moreau) envelope of f
};

struct ViscousHjSettings {
  HjEquation equation = HjEquation::viscous;
  HamiltonJacobiProblem problem; ///< nu from hj.nu, c = 1, no drift: the local entropy
  std::vector<double> gamma;     ///< increasing, > 0
  bool use_cole_hopf = true;
  bool use_finite_difference = false;
  HamiltonJacobiOptions finite_difference;
  /// points where u and grad u are read off the grid solution by interpolation, row-major
  std::vector<double> query_points;
  std::vector<double> points; ///< particle sample points, row-major (count x dim); may be empty
  LocalEntropySampling sampling;
};

/// InputError naming the key, its value and what was expected for: hj.method other than cole_hopf
/// or hj.points given with the heat or inviscid equation (one grid method each; the particles
/// sample the viscous one); nu <= 0; an empty gamma list,
/// a gamma <= 0 or gamma not strictly increasing; dt <= 0; a number of point coordinates that is
/// not a multiple of the grid's dimension or a point outside the grid's box (hj.points,
/// hj.query_points); chains < 2,
/// samples < 1, thin < 1, burn_in < 0, max_doublings < 0, particle_dt <= 0, a seed outside [0,
/// 2^32), or more steps than 2^32 - 1 after all doublings.
ViscousHjSettings make_viscous_hj_settings(const Config& config, const Grid& grid);

} // namespace relax
