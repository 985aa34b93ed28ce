#include "core/config.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <sys/stat.h>

namespace po = boost::program_options;

namespace relax {

namespace {

bool parse_integer(const std::string& s, long& out) {
  const std::string t = trim(s);
  if (t.empty()) {
    return false;
  }
  char* end = nullptr;
  errno = 0;
  out = std::strtol(t.c_str(), &end, 10);
  return errno == 0 && *end == '\0';
}

bool parse_real(const std::string& s, double& out) {
  const std::string t = trim(s);
  if (t.empty()) {
    return false;
  }
  char* end = nullptr;
  out = std::strtod(t.c_str(), &end);
  return *end == '\0' && std::isfinite(out);
}

/// The comma items of a list of numbers already checked against its kind.
std::vector<double> real_items(const std::string& text) {
  std::vector<double> values;
  for (const auto& item : split(text, ',')) {
    double value = 0;
    parse_real(item, value);
    values.push_back(value);
  }
  return values;
}

bool parse_boolean(const std::string& s, bool& out) {
  std::string t = trim(s);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "true" || t == "1" || t == "yes" || t == "on") {
    out = true;
    return true;
  }
  if (t == "false" || t == "0" || t == "no" || t == "off") {
    out = false;
    return true;
  }
  return false;
}

const char* kind_name(ValueKind kind) {
  switch (kind) {
  case ValueKind::integer:
    return "int";
  case ValueKind::real:
    return "real";
  case ValueKind::text:
    return "text";
  case ValueKind::boolean:
    return "bool";
  case ValueKind::choice:
    return "choice";
  case ValueKind::integer_list:
    return "ints";
  case ValueKind::real_list:
    return "reals";
  }
  return "?";
}

/// Empty when `value` fits `spec`; otherwise what was expected.
std::string check_value(const OptionSpec& spec, const std::string& value) {
  long l = 0;
  double d = 0;
  bool b = false;
  switch (spec.kind) {
  case ValueKind::integer:
    return parse_integer(value, l) ? "" : "an integer";
  case ValueKind::real:
    return parse_real(value, d) ? "" : "a finite number";
  case ValueKind::text:
    return "";
  case ValueKind::boolean:
    return parse_boolean(value, b) ? "" : "true or false";
  case ValueKind::choice:
    return std::find(spec.choices.begin(), spec.choices.end(), trim(value)) != spec.choices.end()
               ? ""
               : "one of " + join(spec.choices, "|");
  case ValueKind::integer_list:
    for (const auto& item : split(value, ',')) {
      if (!parse_integer(item, l)) {
        return "a comma-separated list of integers";
      }
    }
    return "";
  case ValueKind::real_list:
    for (const auto& item : split(value, ',')) {
      if (!parse_real(item, d)) {
        return "a comma-separated list of finite numbers";
      }
    }
    return "";
  }
  return "";
}

std::string section_of(const std::string& key) {
  return key.substr(0, key.find('.'));
}

/// `text` with control characters shown as escapes (a newline as "\n"), so that an error
/// message quoting it stays on one line.
std::string one_line(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t' || static_cast<unsigned char>(c) >= 0x20) {
      out += c;
    } else {
      out += '?';
    }
  }
  return out;
}

/// A value as to_ini writes it: verbatim, or in double quotes (with \" and \\ escaped) when it
/// holds what the reader would take for a comment or a quote, so that every value reads back.
std::string quote_ini_value(const std::string& value) {
  if (value.find('#') == std::string::npos && value.find('"') == std::string::npos) {
    return value;
  }
  std::string out = "\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

struct IniEntry {
  std::string key; ///< "section.name"
  std::string value;
  std::string origin; ///< the file, as Config::origin names it
};

/// The value part of "key = value": a double-quoted string (escapes \" and \\, then an optional
/// '#' comment), or the text before the first '#', trimmed. Empty `problem` on success.
std::string ini_value(const std::string& raw, std::string& problem) {
  const std::string text = trim(raw);
  if (text.empty() || text.front() != '"') {
    return trim(text.substr(0, text.find('#')));
  }
  std::string value;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      value += text[++i];
    } else if (text[i] == '"') {
      const std::string rest = trim(text.substr(i + 1));
      if (!rest.empty() && rest.front() != '#') {
        problem = "text after the closing quote";
      }
      return value;
    } else {
      value += text[i];
    }
  }
  problem = "no closing quote";
  return value;
}

