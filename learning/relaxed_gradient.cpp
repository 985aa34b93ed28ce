#include "learning/relaxed_gradient.hpp"

#include "core/error.hpp"

#include <cmath>

namespace relax {

RelaxedGradientEstimate estimate_relaxed_gradient(Model<double>& model,
                                                  const SamplerOptions& options,
                                                  const std::vector<double>& x, int repeats) {
  if (repeats < 2 || x.size() != model.parameter_count()) {
    throw Error("estimate_relaxed_gradient: needs >= 2 repeats and a point of " +
                std::to_string(model.parameter_count()) + " coordinates");
  }
  SamplerDriver<double> driver(MPI_COMM_SELF, model, options);
  const std::size_t n = x.size();
  std::vector<double> estimate(n), sum(n, 0.0), squares(n, 0.0);
  for (int r = 0; r < repeats; ++r) {
    driver.relaxed_gradient(x.data(), estimate.data());
    for (std::size_t k = 0; k < n; ++k) {
      sum[k] += estimate[k];
      squares[k] += estimate[k] * estimate[k];
    }
  }
  RelaxedGradientEstimate result;
  result.repeats = repeats;
  result.mean.resize(n);
  result.standard_error.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const double mean = sum[k] / repeats;
    const double variance = std::max(0.0, (squares[k] - repeats * mean * mean) / (repeats - 1));
    result.mean[k] = mean;
    result.standard_error[k] = std::sqrt(variance / repeats);
  }
  return result;
}

} // namespace relax
