#!/usr/bin/python3
"""Learning curves of `relax train` outputs and the temperature trace of the runs whose temperature
varies (SGLD's T(t), CTLD's 1/g(alpha)).

Usage: plot_train.py RUN.h5 [RUN.h5 ...] [OUT.png]  (default: the first RUN.png)
Top: train and validation error per effective epoch of every run (the validation split when the run
had one, data.validation_size) and the test error, evaluated once at the end, as one marker;
labelled by sampler and file name.
Bottom: the per-step temperature (and CTLD's alpha) of the runs that recorded a trace with a varying
temperature.
"""
import os

import h5py

from plot_common import inputs_and_output, plt, save_figure, text


def main():
    paths, out = inputs_and_output(__doc__, several=True)
    figure, (curves, tempering) = plt.subplots(2, 1, figsize=(7, 7))
    for path in paths:
        with h5py.File(path, "r") as f:
            t = f["train"]
            sampler = "%s (%s)" % (text(t.attrs.get("sampler", "?")),
                                   os.path.splitext(os.path.basename(path))[0])
            epoch = t["epoch"][:]
            if "validation_error" in t:
                curves.plot(epoch, 100 * t["validation_error"][:], "o-",
                            label=f"{sampler} validation")
            curves.plot(epoch, 100 * t["train_error"][:], "--", label=f"{sampler} train")
            curves.plot(t["test_epoch"][:], 100 * t["test_error"][:], "*", markersize=12,
                        label=f"{sampler} test (once, at the end)")
            if "trace" in t:
                trace = t["trace"][:]
                if trace[:, 4].max() > trace[:, 4].min():
                    tempering.plot(trace[:, 1], trace[:, 4], label=f"{sampler}: temperature")
                    if trace[:, 5].max() > trace[:, 5].min():
                        tempering.plot(trace[:, 1], trace[:, 5], label=f"{sampler}: alpha",
                                       alpha=0.6)
    curves.set_xlabel("effective epoch (gradient evaluations / minibatches per epoch)")
    curves.set_ylabel("error (%)")
    curves.legend()
    curves.grid(alpha=0.3)
    tempering.set_xlabel("epoch")
    tempering.set_ylabel("temperature (SGLD T, CTLD 1/g(alpha)), alpha")
    if tempering.lines:
        tempering.legend()
    tempering.grid(alpha=0.3)
    save_figure(figure, out, dpi=100)


if __name__ == "__main__":
    main()
