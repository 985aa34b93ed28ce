// [landscape] options: defaults, each family built from keys, the InputErrors for bad values, and
// the landscape table: every row reads its keys and rejects those of the other rows.
#include "models/landscape_options.hpp"

#include "core/error.hpp"
#include "models/expression_landscape.hpp"
#include "models/landscapes.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace relax;
using Catch::Contains;

namespace {

/// A stand-in for the HDF5 reader of landscape.type = finite_sum_file: six rows (x, y, label +-1)
/// that depend on the path and the dataset name, so a change of either changes the loss.
std::vector<double> fake_points(const std::string& path, const std::string& dataset,
                                std::vector<std::size_t>& shape) {
  shape = {6, 3};
  std::vector<double> values;
  for (int i = 0; i < 6; ++i) {
    values.push_back(0.1 * i + (path == "b.h5" ? 0.3 : 0.0));
    values.push_back(-0.2 * i + (dataset == "other" ? 0.5 : 0.0));
    values.push_back(i % 2 == 0 ? 1.0 : -1.0);
  }
  return values;
}

std::shared_ptr<const Landscape> build(const std::map<std::string, std::string>& values) {
  OptionSet options;
  declare_landscape_options(options);
  return make_landscape(Config::from_values(options, values), fake_points);
}

} // namespace

TEST_CASE("The default landscape is the 1D double well without tilt", "[models]") {
  const auto landscape = build({});
  REQUIRE(dynamic_cast<const DoubleWellLandscape*>(landscape.get()) != nullptr);
  CHECK(landscape->dim() == 1);
  CHECK(landscape->describe() == "double_well(dim=1, height=1, tilt=0)");
  for (double x : {-1.0, 1.0}) {
    CHECK(landscape->value(&x) == 0.0);
  }
  OptionSet options;
  declare_landscape_options(options);
  for (const auto& spec : options.specs()) {
    CAPTURE(spec.key);
    CHECK(spec.key.rfind("landscape.", 0) == 0);
    CHECK_FALSE(spec.help.empty());
  }
}

TEST_CASE("Every landscape family is built from its keys", "[models]") {
  const auto quadratic = build({{"landscape.type", "quadratic"},
                                {"landscape.stiffness", "1, 2, 3"},
                                {"landscape.centre", "0.5"}});
  CHECK(quadratic->dim() == 3);
  const double centre[3] = {0.5, 0.5, 0.5};
  CHECK(quadratic->value(centre) == 0.0);

  const auto well = build({{"landscape.dim", "3"},
                           {"landscape.tilt", "0.2"},
                           {"landscape.height", "2"},
                           {"landscape.stiffness", "4, 5"}});
  CHECK(well->describe() == "double_well(dim=3, height=2, tilt=0.2, stiffness=4,5)");
  CHECK(build({{"landscape.stiffness", "4, 5"}})->dim() == 3); // 1 + transverse axes

  const auto mb = build({{"landscape.type", "muller_brown"}, {"landscape.scale", "0.5"}});
  CHECK(mb->dim() == 2);
  CHECK(mb->describe() == "muller_brown(scale=0.5)");

  const auto mixture = build({{"landscape.type", "gaussian_mixture"},
                              {"landscape.weights", "1, 1"},
                              {"landscape.means", "-1, 0, 1, 0"},
                              {"landscape.stds", "0.5"}});
  CHECK(mixture->dim() == 2);
  const auto& components = dynamic_cast<const GaussianMixtureLandscape&>(*mixture);
  CHECK(components.stds() == std::vector<double>{0.5, 0.5});
  CHECK(components.weights() == std::vector<double>{0.5, 0.5});

  const auto cosine = build({{"landscape.type", "periodic_cosine"},
                             {"landscape.dim", "2"},
                             {"landscape.amplitude", "3"},
                             {"landscape.period", "2"}});
  const double half_period[2] = {1.0, 1.0};
  CHECK(cosine->value(half_period) == 12.0);

  CHECK(build({{"landscape.type", "rugged"}})->dim() == 1);

  const auto expression = build({{"landscape.type", "expression"},
                                 {"landscape.expr", "(x^2-1)^2 + 0.5*y^2"},
                                 {"landscape.gradient", "4*x*(x^2-1); y"}});
  CHECK(expression->dim() == 2);
  CHECK(dynamic_cast<const ExpressionLandscape&>(*expression).has_gradient_expressions());
  CHECK(build({{"landscape.type", "expression"}, {"landscape.expr", "x"}, {"landscape.dim", "2"}})
            ->dim() == 2);
}

