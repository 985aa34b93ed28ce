// Checks of input values at the boundary where they enter (docs/DEVELOPING.md, "Errors"): each
// throws InputError in the house format "key = 'value': expected ..." and returns the value it
// accepted. Config::positive_real and friends apply them to configuration keys.
#pragma once

#include <cstdint>
#include <string>

namespace relax {

/// Throws InputError("key = 'value': expected <expected>").
[[noreturn]] void reject_value(const std::string& key, const std::string& value,
                               const std::string& expected);

/// `value` if it is finite and > 0; else "key = 'value': expected <what> > 0".
double require_positive(const std::string& key, double value,
                        const std::string& what = "a finite number");

/// `value` if it is finite and >= 0; else "key = 'value': expected <what> >= 0".
double require_non_negative(const std::string& key, double value,
                            const std::string& what = "a finite number");

/// `value` if it is >= least; else "key = 'value': expected an integer >= <least>".
long require_at_least(const std::string& key, long value, long least);

/// A seed of the counter-based streams: `value` in [0, 2^32).
std::uint32_t require_seed(const std::string& key, long value);

} // namespace relax
