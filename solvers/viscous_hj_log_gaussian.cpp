#include "solvers/viscous_hj_log_gaussian.hpp"

#include <algorithm>
#include <stdexcept>

namespace relax {

namespace {

constexpr double minus_infinity = -std::numeric_limits<double>::infinity();

/// Distance beyond which exp(-d^2 / (2 variance)) is negligible against exp(0).
double negligible_distance(double variance) {
  return std::sqrt(2 * variance * log_negligible);
}

} // namespace

double log_lattice_sum(double h, double variance, double offset) {
  // Terms with |offset + k h| within the negligible distance of the nearest site, symmetric
  // around it, added in a fixed order.
  const long nearest = std::lround(-offset / h);
  const long reach = static_cast<long>(std::ceil(negligible_distance(variance) / h)) + 1;
  LogSumExp sum;
  for (long k = nearest - reach; k <= nearest + reach; ++k) {
    const double d = offset + static_cast<double>(k) * h;
    sum.add(-d * d / (2 * variance));
  }
  return sum.value();
}

LogGaussianLine::LogGaussianLine(const LineGeometry& line, double variance)
    : line_(line), variance_(variance) {
  if (!(variance > 0) || !std::isfinite(variance) || line.n < 1 || !(line.h > 0)) {
    throw std::invalid_argument("LogGaussianLine: expected variance > 0, n >= 1 and h > 0");
  }
  log_norm_ = log_lattice_sum(line_.h, variance_);
}

void LogGaussianLine::apply(const double* in, int first, int count, double* out) const {
  const long n = line_.n;
  const double h = line_.h;
  const bool has_images = line_.images != LineImages::none;
  // One period of the continued data, and its running maxima from either end: the bounds on the
  // terms a scan has not reached yet.
  const long period = line_.images == LineImages::mirror ? 2 * n : n;
  const auto p = static_cast<std::size_t>(period);
  std::vector<double> values(p);
  std::vector<double> lower_max(p);
  std::vector<double> upper_max(p);
  for (long r = 0; r < period; ++r) {
    values[static_cast<std::size_t>(r)] = in[r < n ? r : 2 * n - 1 - r];
  }
  lower_max[0] = values[0];
  for (std::size_t r = 1; r < p; ++r) {
    lower_max[r] = std::max(lower_max[r - 1], values[r]);
  }
  upper_max[p - 1] = values[p - 1];
  for (std::size_t r = p - 1; r-- > 0;) {
    upper_max[r] = std::max(upper_max[r + 1], values[r]);
  }
  const double top = lower_max[p - 1];
  if (top == minus_infinity) {
    std::fill(out, out + count, minus_infinity);
    return;
  }
  const auto wrap = [period](long k) {
    const long r = k % period;
    return static_cast<std::size_t>(r < 0 ? r + period : r);
  };

  for (long i = first; i < first + count; ++i) {
    LogSumExp sum;
    sum.add(log_kernel(0.0) + values[static_cast<std::size_t>(i)]);
    bool is_right_open = true;
    bool is_left_open = true;
    for (long m = 1; is_right_open || is_left_open; ++m) {
      const double kernel = log_kernel(static_cast<double>(m) * h);
      const double threshold = sum.max() - log_negligible;
      if (is_right_open) {
        const long k = i + m;
        if (!has_images && k >= n) {
          is_right_open = false;
        } else {
          const std::size_t r = wrap(k);
          double bound = kernel + upper_max[r];
          if (has_images) { // the next copy starts at k - r + period
            const auto next = static_cast<double>(k - static_cast<long>(r) + period - i);
            bound = std::max(bound, log_kernel(next * h) + top);
          }
          if (bound < threshold) {
            is_right_open = false;
          } else {
            sum.add(kernel + values[r]);
          }
        }
      }
      if (is_left_open) {
        const long k = i - m;
        if (!has_images && k < 0) {
          is_left_open = false;
        } else {
          const std::size_t r = wrap(k);
          double bound = kernel + lower_max[r];
          if (has_images) { // the previous copy ends at k - r - 1
            const auto previous = static_cast<double>(i - (k - static_cast<long>(r) - 1));
            bound = std::max(bound, log_kernel(previous * h) + top);
          }
          if (bound < threshold) {
            is_left_open = false;
          } else {
            sum.add(kernel + values[r]);
          }
        }
      }
    }
    out[i - first] = sum.value();
  }
}

void LogGaussianLine::row(double x, double* log_k, double* mean_image) const {
  const double log_norm = log_lattice_sum(line_.h, variance_, x - line_.centre(0));
  const double length = line_.length();
  // Image families of a cell at y: {y + m spacing} and, for mirror walls, {2 lo - y + m spacing}.
  // Every image within `reach` of x is kept: that includes the nearest one (at most a period
  // away) and all within log_negligible of it.
  const double spacing = line_.images == LineImages::mirror ? 2 * length : length;
  const double reach = spacing + negligible_distance(variance_);
  std::vector<double> images;
  for (int j = 0; j < line_.n; ++j) {
    const double y = line_.centre(j);
    images.clear();
    if (line_.images == LineImages::none) {
      images.push_back(y);
    } else {
      const double bases[2] = {y, 2 * line_.lo - y};
      const int families = line_.images == LineImages::mirror ? 2 : 1;
      for (int family = 0; family < families; ++family) {
        const double base = bases[family];
        const auto m_lo = static_cast<long>(std::ceil((x - reach - base) / spacing));
        const auto m_hi = static_cast<long>(std::floor((x + reach - base) / spacing));
        for (long m = m_lo; m <= m_hi; ++m) {
          images.push_back(base + static_cast<double>(m) * spacing);
        }
      }
    }
    LogSumExp sum;
    for (double image : images) {
      sum.add(-(x - image) * (x - image) / (2 * variance_));
    }
    double weight = 0;
    double weighted = 0;
    for (double image : images) {
      const double w = std::exp(-(x - image) * (x - image) / (2 * variance_) - sum.max());
      weight += w;
      weighted += w * image;
    }
    const auto jj = static_cast<std::size_t>(j);
    log_k[jj] = sum.value() - log_norm;
    mean_image[jj] = weighted / weight;
  }
}

} // namespace relax
