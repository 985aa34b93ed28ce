#include "core/validate.hpp"

#include "core/error.hpp"
#include "core/text.hpp"

#include <cmath>
#include <limits>

namespace relax {

void reject_value(const std::string& key, const std::string& value, const std::string& expected) {
  throw InputError(key + " = '" + value + "': expected " + expected);
}

double require_positive(const std::string& key, double value, const std::string& what) {
  if (!(value > 0) || !std::isfinite(value)) {
    reject_value(key, format_real(value), what + " > 0");
  }
  return value;
}

double require_non_negative(const std::string& key, double value, const std::string& what) {
  if (!(value >= 0) || !std::isfinite(value)) {
    reject_value(key, format_real(value), what + " >= 0");
  }
  return value;
}

long require_at_least(const std::string& key, long value, long least) {
  if (value < least) {
    reject_value(key, std::to_string(value), "an integer >= " + std::to_string(least));
  }
  return value;
}

std::uint32_t require_seed(const std::string& key, long value) {
  if (value < 0 || value > static_cast<long>(std::numeric_limits<std::uint32_t>::max())) {
    reject_value(key, std::to_string(value), "an integer in [0, 2^32)");
  }
  return static_cast<std::uint32_t>(value);
}

} // namespace relax
