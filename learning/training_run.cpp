#include "learning/training_run.hpp"

#include "core/error.hpp"
#include "core/log.hpp"
#include "core/memory.hpp"
#include "core/mpi.hpp"
#include "core/progress.hpp"
#include "core/setup_checks.hpp"
#include "io/output_file.hpp"
#include "io/output_lock.hpp"
#include "learning/dataset.hpp"
#include "learning/network.hpp"
#include "learning/parle.hpp"
#include "learning/samplers_driver.hpp"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

namespace relax {

OptionSet training_run_options() {
  OptionSet options;
  declare_net_options(options);
  declare_data_options(options);
  declare_sampler_options(options);
  options
      .integer(
          "train.epochs", 5, "epochs",
          "budget in effective epochs (minibatch gradient evaluations / minibatches per epoch, "
          "inner-loop and perturbation gradients included) for every sampler; a restart "
          "continues up to it")
      .integer("train.seed", 0, "", "seed of initialization, shuffling and noise")
      .restart_file("train.restart", "continue from the /checkpoint of this earlier output file")
      .integer("train.threads", 0, "", "OpenBLAS threads per rank (0: OpenBLAS's default)")
      .integer("train.trace_every", 1, "steps", "write a /train/trace row every n steps (0: none)")
      .integer("train.eval_block", 1000, "samples", "block size of the per-epoch evaluations");
  declare_output_options(options, "train.h5");
  return options;
}

namespace {

using Clock = std::chrono::steady_clock;

/// The network spec, after require_memory: the bytes of a run are at least those of the
/// parameters in at most 12 copies (parameters, gradient, velocity, second moment, noise and the
/// Entropy-SGD / Parle buffers) and, for the training and the test model, the activations of
/// `capacity` samples at every layer and two back-propagation buffers of the widest (a lower
/// bound: batch-norm statistics and LeNet's im2col columns are left out).
const NetworkSpec& fitting_network(MPI_Comm comm, const Config& config, const NetworkSpec& spec,
                                   std::size_t classes, std::size_t capacity) {
  std::vector<double> widths; // values per sample at each layer's input and output
  double parameters = 0;
  if (spec.type == "lenet") {
    const LenetShape& s = spec.lenet;
    const auto [first, second] = lenet_sides(s);
    const double flat = static_cast<double>(s.conv2) * static_cast<double>(second * second);
    const auto n_classes = static_cast<double>(classes);
    widths = {static_cast<double>(s.side * s.side),
              static_cast<double>(s.conv1) * static_cast<double>(first * first), flat,
              static_cast<double>(s.hidden), n_classes};
    parameters = s.conv1 * (s.kernel * s.kernel + 1.0) +
                 s.conv2 * (s.conv1 * s.kernel * s.kernel + 1.0) + s.hidden * (flat + 1) +
                 n_classes * (s.hidden + 1.0);
  } else {
    for (std::size_t l = 0; l < spec.layers.size(); ++l) {
      widths.push_back(spec.layers[l]);
      if (l + 1 < spec.layers.size()) {
        parameters +=
            static_cast<double>(spec.layers[l + 1]) * (static_cast<double>(spec.layers[l]) + 1);
      }
    }
  }
  double total_width = 0;
  double widest = 0;
  for (const double w : widths) {
    total_width += w;
    widest = std::max(widest, w);
  }
  const double bytes =
      4.0 * (12.0 * parameters + 2.0 * static_cast<double>(capacity) * (total_width + 2.0 * widest));
  const std::string key = spec.type == "lenet" ? "net.type = 'lenet'"
                                               : "net.layers = '" + config.text("net.layers") + "'";
  require_memory(comm,
                 key + " (" + short_number(parameters) +
                     " parameters, train.batch = " + config.text("train.batch") + ")",
                 bytes);
  return spec;
}

// The training run: the model, its driver and the output, with the loop over epochs in run().
class TrainingRun {
public:
  TrainingRun(MPI_Comm comm, const Config& config)
      : comm_(comm), config_(config), data_(load_train_test_data(config)),
        net_(make_network_spec(config, config.seed("train.seed"))),
        options_(make_sampler_options(config)), epochs_(config.integer_at_least("train.epochs", 1)),
        trace_every_(config.integer_at_least("train.trace_every", 0)),
        eval_block_(static_cast<std::size_t>(config.integer_at_least("train.eval_block", 1))),
        model_(fitting_network(comm, config, net_, data_.train.classes,
                               std::max(options_.batch, eval_block_)),
               data_.train, std::max(options_.batch, eval_block_)),
        test_model_(net_, data_.test, eval_block_) {
    if (data_.validation.count > 0) {
      validation_model_ = std::make_unique<Net>(net_, data_.validation, eval_block_);
    }
    options_.seed = config.seed("train.seed");
    if (const long threads = config.integer_at_least("train.threads", 0); threads > 0) {
      openblas_set_num_threads(static_cast<int>(threads));
    }
    if (options_.parallelism == Parallelism::data) { // batch norm over the global minibatch
      model_.set_batch_reduction(
          [this](double* values, std::size_t count) { allreduce_sum(comm_, values, count); });
    }
    driver_ = std::make_unique<SamplerDriver<float>>(comm_, model_, options_);
    const CounterRng init(options_.seed, train_stream::init); // the same start for all replicas
    model_.initialize(driver_->state().params.data(),
                      [&](std::size_t k) { return init.uniform_pair(k, 0, 0)[0]; });
    const std::string& restart = config.text("train.restart");
    if (!restart.empty()) {
      restore(restart);
    }
    replicas_ = options_.parallelism == Parallelism::elastic ? comm_size(comm_) : 1;
    if (options_.sampler == "ctld") {
      ctld_bins_ = static_cast<std::size_t>(config.integer("ctld.bins"));
      ctld_delta_prime_ = config.real("ctld.delta_prime");
      alpha_counts_.assign(ctld_bins_ + 1, 0.0); // K bins and the count outside
    }
  }

