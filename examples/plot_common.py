"""Shared pieces of the plot scripts in examples/ (plot_fp.py, plot_sde.py, plot_hj.py, plot_fb.py,
plot_compare.py, plot_train.py): the one command line of them all, `script.py RUN.h5 [RUN.h5 ...]
[OUT.png]` with --help, reading attributes, keys of the stored configuration and the /grid group
of a relax output file, short titles, a 2D field as an image, and saving the figure. Not a script:
the plot scripts import it from their own directory (Python puts a script's directory first on
sys.path), so it has to stay beside them.

`plt` is matplotlib.pyplot on the Agg backend (files only, no display needed)."""
import argparse
import configparser

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

__all__ = ["config_text", "config_value", "input_and_output", "inputs_and_output", "integer", "plt", "read_grid",
           "save_figure", "short", "show_image", "spread_indices", "text"]


def inputs_and_output(usage, several=False):
    """The command line of every plot script: `script.py RUN.h5 [OUT.png]`, or with `several`
    `script.py RUN.h5 [RUN.h5 ...] [OUT.png]`; --help prints `usage` (the script's docstring).
    Returns the input paths and the PNG path (default: the first input's name with .png)."""
    parser = argparse.ArgumentParser(description=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="RUN.h5 [OUT.png]",
                        help="relax output file%s, then optionally the PNG to write" %
                        ("s" if several else ""))
    files = parser.parse_args().files
    out = files.pop() if len(files) > 1 and files[-1].endswith(".png") else None
    if not files or (len(files) > 1 and not several) or any(f.endswith(".png") for f in files):
        parser.error("expected %s" % ("RUN.h5 [RUN.h5 ...] [OUT.png]" if several
                                      else "RUN.h5 [OUT.png]"))
    return files, out if out is not None else files[0].rsplit(".", 1)[0] + ".png"


def input_and_output(usage):
    """`script.py RUN.h5 [OUT.png]`: the input path and the PNG path (inputs_and_output)."""
    files, out = inputs_and_output(usage)
    return files[0], out


def short(title, limit=90):
    """`title` cut to `limit` characters (with "..."), so a long landscape expression cannot
    crowd out the figure."""
    title = " ".join(title.split())
    return title if len(title) <= limit else title[:limit - 3] + "..."


def config_text(f, key, default):
    """The value of `section.key` in the resolved configuration the file stores (root attribute
    `config`), as text without quotes; `default` when it is not there."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text(f.attrs.get("config", "")))
    section, name = key.split(".", 1)
    try:
        return parser.get(section, name).strip().strip('"')
    except configparser.Error:
        return default


def config_value(f, key, default):
    """The value of `section.key` in the stored configuration (config_text) as a float; `default`
    when it is not there."""
    try:
        return float(config_text(f, key, default))
    except ValueError:
        return default


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