std::vector<IniEntry> read_ini(std::istream& in, const std::string& path, const std::string& where);

/// The entries of an INI file: "[section]" lines, "key = value" lines, blank lines, and comment
/// lines starting with '#' or ';'. InputError naming the file and line for a file that is not a
/// regular readable file, a malformed line, or a key given twice.
std::vector<IniEntry> read_ini_file(const std::string& path) {
  const std::string where = "config file '" + one_line(path) + "'";
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw InputError(where + ": cannot be opened for reading (" + std::strerror(errno) +
                     "); expected an INI file");
  }
  if (!S_ISREG(info.st_mode)) {
    throw InputError(where + ": is not a regular file; expected an INI file");
  }
  std::ifstream file(path);
  if (!file) {
    throw InputError(where + ": cannot be opened for reading; expected an INI file");
  }
  return read_ini(file, path, where);
}

/// The entries of INI text from `in`; `path` is their origin, `where` names them in errors.
std::vector<IniEntry> read_ini(std::istream& in, const std::string& path,
                               const std::string& where) {
  std::vector<IniEntry> entries;
  std::map<std::string, std::string> seen; // key -> origin of its first value
  std::string section;
  long number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const std::string line_origin = path + ":" + std::to_string(number);
    const std::string text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == ';') {
      continue;
    }
    const auto fail = [&](const std::string& what) {
      throw InputError(where + ", line " + std::to_string(number) + ": '" + one_line(text) +
                       "': " + what + " (expected '[section]' or 'key = value')");
    };
    if (text.front() == '[') {
      const std::size_t close = text.find(']');
      const std::string rest = close == std::string::npos ? "" : trim(text.substr(close + 1));
      section = close == std::string::npos ? "" : trim(text.substr(1, close - 1));
      if (section.empty() || (!rest.empty() && rest.front() != '#' && rest.front() != ';')) {
        fail("malformed section header");
      }
      continue;
    }
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos) {
      fail("not a key value line");
    }
    const std::string name = trim(text.substr(0, equals));
    if (name.empty()) {
      fail("no key before '='");
    }
    std::string problem;
    const std::string value = ini_value(text.substr(equals + 1), problem);
    if (!problem.empty()) {
      fail(problem);
    }
    const std::string key = section.empty() ? name : section + "." + name;
    const auto [previous, inserted] = seen.emplace(key, line_origin);
    if (!inserted) {
      throw InputError(where + ", line " + std::to_string(number) + ": key '" + key +
                       "' given twice (first at " + previous->second + "); expected each key once");
    }
    entries.push_back({key, value, path});
  }
  return entries;
}

} // namespace

bool is_petsc_option_name(const std::string& token) {
  if (token.size() < 2 || token[0] != '-') {
    return false;
  }
  char* end = nullptr;
  std::strtod(token.c_str(), &end);
  return !(end != token.c_str() && *end == '\0');
}

// ---- OptionSet
// ------------------------------------------------------------------------------------

OptionSet& OptionSet::add(OptionSpec spec) {
  if (spec.key.find('.') == std::string::npos) {
    throw Error("option key '" + spec.key + "' must have the form section.name");
  }
  const std::string problem = check_value(spec, spec.default_value);
  if (!problem.empty()) {
    throw Error("default of '" + spec.key + "' is not " + problem);
  }
  if (const OptionSpec* existing = find(spec.key)) {
    if (existing->kind != spec.kind || existing->default_value != spec.default_value) {
      throw Error("option '" + spec.key + "' declared twice with different kinds or defaults");
    }
    return *this;
  }
  specs_.push_back(std::move(spec));
  return *this;
}

