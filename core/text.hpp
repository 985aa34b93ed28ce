// Small text helpers shared by the configuration and the parsers of user input (comma lists of
// values, ';' lists of expressions): one definition of "trimmed" and of how a list splits.
#pragma once

#include <string>
#include <vector>

namespace relax {

/// `text` without leading and trailing blanks (space, tab, CR, LF).
std::string trim(const std::string& text);

/// The trimmed items of `text` separated by `separator`. A blank text has no items; a trailing
/// separator leaves an empty last item ("1,2," is three items), so that it can be reported.
std::vector<std::string> split(const std::string& text, char separator);

/// The items joined by `separator`.
std::string join(const std::vector<std::string>& items, const std::string& separator);

/// Formats a double so that it parses back to the same value ("0.1", "1e-12", "3").
std::string format_real(double value);

/// The values as a comma list that parses back to them ("0.5,1,2e-10").
std::string join_reals(const std::vector<double>& values);

} // namespace relax
