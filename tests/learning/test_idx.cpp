// IDX reading: round trip of gzip and plain files, every malformed-file error names the file, and
// the installed Fashion-MNIST files have the documented shape.
#include "core/error.hpp"
#include "learning/dataset.hpp"
#include "learning/idx.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace relax;

namespace {

// A fresh temporary directory, removed with its files at scope exit.
class TempDir {
public:
  TempDir() {
    char pattern[] = "/tmp/relax-idx-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

std::vector<unsigned char> idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims,
                                     const std::vector<unsigned char>& data) {
  std::vector<unsigned char> bytes;
  const auto put = [&](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      bytes.push_back(static_cast<unsigned char>(v >> shift));
    }
  };
  put(magic);
  for (auto d : dims) {
    put(d);
  }
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

void write_gzip(const std::string& path, const std::vector<unsigned char>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  gzclose(file);
}

void write_plain(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

// The message of the InputError that `f` throws ("" if it throws nothing or something else).
std::string input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  } catch (...) {
  }
  return "";
}

std::vector<unsigned char> ramp(std::size_t n) {
  std::vector<unsigned char> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = static_cast<unsigned char>(i % 251);
  }
  return v;
}

} // namespace

TEST_CASE("IDX round trip, gzip and plain", "[idx]") {
  TempDir dir;
  const auto images = ramp(4 * 3 * 2);
  write_gzip(dir.path() + "/a.gz", idx_bytes(0x803, {4, 3, 2}, images));
  write_plain(dir.path() + "/a", idx_bytes(0x803, {4, 3, 2}, images));
  for (const std::string name : {"/a.gz", "/a"}) {
    const IdxArray array = read_idx(dir.path() + name, 3);
    CHECK(array.dims == std::vector<std::size_t>{4, 3, 2});
    CHECK(array.item_size() == 6);
    CHECK(array.bytes == images);
  }
}

