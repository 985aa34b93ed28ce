// Labelled classification data for the networks: inputs as float rows, standardized with the
// training set's mean and standard deviation (one scalar each, as torchvision's Normalize does for
// grey images), and integer labels. Loaded from MNIST-format IDX files (models/idx.hpp); the
// default directory is Debian's dataset-fashion-mnist package.
#pragma once

#include "core/config.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace relax {

struct Dataset {
  std::size_t count = 0;            ///< samples
  std::size_t features = 0;         ///< inputs per sample (784 for 28x28 images)
  std::size_t classes = 0;          ///< labels lie in [0, classes)
  std::vector<float> inputs;        ///< count x features, row-major
  std::vector<std::uint8_t> labels; ///< count
  const float* row(std::size_t i) const { return inputs.data() + i * features; }
};

struct TrainTestData {
  Dataset train;      ///< the training samples minus the validation split
  Dataset validation; ///< data.validation_size samples held out of the training file (may be empty)
  Dataset test;
  /// Ascending indices, into the training file, of the validation samples.
  std::vector<std::size_t> validation_indices;
  double mean = 0; ///< of the raw training inputs (in [0, 1]) used to standardize both sets
  double std = 1;
};

/// Reads "<prefix>-images-idx3-ubyte[.gz]" and "<prefix>-labels-idx1-ubyte[.gz]" in `directory`
/// (the .gz file when both exist), keeping the first `limit` samples (0: all). InputError naming
/// the files when their counts differ or a label is >= `classes`; a `limit` larger than the file
/// is an InputError naming `limit_key`.
Dataset read_idx_dataset(const std::string& directory, const std::string& prefix, std::size_t limit,
                         std::size_t classes, const std::string& limit_key);

/// Standardizes `data.inputs` (raw bytes / 255) in place: (x - mean) / std.
void standardize(Dataset& data, double mean, double std);

/// Moves `count` samples of `data`, chosen by a uniform permutation seeded by `seed` (CounterRng),
/// into the returned set (in ascending index order, written to `indices`); `data` keeps the rest
/// in their order. The two sets are disjoint and their union is the input.
Dataset split_off(Dataset& data, std::size_t count, std::uint32_t seed,
                  std::vector<std::size_t>& indices);

/// [data] path, train_size, validation_size, validation_seed, test_size, classes.
void declare_data_options(OptionSet& options);
/// Loads train ("train") and test ("t10k") sets from data.path, splits data.validation_size
/// samples off the training set (split_off with data.validation_seed), and standardizes all three
/// with the statistics of the remaining training samples.
TrainTestData load_train_test_data(const Config& config);

} // namespace relax