OptionSet& OptionSet::integer(const std::string& key, long default_value, const std::string& unit,
                              const std::string& help) {
  return add({key, ValueKind::integer, std::to_string(default_value), unit, help, {}});
}

OptionSet& OptionSet::real(const std::string& key, double default_value, const std::string& unit,
                           const std::string& help) {
  return add({key, ValueKind::real, format_real(default_value), unit, help, {}});
}

OptionSet& OptionSet::text(const std::string& key, const std::string& default_value,
                           const std::string& help) {
  return add({key, ValueKind::text, default_value, "", help, {}});
}

OptionSet& OptionSet::input_file(const std::string& key, const std::string& help) {
  OptionSpec spec{key, ValueKind::text, "", "", help, {}};
  spec.input = OptionSpec::Input::file;
  return add(std::move(spec));
}

OptionSet& OptionSet::restart_file(const std::string& key, const std::string& help) {
  OptionSpec spec{key, ValueKind::text, "", "", help, {}};
  spec.input = OptionSpec::Input::restart;
  return add(std::move(spec));
}

OptionSet& OptionSet::input_directory(const std::string& key, const std::string& default_value,
                                      const std::string& help) {
  OptionSpec spec{key, ValueKind::text, default_value, "", help, {}};
  spec.input = OptionSpec::Input::directory;
  return add(std::move(spec));
}

OptionSet& OptionSet::boolean(const std::string& key, bool default_value, const std::string& help) {
  return add({key, ValueKind::boolean, default_value ? "true" : "false", "", help, {}});
}

OptionSet& OptionSet::choice(const std::string& key, const std::string& default_value,
                             const std::vector<std::string>& choices, const std::string& help) {
  return add({key, ValueKind::choice, default_value, "", help, choices});
}

OptionSet& OptionSet::integers(const std::string& key, const std::string& default_value,
                               const std::string& unit, const std::string& help) {
  return add({key, ValueKind::integer_list, default_value, unit, help, {}});
}

OptionSet& OptionSet::reals(const std::string& key, const std::string& default_value,
                            const std::string& unit, const std::string& help) {
  return add({key, ValueKind::real_list, default_value, unit, help, {}});
}

OptionSet& OptionSet::switch_(const std::string& name, const std::string& help) {
  const bool known = std::any_of(switches_.begin(), switches_.end(),
                                 [&](const SwitchSpec& s) { return s.name == name; });
  if (!known) {
    switches_.push_back({name, help});
  }
  return *this;
}

OptionSet& OptionSet::merge(const OptionSet& other) {
  for (const auto& spec : other.specs_) {
    add(spec);
  }
  for (const auto& s : other.switches_) {
    switch_(s.name, s.help);
  }
  return *this;
}

OptionSet& OptionSet::set_default(const std::string& key, const std::string& value) {
  const auto it =
      std::find_if(specs_.begin(), specs_.end(), [&](const OptionSpec& s) { return s.key == key; });
  if (it == specs_.end()) {
    throw Error("set_default: option '" + key + "' is not declared");
  }
  const std::string problem = check_value(*it, value);
  if (!problem.empty()) {
    throw Error("set_default: '" + value + "' for '" + key + "' is not " + problem);
  }
  it->default_value = value;
  return *this;
}

const OptionSpec* OptionSet::find(const std::string& key) const {
  const auto it =
      std::find_if(specs_.begin(), specs_.end(), [&](const OptionSpec& s) { return s.key == key; });
  return it == specs_.end() ? nullptr : &*it;
}

std::string OptionSet::help_text() const {
  std::ostringstream out;
  std::vector<std::string> sections;
  for (const auto& spec : specs_) {
    const std::string section = section_of(spec.key);
    if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
      sections.push_back(section);
    }
  }
  for (const auto& section : sections) {
    out << "[" << section << "]\n";
    for (const auto& spec : specs_) {
      if (section_of(spec.key) != section) {
        continue;
      }
      std::string head = "  --" + spec.key + "=<" +
                         (spec.kind == ValueKind::choice ? join(spec.choices, "|")
                                                         : std::string(kind_name(spec.kind))) +
                         ">";
      out << head << "  (default: " << (spec.default_value.empty() ? "\"\"" : spec.default_value)
          << (spec.unit.empty() ? "" : " [" + spec.unit + "]") << ")\n      " << spec.help << "\n";
    }
  }
  if (!switches_.empty()) {
    out << "switches\n";
    for (const auto& s : switches_) {
      out << "  --" << s.name << "\n      " << s.help << "\n";
    }
  }
  return out.str();
}