  void run() {
    finish_setup(config_);
    // A restart into the file it came from keeps that file's history (epochs, trace) and appends
    // to it; into another file, the new file says where the history is.
    const std::string& output = config_.text("output.file");
    const std::string& restart = config_.text("train.restart");
    const bool in_place = !restart.empty() && is_same_file(comm_, restart, output);
    OutputFile out(comm_, output,
                   {"train", config_.to_ini(), options_.seed, in_place ? restart : std::string()});
    out.set_series_axis("/train", "/train/epoch");
    if (in_place) {
      const InputFile history(comm_, restart);
      if (history.exists("/train/trace")) {
        trace_ = history.read_array("/train/trace");
      }
    } else if (!restart.empty()) {
      out.write_attribute("/", "restart_of", restart);
      log_info(comm_, "train: continues '" + restart + "' from epoch " +
                          format_real(driver_->epoch()) + "; the epochs before are in that file");
    }
    out.write_attribute("/train", "net", model_.describe());
    out.write_attribute("/train", "sampler", options_.sampler);
    out.write_attribute("/train", "parameters",
                        static_cast<std::int64_t>(model_.parameter_count()));
    describe_train(out);
    out.write_attribute("/train", "validation_size",
                        static_cast<std::int64_t>(data_.validation.count));
    out.write_attribute("/train", "validation_seed",
                        static_cast<std::int64_t>(config_.seed("data.validation_seed")));
    if (!data_.validation_indices.empty()) {
      out.write_array(
          "/train/validation_indices",
          std::vector<double>(data_.validation_indices.begin(), data_.validation_indices.end()),
          {data_.validation_indices.size()});
    }
    if (driver_->state().minibatches == 0) {
      write_checkpoint(out); // so a failure in the first epoch leaves a checkpoint too
    }
    log_info(comm_, "relax train: " + model_.describe() + ", " +
                        std::to_string(model_.parameter_count()) + " parameters, " +
                        options_.sampler + ", " + std::to_string(data_.train.count) +
                        " training samples, " + std::to_string(comm_size(comm_)) + " rank(s)");
    ProgressReporter progress(comm_, "train", static_cast<double>(epochs_));
    const std::size_t samples_per_minibatch = options_.batch * static_cast<std::size_t>(replicas_);
    while (driver_->epoch() < static_cast<double>(epochs_) - 1e-12) {
      const long epoch_end = static_cast<long>(std::floor(driver_->epoch() + 1e-12)) + 1;
      double loss_sum = 0;
      long steps = 0;
      const long minibatches_before = driver_->state().minibatches;
      const auto start = Clock::now();
      while (driver_->epoch() < static_cast<double>(epoch_end) - 1e-12) {
        const StepRecord record = driver_->step();
        if (any_rank(comm_, !std::isfinite(record.loss))) {
          progress.finish();
          throw NumericalError("train: non-finite loss at step " + std::to_string(record.step) +
                               " (epoch " + format_real(record.epoch) + "); '" + out.path() +
                               "' holds the checkpoint of the last completed epoch " +
                               std::to_string(static_cast<long>(std::ceil(record.epoch)) - 1));
        }
        loss_sum += record.loss;
        ++steps;
        last_ = record;
        if (trace_every_ > 0 && record.step % trace_every_ == 0) {
          trace_.insert(trace_.end(), {static_cast<double>(record.step), record.epoch, record.loss,
                                       record.lr, record.temperature, record.alpha, record.gamma});
          if (ctld_bins_ > 0) {
            const CtldForce& h = record.alpha_force;
            ctld_trace_.insert(ctld_trace_.end(),
                               {static_cast<double>(record.step), static_cast<double>(record.phase),
                                record.alpha, record.alpha_velocity, h.tempering, h.kinetic,
                                h.confining, h.bias});
          }
        }
        if (ctld_bins_ > 0 && record.phase == 0) {
          count_alpha(record.alpha);
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        const double rate =
            static_cast<double>((driver_->state().minibatches - minibatches_before) *
                                static_cast<long>(samples_per_minibatch)) /
            seconds;
        char metric[96];
        std::snprintf(metric, sizeof metric, "loss=%.4g %.0f samples/s", record.loss, rate);
        progress.update(record.step, record.epoch, metric);
      }
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      const double rate = static_cast<double>((driver_->state().minibatches - minibatches_before) *
                                              static_cast<long>(samples_per_minibatch)) /
                          seconds;
      write_epoch(out, loss_sum / static_cast<double>(std::max(steps, 1L)), rate);
      if (!trace_.empty()) {
        // One collective write per epoch: an HDF5 append per step costs milliseconds.
        out.write_array("/train/trace", trace_, {trace_.size() / trace_width, trace_width});
        out.write_attribute("/train/trace", "columns",
                            "step, epoch, loss, lr, temperature, alpha, gamma");
      }
      if (ctld_bins_ > 0) {
        write_ctld(out);
      }
      write_checkpoint(out);
      out.flush();
    }
    progress.finish();
    write_test(out);
    out.finish();
  }

private:
  // Loss and error of `model` at the parameters, split over ranks (data-parallel: everyone holds
  // the same parameters; elastic: the replicas' mean).
  // In evaluation mode: batch norm's running statistics (the training model's; elastic: the
  // replicas' mean), no dropout.
  std::pair<double, double> evaluate(Net& model, const std::vector<float>& params) {
    const std::vector<double> own = model_.buffers();
    std::vector<double> buffers = own;
    if (replicas_ > 1 && !buffers.empty()) {
      allreduce_sum(comm_, buffers.data(), buffers.size() - 1); // the last is the counter
      for (std::size_t k = 0; k + 1 < buffers.size(); ++k) {
        buffers[k] /= replicas_;
      }
    }
    model.restore_buffers(buffers, "evaluation");
    model.set_training(false);
    const auto [first, last] = shard(model.sample_count(), comm_rank(comm_), comm_size(comm_));
    const auto local = model.evaluate(params.data(), first, last - first);
    model.set_training(true);
    model_.restore_buffers(own, "evaluation"); // a replica trains on with its own statistics
    ExactSum sums[2];
    sums[0].add(local.loss);
    sums[1].add(static_cast<double>(local.errors));
    allreduce(comm_, sums, 2);
    const double n = static_cast<double>(model.sample_count());
    return {sums[0].value() / n, sums[1].value() / n};
  }

  // The parameters the evaluations use: the replicas' mean in elastic runs (collective).
  std::vector<float> evaluated_parameters() const {
    std::vector<float> params = driver_->state().params;
    if (replicas_ > 1) {
      allreduce_sum(comm_, params.data(), params.size());
      for (float& p : params) {
        p /= static_cast<float>(replicas_);
      }
    }
    return params;
  }

  // long_name and units of every /train dataset (docs/output.md).
  static void describe_train(OutputFile& out) {
    out.describe_all(
        "train",
        {{"step", {"sampler steps done", "count"}},
         {"epoch", {"effective epochs (gradient evaluations / minibatches per epoch)", "epochs"}},
         {"loss", {"mean cross-entropy on the training set", "nats"}},
         {"minibatch_loss", {"mean minibatch loss over the epoch", "nats"}},
         {"train_error", {"fraction misclassified on the training set", "1"}},
         {"validation_error", {"fraction misclassified on the validation split", "1"}},
         {"validation_loss", {"mean cross-entropy on the validation split", "nats"}},
         {"validation_indices", {"indices of the validation samples in the training file", "1"}},
         {"test_error", {"fraction misclassified on the test set, once at the end", "1"}},
         {"test_loss", {"mean cross-entropy on the test set, once at the end", "nats"}},
         {"test_epoch", {"effective epoch of the test evaluation", "epochs"}},
         {"temperature", {"noise magnitude at the epoch's last step", "1"}},
         {"alpha", {"CTLD's alpha at the epoch's last step", "1"}},
         {"gamma", {"coupling gamma_k (Entropy-SGD; 1/t_k of HEAT, HJ, H-ESGD)", "1"}},
         {"samples_per_second", {"training throughput of the epoch", "1/s"}},
         {"replica_minibatch_loss", {"each replica's mean minibatch loss", "nats"}},
         {"replica_distance", {"replicas' RMS distance to their mean", "1"}},
         {"trace", {"per-step rows: step, epoch, loss, lr, temperature, alpha, gamma", "mixed"}}});
    out.describe_all("train/ctld",
                     {{"trace", {"per-step CTLD rows (columns attribute)", "mixed"}},
                      {"bias", {"metadynamics bias at the bin edges", "U"}},
                      {"alpha_histogram", {"alpha per sampling step, counted per bin", "count"}},
                      {"alpha_outside", {"sampling steps with alpha outside the bins", "count"}},
                      {"flatness", {"min / mean of the epoch's alpha histogram", "1"}}});
  }

  // The test set, evaluated once, at the end of the run: /train/test_error, test_loss, test_epoch
  // (one value each).
  void write_test(OutputFile& out) {
    const std::vector<float> params = evaluated_parameters();
    const auto [test_loss, test_error] = evaluate(test_model_, params);
    out.write_array("/train/test_error", {test_error}, {1});
    out.write_array("/train/test_loss", {test_loss}, {1});
    out.write_array("/train/test_epoch", {driver_->epoch()}, {1});
    char line[160];
    std::snprintf(line, sizeof line,
                  "epoch %.3g: test_error %.4f test_loss %.4f (the test set, evaluated once, at "
                  "the end)",
                  driver_->epoch(), test_error, test_loss);
    log_info(comm_, line);
  }

  void write_epoch(OutputFile& out, double mean_minibatch_loss, double rate) {
    const std::vector<float> params = evaluated_parameters();
    if (replicas_ > 1) {
      write_replicas(out, mean_minibatch_loss, params);
    }
    const auto [train_loss, train_error] = evaluate(model_, params);
    double validation_error = std::numeric_limits<double>::quiet_NaN();
    if (validation_model_) {
      const auto [validation_loss, error] = evaluate(*validation_model_, params);
      validation_error = error;
      out.append_scalar("/train/validation_error", validation_error);
      out.append_scalar("/train/validation_loss", validation_loss);
    }
    const double epoch = driver_->epoch();
    out.append_count("/train/step", static_cast<std::int64_t>(driver_->state().steps));
    out.append_scalar("/train/epoch", epoch);
    out.append_scalar("/train/loss", train_loss);
    out.append_scalar("/train/minibatch_loss", mean_minibatch_loss);
    out.append_scalar("/train/train_error", train_error);
    out.append_scalar("/train/temperature", last_.temperature);
    out.append_scalar("/train/alpha", last_.alpha);
    out.append_scalar("/train/gamma", last_.gamma);
    out.append_scalar("/train/samples_per_second", rate);
    char line[256];
    std::snprintf(line, sizeof line,
                  "epoch %.3g: loss %.4f train_error %.4f validation_error %.4f temperature %.4g "
                  "alpha %.3g samples/s %.0f",
                  epoch, train_loss, train_error, validation_error, last_.temperature, last_.alpha,
                  rate);
    log_info(comm_, line);
  }

  // Elastic runs: every replica's mean minibatch loss of the epoch and the replicas' RMS distance
  // to their mean sqrt(sum_a |x_a - mean|^2 / R) (collective).
  void write_replicas(OutputFile& out, double mean_minibatch_loss, const std::vector<float>& mean) {
    std::vector<double> losses(static_cast<std::size_t>(replicas_));
    RELAX_MPI(
        MPI_Allgather(&mean_minibatch_loss, 1, MPI_DOUBLE, losses.data(), 1, MPI_DOUBLE, comm_));
    out.append_row("/train/replica_minibatch_loss", losses);
    ExactSum squares;
    const std::vector<float>& x = driver_->state().params;
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double d = static_cast<double>(x[k]) - static_cast<double>(mean[k]);
      squares.add(d * d);
    }
    allreduce(comm_, &squares, 1);
    out.append_scalar("/train/replica_distance", std::sqrt(squares.value() / replicas_));
  }

