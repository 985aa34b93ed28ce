// A training run, what `relax train` does: an MLP on MNIST-format data trained by SGD, SGLD, CTLD
// or Entropy-SGD, data-parallel or as elastic replicas over MPI. Per epoch /train/{step, epoch,
// loss, train_error, test_error, temperature, alpha, gamma, ...}; per step /train/trace rows
// (written each epoch); /checkpoint rewritten every epoch so that a restart (train.restart)
// continues bit for bit (docs/output.md). A non-finite loss stops the run with NumericalError; the
// file then holds the checkpoint of the last completed epoch.
#pragma once

#include "core/config.hpp"

#include <mpi.h>

namespace relax {

/// [net], [data], [train], the sampler keys and [output] (default train.h5).
OptionSet training_run_options();

/// Collective. Everything that can reject the input runs before the output file exists.
void run_training(MPI_Comm comm, const Config& config);

} // namespace relax
