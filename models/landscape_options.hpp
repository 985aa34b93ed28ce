// The [landscape] section: which landscape a run uses and its parameters (docs/output.md). Declares
// the keys with defaults, units and help from the table of models/landscapes.hpp, and builds the
// Landscape, validating shapes and ranges.
#pragma once

#include "core/config.hpp"
#include "models/landscape.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace relax {

/// landscape.type = double_well (default) | quadratic | muller_brown | gaussian_mixture |
/// periodic_cosine | rugged | wells | least_squares | logistic | finite_sum_file | expression,
/// landscape.dim (0 = automatic) and per-family parameters.
void declare_landscape_options(OptionSet& options);

/// The configured landscape. InputError naming the key, its value and what was expected for a
/// dimension the family does not have (muller_brown is 2D, rugged 1D, expressions 1..3D), list
/// lengths that do not match the dimension or the number of mixture components, non-positive
/// stiffness, height, scale, amplitude, period, weights or stds, muParser errors, and a key of
/// another landscape type whose value differs from its default (it would be ignored).
/// Reads a whole dataset of a file into values (row-major) and its shape; io/ provides one
/// (whole_dataset_reader). Needed by landscape.type = finite_sum_file only.
using DatasetReader = std::function<std::vector<double>(
    const std::string& path, const std::string& dataset, std::vector<std::size_t>& shape)>;

/// `read`: how the points of landscape.type = finite_sum_file are read (empty: that type is
/// refused).
std::shared_ptr<const Landscape> make_landscape(const Config& config,
                                                const DatasetReader& read = {});

} // namespace relax