  // The histogram of alpha over this epoch's sampling steps: K bins on [-delta', delta'], then
  // the count outside.
  void count_alpha(double alpha) {
    const double h = 2.0 * ctld_delta_prime_ / static_cast<double>(ctld_bins_);
    const double position = (alpha + ctld_delta_prime_) / h;
    const bool inside = position >= 0 && position < static_cast<double>(ctld_bins_);
    alpha_counts_[inside ? static_cast<std::size_t>(position) : ctld_bins_] += 1.0;
  }

  // /train/ctld: the per-step trace (whole run so far), and per epoch the bias at the bin edges,
  // the alpha histogram of the epoch and its flatness min/mean over the K bins (NaN after L_s).
  void write_ctld(OutputFile& out) {
    if (!ctld_trace_.empty()) {
      out.write_array("/train/ctld/trace", ctld_trace_,
                      {ctld_trace_.size() / ctld_trace_width, ctld_trace_width});
      out.write_attribute("/train/ctld/trace", "columns",
                          "step, phase, alpha, r_alpha, h_tempering, h_kinetic, h_confining, "
                          "h_bias");
    }
    std::vector<double> bias = driver_->state().bias;
    if (replicas_ > 1) { // one row per epoch: the replicas' mean bias
      allreduce_sum(comm_, bias.data(), bias.size());
      for (double& b : bias) {
        b /= replicas_;
      }
      allreduce_sum(comm_, alpha_counts_.data(), alpha_counts_.size());
    }
    out.append_row("/train/ctld/bias", bias);
    out.append_row("/train/ctld/alpha_histogram",
                   std::vector<double>(alpha_counts_.begin(), alpha_counts_.end() - 1));
    out.append_scalar("/train/ctld/alpha_outside", alpha_counts_.back());
    double sum = 0;
    double least = alpha_counts_[0];
    for (std::size_t k = 0; k < ctld_bins_; ++k) {
      sum += alpha_counts_[k];
      least = std::min(least, alpha_counts_[k]);
    }
    const double mean = sum / static_cast<double>(ctld_bins_);
    out.append_scalar("/train/ctld/flatness",
                      sum > 0 ? least / mean : std::numeric_limits<double>::quiet_NaN());
    std::fill(alpha_counts_.begin(), alpha_counts_.end(), 0.0);
  }

