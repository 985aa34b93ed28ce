// Inverse temperature beta(t) shared by the Fokker–Planck solver and the particles
// (docs/theory.md): constant, logarithmic T = c / log(2 + t), or polynomial T = c / (a + t)^p.
#pragma once

#include "core/config.hpp"

#include <string>

namespace relax {

class TemperatureSchedule {
public:
  enum class Kind { constant, logarithmic, polynomial };

  /// InputError unless beta > 0 and finite.
  static TemperatureSchedule constant(double beta);
  /// T(t) = c / log(2 + t); InputError unless c > 0.
  static TemperatureSchedule logarithmic(double c);
  /// T(t) = c / (a + t)^p; InputError unless c > 0, a > 0, p >= 0.
  static TemperatureSchedule polynomial(double c, double a, double p);

  Kind kind() const { return kind_; }
  bool is_constant() const { return kind_ == Kind::constant; }
  double temperature(double t) const;
  double beta(double t) const { return 1.0 / temperature(t); }
  std::string describe() const;
  /// The same schedule with beta multiplied by `factor` (> 0): beta scaled for the constant one, c
  /// divided by it for the annealing ones.
  TemperatureSchedule scaled(double factor) const;

private:
  TemperatureSchedule(Kind kind, double c, double a, double p) : kind_(kind), c_(c), a_(a), p_(p) {}
  Kind kind_;
  double c_; // beta for constant
  double a_;
  double p_;
};

/// [temperature] schedule = constant|logarithmic|polynomial, beta, c, a, p.
void declare_temperature_options(OptionSet& options);
TemperatureSchedule make_temperature_schedule(const Config& config);

/// InputError (naming temperature.schedule) unless beta(t) is finite and > 0 at t = 0 and at
/// t_end. The built-in schedules are monotone in t, so the two ends bound the whole run: this
/// catches a temperature that underflows to 0 (beta = inf) or overflows before t_end.
void check_schedule(const TemperatureSchedule& schedule, double t_end);

} // namespace relax