TEST_CASE("Bad landscape parameters are InputErrors naming key, value and expectation",
          "[models]") {
  using Values = std::map<std::string, std::string>;
  const auto fails_with = [](const Values& values, const std::string& key, const std::string& value,
                             const std::string& expected) {
    CAPTURE(values);
    CHECK_THROWS_AS(build(values), InputError);
    CHECK_THROWS_WITH(build(values), Contains(key + " = '" + value + "'") && Contains(expected));
  };
  fails_with({{"landscape.dim", "-1"}}, "landscape.dim", "-1", "0 (automatic) or a positive");
  fails_with({{"landscape.type", "muller_brown"}, {"landscape.dim", "3"}}, "landscape.dim", "3",
             "2 (or 0) for landscape.type = muller_brown");
  fails_with({{"landscape.type", "rugged"}, {"landscape.dim", "2"}}, "landscape.dim", "2",
             "1 (or 0)");
  fails_with({{"landscape.type", "expression"}, {"landscape.expr", "x"}, {"landscape.dim", "5"}},
             "landscape.dim", "5", "0 (inferred) or 1..3");
  fails_with({{"landscape.type", "muller_brown"}, {"landscape.scale", "-1"}}, "landscape.scale",
             "-1", "> 0");
  fails_with({{"landscape.height", "0"}}, "landscape.height", "0", "> 0");
  fails_with({{"landscape.dim", "4"}, {"landscape.stiffness", "1, 2"}}, "landscape.stiffness",
             "1,2", "1 or 3 values (one per transverse axis");
  fails_with({{"landscape.stiffness", "-2"}}, "landscape.stiffness", "-2", "values > 0");
  fails_with(
      {{"landscape.type", "quadratic"}, {"landscape.dim", "2"}, {"landscape.centre", "1,2,3"}},
      "landscape.centre", "1,2,3", "1 or 2 values (one per axis)");
  fails_with({{"landscape.type", "quadratic"}, {"landscape.stiffness", "1, 0"}},
             "landscape.stiffness", "1,0", "values > 0");
  fails_with({{"landscape.type", "periodic_cosine"}, {"landscape.period", "0"}}, "landscape.period",
             "0", "> 0");
  fails_with({{"landscape.type", "periodic_cosine"}, {"landscape.amplitude", "-1"}},
             "landscape.amplitude", "-1", "> 0");
  fails_with({{"landscape.type", "gaussian_mixture"},
              {"landscape.weights", "1, -1"},
              {"landscape.means", "0, 1"}},
             "landscape.weights", "1,-1", "values > 0");
  fails_with({{"landscape.type", "gaussian_mixture"},
              {"landscape.weights", "1, 1"},
              {"landscape.means", "0, 1, 2"}},
             "landscape.means", "0, 1, 2", "K x dim values for the K = 2 components");
  fails_with({{"landscape.type", "gaussian_mixture"},
              {"landscape.weights", "1, 1"},
              {"landscape.dim", "2"},
              {"landscape.means", "0, 1"}},
             "landscape.means", "0,1", "4 values (2 components x dim 2");
  fails_with({{"landscape.type", "gaussian_mixture"},
              {"landscape.weights", "1, 1"},
              {"landscape.means", "0, 1"},
              {"landscape.stds", "1, 2, 3"}},
             "landscape.stds", "1, 2, 3", "1 or 2 values (one per component)");
  fails_with({{"landscape.type", "gaussian_mixture"}, {"landscape.weights", ""}},
             "landscape.weights", "", "one weight > 0 per mixture component");
  fails_with({{"landscape.type", "gaussian_mixture"}, {"landscape.stds", "0"}}, "landscape.stds",
             "0", "values > 0");
  fails_with({{"landscape.type", "expression"}, {"landscape.expr", "(x^2-1"}}, "landscape.expr",
             "(x^2-1", "muParser: Missing parenthesis at position 6");
  fails_with({{"landscape.type", "expression"}}, "landscape.expr", "", "expected an expression");
  fails_with(
      {{"landscape.type", "expression"}, {"landscape.expr", "x*y"}, {"landscape.gradient", "y"}},
      "landscape.gradient", "y", "expected 2 expressions separated by ';'");
  fails_with(
      {{"landscape.type", "expression"}, {"landscape.expr", "x"}, {"landscape.fd_step", "-0.1"}},
      "landscape.fd_step", "-0.1", "a finite step > 0");
}