// ---- Config -------------------------------------------------------------------------------------

Config Config::from_values(const OptionSet& options,
                           const std::map<std::string, std::string>& overrides) {
  Config config;
  config.options_ = options;
  for (const auto& spec : options.specs()) {
    config.values_[spec.key] = {spec.default_value, "default"};
  }
  for (const auto& [key, value] : overrides) {
    config.assign(key, value, "set in code");
  }
  return config;
}

void Config::assign(const std::string& key, const std::string& value, const std::string& origin) {
  const OptionSpec* spec = options_.find(key);
  if (spec == nullptr) {
    throw InputError("unknown key '" + one_line(key) + "' (" + origin + ")");
  }
  if (value.find_first_of("\n\r") != std::string::npos) {
    throw InputError(key + " = '" + one_line(value) + "' (" + origin +
                     "): expected a value on one line (no newline)");
  }
  const std::string expected = check_value(*spec, value);
  if (!expected.empty()) {
    throw InputError(key + " = '" + one_line(value) + "' (" + origin + "): expected " + expected);
  }
  values_[key] = {trim(value), origin};
}

void Config::set(const std::string& key, const std::string& value, const std::string& origin) {
  assign(key, value, origin);
}

void Config::set_switch(const std::string& name) {
  if (!has_switch(name)) {
    switches_.push_back(name);
  }
}

Config Config::resolve(const OptionSet& options, const std::vector<std::string>& args,
                       CommandLine* command_line) {
  Config config = from_values(options);

  // Tokens after "--" belong to PETSc. PETSc's "-help" may stand anywhere: it asks for relax's
  // keys and for the options of the command's solvers.
  const auto dashdash = std::find(args.begin(), args.end(), "--");
  std::vector<std::string> own(args.begin(), dashdash);
  const std::vector<std::string> petsc_cli(dashdash == args.end() ? dashdash : dashdash + 1,
                                           args.end());
  const auto is_petsc_help = [](const std::string& token) { return token == "-help"; };
  const bool petsc_help = std::any_of(args.begin(), args.end(), is_petsc_help);
  own.erase(std::remove_if(own.begin(), own.end(), is_petsc_help), own.end());

  po::options_description keys;
  for (const auto& spec : options.specs()) {
    keys.add_options()(spec.key.c_str(), po::value<std::string>());
  }
  po::options_description cli;
  cli.add(keys);
  cli.add_options()("config", po::value<std::string>())("help,h", po::bool_switch())(
      "print-config", po::bool_switch());
  for (const auto& s : options.switches()) {
    cli.add_options()(s.name.c_str(), po::bool_switch());
  }

  po::variables_map cli_values;
  po::parsed_options parsed_cli(nullptr);
  try {
    parsed_cli =
        po::command_line_parser(own)
            .options(cli)
            .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
            .run();
    po::store(parsed_cli, cli_values);
  } catch (const po::error& e) {
    throw InputError(std::string("command line: ") + one_line(e.what()));
  }

  for (const auto& option : parsed_cli.options) {
    if (option.position_key >= 0 || option.string_key.empty()) {
      const std::string token =
          option.original_tokens.empty() ? "" : option.original_tokens.front();
      throw InputError("command line: argument '" + one_line(token) +
                       "' is not an option; expected --section.key=value, --config FILE, or "
                       "PETSc options after --");
    }
  }
  if (cli_values.count("config")) {
    const std::string path = cli_values["config"].as<std::string>();
    for (const IniEntry& item : read_ini_file(path)) {
      if (section_of(item.key) == "petsc" && item.key.size() > 6) {
        config.petsc_options_.push_back("-" + item.key.substr(6));
        if (!item.value.empty()) {
          config.petsc_options_.push_back(item.value);
        }
        continue;
      }
      config.assign(item.key, item.value, item.origin);
    }
  }
  for (const auto& spec : options.specs()) {
    if (cli_values.count(spec.key)) {
      config.assign(spec.key, cli_values[spec.key].as<std::string>(), "command line");
    }
  }
  for (const std::string& token : petsc_cli) {
    if (!is_petsc_help(token)) {
      config.petsc_options_.push_back(token);
    }
  }
  for (const auto& s : options.switches()) {
    if (cli_values[s.name].as<bool>()) {
      config.switches_.push_back(s.name);
    }
  }
  if (command_line != nullptr) {
    command_line->help = cli_values["help"].as<bool>() || petsc_help;
    command_line->petsc_help = petsc_help;
    command_line->config_file =
        cli_values.count("config") ? cli_values["config"].as<std::string>() : "";
    command_line->print_config = cli_values["print-config"].as<bool>();
    command_line->switches = config.switches_;
  }
  return config;
}