  // /checkpoint: per-replica rows (one row in data-parallel runs, where all ranks agree).
  void write_checkpoint(OutputFile& out) {
    const SamplerState<float>& s = driver_->state();
    const int rank = comm_rank(comm_);
    const bool writes = replicas_ > 1 || rank == 0;
    const std::size_t rows = writes ? 1 : 0;
    const std::size_t row = replicas_ > 1 ? static_cast<std::size_t>(rank) : 0;
    const auto total = static_cast<std::size_t>(replicas_);
    const std::vector<double> params(s.params.begin(), s.params.end());
    const std::vector<double> velocity(s.velocity.begin(), s.velocity.end());
    const std::vector<double> scalars = {s.alpha.alpha, s.alpha.velocity};
    out.write_rows("/checkpoint/params", params.data(), rows, row, total, params.size());
    out.write_rows("/checkpoint/velocity", velocity.data(), rows, row, total, velocity.size());
    const std::vector<double> moment(s.moment.begin(), s.moment.end());
    out.write_rows("/checkpoint/moment", moment.data(), rows, row, total, moment.size());
    out.write_rows("/checkpoint/alpha", scalars.data(), rows, row, total, scalars.size());
    if (!s.bias.empty()) { // CTLD only
      out.write_rows("/checkpoint/bias", s.bias.data(), rows, row, total, s.bias.size());
    }
    const std::vector<double> buffers = model_.buffers();
    if (!buffers.empty()) { // batch norm's running statistics, the dropout counter
      out.write_rows("/checkpoint/network", buffers.data(), rows, row, total, buffers.size());
    }
    out.write_attribute("/checkpoint", "minibatches", static_cast<std::int64_t>(s.minibatches));
    out.write_attribute("/checkpoint", "steps", static_cast<std::int64_t>(s.steps));
    out.write_attribute("/checkpoint", "replicas", static_cast<std::int64_t>(replicas_));
  }

