// Run configuration: declared keys with defaults, units and help (OptionSet), resolved from
// defaults < INI file (--config run.ini, "[section]" then "key = value") < command line
// (--section.key=value). Every value is checked against its declared kind when resolved, so a
// non-numeric number or an unknown choice fails before anything runs. An INI [petsc] section and
// the tokens after "--" become PETSc options (command line last, so it wins). The resolved
// configuration prints as INI (to_ini) and is what output files store.
#pragma once

#include "core/text.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace relax {

enum class ValueKind { integer, real, text, boolean, choice, integer_list, real_list };

struct OptionSpec {
  std::string key; ///< "section.name"
  ValueKind kind;
  std::string default_value; ///< as it would be written in the INI file
  std::string unit;          ///< "" when dimensionless
  std::string help;
  std::vector<std::string> choices; ///< for ValueKind::choice
  /// A text key naming a file (or directory) the run reads, which its output must not be.
  /// restart: a file the run may also continue in place as its output.
  enum class Input { none, file, directory, restart } input = Input::none;
};

/// A command-line switch that is not a configuration key (--stationary, --fail-on-mismatch).
struct SwitchSpec {
  std::string name;
  std::string help;
};

/// The keys a command accepts. Libraries declare their own keys (declare_grid_options, ...);
/// a command merges the sets it uses. Declaring the same key twice with a different spec is a bug.
class OptionSet {
public:
  OptionSet& integer(const std::string& key, long default_value, const std::string& unit,
                     const std::string& help);
  OptionSet& real(const std::string& key, double default_value, const std::string& unit,
                  const std::string& help);
  OptionSet& text(const std::string& key, const std::string& default_value,
                  const std::string& help);
  /// A text key naming an input file or directory (its path, when set, the output may not be).
  OptionSet& input_file(const std::string& key, const std::string& help);
  OptionSet& input_directory(const std::string& key, const std::string& default_value,
                             const std::string& help);
  /// A text key naming an earlier output to continue from, which may also be the output.
  OptionSet& restart_file(const std::string& key, const std::string& help);
  OptionSet& boolean(const std::string& key, bool default_value, const std::string& help);
  OptionSet& choice(const std::string& key, const std::string& default_value,
                    const std::vector<std::string>& choices, const std::string& help);
  /// Comma-separated lists; one value stands for all entries (e.g. one per grid axis).
  OptionSet& integers(const std::string& key, const std::string& default_value,
                      const std::string& unit, const std::string& help);
  OptionSet& reals(const std::string& key, const std::string& default_value,
                   const std::string& unit, const std::string& help);
  OptionSet& switch_(const std::string& name, const std::string& help);

  OptionSet& merge(const OptionSet& other);
  /// Changes the default of a key declared earlier: a command whose default problem needs another
  /// value than the library's (relax compare runs 10^6 particles). Error for an undeclared key or
  /// a value not of the key's kind; declare the key again afterwards and it is a conflict.
  OptionSet& set_default(const std::string& key, const std::string& value);

  const std::vector<OptionSpec>& specs() const { return specs_; }
  const std::vector<SwitchSpec>& switches() const { return switches_; }
  const OptionSpec* find(const std::string& key) const;

  /// Help text: one line per key with kind, default, unit, and help, grouped by section.
  std::string help_text() const;

private:
  OptionSet& add(OptionSpec spec);
  std::vector<OptionSpec> specs_;
  std::vector<SwitchSpec> switches_;
};

/// What the command line asked for, besides configuration values.
struct CommandLine {
  bool help = false;       ///< --help, -h, or -help
  bool petsc_help = false; ///< PETSc's -help anywhere (also after "--"): the solvers' options too
  std::string config_file; ///< the --config file, if any
  bool print_config = false;
  std::vector<std::string> switches; ///< names of the switches given
};

/// A key whose value differs between two configurations.
struct KeyDifference {
  std::string key;
  std::string before; ///< in the stored configuration
  std::string now;    ///< in this one
};

class Config {
public:
  /// Resolves a command's configuration from its arguments (the tokens after the command name).
  /// Throws InputError naming the key, value, file or line for: unknown key, value of the wrong
  /// kind, missing or unreadable config file, malformed INI line.
  static Config resolve(const OptionSet& options, const std::vector<std::string>& args,
                        CommandLine* command_line = nullptr);

