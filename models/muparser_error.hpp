// muParser's exceptions as the one-line messages of relax's InputError: shared by every key that
// takes a muParser expression (landscape.expr, diffusion.expr). Internal to models/.
#pragma once

#include <muParser.h>

#include <string>

namespace relax {

/// "muParser: Missing parenthesis at position 6": muParser's message without its own position
/// phrase (some messages carry one, some do not), then the 0-based position, clamped to the
/// expression's end (muParser reports one past it for a missing ')' or an unexpected end); for an
/// unknown name, " (the variables are <variables>)".
std::string describe_parser_error(const mu::Parser::exception_type& error,
                                  const std::string& expression, const std::string& variables);

} // namespace relax