TEST_CASE("IDX errors name the file: wrong magic, truncated, trailing bytes, missing", "[idx]") {
  TempDir dir;
  const std::string bad_magic = dir.path() + "/magic.gz";
  write_gzip(bad_magic, idx_bytes(0x801, {4, 3, 2}, ramp(24)));
  CHECK_THAT(input_error([&] { read_idx(bad_magic, 3); }),
             Catch::Matchers::Contains(bad_magic) &&
                 Catch::Matchers::Contains("magic number 0x00000801, expected 0x00000803"));
  const std::string truncated = dir.path() + "/truncated.gz";
  write_gzip(truncated, idx_bytes(0x803, {4, 3, 2}, ramp(20)));
  CHECK_THAT(input_error([&] { read_idx(truncated, 3); }),
             Catch::Matchers::Contains(truncated) &&
                 Catch::Matchers::Contains("promises 24 data bytes, found 20"));
  // A gzip stream cut in the middle: zlib reports the damage, still naming the file.
  const auto whole = idx_bytes(0x803, {40, 30, 20}, ramp(24000));
  const std::string full = dir.path() + "/full.gz";
  write_gzip(full, whole);
  std::ifstream in(full, std::ios::binary);
  std::vector<char> compressed((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  const std::string cut = dir.path() + "/cut.gz";
  std::ofstream(cut, std::ios::binary)
      .write(compressed.data(), static_cast<std::streamsize>(compressed.size() / 2));
  CHECK_THAT(input_error([&] { read_idx(cut, 3); }), Catch::Matchers::Contains(cut));
  const std::string trailing = dir.path() + "/trailing";
  write_plain(trailing, idx_bytes(0x801, {3}, ramp(4)));
  CHECK_THAT(input_error([&] { read_idx(trailing, 1); }),
             Catch::Matchers::Contains(trailing) && Catch::Matchers::Contains("trailing"));
  const std::string header = dir.path() + "/header";
  write_plain(header, {0, 0, 8});
  CHECK_THAT(input_error([&] { read_idx(header, 1); }), Catch::Matchers::Contains(header));
  CHECK_THAT(input_error([&] { read_idx(dir.path() + "/missing", 1); }),
             Catch::Matchers::Contains(dir.path() + "/missing"));
}

TEST_CASE("IDX data set: image/label count mismatch and label range name the files", "[idx]") {
  TempDir dir;
  write_gzip(dir.path() + "/train-images-idx3-ubyte.gz", idx_bytes(0x803, {4, 2, 2}, ramp(16)));
  write_gzip(dir.path() + "/train-labels-idx1-ubyte.gz", idx_bytes(0x801, {3}, {0, 1, 2}));
  CHECK_THAT(input_error([&] { read_idx_dataset(dir.path(), "train", 0, 10, "data.train_size"); }),
             Catch::Matchers::Contains("train-labels-idx1-ubyte.gz") &&
                 Catch::Matchers::Contains("4 images but 3 labels"));
  write_gzip(dir.path() + "/train-labels-idx1-ubyte.gz", idx_bytes(0x801, {4}, {0, 1, 2, 12}));
  CHECK_THAT(input_error([&] { read_idx_dataset(dir.path(), "train", 0, 10, "data.train_size"); }),
             Catch::Matchers::Contains("label 12 of sample 3"));
  const Dataset three = read_idx_dataset(dir.path(), "train", 3, 13, "data.train_size");
  CHECK(three.count == 3);
  CHECK(three.features == 4);
  CHECK(three.row(2)[3] == Approx(11.0 / 255).epsilon(1e-7));
  CHECK_THAT(input_error([&] { read_idx_dataset(dir.path(), "train", 5, 13, "data.train_size"); }),
             Catch::Matchers::Contains("data.train_size = 5"));
}

TEST_CASE("Fashion-MNIST from Debian's dataset-fashion-mnist: shapes and standardization",
          "[idx]") {
  const std::string directory = "/usr/share/datasets/fashion-mnist";
  const IdxArray labels = read_idx(directory + "/t10k-labels-idx1-ubyte.gz", 1);
  CHECK(labels.dims == std::vector<std::size_t>{10000});
  std::vector<int> per_class(10, 0);
  for (auto l : labels.bytes) {
    REQUIRE(l < 10);
    ++per_class[l];
  }
  CHECK(per_class == std::vector<int>(10, 1000)); // the test set is balanced
  Dataset test = read_idx_dataset(directory, "t10k", 2000, 10, "data.test_size");
  CHECK(test.features == 784);
  double sum = 0;
  double sum2 = 0;
  for (float x : test.inputs) {
    sum += x;
    sum2 += static_cast<double>(x) * x;
  }
  const double n = static_cast<double>(test.inputs.size());
  const double mean = sum / n;
  const double std = std::sqrt(sum2 / n - mean * mean);
  standardize(test, mean, std);
  double s = 0;
  double s2 = 0;
  for (float x : test.inputs) {
    s += x;
    s2 += static_cast<double>(x) * x;
  }
  CHECK(std::fabs(s / n) < 1e-5);
  CHECK(s2 / n == Approx(1.0).epsilon(1e-4));
}

TEST_CASE("validation split: disjoint, complete, seeded, order kept", "[idx]") {
  // 50 samples whose single feature and label encode the index.
  Dataset data;
  data.count = 50;
  data.features = 1;
  data.classes = 50;
  for (std::size_t i = 0; i < data.count; ++i) {
    data.inputs.push_back(static_cast<float>(i));
    data.labels.push_back(static_cast<std::uint8_t>(i));
  }
  Dataset rest = data;
  std::vector<std::size_t> indices;
  const Dataset held = split_off(rest, 12, 7, indices);
  REQUIRE(held.count == 12);
  REQUIRE(rest.count == 38);
  REQUIRE(indices.size() == 12);
  std::vector<int> seen(50, 0);
  for (std::size_t k = 0; k < held.count; ++k) {
    CHECK(held.labels[k] == indices[k]); // ascending indices, the rows they name
    CHECK(held.inputs[k] == static_cast<float>(indices[k]));
    ++seen[held.labels[k]];
  }
  for (std::size_t k = 0; k < rest.count; ++k) {
    ++seen[rest.labels[k]];
    if (k > 0) {
      CHECK(rest.labels[k] > rest.labels[k - 1]); // the remaining samples keep their order
    }
  }
  for (int s : seen) {
    CHECK(s == 1); // disjoint and complete
  }
  Dataset again = data;
  std::vector<std::size_t> same, other;
  split_off(again, 12, 7, same);
  CHECK(same == indices);
  Dataset third = data;
  split_off(third, 12, 8, other);
  CHECK(other != indices);
}
