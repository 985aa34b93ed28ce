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
      .choice("hj.equation", "viscous", {"viscous", "heat", "inviscid"},
              "the equation from u(., 0) = f: viscous HJ u_t + |grad u|^2/2 = nu Lap u (local "
              "entropy), heat u_t = nu Lap u (Gaussian smoothing, nu = 1/(2 beta)), or inviscid HJ "
              "u_t + |grad u|^2/2 = 0 (Hopf-Lax: min_y f(y) + |x - y|^2/(2 gamma))")
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
      .reals("hj.query_points", "", "length",
             "points x at which u and grad u are interpolated from the grid solution (quadratic "
             "interpolant: u O(h^3), grad u O(h^2)), row-major (count x dim), into /hj/query; "
             "empty: none")
      .reals("hj.points", "", "length",
             "points x at which particles estimate grad f_gamma, row-major (count x dim); empty: "
             "none")
      .integer("hj.chains", 256, "", "independent Langevin chains per point (>= 2)")
      .choice("hj.integrator", "mala", {"mala", "euler_maruyama", "baoab"},
              "Langevin integrator of the chains (MALA is exact for any step)")
      .real("hj.particle_dt", 1e-2, "time", "time step of the chains")
      .integer("hj.burn_in", 1000, "", "steps of every chain before its first sample")
      .integer("hj.samples", 200, "", "samples per chain (>= 1)")
      .integer("hj.thin", 5, "", "steps between two samples of a chain (>= 1)")
      .integer("hj.max_doublings", 6, "",
               "adaptive burn-in: while a point's split-R-hat exceeds hj.max_rhat, the steps so "
               "far become burn-in and a new block of hj.samples samples at twice the thin is "
               "drawn, at most this many times (0: one block)")
      .integer("hj.seed", 1, "",
               "seed of the chains, in [0, 2^32); point k at gamma index g uses seed + g K + k");
}

namespace {

/// The points of a row-major (count x dim) key, each inside the grid's box.
std::vector<double> grid_points(const Config& config, const std::string& key, const Grid& grid) {
  const auto dim = static_cast<std::size_t>(grid.dim());
  std::vector<double> points = config.reals(key);
  if (points.size() % dim != 0) {
    throw InputError(key + " = '" + config.text(key) + "': " + std::to_string(points.size()) +
                     " coordinates, expected a multiple of the dimension " + std::to_string(dim));
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Axis& axis = grid.axis(static_cast<int>(i % dim));
    if (!(points[i] >= axis.lo && points[i] <= axis.hi)) {
      throw InputError(key + " = '" + config.text(key) + "': point " + std::to_string(i / dim) +
                       " lies outside the grid box");
    }
  }
  return points;
}

} // namespace

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

  settings.points = grid_points(config, "hj.points", grid);
  settings.query_points = grid_points(config, "hj.query_points", grid);
  const std::string& equation = config.text("hj.equation");
  if (equation != "viscous") {
    settings.equation = equation == "heat" ? HjEquation::heat : HjEquation::inviscid;
    if (method != "cole_hopf") {
      reject_value("hj.method", method,
                   "cole_hopf with hj.equation = " + equation +
                       " (its grid solution is one exact formula; finite differences solve the "
                       "viscous equation)");
    }
    if (!settings.points.empty()) {
      reject_value("hj.points", config.text("hj.points"),
                   "no points with hj.equation = " + equation +
                       " (the particles sample the viscous equation's tilted measure)");
    }
    if (settings.equation == HjEquation::inviscid && !config.is_default("hj.nu")) {
      reject_value("hj.nu", config.text("hj.nu"),
                   "no viscosity with hj.equation = inviscid (nu = 0 there)");
    }
    settings.use_cole_hopf = false;
  }
  LocalEntropySampling& sampling = settings.sampling;
  sampling.chains = static_cast<std::uint64_t>(config.integer_at_least("hj.chains", 2));
  sampling.integrator.kind = parse_integrator(config.text("hj.integrator"), "hj.integrator");
  sampling.integrator.dt = config.positive_real("hj.particle_dt", "a time step");
  const long burn_in = config.integer_at_least("hj.burn_in", 0);
  const long samples = config.integer_at_least("hj.samples", 1);
  const long thin = config.integer_at_least("hj.thin", 1);
  const long doublings = config.integer_at_least("hj.max_doublings", 0);
  constexpr long most_steps = std::numeric_limits<std::uint32_t>::max();
  if (burn_in > most_steps || samples > most_steps || thin > most_steps || doublings > 30) {
    throw InputError(
        "hj.burn_in, hj.samples, hj.thin, hj.max_doublings = " + std::to_string(burn_in) + ", " +
        std::to_string(samples) + ", " + std::to_string(thin) + ", " + std::to_string(doublings) +
        ": expected at most 2^32 - 1 steps in all");
  }
  sampling.burn_in = static_cast<std::uint32_t>(burn_in);
  sampling.samples = static_cast<std::uint32_t>(samples);
  sampling.thin = static_cast<std::uint32_t>(thin);
  sampling.max_doublings = static_cast<std::uint32_t>(doublings);
  if (most_local_entropy_steps(sampling) > static_cast<double>(most_steps)) {
    throw InputError("hj.burn_in + hj.samples * hj.thin * (2^(hj.max_doublings + 1) - 1) = " +
                     format_real(most_local_entropy_steps(sampling)) +
                     ": expected at most 2^32 - 1 steps");
  }
  sampling.seed = config.seed("hj.seed");
  return settings;
}

} // namespace relax
