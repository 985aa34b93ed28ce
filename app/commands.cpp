#include "app/commands.hpp"

#include "core/text.hpp"
#include "learning/training_run.hpp"
#include "sde/ensemble_run.hpp"
#include "solvers/fokker_planck_run.hpp"
#include "solvers/spectrum_run.hpp"
#include "studies/compare_study.hpp"
#include "studies/fb_study.hpp"
#include "studies/hj_study.hpp"

#include <cstdio>

namespace relax::app {

namespace {

int run_compare(const Session& session, const Config& config) {
  const CompareOutcome outcome = run_compare_study(session.comm(), config);
  if (outcome.disagreements > 0 && config.has_switch("fail-on-mismatch")) {
    if (session.rank() == 0) {
      std::fprintf(stderr,
                   "relax: mismatch: the PDE and the particles disagree at %ld of %ld outputs "
                   "(first at t = %s)\n",
                   outcome.disagreements, outcome.outputs,
                   format_real(outcome.first_disagreement).c_str());
    }
    return 4;
  }
  return 0;
}

int run_hj(const Session& session, const Config& config) {
  const HjOutcome outcome = run_hj_study(session.comm(), config);
  if (outcome.mismatches > 0 && config.has_switch("fail-on-mismatch")) {
    if (session.rank() == 0) {
      std::fprintf(stderr, "relax: mismatch: %ld particle estimate(s) of grad f_gamma; first: %s\n",
                   outcome.mismatches, outcome.first.c_str());
    }
    return 4;
  }
  return 0;
}

/// A command whose run returns nothing: exit code 0 unless it throws.
template <void (*run)(MPI_Comm, const Config&)>
int run_and_succeed(const Session& session, const Config& config) {
  run(session.comm(), config);
  return 0;
}

} // namespace

std::vector<Command> commands() {
  return {
      {"compare", "the main job: Fokker-Planck density vs particle histograms, Gibbs, escape rates",
       compare_study_options, run_compare, true},
      {"info", "print versions of relax and its libraries, build type and MPI size", info_options,
       run_info, false},
      {"train", "train an MLP on MNIST-format data with SGD, SGLD, CTLD or Entropy-SGD over MPI",
       training_run_options, run_and_succeed<run_training>, false},
      {"fp", "Fokker-Planck density of a landscape on a grid (SG finite volumes, PETSc TS)",
       fokker_planck_run_options, run_and_succeed<run_fokker_planck>, true},
      {"spectrum",
       "the K slowest modes of the Fokker-Planck generator (SLEPc): rates, eigenfunctions",
       spectrum_run_options, run_and_succeed<run_spectrum>, true},
      {"sde", "MPI particles of Langevin dynamics (EM, MALA, BAOAB) with histograms on the grid",
       ensemble_run_options, run_and_succeed<run_ensemble>, false},
      {"hj", "local entropy f_gamma: viscous Hamilton-Jacobi by Cole-Hopf, FD and particles",
       hj_study_options, run_hj, true},
      {"fb", "controlled SGD: backward HJB, controlled Fokker-Planck and particles (Theorem 7)",
       fb_study_options, run_and_succeed<run_fb_study>, true},
  };
}

} // namespace relax::app
