#include "core/config.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

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
    throw InputError("unknown key '" + key + "' (" + origin + ")");
  }
  const std::string expected = check_value(*spec, value);
  if (!expected.empty()) {
    throw InputError(key + " = '" + value + "' (" + origin + "): expected " + expected);
  }
  values_[key] = {trim(value), origin};
}

void Config::set(const std::string& key, const std::string& value) {
  assign(key, value, "set in code");
}

Config Config::resolve(const OptionSet& options, const std::vector<std::string>& args,
                       CommandLine* command_line) {
  Config config = from_values(options);

  // Tokens after "--" belong to PETSc.
  const auto dashdash = std::find(args.begin(), args.end(), "--");
  const std::vector<std::string> own(args.begin(), dashdash);
  const std::vector<std::string> petsc_cli(dashdash == args.end() ? dashdash : dashdash + 1,
                                           args.end());

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
  try {
    po::store(
        po::command_line_parser(own)
            .options(cli)
            .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
            .run(),
        cli_values);
  } catch (const po::error& e) {
    throw InputError(std::string("command line: ") + e.what());
  }

  if (cli_values.count("config")) {
    const std::string path = cli_values["config"].as<std::string>();
    std::ifstream file(path);
    if (!file) {
      throw InputError("config file '" + path + "': cannot be opened for reading");
    }
    // Boost's INI reader knows '#' comments only; INI files also use ';' at the start of a line.
    std::stringstream text;
    for (std::string line; std::getline(file, line);) {
      const auto first = line.find_first_not_of(" \t");
      text << (first != std::string::npos && line[first] == ';' ? "" : line) << "\n";
    }
    po::parsed_options parsed(nullptr);
    try {
      parsed = po::parse_config_file(text, keys, /*allow_unregistered=*/true);
    } catch (const po::error& e) {
      throw InputError("config file '" + path + "': " + e.what() +
                       " (expected '[section]' or 'key = value')");
    }
    for (const auto& option : parsed.options) {
      const std::string value = option.value.empty() ? "" : option.value.front();
      if (option.unregistered && section_of(option.string_key) == "petsc" &&
          option.string_key.size() > 6) {
        config.petsc_options_.push_back("-" + option.string_key.substr(6));
        if (!trim(value).empty()) {
          config.petsc_options_.push_back(trim(value));
        }
        continue;
      }
      config.assign(option.string_key, value, path);
    }
  }
  for (const auto& spec : options.specs()) {
    if (cli_values.count(spec.key)) {
      config.assign(spec.key, cli_values[spec.key].as<std::string>(), "command line");
    }
  }
  config.petsc_options_.insert(config.petsc_options_.end(), petsc_cli.begin(), petsc_cli.end());
  for (const auto& s : options.switches()) {
    if (cli_values[s.name].as<bool>()) {
      config.switches_.push_back(s.name);
    }
  }
  if (command_line != nullptr) {
    command_line->help = cli_values["help"].as<bool>();
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
    out << spec.key.substr(section.size() + 1) << " = " << entry(spec.key).value << "\n";
  }
  if (!petsc_options_.empty()) {
    out << "\n[petsc]\n";
    for (std::size_t i = 0; i < petsc_options_.size(); ++i) {
      const std::string& name = petsc_options_[i];
      const bool has_value =
          i + 1 < petsc_options_.size() && !is_petsc_option_name(petsc_options_[i + 1]);
      out << name.substr(1) << " = " << (has_value ? petsc_options_[++i] : "") << "\n";
    }
  }
  return out.str();
}

} // namespace relax
