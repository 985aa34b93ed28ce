#include "models/schedule.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"

#include <cmath>

namespace relax {

TemperatureSchedule TemperatureSchedule::constant(double beta) {
  require_positive("temperature.beta", beta);
  return {Kind::constant, beta, 0, 0};
}

TemperatureSchedule TemperatureSchedule::logarithmic(double c) {
  require_positive("temperature.c", c);
  return {Kind::logarithmic, c, 0, 0};
}

TemperatureSchedule TemperatureSchedule::polynomial(double c, double a, double p) {
  require_positive("temperature.c", c);
  require_positive("temperature.a", a);
  require_non_negative("temperature.p", p);
  return {Kind::polynomial, c, a, p};
}

double TemperatureSchedule::temperature(double t) const {
  switch (kind_) {
  case Kind::constant:
    return 1.0 / c_;
  case Kind::logarithmic:
    return c_ / std::log(2.0 + t);
  case Kind::polynomial:
    return c_ / std::pow(a_ + t, p_);
  }
  return 1.0 / c_;
}

std::string TemperatureSchedule::describe() const {
  switch (kind_) {
  case Kind::constant:
    return "beta = " + format_real(c_);
  case Kind::logarithmic:
    return "T = " + format_real(c_) + " / log(2 + t)";
  case Kind::polynomial:
    return "T = " + format_real(c_) + " / (" + format_real(a_) + " + t)^" + format_real(p_);
  }
  return "";
}

TemperatureSchedule TemperatureSchedule::scaled(double factor) const {
  return kind_ == Kind::constant ? TemperatureSchedule(kind_, c_ * factor, a_, p_)
                                 : TemperatureSchedule(kind_, c_ / factor, a_, p_);
}

void check_schedule(const TemperatureSchedule& schedule, double t_end) {
  for (double t : {0.0, t_end}) {
    const double beta = schedule.beta(t);
    if (!(beta > 0) || !std::isfinite(beta)) {
      throw InputError("temperature.schedule: " + schedule.describe() + " gives T(" +
                       format_real(t) + ") = " + format_real(schedule.temperature(t)) +
                       " (beta = " + format_real(beta) +
                       "); expected 0 < T < inf up to time.end = " + format_real(t_end));
    }
  }
}

void declare_temperature_options(OptionSet& options) {
  options
      .choice("temperature.schedule", "constant", {"constant", "logarithmic", "polynomial"},
              "beta(t): constant beta, T = c/log(2+t), or T = c/(a+t)^p")
      .real("temperature.beta", 1.0, "1/energy", "inverse temperature of the constant schedule")
      .real("temperature.c", 1.0, "energy", "scale c of the annealing schedules")
      .real("temperature.a", 1.0, "time", "offset a of the polynomial schedule")
      .real("temperature.p", 1.0, "", "exponent p of the polynomial schedule");
}

TemperatureSchedule make_temperature_schedule(const Config& config) {
  const std::string& kind = config.text("temperature.schedule");
  if (kind == "logarithmic") {
    return TemperatureSchedule::logarithmic(config.real("temperature.c"));
  }
  if (kind == "polynomial") {
    return TemperatureSchedule::polynomial(
        config.real("temperature.c"), config.real("temperature.a"), config.real("temperature.p"));
  }
  return TemperatureSchedule::constant(config.real("temperature.beta"));
}

} // namespace relax
