#include "core/text.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace relax {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return "";
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> items;
  const std::string trimmed = trim(text);
  if (trimmed.empty()) {
    return items;
  }
  std::stringstream stream(trimmed);
  for (std::string item; std::getline(stream, item, separator);) {
    items.push_back(trim(item));
  }
  if (trimmed.back() == separator) {
    items.emplace_back();
  }
  return items;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i ? separator : "") + items[i];
  }
  return out;
}

std::string format_real(double value) {
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) {
      break;
    }
  }
  return buffer;
}

std::string join_reals(const std::vector<double>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i ? "," : "") + format_real(values[i]);
  }
  return out;
}

} // namespace relax
