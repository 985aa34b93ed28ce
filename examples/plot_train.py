#!/usr/bin/python3
"""Learning curves of `relax train` outputs and, for CTLD runs, the temperature trace 1/g(alpha).

usage: examples/plot_train.py OUT.png RUN.h5 [RUN.h5 ...]
Top: train and test error per (effective) epoch of every run. Bottom: the per-step temperature
and alpha of the runs that recorded a trace with a varying temperature (CTLD).
"""
import sys

import h5py

from plot_common import plt, save_figure, text


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    figure, (curves, tempering) = plt.subplots(2, 1, figsize=(7, 7))
    for path in sys.argv[2:]:
        with h5py.File(path, "r") as f:
            t = f["train"]
            sampler = text(t.attrs.get("sampler", path))
            epoch = t["epoch"][:]
            curves.plot(epoch, 100 * t["test_error"][:], "o-", label=f"{sampler} test")
            curves.plot(epoch, 100 * t["train_error"][:], "--", label=f"{sampler} train")
            if "trace" in t:
                trace = t["trace"][:]
                if trace[:, 4].max() > trace[:, 4].min():
                    tempering.plot(trace[:, 1], trace[:, 4], label=f"{sampler}: 1/g(alpha)")
                    tempering.plot(trace[:, 1], trace[:, 5], label=f"{sampler}: alpha", alpha=0.6)
    curves.set_xlabel("epoch (effective for Entropy-SGD)")
    curves.set_ylabel("error (%)")
    curves.legend()
    curves.grid(alpha=0.3)
    tempering.set_xlabel("epoch")
    tempering.set_ylabel("temperature 1/g(alpha), alpha")
    if tempering.lines:
        tempering.legend()
    tempering.grid(alpha=0.3)
    save_figure(figure, sys.argv[1], dpi=120, message=None)


if __name__ == "__main__":
    main()