namespace {

using Values = std::map<std::string, std::string>;

/// Values under which every key of the type has an effect (a 1D double well has no transverse
/// stiffness, one mixture component hides its weight), and new values for text keys.
Values base_values(const std::string& type) {
  const std::map<std::string, Values> bases = {
      {"double_well", {{"landscape.dim", "2"}}},
      {"gaussian_mixture",
       {{"landscape.weights", "1, 1"}, {"landscape.means", "-1, 1"}, {"landscape.stds", "0.5"}}},
      {"expression", {{"landscape.expr", "x^2"}}},
      {"finite_sum_file", {{"landscape.points_file", "a.h5"}, {"landscape.loss", "wells"}}}};
  Values values = bases.count(type) != 0 ? bases.at(type) : Values{};
  values["landscape.type"] = type;
  return values;
}

/// A valid value other than `spec`'s default (or the base value): a real doubled plus 0.5, the
/// first item of a list likewise, an integer doubled plus 1, a text or choice key from a fixed
/// table.
std::string changed_value(const OptionSpec& spec, const Values& base) {
  const std::string current = base.count(spec.key) != 0 ? base.at(spec.key) : spec.default_value;
  if (spec.kind == ValueKind::text || spec.kind == ValueKind::choice) {
    const Values texts = {{"landscape.expr", "x^2 + 0.5*x"},
                          {"landscape.gradient", "2*x"},
                          {"landscape.points_file", "b.h5"},
                          {"landscape.points_dataset", "other"},
                          {"landscape.loss", "logistic"}};
    return texts.at(spec.key);
  }
  if (spec.kind == ValueKind::integer) { // a count or a seed: doubled plus one
    return std::to_string(2 * std::stol(current) + 1);
  }
  const std::size_t comma = current.find(',');
  const double first = std::stod(current.substr(0, comma));
  return std::to_string(2 * first + 0.5) +
         (comma == std::string::npos ? "" : current.substr(comma));
}

/// f and grad f at a few points: what a change of a key must show up in.
std::vector<double> fingerprint(const Landscape& landscape) {
  std::vector<double> out;
  for (const double offset : {0.3, -0.7, 1.1}) {
    std::vector<double> x(static_cast<std::size_t>(landscape.dim()));
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = offset * static_cast<double>(i + 1);
    }
    std::vector<double> g(x.size());
    out.push_back(landscape.gradient(x.data(), g.data()));
    out.insert(out.end(), g.begin(), g.end());
  }
  return out;
}

} // namespace

TEST_CASE("Every row of the landscape table reads its keys and rejects the others' keys",
          "[models]") {
  for (const auto& type : landscape_types()) {
    CAPTURE(type.name);
    OptionSet own;
    type.declare_keys(own);
    const Values base = base_values(type.name);
    const std::vector<double> reference = fingerprint(*build(base));
    for (const auto& spec : own.specs()) {
      CAPTURE(spec.key);
      Values changed = base;
      changed[spec.key] = changed_value(spec, base);
      CHECK(fingerprint(*build(changed)) != reference); // the key is read
    }
    for (const auto& other : landscape_types()) {
      OptionSet foreign;
      other.declare_keys(foreign);
      for (const auto& spec : foreign.specs()) {
        if (own.find(spec.key) != nullptr) {
          continue;
        }
        CAPTURE(spec.key);
        Values changed = base;
        changed[spec.key] = changed_value(spec, base_values(other.name));
        CHECK_THROWS_AS(build(changed), InputError);
        CHECK_THROWS_WITH(build(changed),
                          Contains(spec.key + " = '") &&
                              Contains("not used by landscape.type = " + type.name));
        if (spec.kind != ValueKind::text && spec.kind != ValueKind::choice) {
          changed[spec.key] = "+" + spec.default_value;
          CHECK(fingerprint(*build(changed)) == reference); // its default, spelt otherwise
        }
      }
    }
  }
}

TEST_CASE("finite_sum_file: the loss of the file's points; the reader's shape checked; stiffness "
          "only for wells; no reader or no file refused",
          "[models][loss]") {
  const Values least_squares = {{"landscape.type", "finite_sum_file"},
                                {"landscape.points_file", "a.h5"}};
  const auto loss = build(least_squares); // rows (x, y, label): 2D features, target the label
  REQUIRE(loss->dim() == 2);
  const double zero[2] = {0, 0};
  CHECK(loss->value(zero) == Approx(0.5)); // mean of y_i^2 / 2 with y_i = +-1
  Values wells = least_squares;
  wells["landscape.loss"] = "wells";
  CHECK(build(wells)->dim() == 3);
  Values stiff = least_squares;
  stiff["landscape.stiffness"] = "2";
  CHECK_THROWS_WITH(build(stiff), Contains("landscape.stiffness") && Contains("loss = wells"));
  Values dim = least_squares;
  dim["landscape.dim"] = "3";
  CHECK_THROWS_WITH(build(dim), Contains("landscape.dim") && Contains("2 (or 0)"));
  OptionSet options;
  declare_landscape_options(options);
  CHECK_THROWS_WITH(make_landscape(Config::from_values(options, least_squares)),
                    Contains("this command cannot read the points of a file"));
  CHECK_THROWS_WITH(build({{"landscape.type", "finite_sum_file"}}),
                    Contains("landscape.points_file = ''") && Contains("needs an HDF5 file"));
  const auto wrong_shape = [](const std::string&, const std::string&,
                              std::vector<std::size_t>& shape) {
    shape = {4, 5};
    return std::vector<double>(20, 0.0);
  };
  CHECK_THROWS_WITH(make_landscape(Config::from_values(options, least_squares), wrong_shape),
                    Contains("dataset 'points': expected a dataset of shape (n, dim + 1)") &&
                        Contains("got (4, 5)"));
}
