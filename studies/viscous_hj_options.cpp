#include "studies/viscous_hj_options.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace relax {

void declare_viscous_hj_options(OptionSet& options) {
  options
      .real("hj.nu", 0.5, "",
            "viscosity nu of u_t + |grad u|^2/2 = nu Lap u (Entropy-SGD's inner temperature is "
            "2 nu), > 0")
      .reals("hj.gamma", "0.01,0.03,0.1,0.3,1", "",
             "scoping: the gamma (= time t) at which f_gamma = u(., gamma) is computed, "
             "increasing, > 0")
      .choice(
          "hj.method", "cole_hopf", {"cole_hopf", "finite_difference", "both"},
          "grid method: Cole-Hopf (log-domain Gaussian convolution), monotone finite "
          "differences (PETSc TS, prefix hj_), or both (/hj/u is Cole-Hopf's, /hj/u_fd the other)")
      .real("hj.dt", 1e-3, "time", "time step of the finite-difference method")
      .reals("hj.points", "", "length",
             "points x at which particles estimate grad f_gamma, row-major (count x dim); empty: "
             "none")
      .integer("hj.chains", 256, "", "independent Langevin chains per point (>= 2)")
      .choice("hj.integrator", "mala", {"mala", "euler_maruyama", "baoab"},
              "Langevin integrator of the chains (MALA is exact for any step)")
      .real("hj.particle_dt", 1e-3, "time", "time step of the chains")
      .integer("hj.burn_in", 1000, "", "steps of every chain before its first sample")
      .integer("hj.samples", 200, "", "samples per chain (>= 1)")
      .integer("hj.thin", 5, "", "steps between two samples of a chain (>= 1)")
      .integer("hj.seed", 1, "",
               "seed of the chains, in [0, 2^32); point k at gamma index g uses seed + g K + k");
}

ViscousHjSettings make_viscous_hj_settings(const Config& config, const Grid& grid) {
  ViscousHjSettings settings;
  settings.problem.nu = config.positive_real("hj.nu", "a viscosity");
  settings.gamma = config.reals("hj.gamma");
  if (settings.gamma.empty()) {
    reject_value("hj.gamma", "", "at least one gamma > 0");
  }
  for (std::size_t i = 0; i < settings.gamma.size(); ++i) {
    if (!(settings.gamma[i] > 0) || (i > 0 && !(settings.gamma[i] > settings.gamma[i - 1]))) {
      reject_value("hj.gamma", config.text("hj.gamma"), "values > 0 in increasing order");
    }
  }
  const std::string& method = config.text("hj.method");
  settings.use_cole_hopf = method != "finite_difference";
  settings.use_finite_difference = method != "cole_hopf";
  settings.finite_difference.dt = config.positive_real("hj.dt", "a time step");

  const int dim = grid.dim();
  settings.points = config.reals("hj.points");
  if (settings.points.size() % static_cast<std::size_t>(dim) != 0) {
    throw InputError("hj.points = '" + config.text("hj.points") +
                     "': " + std::to_string(settings.points.size()) +
                     " coordinates, expected a multiple of the dimension " + std::to_string(dim));
  }
  for (std::size_t i = 0; i < settings.points.size(); ++i) {
    const Axis& axis = grid.axis(static_cast<int>(i % static_cast<std::size_t>(dim)));
    if (!(settings.points[i] >= axis.lo && settings.points[i] <= axis.hi)) {
      throw InputError("hj.points = '" + config.text("hj.points") + "': point " +
                       std::to_string(i / static_cast<std::size_t>(dim)) +
                       " lies outside the grid box");
    }
  }
  LocalEntropySampling& sampling = settings.sampling;
  sampling.chains = static_cast<std::uint64_t>(config.integer_at_least("hj.chains", 2));
  sampling.integrator.kind = parse_integrator(config.text("hj.integrator"), "hj.integrator");
  sampling.integrator.dt = config.positive_real("hj.particle_dt", "a time step");
  const long burn_in = config.integer_at_least("hj.burn_in", 0);
  const long samples = config.integer_at_least("hj.samples", 1);
  const long thin = config.integer_at_least("hj.thin", 1);
  constexpr long most_steps = std::numeric_limits<std::uint32_t>::max();
  if (static_cast<double>(burn_in) + static_cast<double>(samples) * static_cast<double>(thin) >
      static_cast<double>(most_steps)) {
    throw InputError("hj.burn_in + hj.samples * hj.thin = " +
                     format_real(static_cast<double>(burn_in) +
                                 static_cast<double>(samples) * static_cast<double>(thin)) +
                     ": expected at most 2^32 - 1 steps");
  }
  sampling.burn_in = static_cast<std::uint32_t>(burn_in);
  sampling.samples = static_cast<std::uint32_t>(samples);
  sampling.thin = static_cast<std::uint32_t>(thin);
  sampling.seed = config.seed("hj.seed");
  return settings;
}

} // namespace relax
