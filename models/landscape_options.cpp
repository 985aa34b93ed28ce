#include "models/landscape_options.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"
#include "models/landscapes.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace relax {

namespace {

/// The keys a type's row declares, in declaration order.
std::vector<std::string> keys_of(const LandscapeType& type) {
  OptionSet options;
  type.declare_keys(options);
  std::vector<std::string> keys;
  for (const auto& spec : options.specs()) {
    keys.push_back(spec.key);
  }
  return keys;
}

/// No landscape key is silently ignored: a key of another type set to a non-default value is
/// "landscape.height = '5' (command line): not used by landscape.type = quadratic; expected it
/// unset (its keys: landscape.stiffness, landscape.centre)".
void reject_foreign_keys(const Config& config, const LandscapeType& chosen) {
  std::vector<std::string> all;
  for (const auto& type : landscape_types()) {
    const std::vector<std::string> keys = keys_of(type);
    all.insert(all.end(), keys.begin(), keys.end());
  }
  const std::vector<std::string> own = keys_of(chosen);
  std::string own_list;
  for (const std::string& key : own) {
    own_list += (own_list.empty() ? "" : ", ") + key;
  }
  config.reject_unread(all, own, "landscape.type = " + chosen.name, [&](const std::string&) {
    return own.empty() ? std::string("it reads no landscape keys") : "its keys: " + own_list;
  });
}

} // namespace

void declare_landscape_options(OptionSet& options) {
  const std::vector<LandscapeType> types = landscape_types();
  std::vector<std::string> names;
  std::string help = "the potential f:";
  for (const auto& type : types) {
    names.push_back(type.name);
    help += (names.size() == 1 ? " " : ", ") + type.name +
            (type.summary.empty() ? "" : " (" + type.summary + ")");
  }
  options.choice("landscape.type", names.front(), names, help)
      .integer("landscape.dim", 0, "",
               "dimension; 0 = automatic: 2 for muller_brown, the variables used by an expression, "
               "the per-axis lists otherwise, else 1");
  for (const auto& type : types) {
    type.declare_keys(options);
  }
}

std::shared_ptr<const Landscape> make_landscape(const Config& config, const DatasetReader& read) {
  const long dim = config.integer("landscape.dim");
  if (dim < 0 || dim > std::numeric_limits<int>::max()) {
    reject_value("landscape.dim", std::to_string(dim), "0 (automatic) or a positive integer");
  }
  const std::vector<LandscapeType> types = landscape_types();
  const auto chosen = std::find_if(types.begin(), types.end(), [&](const LandscapeType& type) {
    return type.name == config.text("landscape.type");
  });
  reject_foreign_keys(config, *chosen); // landscape.type is a checked choice: chosen is a row
  if (chosen->name == finite_sum_file_type) {
    const std::string& path = config.text("landscape.points_file");
    if (path.empty()) {
      throw InputError("landscape.points_file = '': landscape.type = " + chosen->name +
                       " needs an HDF5 file of points");
    }
    if (!read) {
      throw InputError("landscape.type = " + chosen->name +
                       ": this command cannot read the points of a file");
    }
    std::vector<std::size_t> shape;
    const std::vector<double> values = read(path, config.text("landscape.points_dataset"), shape);
    return make_finite_sum_from_file(config, dim, values, shape);
  }
  return chosen->make(config, dim);
}

} // namespace relax
