#include "core/mpi.hpp"

#include "core/error.hpp"

#include <cmath>
#include <limits>

namespace relax {

int comm_rank(MPI_Comm comm) {
  int rank = 0;
  RELAX_MPI(MPI_Comm_rank(comm, &rank));
  return rank;
}

int comm_size(MPI_Comm comm) {
  int size = 0;
  RELAX_MPI(MPI_Comm_size(comm, &size));
  return size;
}

namespace {
// Bit 0 of limb 0 has weight 2^min_exponent: a subnormal mantissa (53 bits at 2^-1126) still fits.
constexpr int min_exponent = -1152;
} // namespace

void ExactSum::add(double x) {
  if (!std::isfinite(x)) {
    ++nonfinite_;
    return;
  }
  if (x == 0.0) {
    return;
  }
  int exponent = 0;
  const double fraction = std::frexp(std::fabs(x), &exponent); // |x| = fraction * 2^exponent
  // 53-bit integer mantissa m with |x| = m * 2^(exponent - 53), exact.
  auto mantissa = static_cast<std::uint64_t>(std::ldexp(fraction, 53));
  const int bit = exponent - 53 - min_exponent;
  int limb = bit / limb_bits;
  const int shift = bit % limb_bits;
  const std::int64_t sign = x < 0 ? -1 : 1;
  // m << shift spans at most 85 bits: three 32-bit pieces.
  const std::uint64_t mask = 0xffffffffu;
  const std::uint64_t pieces[3] = {(mantissa << shift) & mask, (mantissa >> (32 - shift)) & mask,
                                   shift == 0 ? 0 : mantissa >> (64 - shift)};
  for (std::uint64_t piece : pieces) {
    limbs_[static_cast<std::size_t>(limb++)] += sign * static_cast<std::int64_t>(piece);
  }
  if (++pending_ >= renormalize_every) {
    normalize();
  }
}

void ExactSum::normalize() {
  // Carry so that every limb but the last lies in [0, 2^32); the last carries the sign.
  std::int64_t carry = 0;
  for (std::size_t i = 0; i + 1 < limbs_.size(); ++i) {
    const std::int64_t v = limbs_[i] + carry;
    carry = v >> limb_bits; // arithmetic shift: floor division
    limbs_[i] = v - carry * (std::int64_t{1} << limb_bits);
  }
  limbs_.back() += carry;
  pending_ = 0;
}

double ExactSum::value() const {
  if (nonfinite_ != 0) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  ExactSum copy = *this;
  copy.normalize();
  auto& limbs = copy.limbs_;
  const bool negative = limbs.back() < 0;
  if (negative) { // two's-complement negation of the multi-limb integer
    std::int64_t carry = 1;
    for (std::size_t i = 0; i + 1 < limbs.size(); ++i) {
      const std::int64_t v = (0xffffffff - limbs[i]) + carry;
      carry = v >> limb_bits;
      limbs[i] = v & 0xffffffff;
    }
    limbs.back() = -limbs.back() - 1 + carry;
  }
  // Magnitude: the three most significant nonzero limbs hold more than 53 bits.
  int top = limb_count - 1;
  while (top >= 0 && limbs[static_cast<std::size_t>(top)] == 0) {
    --top;
  }
  if (top < 0) {
    return 0.0;
  }
  double magnitude = 0.0;
  for (int i = top; i >= 0 && i >= top - 2; --i) {
    magnitude += std::ldexp(static_cast<double>(limbs[static_cast<std::size_t>(i)]),
                            i * limb_bits + min_exponent);
  }
  return negative ? -magnitude : magnitude;
}

void allreduce(MPI_Comm comm, ExactSum* sums, std::size_t count) {
  constexpr std::size_t stride = ExactSum::limb_count + 1;
  std::vector<std::int64_t> buffer(stride * count);
  for (std::size_t s = 0; s < count; ++s) {
    sums[s].normalize(); // limbs in [0, 2^32): the sum over ranks cannot overflow
    for (std::size_t i = 0; i < static_cast<std::size_t>(ExactSum::limb_count); ++i) {
      buffer[s * stride + i] = sums[s].limbs_[i];
    }
    buffer[s * stride + stride - 1] = sums[s].nonfinite_;
  }
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, buffer.data(), static_cast<int>(buffer.size()), MPI_INT64_T,
                          MPI_SUM, comm));
  for (std::size_t s = 0; s < count; ++s) {
    for (std::size_t i = 0; i < static_cast<std::size_t>(ExactSum::limb_count); ++i) {
      sums[s].limbs_[i] = buffer[s * stride + i];
    }
    sums[s].nonfinite_ = buffer[s * stride + stride - 1];
    sums[s].normalize();
  }
}

double allreduce_value(MPI_Comm comm, ExactSum sum) {
  allreduce(comm, &sum, 1);
  return sum.value();
}

ColumnMoments exact_column_moments(MPI_Comm comm, const double* data, std::size_t columns,
                                   std::size_t rows, double total) {
  std::vector<ExactSum> sums(columns);
  for (std::size_t k = 0; k < columns; ++k) {
    for (std::size_t p = 0; p < rows; ++p) {
      sums[k].add(data[k * rows + p]);
    }
  }
  allreduce(comm, sums.data(), columns);
  ColumnMoments moments;
  for (const ExactSum& s : sums) {
    moments.mean.push_back(s.value() / total);
  }
  std::vector<ExactSum> squares(columns);
  for (std::size_t k = 0; k < columns; ++k) {
    for (std::size_t p = 0; p < rows; ++p) {
      const double deviation = data[k * rows + p] - moments.mean[k];
      squares[k].add(deviation * deviation);
    }
  }
  allreduce(comm, squares.data(), columns);
  for (const ExactSum& s : squares) {
    moments.squared_deviations.push_back(s.value());
  }
  return moments;
}

bool any_rank(MPI_Comm comm, bool local) {
  int flag = local ? 1 : 0;
  RELAX_MPI(MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_LOR, comm));
  return flag != 0;
}

std::string first_nonempty(MPI_Comm comm, const std::string& local) {
  const int size = comm_size(comm);
  const int mine = local.empty() ? size : comm_rank(comm);
  int first = size;
  RELAX_MPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == size) {
    return {};
  }
  unsigned long long length = local.size();
  RELAX_MPI(MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, first, comm));
  std::string text = first == comm_rank(comm) ? local : std::string(length, ' ');
  RELAX_MPI(MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, first, comm));
  return text;
}

} // namespace relax