  void restore(const std::string& path) {
    const InputFile in(comm_, path);
    const auto replicas = in.read_int_attribute("/checkpoint", "replicas");
    const int expected = options_.parallelism == Parallelism::elastic ? comm_size(comm_) : 1;
    if (replicas != expected) {
      throw InputError("train.restart = '" + path + "': checkpoint of " + std::to_string(replicas) +
                       " replica(s), expected " + std::to_string(expected) +
                       " (parle.replicas runs need the same ranks)");
    }
    const std::size_t row = expected > 1 ? static_cast<std::size_t>(comm_rank(comm_)) : 0;
    SamplerState<float> state = driver_->state();
    const auto params = in.read_rows("/checkpoint/params", row, 1);
    const auto velocity = in.read_rows("/checkpoint/velocity", row, 1);
    const auto alpha = in.read_rows("/checkpoint/alpha", row, 1);
    if (params.size() != state.params.size() || alpha.size() != 2) {
      throw InputError("train.restart = '" + path + "': checkpoint of " +
                       std::to_string(params.size()) + " parameters, expected " +
                       std::to_string(state.params.size()) + " (same net.layers)");
    }
    state.params.assign(params.begin(), params.end());
    state.velocity.assign(velocity.begin(), velocity.end());
    if (in.exists("/checkpoint/moment")) { // absent in files of versions before Adam and pSGLD
      const auto moment = in.read_rows("/checkpoint/moment", row, 1);
      state.moment.assign(moment.begin(), moment.end());
    }
    state.alpha = {alpha[0], alpha[1]};
    if (!state.bias.empty()) {
      if (!in.exists("/checkpoint/bias")) {
        throw InputError("train.restart = '" + path +
                         "': the checkpoint has no /checkpoint/bias; expected a CTLD run's");
      }
      state.bias = in.read_rows("/checkpoint/bias", row, 1);
    }
    if (!model_.buffers().empty()) {
      if (!in.exists("/checkpoint/network")) {
        throw InputError("train.restart = '" + path +
                         "': the checkpoint has no /checkpoint/network; expected the batch norm "
                         "statistics and dropout counter of the same net.* keys");
      }
      model_.restore_buffers(in.read_rows("/checkpoint/network", row, 1),
                             "train.restart = '" + path + "'");
    }
    state.minibatches = in.read_int_attribute("/checkpoint", "minibatches");
    state.steps = in.read_int_attribute("/checkpoint", "steps");
    driver_->restore(state);
    // Only how long, how many threads and what is written may change.
    require_same_problem(comm_, config_, "train.restart",
                         {"output.", "train.restart", "train.epochs", "train.threads",
                          "train.trace_every", "train.eval_block"});
  }

  MPI_Comm comm_;
  const Config& config_;
  TrainTestData data_;
  NetworkSpec net_;
  SamplerOptions options_;
  long epochs_;
  long trace_every_;
  std::size_t eval_block_;
  Net model_;
  Net test_model_;
  std::unique_ptr<Net> validation_model_; // with data.validation_size > 0
  std::unique_ptr<SamplerDriver<float>> driver_;
  int replicas_ = 1;
  StepRecord last_;
  static constexpr std::size_t trace_width = 7;
  std::vector<double> trace_; // rows of /train/trace, this run
  static constexpr std::size_t ctld_trace_width = 8;
  std::vector<double> ctld_trace_; // rows of /train/ctld/trace, this run
  std::size_t ctld_bins_ = 0;      // K of a CTLD run (0: not CTLD)
  double ctld_delta_prime_ = 0;
  std::vector<double> alpha_counts_;
};

} // namespace

void run_training(MPI_Comm comm, const Config& config) {
  TrainingRun(comm, config).run(); // the constructor validates everything before the file exists
}

} // namespace relax
