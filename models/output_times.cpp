#include "models/output_times.hpp"

#include "core/error.hpp"
#include "core/text.hpp"
#include "core/validate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace relax {

void declare_time_options(OptionSet& options) {
  options.real("time.end", 5.0, "time", "final time")
      .integer("time.outputs", 10, "", "number of equally spaced outputs after t = 0")
      .reals("time.output_times", "", "time",
             "explicit output times in (0, time.end], ascending (replace time.outputs)");
}

std::vector<double> make_output_times(const Config& config) {
  const double end = config.non_negative_real("time.end", "a final time");
  std::vector<double> times = config.reals("time.output_times");
  if (!times.empty()) {
    for (std::size_t i = 0; i < times.size(); ++i) {
      if (!(times[i] > 0 && times[i] <= end) || (i > 0 && !(times[i] > times[i - 1]))) {
        reject_value("time.output_times", config.text("time.output_times"),
                     "ascending times in (0, time.end = " + format_real(end) + "]");
      }
    }
    if (times.back() != end) {
      times.push_back(end);
    }
    return times;
  }
  const long count = config.integer_at_least("time.outputs", 1);
  if (end == 0) {
    return {};
  }
  for (long k = 1; k <= count; ++k) {
    times.push_back(k == count ? end : end * static_cast<double>(k) / static_cast<double>(count));
  }
  return times;
}

std::vector<std::uint32_t> output_steps(const std::vector<double>& times, double dt) {
  std::vector<std::uint32_t> steps;
  for (const double t : times) {
    const double exact = t / dt;
    const double n = std::round(exact);
    if (std::abs(exact - n) > 1e-9 * std::max(1.0, n)) {
      throw InputError("output time " + format_real(t) +
                       " (time.end, time.outputs, time.output_times) is not a whole number of "
                       "steps of sde.dt = " +
                       format_real(dt) + "; expected multiples of sde.dt");
    }
    if (n > static_cast<double>(std::numeric_limits<std::uint32_t>::max())) {
      throw InputError("time.end = " + format_real(times.back()) +
                       " with sde.dt = " + format_real(dt) + " needs " + format_real(n) +
                       " steps; expected fewer than 2^32");
    }
    steps.push_back(static_cast<std::uint32_t>(n));
  }
  return steps;
}

} // namespace relax
