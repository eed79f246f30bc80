"""Plotly figures of a mask comparison, light enough for a browser at any input size.

Every builder returns a :class:`plotly.graph_objects.Figure` whose JSON stays
under 1 MB whatever the mask size (8192 × 8192 included), because the browser
never receives full-resolution arrays:

- the confusion codes (0 TN, 1 TP, 2 FP, 3 FN, see :mod:`maskapp.overlap`)
  are reduced by a *block maximum* to at most ``max_side`` pixels a side.
  The codes are ordered so the maximum keeps errors: a 1-pixel FP line in a
  4096² mask survives, where stride sampling would drop it;
- the reduced codes go to the browser as a palette PNG (with per-index
  transparency) in a ``data:`` URI of a ``go.Image(source=...)`` trace,
  placed with ``x0 = y0 = (step - 1) / 2`` and ``dx = dy = step``, so axes,
  hover and box/lasso selections are in full-resolution pixel coordinates
  (x = column, y = row, y axis pointing down as in an image);
- hover comes from a transparent heatmap on a coarser grid (at most
  ``hover_side`` cells a side) whose per-cell text names the state;
- an invisible two-point scatter at the image corners keeps Plotly's Box and
  Lasso buttons (Plotly hides them when only an image can be selected);
- images wider than a typical plot (700 px) are drawn smoothed: a browser
  shrinking a pixelated image samples rows and columns and drops thin lines
  again (seen in Chromium with a 4096² mask); smaller images stay crisp.

Builders: :func:`overlay_figure`, :func:`class_overlay_figure`,
:func:`side_by_side_figure`, :func:`error_distance_figure`,
:func:`confusion_matrix_figure`; helpers :func:`downsample_max`,
:func:`display_step`; downloads :func:`overlay_png`; the drawing canvas's
background :func:`drawing_backdrop`. Colours are in :data:`PALETTE`
(Okabe–Ito; see :mod:`maskapp.figures.colours` for their contrast).

:func:`overlay_png` composes the same overlay at full size with numpy, for
downloads that need no browser engine (no kaleido or Chrome). Every image is
encoded by :mod:`maskapp.encode`; nothing here imports Pillow.

Text given by a caller (titles, file names, class names) is escaped, since
Plotly renders a subset of HTML in text: ``<b>`` in a file name stays literal.

Modules: ``colours`` (palette, state names, escaping), ``raster`` (display
reduction and the shown view), ``traces`` (traces and layout the image figures
share), ``overlay``, ``panels`` (side by side, error distance), ``matrix``,
``backdrop``. Import from ``maskapp.figures``; the modules' other names are
internal.
"""

from .backdrop import drawing_backdrop
from .colours import (
    CLASS_COLORS,
    CONFUSION_PALETTE,
    MARK_COLOR,
    MASK_COLOR,
    PALETTE,
    STATE_MEANINGS,
    STATE_NAMES,
    TRACE_COLOR,
    Layer,
)
from .matrix import Normalize, confusion_matrix_figure
from .overlay import (
    OPACITY_STEPS,
    class_overlay_figure,
    overlay_figure,
    overlay_png,
    with_opacity_slider,
    with_overlay_opacity,
)
from .panels import error_distance_figure, side_by_side_figure
from .raster import Region, display_step, downsample_max

__all__ = [
    "CLASS_COLORS",
    "CONFUSION_PALETTE",
    "MARK_COLOR",
    "MASK_COLOR",
    "OPACITY_STEPS",
    "PALETTE",
    "STATE_MEANINGS",
    "STATE_NAMES",
    "TRACE_COLOR",
    "Layer",
    "Normalize",
    "Region",
    "class_overlay_figure",
    "confusion_matrix_figure",
    "display_step",
    "downsample_max",
    "drawing_backdrop",
    "error_distance_figure",
    "overlay_figure",
    "overlay_png",
    "side_by_side_figure",
    "with_opacity_slider",
    "with_overlay_opacity",
]
