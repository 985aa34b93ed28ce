"""Shared pieces of the plot scripts in examples/ (plot_fp.py, plot_sde.py, plot_hj.py, plot_fb.py,
plot_compare.py, plot_train.py): the `run.h5 [out.png]` command line, reading attributes and the
/grid group of a relax output file, a 2D field as an image, and saving the figure. Not a script:
the plot scripts import it from their own directory (Python puts a script's directory first on
sys.path), so it has to stay beside them.

`plt` is matplotlib.pyplot on the Agg backend (files only, no display needed)."""
import sys

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["input_and_output", "integer", "plt", "read_grid", "save_figure", "show_image",
           "spread_indices", "text"]


def input_and_output(usage):
    """The `script.py run.h5 [out.png]` command line: the input path and the PNG path (default:
    run.png beside run.h5). Any other argument count exits with `usage` (the script's docstring)."""
    if len(sys.argv) not in (2, 3):
        sys.exit(usage)
    path = sys.argv[1]
    return path, sys.argv[2] if len(sys.argv) == 3 else path.rsplit(".", 1)[0] + ".png"


def text(value):
    """An HDF5 string attribute as str (h5py gives bytes or str, depending on how it was stored)."""
    return value.decode() if isinstance(value, bytes) else str(value)


def integer(value):
    """An HDF5 integer attribute, stored as a scalar or a one-element array, as int."""
    return int(np.asarray(value).ravel()[0])


def read_grid(f):
    """The dimension and the cell-centre coordinates [x0, x1, ...] of the open file's /grid
    (0 and [] when the file has no /grid)."""
    if "grid" not in f:
        return 0, []
    dim = integer(f["grid"].attrs["dim"])
    return dim, [f["grid"]["x%d" % a][:] for a in range(dim)]


def spread_indices(count, most):
    """At most `most` indices spread evenly over range(count), first and last included."""
    return np.unique(np.linspace(0, count - 1, min(count, most)).astype(int))


def show_image(fig, ax, field, axes, xlabel="x0", ylabel="x1", **imshow_options):
    """Draws a (ny, nx)-ordered field on the grid's (x0, x1) box with a colour bar."""
    extent = [axes[0][0], axes[0][-1], axes[1][0], axes[1][-1]]
    image = ax.imshow(field, origin="lower", extent=extent, aspect="auto", **imshow_options)
    fig.colorbar(image, ax=ax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return image


def save_figure(fig, out, dpi, message="wrote"):
    """Lays the figure out, writes it to `out` and prints `message out` (nothing if None)."""
    fig.tight_layout()
    fig.savefig(out, dpi=dpi)
    if message is not None:
        print(message, out)
