"""Renders docs/figures/paraview_compare.png: ParaView (pvpython, headless) reading the XDMF sidecar
of a 2D `relax compare` run, the PDE density and the particle histogram at the last time side by
side on one colour scale.

Usage: xvfb-run -a pvpython docs/figures/render_paraview.py RUN.xmf OUT.png
(Debian's ParaView renders through X: xvfb-run, Debian xvfb, gives it a display.)
(RUN.xmf with a '/' in its path; the committed figure: examples/compare_muller_brown.ini with
--sde.particles=200000 --time.end=2 --time.outputs=4.)
"""
import sys

from paraview import simple


def main(xmf, out):
    reader = simple.Xdmf3ReaderS(FileName=[xmf])
    last = reader.TimestepValues[-1]
    reader.UpdatePipeline(last)
    top = max(reader.CellData[name].GetRange()[1] for name in ("density", "histogram"))
    layout = simple.CreateLayout("relax compare")
    views = []
    for name in ("density", "histogram"):
        view = simple.CreateView("RenderView")
        simple.AssignViewToLayout(view=view, layout=layout)
        view.ViewTime = last
        view.OrientationAxesVisibility = 0
        display = simple.Show(reader, view)
        display.Representation = "Surface"
        simple.ColorBy(display, ("CELLS", name))
        lut = simple.GetColorTransferFunction(name)
        lut.ApplyPreset("Viridis (matplotlib)", True)
        lut.AutomaticRescaleRangeMode = "Never"
        lut.RescaleTransferFunction(0.0, top)
        bar = simple.GetScalarBar(lut, view)
        bar.Title = ""
        bar.RangeLabelFormat = "%.0f"
        bar.ComponentTitle = ""
        bar.TitleFontSize = 10
        bar.LabelFontSize = 10
        bar.WindowLocation = "Any Location"
        bar.Position = [0.8, 0.12]
        bar.Visibility = 1
        text = simple.Text(Text="%s, t = %g" % ({"density": "PDE density (fp/density)",
                                                 "histogram": "particles (sde/histogram)"}[name],
                                                last))
        simple.Show(text, view).FontSize = 14
        view.InteractionMode = "2D"
        simple.Render(view)
        view.ResetCamera(False)
        views.append(view)
    simple.SaveScreenshot(out, layout, ImageResolution=[1000, 420])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
