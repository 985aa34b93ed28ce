"""Checks the structure of an XDMF sidecar written by relax's OutputFile and prints a summary.

Usage: check_xdmf.py FILE.xmf

Asserts what a reader (ParaView's XDMF readers, VisIt) relies on: well-formed XML; temporal
collections of uniform 3DCoRectMesh grids with ORIGIN_DXDYDZ geometry; cell-centred attributes whose
HDF DataItem selects one whole time level ("file:/dataset|start:stride:count:dims" with start t 0..,
stride 1, count 1 n..) of an HDF5 dataset that lies next to the .xmf, with as many values as the mesh
has cells; times of one collection strictly increase. Prints one line per collection,
grid and attribute (numbers as %.17g), for the caller to compare with what it wrote.
"""
import math
import os
import sys
import xml.etree.ElementTree as ElementTree


def number(text):
    return "%.17g" % float(text)


def main(path):
    root = ElementTree.parse(path).getroot()
    assert root.tag == "Xdmf", root.tag
    lines = []
    for collection in root.find("Domain").findall("Grid"):
        assert collection.get("GridType") == "Collection", collection.attrib
        assert collection.get("CollectionType") == "Temporal", collection.attrib
        grids = collection.findall("Grid")
        lines.append("collection %s %d" % (collection.get("Name"), len(grids)))
        times = [float(grid.find("Time").get("Value")) for grid in grids]
        assert all(a < b for a, b in zip(times, times[1:])), times
        for level, grid in enumerate(grids):
            assert grid.get("GridType") == "Uniform", grid.attrib
            topology = grid.find("Topology")
            assert topology.get("TopologyType") == "3DCoRectMesh", topology.attrib
            points = [int(v) for v in topology.get("Dimensions").split()]
            assert len(points) == 3 and min(points) >= 1, points
            cells = math.prod(max(p - 1, 1) for p in points)
            geometry = grid.find("Geometry")
            assert geometry.get("GeometryType") == "ORIGIN_DXDYDZ", geometry.attrib
            origin, spacing = [item.text.split() for item in geometry.findall("DataItem")]
            assert len(origin) == 3 and len(spacing) == 3
            lines.append("grid %s points %s origin %s spacing %s" % (
                number(grid.find("Time").get("Value")), " ".join(map(str, points)),
                " ".join(map(number, origin)), " ".join(map(number, spacing))))
            for attribute in grid.findall("Attribute"):
                assert attribute.get("Center") == "Cell", attribute.attrib
                assert attribute.get("AttributeType") == "Scalar", attribute.attrib
                item = attribute.find("DataItem")
                assert item.get("Format") == "HDF", item.attrib
                assert item.get("Precision") == "8" and item.get("NumberType") == "Float"
                source, selection = item.text.strip().split("|")
                start, stride, count, dims = [[int(v) for v in part.split()]
                                              for part in selection.split(":")]
                rank = len(dims)
                assert len(start) == len(stride) == len(count) == rank, selection
                assert [int(v) for v in item.get("Dimensions").split()] == count
                assert stride == [1] * rank and count[0] == 1 and count[1:] == dims[1:]
                assert start[1:] == [0] * (rank - 1) and start[0] == level < dims[0]
                assert math.prod(count) == cells, (count, cells)
                h5_file, dataset = source.split(":", 1)
                assert os.path.isfile(os.path.join(os.path.dirname(path), h5_file)), h5_file
                lines.append("attribute %s level %d of %d cells %s %s:%s" % (
                    attribute.get("Name"), start[0], dims[0], " ".join(map(str, dims[1:])),
                    h5_file, dataset))
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1])
