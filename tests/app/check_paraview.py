"""Opens an XDMF sidecar with ParaView's Xdmf3 readers and checks what a ParaView user sees.

Usage: pvpython --force-offscreen-rendering check_paraview.py FILE.xmf TIMES

For both Xdmf3ReaderS and Xdmf3ReaderT: the time steps are exactly TIMES (comma-separated), each
once; at every step the cell arrays are the sidecar's attributes of that time, and each has the
cell count and exactly the range (min, max) of its level of the HDF5 dataset, read with h5py.
FILE.xmf may be given relative to any directory (with a '/' in it: the Xdmf3 readers mis-join a
bare file name with the HDF5 file name).
"""
import os
import sys
import xml.etree.ElementTree as ElementTree

import h5py
import numpy as np
from paraview import simple, servermanager


def expected_arrays(xmf):
    """{time text: {array name: (dataset, level)}} from the sidecar, and the HDF5 file name."""
    levels = {}
    h5_file = None
    for collection in ElementTree.parse(xmf).getroot().find("Domain").findall("Grid"):
        for grid in collection.findall("Grid"):
            time = float(grid.find("Time").get("Value"))
            for attribute in grid.findall("Attribute"):
                source, selection = attribute.find("DataItem").text.strip().split("|")
                h5_file, dataset = source.split(":", 1)
                level = int(selection.split(":")[0].split()[0])
                levels.setdefault(time, {})[attribute.get("Name")] = (dataset, level)
    return levels, os.path.join(os.path.dirname(xmf), h5_file)


def main(xmf, expected_times):
    levels, h5_path = expected_arrays(xmf)
    failures = []
    with h5py.File(h5_path, "r") as f:
        for reader_type in (simple.Xdmf3ReaderS, simple.Xdmf3ReaderT):
            name = reader_type.__name__
            reader = reader_type(FileName=[xmf])
            times = list(reader.TimestepValues) if reader.TimestepValues else [0.0]
            if times != expected_times:
                failures.append("%s: time steps %s, expected %s" % (name, times, expected_times))
            if sorted(levels) != sorted(times):
                failures.append("%s: times %s, the sidecar has %s" % (name, times, sorted(levels)))
            checked = 0
            for time in times:
                reader.UpdatePipeline(time)
                data = servermanager.Fetch(reader)
                block = data if data.IsA("vtkDataSet") else data.GetBlock(0)
                cell_data = block.GetCellData()
                wanted = levels.get(time, {})
                present = [cell_data.GetArrayName(i) for i in range(cell_data.GetNumberOfArrays())]
                if sorted(present) != sorted(wanted):
                    failures.append("%s t=%g: arrays %s, expected %s" % (name, time, present,
                                                                         sorted(wanted)))
                for array_name, (dataset, level) in wanted.items():
                    values = f[dataset][level]
                    array = cell_data.GetArray(array_name)
                    if array is None:
                        continue
                    if array.GetNumberOfTuples() != values.size:
                        failures.append("%s t=%g %s: %d values, %s has %d" % (
                            name, time, array_name, array.GetNumberOfTuples(), dataset,
                            values.size))
                    low, high = array.GetRange()
                    if (low, high) != (float(values.min()), float(values.max())):
                        failures.append("%s t=%g %s: range (%r, %r), %s[%d] has (%r, %r)" % (
                            name, time, array_name, low, high, dataset, level, values.min(),
                            values.max()))
                    checked += 1
            print("%s: %s: %d time steps, %d arrays checked" % (name, xmf, len(times), checked))
            simple.Delete(reader)
    if failures:
        sys.exit("FAIL: " + "\nFAIL: ".join(failures))


if __name__ == "__main__":
    main(sys.argv[1], [float(t) for t in sys.argv[2].split(",")])