  /// Defaults only, with `overrides` applied as if given on the command line (for tests and
  /// programs that build a configuration in code).
  static Config from_values(const OptionSet& options,
                            const std::map<std::string, std::string>& overrides = {});

  long integer(const std::string& key) const;
  double real(const std::string& key) const;
  const std::string& text(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::vector<long> integers(const std::string& key) const;
  std::vector<double> reals(const std::string& key) const;

  /// Checked values (core/validate.hpp): InputError "key = 'value': expected ..." otherwise.
  double positive_real(const std::string& key, const std::string& what = "a finite number") const;
  double non_negative_real(const std::string& key,
                           const std::string& what = "a finite number") const;
  long integer_at_least(const std::string& key, long least) const;
  /// A real in [lo, hi] (NaN is outside); InputError "key = 'text': expected <expected>".
  double real_in(const std::string& key, double lo, double hi, const std::string& expected) const;
  /// A seed of the counter-based random streams, in [0, 2^32).
  std::uint32_t seed(const std::string& key) const;

  /// A list given once for all `count` entries or once per entry ("one value or one per axis"),
  /// expanded to `count` values. InputError otherwise: "key = 'text': expected 1 or <count>
  /// values" ("1 value" when count is 1), followed by " (<what>)" when `what` is given.
  std::vector<double> reals_per_axis(const std::string& key, int count,
                                     const std::string& what = "") const;
  std::vector<long> integers_per_axis(const std::string& key, int count,
                                      const std::string& what = "") const;
  /// The comma items of a text key ("reflecting, periodic"); a blank value is one empty item.
  std::vector<std::string> texts_per_axis(const std::string& key, int count,
                                          const std::string& what = "") const;

  /// Where a key's value came from: "default", "run.ini:12" or "command line"; for error messages.
  const std::string& origin(const std::string& key) const;
  /// True when the value means the declared default: numbers and lists compared as numbers
  /// ("1.0" is the default "1"), other kinds as text. A printed configuration given back holds
  /// every key, so "the user set this key" is a value that differs from its default.
  bool is_default(const std::string& key) const;
  /// The one refusal of a key the chosen alternative (a landscape type, an integrator, a sampler)
  /// does not read: each of `candidates` (the keys of all alternatives) not in `reads` must be at
  /// its default, so a printed configuration given back is accepted. Else InputError "<key> =
  /// '<value>' (<origin>): not used by <chosen>; expected it unset", then " (<why(key)>)" when
  /// `why` is given and returns text.
  void reject_unread(const std::vector<std::string>& candidates,
                     const std::vector<std::string>& reads, const std::string& chosen,
                     const std::function<std::string(const std::string&)>& why = nullptr) const;
  bool has_switch(const std::string& name) const;

  /// PETSc options: the INI [petsc] section first, then the tokens after "--".
  const std::vector<std::string>& petsc_options() const { return petsc_options_; }

  /// The resolved configuration as an INI file, sections in declaration order.
  std::string to_ini() const;

  /// The first key (in declaration order) whose value here differs from `stored_ini` (to_ini of
  /// another run, as output files keep it; a key missing there has its default), skipping the
  /// keys in `allowed` ("time.end", or "time." for a whole section). Numbers compare by value.
  /// For restarts, which must continue the same problem.
  std::optional<KeyDifference> first_difference(const std::string& stored_ini,
                                                const std::vector<std::string>& allowed) const;

  /// Replaces a value after checking it against its kind (origin "set in code" unless given).
  void set(const std::string& key, const std::string& value,
           const std::string& origin = "set in code");
  /// Adds a switch as if it had been given (a parameter sweep's --check-input of each case).
  void set_switch(const std::string& name);

private:
  struct Entry {
    std::string value;
    std::string origin;
  };
  const Entry& entry(const std::string& key) const;
  void assign(const std::string& key, const std::string& value, const std::string& origin);

  OptionSet options_;
  std::map<std::string, Entry> values_;
  std::vector<std::string> switches_;
  std::vector<std::string> petsc_options_;
};

/// True for a PETSc option name ("-fp_ts_type"), false for a value ("bdf", "-1e-3").
bool is_petsc_option_name(const std::string& token);

} // namespace relax
