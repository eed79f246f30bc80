"""Plotly traces and layout shared by the image figures.

Images reach the browser as palette PNGs (or a JPEG background) in the
``data:`` URI of a ``go.Image(source=...)`` trace, placed with
``x0 = y0 = (step - 1) / 2`` and ``dx = dy = step``, so axes, hover and
box/lasso selections are in full-resolution pixel coordinates (x = column,
y = row, y axis pointing down as in an image). Hover comes from a
transparent heatmap on a coarser grid whose per-cell text names the state;
two invisible corner points keep Plotly's Box and Lasso buttons (Plotly hides
them when only an image can be selected).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np
import plotly.graph_objects as go

from ..encode import data_uri, fit_within, jpeg_within, palette_png
from ..overlap import FN, FP, TN, TP
from .colours import (
    MARK_COLOR,
    PALETTE,
    STATE_MEANINGS,
    STATE_NAMES,
    VOID_INDEX,
    Layer,
    escape,
    rgb,
)
from .raster import View, as_uint8_image, display_step, downsample_max, state_boundaries


def image_trace(uri: str, row0: int, col0: int, step: int, name: str, *, smooth: bool) -> go.Image:
    """A data-URI image whose display pixel (i, j) covers image rows/cols of block (i, j)."""
    # The centre of display pixel 0 is the centre of its block: (step − 1) / 2.
    return go.Image(
        source=uri,
        x0=col0 + (step - 1) / 2,
        y0=row0 + (step - 1) / 2,
        dx=step,
        dy=step,
        zsmooth="fast" if smooth else False,
        hoverinfo="skip",
        name=name,
    )


def background_trace(background: np.ndarray, view: View, budget: int) -> go.Image:
    """Area-mean reduced JPEG of the background region, placed like the overlay."""
    data, step = jpeg_within(as_uint8_image(background[view.slices]), view.step, budget)
    uri = data_uri(data, "image/jpeg")
    return image_trace(uri, view.row0, view.col0, step, "background", smooth=True)


def fit_indices(
    indices: np.ndarray, step: int, encode: Callable[[np.ndarray], bytes], budget: int
) -> tuple[bytes, int]:
    """Encode, halving the resolution (block max again) until under ``budget`` bytes."""
    data, factor = fit_within(indices, encode, budget, shrink=lambda a: downsample_max(a, 2))
    return data, step * factor


def overlay_trace(
    confusion: np.ndarray,
    view: View,
    *,
    layers: tuple[Layer, ...],
    contour_only: bool,
    alpha: int,
    void_mask: np.ndarray | None,
    budget: int,
    smooth: bool,
) -> tuple[go.Image, np.ndarray]:
    """The overlay image of ``view``; also returns the block-max codes (true states)."""
    region = confusion[view.slices]
    full_small = downsample_max(region, view.step)
    shown = region
    if contour_only:
        # Outlines are found at full resolution on a 1-pixel margin (so the
        # region's cut edges are not mistaken for outlines), then reduced.
        rows, cols = confusion.shape
        r0, c0 = max(view.row0 - 1, 0), max(view.col0 - 1, 0)
        r1, c1 = min(view.row1 + 1, rows), min(view.col1 + 1, cols)
        edges = state_boundaries(confusion[r0:r1, c0:c1])
        h, w = view.shape
        shown = edges[view.row0 - r0 : view.row0 - r0 + h, view.col0 - c0 : view.col0 - c0 + w]
    hidden = [code for code, name in ((TP, "TP"), (FP, "FP"), (FN, "FN")) if name not in layers]
    if hidden:
        # Hidden states become TN before the block maximum, so a hidden FN
        # cannot mask a shown TP in the same block.
        lut = np.arange(256, dtype=np.uint8)
        lut[hidden] = TN
        shown = lut[shown]
    shown_small = full_small if shown is region else downsample_max(shown, view.step)
    if void_mask is not None:
        void_small = downsample_max(void_mask[view.slices], view.step)
        shown_small = np.where((shown_small == TN) & void_small, np.uint8(VOID_INDEX), shown_small)

    colours = [(0, 0, 0)] + [rgb(PALETTE[n]) for n in ("TP", "FP", "FN", "void")]
    alphas = [0] + [alpha if n in layers else 0 for n in ("TP", "FP", "FN")] + [alpha // 2]

    def encode(indices: np.ndarray) -> bytes:
        return palette_png(indices, colours, alphas)

    data, step = fit_indices(shown_small, view.step, encode, budget)
    trace = image_trace(
        data_uri(data, "image/png"), view.row0, view.col0, step, "overlay", smooth=smooth
    )
    return trace, full_small


def hover_trace(
    codes_small: np.ndarray,
    view: View,
    *,
    hover_side: int,
    reference_labels: np.ndarray | None = None,
    candidate_labels: np.ndarray | None = None,
    void: int | None = None,
) -> go.Heatmap:
    """Transparent heatmap whose hover names the (worst) state of each cell."""
    factor = display_step(codes_small.shape, hover_side)
    codes = downsample_max(codes_small, factor)
    step = view.step * factor
    names = np.array(STATE_NAMES, dtype="<U4")[codes]
    where = "" if step == 1 else f" (worst in its {step}×{step} px block)"
    # Per-cell text costs ~5 bytes a cell, still far lighter than sending
    # the full-resolution codes; the labels ride along as a typed array.
    template = "row %{y:.0f}, column %{x:.0f}<br>%{text}" + where
    customdata = None
    if reference_labels is not None and candidate_labels is not None:
        rows = np.minimum(view.row0 + np.arange(codes.shape[0]) * step + step // 2, view.row1 - 1)
        cols = np.minimum(view.col0 + np.arange(codes.shape[1]) * step + step // 2, view.col1 - 1)
        ref = np.asarray(reference_labels)[np.ix_(rows, cols)]
        cand = np.asarray(candidate_labels)[np.ix_(rows, cols)]
        if void is not None:
            names[ref == void] = "void"
        dtype = np.uint16 if max(int(ref.max()), int(cand.max())) <= 0xFFFF else np.uint32
        customdata = np.stack([ref, cand], axis=-1).astype(dtype)
        template += "<br>reference class %{customdata[0]}, candidate class %{customdata[1]}" + (
            " (at the block centre)" if step > 1 else ""
        )
    return go.Heatmap(
        z=codes,
        text=names,  # an ndarray: plotly validates it ~10× faster than a list
        customdata=customdata,
        x0=view.col0 + (step - 1) / 2,
        y0=view.row0 + (step - 1) / 2,
        dx=step,
        dy=step,
        zmin=0,
        zmax=4,
        colorscale=[[0.0, "rgba(0,0,0,0)"], [1.0, "rgba(0,0,0,0)"]],
        showscale=False,
        hovertemplate=template + "<extra></extra>",
        name="hover",
        showlegend=False,
    )


def corner_trace(view: View, xaxis: str = "x", yaxis: str = "y") -> go.Scatter:
    """Invisible points at two image corners: they bring back Box/Lasso select."""
    return go.Scatter(
        x=[view.col0 - 0.5, view.col1 - 0.5],
        y=[view.row0 - 0.5, view.row1 - 0.5],
        mode="markers",
        marker={"size": 1, "opacity": 0},
        hoverinfo="skip",
        showlegend=False,
        name="corners",
        xaxis=xaxis,
        yaxis=yaxis,
    )


def legend_traces(
    counts: Mapping[str, int], layers: tuple[Layer, ...], void_pixels: int | None = None
) -> list[go.Scatter]:
    """Legend-only entries, one per drawn state, with pixel counts."""
    traces = []
    entries = [(name, PALETTE[name], f"{name} ({STATE_MEANINGS[name]})") for name in layers]
    if void_pixels:
        entries.append(("void", PALETTE["void"], "void (ignored)"))
    for key, colour, label in entries:
        n = void_pixels if key == "void" else counts.get(key)
        text = label if n is None else f"{label} {n:,} px"
        traces.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"size": 12, "symbol": "square", "color": colour},
                name=text,
                showlegend=True,
                hoverinfo="skip",
            )
        )
    return traces


def hausdorff_traces(
    pair: tuple[tuple[float, float], tuple[float, float]], label: str | None
) -> list[go.Scatter]:
    """The Hausdorff pair as a line between two markers, over a white halo."""
    (r0, c0), (r1, c1) = ((float(p[0]), float(p[1])) for p in pair)
    distance = math.hypot(r1 - r0, c1 - c0)
    name = escape(label) if label is not None else f"Hausdorff pair ({distance:.1f} px apart)"
    halo = go.Scatter(
        x=[c0, c1],
        y=[r0, r1],
        mode="lines",
        line={"color": "#FFFFFF", "width": 5},
        hoverinfo="skip",
        showlegend=False,
        name="hausdorff halo",
    )
    line = go.Scatter(
        x=[c0, c1],
        y=[r0, r1],
        mode="lines+markers",
        line={"color": MARK_COLOR, "width": 2},
        marker={
            "size": 10,
            "symbol": ["circle", "diamond"],
            "color": MARK_COLOR,
            "line": {"color": "#FFFFFF", "width": 1.5},
        },
        customdata=["reference", "candidate"],
        hovertemplate="%{customdata} boundary point<br>row %{y}, column %{x}<extra></extra>",
        name=name,
        showlegend=True,
    )
    return [halo, line]


def bbox_shapes(bbox: tuple[int, int, int, int], xref: str = "x", yref: str = "y") -> list[dict]:
    """Half-open (min_row, min_col, max_row, max_col) → halo + line rectangles."""
    min_row, min_col, max_row, max_col = (float(v) for v in bbox)
    corners = {"x0": min_col - 0.5, "x1": max_col - 0.5, "y0": min_row - 0.5, "y1": max_row - 0.5}
    return [
        {
            "type": "rect",
            "xref": xref,
            "yref": yref,
            **corners,
            "line": {"color": "#FFFFFF", "width": 4},
        },
        {
            "type": "rect",
            "xref": xref,
            "yref": yref,
            **corners,
            "line": {"color": MARK_COLOR, "width": 2},
        },
    ]


def axis_style() -> dict:
    """Pixel axes: framed, no grid, shrunk to the image (``constrain='domain'``)."""
    return {
        "showgrid": False,
        "zeroline": False,
        "showline": True,
        "mirror": True,
        "linecolor": "#888888",
        "ticks": "outside",
        "constrain": "domain",
    }


# Room in the top margin, in CSS pixels. Plotly's modebar (toolbar) floats
# over the top right corner of a figure, so nothing but the title goes there;
# panel titles are lifted off their panel's frame line, which would otherwise
# run through the text (make_subplots puts their baseline on it).
_TOOLBAR_ROOM = 45
_TITLE_ROOM = 25
_PANEL_TITLE_SIZE = 12
_PANEL_TITLE_SHIFT = 8
_PANEL_TITLE_ROOM = _PANEL_TITLE_SHIFT + 18
# Room under the plot for the tick labels and a one-line legend; a legend that
# wraps takes more room itself (Plotly reserves it for container legends).
_BOTTOM_ROOM = 75


def image_layout(
    fig: go.Figure, view: View, title: str | None, *, panels: int = 1, stacked: bool = False
) -> None:
    """Pixel axes (y down, equal aspect), plain-text title, legend under the plot.

    The legend goes under the plot (not above it, where the modebar covers it
    once it wraps), and with several panels their titles are lifted clear of
    the panels' frames.
    """
    rows, cols = view.shape
    top = _TOOLBAR_ROOM + (_TITLE_ROOM if title else 0)
    if panels > 1:
        top += _PANEL_TITLE_ROOM
        fig.update_annotations(font_size=_PANEL_TITLE_SIZE, yshift=_PANEL_TITLE_SHIFT)
    bottom = _BOTTOM_ROOM
    # A height that fits the image's aspect at a typical page width; equal
    # aspect (scaleanchor) keeps pixels square whatever width the page gives.
    if stacked:
        # One panel's height per panel, in a column (a phone's narrow screen).
        height = int(min(2400, max(480, panels * 400 * rows / cols * 1.06 + top + bottom)))
    else:
        width = 700 / panels
        height = int(min(900, max(320, width * rows / cols + top + bottom)))
    if title:
        fig.update_layout(
            title={"text": escape(title), "x": 0, "xanchor": "left", "font": {"size": 14}}
        )
    fig.update_layout(
        height=height,
        margin={"l": 50, "r": 10, "t": top, "b": bottom},
        template="none",
        plot_bgcolor="#FFFFFF",
        paper_bgcolor="#FFFFFF",
        hovermode="closest",
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0,
            "x": 0,
            "xanchor": "left",
            # The legend only explains colours: clicking it must not hide the
            # legend marker while the image layer stays.
            "itemclick": False,
            "itemdoubleclick": False,
        },
        dragmode="zoom",
    )
    x_range = [view.col0 - 0.5, view.col1 - 0.5]
    y_range = [view.row1 - 0.5, view.row0 - 0.5]  # reversed: row 0 at the top
    for i in range(1, panels + 1):
        suffix = "" if i == 1 else str(i)
        x = {**axis_style(), "range": x_range}
        y = {**axis_style(), "range": y_range}
        if i == 1:
            y.update(scaleanchor="x", scaleratio=1)
        else:
            x.update(matches="x")
            y.update(matches="y", showticklabels=False)
        fig.update_layout({f"xaxis{suffix}": x, f"yaxis{suffix}": y})


def count_states(codes: np.ndarray) -> dict[str, int]:
    """Pixels of each state in ``codes``."""
    # count_nonzero on comparisons avoids bincount's cast of every pixel to intp.
    counts = {
        name: int(np.count_nonzero(codes == code))
        for code, name in ((TP, "TP"), (FP, "FP"), (FN, "FN"))
    }
    counts["TN"] = int(codes.size) - sum(counts.values())
    return counts


def counts_from(counts: object) -> dict[str, int]:
    """A mapping with 'TP'… keys or an object with tp/fp/fn attributes → dict."""
    if isinstance(counts, Mapping):
        return {k: int(counts[k]) for k in ("TP", "FP", "FN", "TN") if k in counts}
    out = {}
    for name in ("TP", "FP", "FN", "TN"):
        value = getattr(counts, name.lower(), None)
        if value is not None:
            out[name] = int(value)
    if not out:
        raise TypeError("counts must map 'TP', 'FP', 'FN' to pixel counts or have tp/fp/fn")
    return out
