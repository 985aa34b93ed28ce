// The table of training samplers (docs/theory.md section 7): one row per sampler with its name,
// help, the configuration keys it reads and the factory of its update rule. Everything else is
// derived from the table: the train.sampler choices, the key declarations, the check that no key is
// set for a sampler that does not read it, and the rule SamplerDriver runs. A new sampler is a rule
// class and a row in learning/sampler_table.cpp (its keys declared there too), plus its test.
#pragma once

#include "core/config.hpp"
#include "learning/samplers_driver.hpp"

#include <memory>
#include <string>
#include <vector>

namespace relax {

struct SamplerSpec {
  std::string name; ///< train.sampler value
  std::string help;
  /// The sampler keys it reads, besides train.sampler, train.batch and [parle]. Setting any other
  /// sampler key (one some row lists) is an input error.
  std::vector<std::string> keys;
  std::unique_ptr<SamplerRule<float>> (*make_float)(const Config&, std::size_t parameters);
  std::unique_ptr<SamplerRule<double>> (*make_double)(const Config&, std::size_t parameters);
};

const std::vector<SamplerSpec>& sampler_table();
/// The row named `name`; InputError naming train.sampler and the choices otherwise.
const SamplerSpec& find_sampler(const std::string& name);
/// Declares every key some row lists, with its default, unit and help.
void declare_sampler_keys(OptionSet& options);
/// InputError naming the first key set (origin other than "default") that `spec` does not read,
/// or whose condition (e.g. train.lr_a only with train.lr_schedule = polynomial) does not hold.
void reject_unused_sampler_keys(const Config& config, const SamplerSpec& spec);

template <typename Real>
std::unique_ptr<SamplerRule<Real>> make_sampler_rule(const SamplerSpec& spec, const Config& config,
                                                     std::size_t parameters);

} // namespace relax
