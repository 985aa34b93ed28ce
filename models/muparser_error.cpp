#include "models/muparser_error.hpp"

#include <algorithm>
#include <cstddef>

namespace relax {

std::string describe_parser_error(const mu::Parser::exception_type& error,
                                  const std::string& expression, const std::string& variables) {
  std::string message = error.GetMsg();
  if (const auto at = message.find(" at position"); at != std::string::npos) {
    message.erase(at);
  }
  while (!message.empty() && (message.back() == '.' || message.back() == ' ')) {
    message.pop_back();
  }
  std::string text = "muParser: " + message;
  if (error.GetPos() >= 0) {
    const auto position =
        std::min<std::size_t>(static_cast<std::size_t>(error.GetPos()), expression.size());
    text += " at position " + std::to_string(position);
  }
  if (error.GetCode() == mu::ecUNASSIGNABLE_TOKEN) {
    text += " (the variables are " + variables + ")";
  }
  return text;
}

} // namespace relax
