#include "learning/dataset.hpp"

#include "core/error.hpp"
#include "core/validate.hpp"
#include "learning/idx.hpp"
#include "learning/samplers.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

namespace relax {

namespace {

std::string existing(const std::string& base) {
  if (std::ifstream(base + ".gz").good()) {
    return base + ".gz";
  }
  return std::ifstream(base).good() ? base : base + ".gz"; // the .gz name in the error if neither
}

} // namespace

Dataset read_idx_dataset(const std::string& directory, const std::string& prefix, std::size_t limit,
                         std::size_t classes, const std::string& limit_key) {
  const std::string images_path = existing(directory + "/" + prefix + "-images-idx3-ubyte");
  const std::string labels_path = existing(directory + "/" + prefix + "-labels-idx1-ubyte");
  const IdxArray images = read_idx(images_path, 3, limit);
  const IdxArray labels = read_idx(labels_path, 1, limit);
  if (images.dims[0] != labels.dims[0]) {
    throw InputError("IDX files '" + images_path + "' and '" + labels_path +
                     "': " + std::to_string(images.dims[0]) + " images but " +
                     std::to_string(labels.dims[0]) + " labels (expected equal counts)");
  }
  if (limit > images.dims[0]) {
    throw InputError(limit_key + " = " + std::to_string(limit) + ": expected at most the " +
                     std::to_string(images.dims[0]) + " samples of '" + images_path + "'");
  }
  Dataset data;
  data.count = limit == 0 ? images.dims[0] : limit;
  data.features = images.item_size();
  data.classes = classes;
  data.inputs.resize(data.count * data.features);
  for (std::size_t k = 0; k < data.inputs.size(); ++k) {
    data.inputs[k] = static_cast<float>(images.bytes[k]) / 255.0f;
  }
  data.labels.assign(labels.bytes.begin(),
                     labels.bytes.begin() + static_cast<std::ptrdiff_t>(data.count));
  for (std::size_t i = 0; i < data.count; ++i) {
    if (data.labels[i] >= classes) {
      throw InputError("IDX file '" + labels_path + "': label " + std::to_string(data.labels[i]) +
                       " of sample " + std::to_string(i) + ", expected < " +
                       std::to_string(classes));
    }
  }
  return data;
}

void standardize(Dataset& data, double mean, double std) {
  const auto m = static_cast<float>(mean);
  const auto inverse = static_cast<float>(1.0 / std);
  for (float& x : data.inputs) {
    x = (x - m) * inverse;
  }
}

Dataset split_off(Dataset& data, std::size_t count, std::uint32_t seed,
                  std::vector<std::size_t>& indices) {
  std::vector<std::size_t> order;
  shuffled_indices(CounterRng(seed, 0), 0, data.count, order);
  indices.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count));
  std::sort(indices.begin(), indices.end());
  std::vector<bool> held_out(data.count, false);
  for (std::size_t i : indices) {
    held_out[i] = true;
  }
  Dataset part;
  part.features = data.features;
  part.classes = data.classes;
  Dataset rest = part;
  for (std::size_t i = 0; i < data.count; ++i) {
    Dataset& to = held_out[i] ? part : rest;
    to.inputs.insert(to.inputs.end(), data.row(i), data.row(i) + data.features);
    to.labels.push_back(data.labels[i]);
    ++to.count;
  }
  data = std::move(rest);
  return part;
}

void declare_data_options(OptionSet& options) {
  options
      .input_directory(
          "data.path", "/usr/share/datasets/fashion-mnist",
          "directory holding the MNIST-format IDX files (train-*, t10k-*; .gz or plain)")
      .integer("data.train_size", 0, "samples", "training samples used: the first n (0: all)")
      .integer("data.validation_size", 0, "samples",
               "validation samples held out of the training samples (seeded, disjoint; 0: none)")
      .integer("data.validation_seed", 0, "",
               "seed of the validation split (independent of train.seed, so every seed of a study "
               "shares it)")
      .integer("data.test_size", 0, "samples", "test samples used: the first n (0: all)")
      .integer("data.classes", 10, "", "number of classes (labels lie in [0, classes))");
}

TrainTestData load_train_test_data(const Config& config) {
  const auto non_negative = [&](const std::string& key) {
    return static_cast<std::size_t>(config.integer_at_least(key, 0));
  };
  const long classes = config.integer("data.classes");
  if (classes < 2 || classes > 256) {
    reject_value("data.classes", std::to_string(classes), "2 .. 256");
  }
  const std::string& path = config.text("data.path");
  TrainTestData data;
  data.train = read_idx_dataset(path, "train", non_negative("data.train_size"),
                                static_cast<std::size_t>(classes), "data.train_size");
  data.test = read_idx_dataset(path, "t10k", non_negative("data.test_size"),
                               static_cast<std::size_t>(classes), "data.test_size");
  if (data.test.features != data.train.features) {
    throw InputError("data.path = '" + path + "': test images have " +
                     std::to_string(data.test.features) + " pixels, training images " +
                     std::to_string(data.train.features) + " (expected equal)");
  }
  const std::size_t validation = non_negative("data.validation_size");
  if (validation >= data.train.count) {
    reject_value("data.validation_size", std::to_string(validation),
                 "fewer than the " + std::to_string(data.train.count) + " training samples");
  }
  if (validation > 0) {
    data.validation = split_off(data.train, validation, config.seed("data.validation_seed"),
                                data.validation_indices);
  }
  // Mean and standard deviation over all training pixels, accumulated in double.
  double sum = 0;
  double sum_squares = 0;
  for (float x : data.train.inputs) {
    sum += x;
    sum_squares += static_cast<double>(x) * x;
  }
  const double n = static_cast<double>(data.train.inputs.size());
  data.mean = sum / n;
  data.std = std::sqrt(std::max(sum_squares / n - data.mean * data.mean, 0.0));
  if (!(data.std > 0)) {
    throw InputError("data.path = '" + path + "': the training images are constant (std 0)");
  }
  standardize(data.train, data.mean, data.std);
  standardize(data.validation, data.mean, data.std);
  standardize(data.test, data.mean, data.std);
  return data;
}

} // namespace relax