const Config::Entry& Config::entry(const std::string& key) const {
  const auto it = values_.find(key);
  if (it == values_.end()) {
    throw Error("configuration key '" + key + "' was read but never declared");
  }
  return it->second;
}

long Config::integer(const std::string& key) const {
  long value = 0;
  parse_integer(entry(key).value, value);
  return value;
}

double Config::real(const std::string& key) const {
  double value = 0;
  parse_real(entry(key).value, value);
  return value;
}

const std::string& Config::text(const std::string& key) const {
  return entry(key).value;
}

bool Config::boolean(const std::string& key) const {
  bool value = false;
  parse_boolean(entry(key).value, value);
  return value;
}

std::vector<long> Config::integers(const std::string& key) const {
  std::vector<long> values;
  for (const auto& item : split(entry(key).value, ',')) {
    long value = 0;
    parse_integer(item, value);
    values.push_back(value);
  }
  return values;
}

std::vector<double> Config::reals(const std::string& key) const {
  return real_items(entry(key).value);
}

double Config::positive_real(const std::string& key, const std::string& what) const {
  return require_positive(key, real(key), what);
}

double Config::non_negative_real(const std::string& key, const std::string& what) const {
  return require_non_negative(key, real(key), what);
}

double Config::real_in(const std::string& key, double lo, double hi,
                       const std::string& expected) const {
  const double value = real(key);
  if (!(value >= lo && value <= hi)) {
    reject_value(key, text(key), expected);
  }
  return value;
}

long Config::integer_at_least(const std::string& key, long least) const {
  return require_at_least(key, integer(key), least);
}

std::uint32_t Config::seed(const std::string& key) const {
  return require_seed(key, integer(key));
}

namespace {

/// One value stands for all `count` entries; otherwise there must be `count` of them.
template <typename T>
std::vector<T> one_or_each(std::vector<T> values, const std::string& key, const std::string& text,
                           int count, const std::string& what) {
  const auto n = static_cast<std::size_t>(count);
  if (values.size() == 1) {
    values.assign(n, values.front());
  }
  if (values.size() != n) {
    reject_value(
        key, text,
        (count == 1 ? std::string("1 value") : "1 or " + std::to_string(count) + " values") +
            (what.empty() ? "" : " (" + what + ")"));
  }
  return values;
}

} // namespace

std::vector<double> Config::reals_per_axis(const std::string& key, int count,
                                           const std::string& what) const {
  return one_or_each(reals(key), key, text(key), count, what);
}

std::vector<long> Config::integers_per_axis(const std::string& key, int count,
                                            const std::string& what) const {
  return one_or_each(integers(key), key, text(key), count, what);
}

std::vector<std::string> Config::texts_per_axis(const std::string& key, int count,
                                                const std::string& what) const {
  std::vector<std::string> items = split(text(key), ',');
  if (items.empty()) {
    items.emplace_back(); // a blank value is one value, reported by whoever parses it
  }
  return one_or_each(std::move(items), key, text(key), count, what);
}

