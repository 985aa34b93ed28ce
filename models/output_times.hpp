// The [time] keys of every run that follows one problem over time (fp, sde, compare, fb), declared
// once, and what they give: the output times and, for particles of a fixed step, the whole number
// of steps to each of them.
#pragma once

#include "core/config.hpp"

#include <cstdint>
#include <vector>

namespace relax {

/// time.end (final time), time.outputs (equally spaced outputs after t = 0), time.output_times
/// (explicit output times, override time.outputs).
void declare_time_options(OptionSet& options);

/// The output times after t = 0, ascending, the last one time.end. InputError for time.end < 0,
/// time.outputs < 1, or explicit times outside (0, time.end] or not ascending.
std::vector<double> make_output_times(const Config& config);

/// The step number of each output time for a fixed step dt. InputError (naming the keys) when a
/// time is not a whole number of steps or the count does not fit in 32 bits.
std::vector<std::uint32_t> output_steps(const std::vector<double>& times, double dt);

} // namespace relax
