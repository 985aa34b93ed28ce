#include "core/mpi.hpp"

#include <catch2/catch.hpp>
#include <petscsys.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using relax::ExactSum;

TEST_CASE("ExactSum is exact where naive summation loses everything", "[core]") {
  ExactSum sum;
  sum.add(1e100);
  sum.add(1.0);
  sum.add(-1e100);
  CHECK(sum.value() == 1.0);

  ExactSum tiny;
  tiny.add(std::numeric_limits<double>::denorm_min());
  tiny.add(std::numeric_limits<double>::max());
  tiny.add(-std::numeric_limits<double>::max());
  CHECK(tiny.value() == std::numeric_limits<double>::denorm_min());
}

TEST_CASE("ExactSum does not depend on the order of the summands", "[core]") {
  std::mt19937_64 engine(42);
  std::normal_distribution<double> normal;
  std::vector<double> values(10000);
  for (auto& v : values) {
    v = normal(engine) * std::exp(10 * normal(engine));
  }
  ExactSum forward;
  for (double v : values) {
    forward.add(v);
  }
  std::shuffle(values.begin(), values.end(), engine);
  ExactSum shuffled;
  for (double v : values) {
    shuffled.add(v);
  }
  CHECK(forward.value() == shuffled.value());
  // Exact sum of negatives is the negative of the exact sum.
  ExactSum negated;
  for (double v : values) {
    negated.add(-v);
  }
  CHECK(negated.value() == -forward.value());
}

TEST_CASE("ExactSum of integers and of a non-finite value", "[core]") {
  ExactSum sum;
  for (int i = 1; i <= 100000; ++i) {
    sum.add(i);
  }
  CHECK(sum.value() == 5000050000.0);
  sum.add(std::numeric_limits<double>::infinity());
  CHECK(std::isnan(sum.value()));
}

TEST_CASE("allreduce of ExactSum gives the same bits at any rank count", "[core][mpi]") {
  const int rank = relax::comm_rank(PETSC_COMM_WORLD);
  const int size = relax::comm_size(PETSC_COMM_WORLD);
  // The same 3000 summands, dealt over however many ranks run.
  std::vector<double> values(3000);
  for (std::size_t i = 0; i < values.size(); ++i) {
    values[i] = std::sin(static_cast<double>(i)) * std::pow(10.0, static_cast<double>(i % 17) - 8);
  }
  ExactSum local[2];
  for (std::size_t i = static_cast<std::size_t>(rank); i < values.size();
       i += static_cast<std::size_t>(size)) {
    local[0].add(values[i]);
    local[1].add(values[i] * values[i]);
  }
  relax::allreduce(PETSC_COMM_WORLD, local, 2);
  ExactSum serial[2];
  for (double v : values) {
    serial[0].add(v);
    serial[1].add(v * v);
  }
  CHECK(local[0].value() == serial[0].value());
  CHECK(local[1].value() == serial[1].value());
}