namespace {

/// Whether two values of `spec` say the same: numbers (and lists of them) by value, the rest as
/// trimmed text.
bool same_value(const OptionSpec& spec, const std::string& a, const std::string& b) {
  if (spec.kind != ValueKind::real && spec.kind != ValueKind::real_list &&
      spec.kind != ValueKind::integer && spec.kind != ValueKind::integer_list) {
    return trim(a) == trim(b);
  }
  const std::vector<std::string> x = split(a, ',');
  const std::vector<std::string> y = split(b, ',');
  if (x.size() != y.size()) {
    return false;
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    double u = 0;
    double v = 0;
    if (!parse_real(x[i], u) || !parse_real(y[i], v) || u != v) {
      return false;
    }
  }
  return true;
}

bool may_change(const std::string& key, const std::vector<std::string>& allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& pattern) {
    return pattern.back() == '.' ? key.compare(0, pattern.size(), pattern) == 0 : key == pattern;
  });
}

} // namespace

std::optional<KeyDifference>
Config::first_difference(const std::string& stored_ini,
                         const std::vector<std::string>& allowed) const {
  std::istringstream in(stored_ini);
  std::map<std::string, std::string> stored;
  for (const IniEntry& item : read_ini(in, "stored configuration", "the stored configuration")) {
    stored[item.key] = item.value;
  }
  for (const OptionSpec& spec : options_.specs()) {
    if (may_change(spec.key, allowed)) {
      continue;
    }
    const auto it = stored.find(spec.key);
    const std::string& before = it == stored.end() ? spec.default_value : it->second;
    if (!same_value(spec, before, entry(spec.key).value)) {
      return KeyDifference{spec.key, before, entry(spec.key).value};
    }
  }
  return std::nullopt;
}

void Config::reject_unread(const std::vector<std::string>& candidates,
                           const std::vector<std::string>& reads, const std::string& chosen,
                           const std::function<std::string(const std::string&)>& why) const {
  for (const std::string& key : candidates) {
    if (is_default(key) || std::find(reads.begin(), reads.end(), key) != reads.end()) {
      continue;
    }
    const std::string reason = why ? why(key) : std::string();
    throw InputError(key + " = '" + text(key) + "' (" + origin(key) + "): not used by " + chosen +
                     "; expected it unset" + (reason.empty() ? "" : " (" + reason + ")"));
  }
}

const std::string& Config::origin(const std::string& key) const {
  return entry(key).origin;
}

bool Config::is_default(const std::string& key) const {
  const std::string& value = entry(key).value;
  const OptionSpec& spec = *options_.find(key);
  switch (spec.kind) {
  case ValueKind::integer:
  case ValueKind::real:
  case ValueKind::integer_list:
  case ValueKind::real_list: {
    return real_items(value) == real_items(spec.default_value);
  }
  default:
    return value == spec.default_value;
  }
}

bool Config::has_switch(const std::string& name) const {
  return std::find(switches_.begin(), switches_.end(), name) != switches_.end();
}

std::string Config::to_ini() const {
  std::ostringstream out;
  std::string current;
  for (const auto& spec : options_.specs()) {
    const std::string section = section_of(spec.key);
    if (section != current) {
      out << (current.empty() ? "" : "\n") << "[" << section << "]\n";
      current = section;
    }
    out << spec.key.substr(section.size() + 1) << " = " << quote_ini_value(entry(spec.key).value)
        << "\n";
  }
  if (!petsc_options_.empty()) {
    out << "\n[petsc]\n";
    for (std::size_t i = 0; i < petsc_options_.size(); ++i) {
      const std::string& name = petsc_options_[i];
      const bool has_value =
          i + 1 < petsc_options_.size() && !is_petsc_option_name(petsc_options_[i + 1]);
      out << name.substr(1) << " = " << (has_value ? quote_ini_value(petsc_options_[++i]) : "")
          << "\n";
    }
  }
  return out.str();
}

} // namespace relax
