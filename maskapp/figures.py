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
background :func:`drawing_backdrop`.

Colours (:data:`PALETTE`) are from the Okabe–Ito palette: TP bluish green
``#009E73``, FP orange ``#E69F00``, FN blue ``#0072B2``. Their smallest CIELAB
distance (ΔE) between any two is 70 with normal vision, 56 simulated for
deuteranopia, 52 for protanopia and 17 for tritanopia (Machado et al. 2009,
full severity); swapping FN for reddish purple ``#CC79A7`` would drop the
deuteranopia value to 18.

:func:`overlay_png` composes the same overlay at full size with numpy and
Pillow, for downloads that need no browser engine (no kaleido or Chrome).

Text given by a caller (titles, file names, class names) is escaped, since
Plotly renders a subset of HTML in text: ``<b>`` in a file name stays literal.
"""

from __future__ import annotations

import base64
import copy
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from .errors import MaskError
from .overlap import FN, FP, TN, TP

#: Names of the confusion codes, indexed by code (0 TN, 1 TP, 2 FP, 3 FN).
STATE_NAMES: tuple[str, ...] = ("TN", "TP", "FP", "FN")

#: Colours of the drawn states (Okabe–Ito, colour-blind safe) and of void
#: (ignored) pixels. TN is never drawn.
PALETTE: dict[str, str] = {
    "TP": "#009E73",
    "FP": "#E69F00",
    "FN": "#0072B2",
    "void": "#9E9E9E",
}

#: What each state means, for legends.
STATE_MEANINGS: dict[str, str] = {
    "TN": "in neither",
    "TP": "in both",
    "FP": "candidate only",
    "FN": "reference only",
}

#: Colours of label-map classes 1, 2, 3 … (cycled); class 0 (background) is
#: transparent. Okabe–Ito first, then Paul Tol's muted scheme.
CLASS_COLORS: tuple[str, ...] = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)

#: Colour of the Hausdorff pair and of highlight rectangles (drawn over a
#: white halo so they show on dark and light images alike).
MARK_COLOR = "#000000"

#: Colour of the masks themselves in the reference / candidate panels
#: (Okabe–Ito reddish purple: no state uses it, and it shows on photos and white).
MASK_COLOR = "#CC79A7"

#: Palette of a confusion-code PNG (index = code: 0 TN black, 1 TP, 2 FP, 3 FN),
#: e.g. for ``maskapp.io.encode_png(codes, palette=CONFUSION_PALETTE)``.
CONFUSION_PALETTE: tuple[tuple[int, int, int], ...] = (
    (0, 0, 0),
    tuple(int(PALETTE["TP"][i : i + 2], 16) for i in (1, 3, 5)),
    tuple(int(PALETTE["FP"][i : i + 2], 16) for i in (1, 3, 5)),
    tuple(int(PALETTE["FN"][i : i + 2], 16) for i in (1, 3, 5)),
)

#: Colour of the *other* mask traced on a drawing backdrop (Okabe–Ito sky blue).
TRACE_COLOR = "#56B4E9"

Layer = Literal["TP", "FP", "FN"]
Region = tuple[int, int, int, int]

_ALL_LAYERS: tuple[Layer, ...] = ("TP", "FP", "FN")
_VOID = 4  # palette index of void pixels in the overlay image (never a confusion code)

# Byte budgets (before base64, which adds a third) that keep one figure under
# 1 MB of JSON even for noise-like inputs; real masks compress far below them.
_OVERLAY_BUDGET = 280_000
_BACKGROUND_BUDGET = 200_000
_JPEG_QUALITIES = (80, 65, 50, 35)

# Typical width of a plot on a page, in CSS pixels. Browsers shrink an image
# wider than its plot by nearest-neighbour sampling when Plotly draws it
# pixelated, which drops 1-pixel lines again; such images are drawn smoothed.
_NOMINAL_WIDTH = 700


# ----------------------------------------------------------------------------
# Downsampling
# ----------------------------------------------------------------------------


def display_step(shape: tuple[int, ...], max_side: int = 1024) -> int:
    """Smallest integer block size that brings ``shape`` to at most ``max_side`` a side.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols, ...)`` of the array to show.
    max_side : int
        Largest number of display pixels along either axis.

    Returns
    -------
    int
        ``ceil(max(rows, cols) / max_side)``, at least 1. Blocks of ``step``
        × ``step`` pixels give ``ceil(rows / step)`` × ``ceil(cols / step)``
        display pixels, neither above ``max_side``.

    Examples
    --------
    >>> display_step((512, 512)), display_step((4096, 4096)), display_step((300, 2050))
    (1, 4, 3)
    """
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, not {max_side}")
    return max(1, math.ceil(max(int(shape[0]), int(shape[1])) / int(max_side)))


def downsample_max(codes: np.ndarray, step: int) -> np.ndarray:
    """Block maximum of a 2-D array over ``step`` × ``step`` blocks.

    Over confusion codes (TN 0 < TP 1 < FP 2 < FN 3) the maximum keeps the
    worst state of each block, so thin error lines survive any reduction.

    Parameters
    ----------
    codes : ndarray
        2-D array (``uint8`` codes, ``bool``, or numbers; NaN is ignored).
    step : int
        Block size, at least 1. Sizes need not divide the shape: the last
        row and column of blocks are partial.

    Returns
    -------
    ndarray
        Shape ``(ceil(rows / step), ceil(cols / step))``, same dtype. With
        ``step == 1`` the input itself is returned.

    Examples
    --------
    >>> codes = np.zeros((5, 5), np.uint8)
    >>> codes[4, 1] = 2
    >>> downsample_max(codes, 2).tolist()
    [[0, 0, 0], [0, 0, 0], [2, 0, 0]]
    """
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError(f"downsample_max needs a 2-D array, not shape {codes.shape}")
    step = int(step)
    if step < 1:
        raise ValueError(f"step must be at least 1, not {step}")
    if step == 1:
        return codes
    # fmax ignores NaN; for integers and bool it equals maximum.
    reduce = np.fmax if np.issubdtype(codes.dtype, np.floating) else np.maximum
    # Strided slices instead of reshape(...).max(axis=(1, 3)): each pass reads
    # a contiguous row band, non-divisible sizes need no padding copy, and the
    # column pass runs on an array already `step` times smaller.
    rows = codes[0::step].copy()
    for i in range(1, step):
        part = codes[i::step]
        n = part.shape[0]
        reduce(rows[:n], part, out=rows[:n])
    out = rows[:, 0::step].copy()
    for j in range(1, step):
        part = rows[:, j::step]
        n = part.shape[1]
        reduce(out[:, :n], part, out=out[:, :n])
    return out


def _state_boundaries(codes: np.ndarray) -> np.ndarray:
    """Codes kept only on pixels with a 4-neighbour of another state (image edge counts)."""
    edge = np.zeros(codes.shape, dtype=bool)
    diff = codes[1:] != codes[:-1]
    edge[1:] |= diff
    edge[:-1] |= diff
    diff = codes[:, 1:] != codes[:, :-1]
    edge[:, 1:] |= diff
    edge[:, :-1] |= diff
    # Closing outlines along the image edge keeps a region touching it outlined.
    edge[0] = edge[-1] = True
    edge[:, 0] = edge[:, -1] = True
    return codes * edge


# ----------------------------------------------------------------------------
# Views, text and colours
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _View:
    """The shown part of the image, half-open, and its display block size."""

    row0: int
    row1: int
    col0: int
    col1: int
    step: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.row1 - self.row0, self.col1 - self.col0

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.row0, self.row1), slice(self.col0, self.col1)


def _view(shape: tuple[int, int], region: Region | None, max_side: int) -> _View:
    """Clip ``region`` to ``shape`` and choose its display step."""
    rows, cols = int(shape[0]), int(shape[1])
    if region is None:
        r0, r1, c0, c1 = 0, rows, 0, cols
    else:
        if len(region) != 4:
            raise ValueError(f"region must be (row0, row1, col0, col1), not {region!r}")
        r0, r1, c0, c1 = (int(v) for v in region)
        r0, r1 = max(0, r0), min(rows, r1)
        c0, c1 = max(0, c0), min(cols, c1)
        if r1 <= r0 or c1 <= c0:
            raise ValueError(
                f"region {tuple(region)} holds no pixel of the {rows}×{cols} (rows×cols) image"
            )
    return _View(r0, r1, c0, c1, display_step((r1 - r0, c1 - c0), max_side))


def _escape(text: object) -> str:
    """User text → literal Plotly text (Plotly renders a subset of HTML)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _check_layers(layers: Sequence[str]) -> tuple[Layer, ...]:
    bad = [name for name in layers if name not in _ALL_LAYERS]
    if bad or isinstance(layers, str):
        raise ValueError(f"layers must be a sequence of 'TP', 'FP', 'FN', not {layers!r}")
    return tuple(name for name in _ALL_LAYERS if name in layers)


def _check_codes(confusion: np.ndarray) -> np.ndarray:
    confusion = np.asarray(confusion)
    if confusion.ndim != 2 or confusion.size == 0:
        raise ValueError(f"confusion must be a non-empty 2-D array, not shape {confusion.shape}")
    if confusion.dtype != np.uint8:
        if not np.issubdtype(confusion.dtype, np.integer):
            raise TypeError(f"confusion must hold integer codes, not {confusion.dtype}")
        confusion = confusion.astype(np.uint8)
    if int(confusion.max()) > FN:
        raise ValueError(
            f"confusion holds code {int(confusion.max())}; codes are 0 TN, 1 TP, 2 FP, 3 FN "
            "(see maskapp.overlap.confusion_map)"
        )
    return confusion


def _check_shape(name: str, array: np.ndarray | None, shape: tuple[int, int]) -> None:
    if array is not None and array.shape[:2] != shape:
        raise MaskError(
            f"The {name} is {array.shape[1]}×{array.shape[0]} pixels but the masks are "
            f"{shape[1]}×{shape[0]}; use the {name} that belongs to these masks."
        )


def _count_states(codes: np.ndarray) -> dict[str, int]:
    # count_nonzero on comparisons avoids bincount's cast of every pixel to intp.
    counts = {
        name: int(np.count_nonzero(codes == code))
        for code, name in ((TP, "TP"), (FP, "FP"), (FN, "FN"))
    }
    counts["TN"] = int(codes.size) - sum(counts.values())
    return counts


def _counts_from(counts: object) -> dict[str, int]:
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


# ----------------------------------------------------------------------------
# Images as data URIs
# ----------------------------------------------------------------------------


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _palette_png(
    indices: np.ndarray,
    colours: Sequence[tuple[int, int, int]],
    alphas: Sequence[int],
    *,
    compress_level: int = 6,
) -> bytes:
    """uint8 index array → palette PNG with one alpha per index (tRNS chunk)."""
    indices = np.ascontiguousarray(indices, dtype=np.uint8)
    im = Image.frombytes("P", (indices.shape[1], indices.shape[0]), indices.tobytes())
    flat = [channel for colour in colours for channel in colour]
    im.putpalette(flat + [0] * (768 - len(flat)))
    buffer = io.BytesIO()
    im.save(buffer, format="PNG", transparency=bytes(alphas), compress_level=compress_level)
    return buffer.getvalue()


def _image_trace(uri: str, row0: int, col0: int, step: int, name: str, *, smooth: bool) -> go.Image:
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


def _auto_smooth(view: _View, panels: int = 1) -> bool:
    """Smooth when the browser will shrink the image (see ``_NOMINAL_WIDTH``)."""
    rows, cols = view.shape
    return max(-(-rows // view.step), -(-cols // view.step)) > _NOMINAL_WIDTH / panels


def _fit_indices(indices: np.ndarray, step: int, encode, budget: int) -> tuple[bytes, int]:
    """Encode, halving the resolution (block max again) until under ``budget`` bytes."""
    data = encode(indices)
    while len(data) > budget and min(indices.shape) > 1:
        indices = downsample_max(indices, 2)
        step *= 2
        data = encode(indices)
    return data, step


def _as_uint8_image(background: np.ndarray) -> np.ndarray:
    """A background as uint8 grey (rows, cols) or RGB (rows, cols, 3)."""
    bg = np.asarray(background)
    if bg.ndim == 3 and bg.shape[2] in (3, 4):
        bg = bg[..., :3]
    elif bg.ndim == 3 and bg.shape[2] in (1, 2):
        bg = bg[..., 0]
    elif bg.ndim != 2:
        raise MaskError(f"The background image has shape {bg.shape}; use a grey or colour image.")
    if bg.dtype == np.uint8:
        return bg
    if bg.dtype == bool:
        return bg.view(np.uint8) * np.uint8(255)
    if np.issubdtype(bg.dtype, np.integer) and bg.dtype.itemsize == 2 and bg.min() >= 0:
        return (bg >> 8).astype(np.uint8)
    # Anything else (floats, wide integers) is stretched from its own range.
    bg = bg.astype(np.float32)
    finite = np.isfinite(bg)
    lo, hi = (float(bg[finite].min()), float(bg[finite].max())) if finite.any() else (0.0, 1.0)
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    out = np.where(finite, (bg - lo) * scale, 0.0)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _background_trace(background: np.ndarray, view: _View, budget: int) -> go.Image:
    """Area-mean reduced JPEG of the background region, placed like the overlay."""
    bg = _as_uint8_image(background[view.slices])
    image = Image.fromarray(np.ascontiguousarray(bg))
    step = view.step
    reduced = image.reduce(step) if step > 1 else image
    while True:
        for quality in _JPEG_QUALITIES:
            buffer = io.BytesIO()
            reduced.save(buffer, format="JPEG", quality=quality)
            if buffer.tell() <= budget:
                uri = _data_uri(buffer.getvalue(), "image/jpeg")
                return _image_trace(uri, view.row0, view.col0, step, "background", smooth=True)
        step *= 2
        reduced = image.reduce(step)


# ----------------------------------------------------------------------------
# Traces shared by the image figures
# ----------------------------------------------------------------------------


def _overlay_trace(
    confusion: np.ndarray,
    view: _View,
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
        edges = _state_boundaries(confusion[r0:r1, c0:c1])
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
        shown_small = np.where((shown_small == TN) & void_small, np.uint8(_VOID), shown_small)

    colours = [(0, 0, 0)] + [_rgb(PALETTE[n]) for n in ("TP", "FP", "FN", "void")]
    alphas = [0] + [alpha if n in layers else 0 for n in ("TP", "FP", "FN")] + [alpha // 2]

    def encode(indices: np.ndarray) -> bytes:
        return _palette_png(indices, colours, alphas)

    data, step = _fit_indices(shown_small, view.step, encode, budget)
    trace = _image_trace(
        _data_uri(data, "image/png"), view.row0, view.col0, step, "overlay", smooth=smooth
    )
    return trace, full_small


def _hover_trace(
    codes_small: np.ndarray,
    view: _View,
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


def _corner_trace(view: _View, xaxis: str = "x", yaxis: str = "y") -> go.Scatter:
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


def _legend_traces(
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


def _hausdorff_traces(pair, label: str | None) -> list[go.Scatter]:
    (r0, c0), (r1, c1) = ((float(p[0]), float(p[1])) for p in pair)
    distance = math.hypot(r1 - r0, c1 - c0)
    name = _escape(label) if label is not None else f"Hausdorff pair ({distance:.1f} px apart)"
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


def _bbox_shapes(bbox, xref: str = "x", yref: str = "y") -> list[dict]:
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


def _axis_style() -> dict:
    return {
        "showgrid": False,
        "zeroline": False,
        "showline": True,
        "mirror": True,
        "linecolor": "#888888",
        "ticks": "outside",
        "constrain": "domain",
    }


def _image_layout(fig: go.Figure, view: _View, title: str | None, *, panels: int = 1) -> None:
    """Pixel axes (y down, equal aspect), compact margins, plain-text title, legend on top."""
    rows, cols = view.shape
    # A height that fits the image's aspect at a typical page width; equal
    # aspect (scaleanchor) keeps pixels square whatever width the page gives.
    width = 700 / panels
    height = int(min(900, max(320, width * rows / cols + 120)))
    top = 70 if title else 45
    # One panel: legend between the title and the plot. Three panels: their
    # titles take that place, so the legend goes under the plots.
    legend_place = (
        {"yanchor": "bottom", "y": 1.02}
        if panels == 1
        else {"yref": "container", "yanchor": "bottom", "y": 0.0}
    )
    bottom = 40 if panels == 1 else 75
    if title:
        fig.update_layout(
            title={"text": _escape(title), "x": 0, "xanchor": "left", "font": {"size": 14}}
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
            **legend_place,
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
        x = {**_axis_style(), "range": x_range}
        y = {**_axis_style(), "range": y_range}
        if i == 1:
            y.update(scaleanchor="x", scaleratio=1)
        else:
            x.update(matches="x")
            y.update(matches="y", showticklabels=False)
        fig.update_layout({f"xaxis{suffix}": x, f"yaxis{suffix}": y})


# ----------------------------------------------------------------------------
# Public figure builders
# ----------------------------------------------------------------------------


def overlay_figure(
    confusion: np.ndarray,
    *,
    background: np.ndarray | None = None,
    opacity: float = 0.6,
    layers: Sequence[Layer] = _ALL_LAYERS,
    contour_only: bool = False,
    max_side: int = 1024,
    region: Region | None = None,
    hausdorff_pair: tuple[tuple[float, float], tuple[float, float]] | None = None,
    hausdorff_label: str | None = None,
    counts: Mapping[str, int] | object | None = None,
    reference_labels: np.ndarray | None = None,
    candidate_labels: np.ndarray | None = None,
    void: int | None = 255,
    void_mask: np.ndarray | None = None,
    highlight_bbox: tuple[int, int, int, int] | None = None,
    hover_side: int = 192,
    smooth: bool | None = None,
    title: str | None = None,
) -> go.Figure:
    """TP / FP / FN overlay of a confusion map, optionally over a background image.

    Parameters
    ----------
    confusion : ndarray
        2-D ``uint8`` codes from :func:`maskapp.overlap.confusion_map`
        (0 TN, 1 TP, 2 FP, 3 FN).
    background : ndarray, optional
        Grey ``(rows, cols)`` or colour ``(rows, cols, 3|4)`` image of the same
        size, shown underneath (area-mean reduced, JPEG). ``uint8`` is shown as
        is; bool, 16-bit and float images are scaled to 0–255.
    opacity : float
        Alpha of the state colours over the background. Without a background
        the colours are opaque (pale colours on white would lose contrast).
    layers : sequence of {'TP', 'FP', 'FN'}
        States to draw; TN is never drawn.
    contour_only : bool
        Draw only the outline of each state region: pixels with a 4-neighbour
        of another state, found at full resolution and then block-max reduced,
        so the 1-pixel outlines survive.
    max_side : int
        Most display pixels along either side (the image is reduced by an
        integer block maximum until it fits).
    region : (row0, row1, col0, col1), optional
        Show only this half-open region (clipped to the image), at full
        detail when it fits ``max_side``; axes keep image coordinates.
    hausdorff_pair : ((row, col), (row, col)), optional
        The reference and candidate boundary points that realise the
        Hausdorff distance, drawn as a line with two markers and named in the
        legend.
    hausdorff_label : str, optional
        Legend text of the pair (default: their distance in pixels).
    counts : mapping or object, optional
        Pixel counts for the legend: a mapping with keys 'TP', 'FP', 'FN'
        or an object with ``tp``, ``fp``, ``fn`` attributes (e.g.
        ``Comparison.overlap``). Default: counted in the shown region.
    reference_labels, candidate_labels : ndarray, optional
        Label maps of the same size; the hover then names both classes (at
        the centre of each hover cell).
    void : int or None
        Void label of ``reference_labels``; hover says "void" there.
    void_mask : ndarray of bool, optional
        Ignored pixels, shown in grey where the state is TN.
    highlight_bbox : (min_row, min_col, max_row, max_col), optional
        Half-open bounding box (as in ``OverlapStatistics``) drawn as a
        rectangle around a selected object or class.
    hover_side : int
        Most hover cells along either side; each cell reports the worst state
        of its block.
    smooth : bool, optional
        Let the browser smooth the overlay when it scales it. Default: only
        when the image has more display pixels than a typical plot is wide
        (700 px), since pixelated shrinking would drop 1-pixel lines; smaller
        images stay crisp when zoomed.
    title : str, optional
        Plain text (escaped: file names are never read as HTML).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: background image (if any), overlay image, hover heatmap,
        Hausdorff pair (if any), two invisible corner points, legend entries.
        Its JSON is under 1 MB at any input size.

    Examples
    --------
    >>> from maskapp.overlap import confusion_map
    >>> codes = confusion_map([[1, 1, 0], [0, 0, 0]], [[1, 0, 1], [0, 0, 0]])
    >>> fig = overlay_figure(codes)
    >>> [t.name for t in fig.data if t.type == "scatter" and t.showlegend]
    ['TP (in both) 1 px', 'FP (candidate only) 1 px', 'FN (reference only) 1 px']
    """
    confusion = _check_codes(confusion)
    shape = confusion.shape
    layers = _check_layers(layers)
    for name, array in (
        ("background image", background),
        ("reference label map", reference_labels),
        ("candidate label map", candidate_labels),
        ("void mask", void_mask),
    ):
        _check_shape(name, None if array is None else np.asarray(array), shape)
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must be within [0, 1], not {opacity}")
    view = _view(shape, region, max_side)

    traces: list = []
    budget = _OVERLAY_BUDGET
    if background is not None:
        traces.append(_background_trace(np.asarray(background), view, _BACKGROUND_BUDGET))
    overlay, codes_small = _overlay_trace(
        confusion,
        view,
        layers=layers,
        contour_only=contour_only,
        alpha=255,
        void_mask=None if void_mask is None else np.asarray(void_mask, dtype=bool),
        budget=budget,
        smooth=_auto_smooth(view) if smooth is None else smooth,
    )
    # Opacity is the trace's, not baked into the PNG, so that a new opacity needs
    # no new image (see with_overlay_opacity).
    overlay.opacity = opacity if background is not None else 1.0
    traces.append(overlay)
    traces.append(
        _hover_trace(
            codes_small,
            view,
            hover_side=hover_side,
            reference_labels=reference_labels,
            candidate_labels=candidate_labels,
            void=void,
        )
    )
    if hausdorff_pair is not None:
        traces.extend(_hausdorff_traces(hausdorff_pair, hausdorff_label))
    traces.append(_corner_trace(view))
    shown_counts = (
        _counts_from(counts) if counts is not None else _count_states(confusion[view.slices])
    )
    void_pixels = None
    if void_mask is not None:
        void_pixels = int(np.count_nonzero(np.asarray(void_mask, dtype=bool)[view.slices]))
    traces.extend(_legend_traces(shown_counts, layers, void_pixels))

    fig = go.Figure(data=traces)
    _image_layout(fig, view, title)
    if highlight_bbox is not None:
        for shape_ in _bbox_shapes(highlight_bbox):
            fig.add_shape(shape_)
    return fig


def with_overlay_opacity(figure: go.Figure, opacity: float) -> go.Figure:
    """A copy of an :func:`overlay_figure` shown at another opacity.

    Cheap whatever the mask size: only the overlay trace's ``opacity`` changes,
    the images are shared. Without a background the colours stay opaque, as in
    :func:`overlay_figure`.

    Examples
    --------
    >>> from maskapp.overlap import confusion_map
    >>> codes = confusion_map([[1, 1], [0, 0]], [[1, 0], [1, 0]])
    >>> fig = overlay_figure(codes, background=np.zeros((2, 2), np.uint8), opacity=1.0)
    >>> [t.opacity for t in with_overlay_opacity(fig, 0.3).data if t.name == "overlay"]
    [0.3]
    """
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must be within [0, 1], not {opacity}")
    names = {trace.name for trace in figure.data}
    out = copy.copy(figure)
    if "background" in names:
        out.update_traces(opacity=opacity, selector={"name": "overlay"})
    return out


def class_overlay_figure(
    reference_labels: np.ndarray,
    candidate_labels: np.ndarray,
    *,
    label: int,
    void: int | None = 255,
    class_name: str | None = None,
    background: np.ndarray | None = None,
    opacity: float = 0.6,
    layers: Sequence[Layer] = _ALL_LAYERS,
    contour_only: bool = False,
    max_side: int = 1024,
    region: Region | None = None,
    highlight_bbox: tuple[int, int, int, int] | None = None,
    smooth: bool | None = None,
    title: str | None = None,
) -> go.Figure:
    """TP / FP / FN of one class of two label maps.

    A pixel is TP when both maps say ``label``, FP when only the candidate
    does, FN when only the reference does. Pixels whose *reference* label is
    ``void`` are ignored (the PASCAL VOC rule): they count as nothing and are
    shown in grey.

    Parameters
    ----------
    reference_labels, candidate_labels : ndarray
        2-D integer label maps of the same size.
    label : int
        The class to highlight.
    void : int or None
        Void label of the reference (default 255); None for no void.
    class_name : str, optional
        Name shown in the default title (escaped).
    title : str, optional
        Overrides the default title ``"Class <label>"``.

    Other parameters are those of :func:`overlay_figure`.

    Examples
    --------
    >>> ref = np.array([[1, 1, 255], [0, 2, 2]])
    >>> cand = np.array([[1, 2, 1], [1, 2, 0]])
    >>> fig = class_overlay_figure(ref, cand, label=1)
    >>> for t in fig.data:
    ...     if t.type == "scatter" and t.showlegend:
    ...         print(t.name)
    TP (in both) 1 px
    FP (candidate only) 1 px
    FN (reference only) 1 px
    void (ignored) 1 px
    """
    reference_labels = np.asarray(reference_labels)
    candidate_labels = np.asarray(candidate_labels)
    if reference_labels.shape != candidate_labels.shape:
        raise MaskError(
            f"The label maps differ in size: {reference_labels.shape[1]}×"
            f"{reference_labels.shape[0]} (reference) vs {candidate_labels.shape[1]}×"
            f"{candidate_labels.shape[0]} (candidate) pixels; use maps of the same size."
        )
    in_ref = reference_labels == label
    in_cand = candidate_labels == label
    # index = 2·candidate + reference → TN, FN, FP, TP (as in confusion_map).
    index = in_cand.view(np.uint8) << 1
    index |= in_ref.view(np.uint8)
    codes = np.array([TN, FN, FP, TP], dtype=np.uint8)[index]
    void_mask = None
    if void is not None and void != label:
        void_mask = reference_labels == void
        if void_mask.any():
            codes[void_mask] = TN
        else:
            void_mask = None
    if title is None:
        title = f"Class {label}" + (f" ({class_name})" if class_name else "")
    return overlay_figure(
        codes,
        background=background,
        opacity=opacity,
        layers=layers,
        contour_only=contour_only,
        max_side=max_side,
        region=region,
        reference_labels=reference_labels,
        candidate_labels=candidate_labels,
        void=void,
        void_mask=void_mask,
        highlight_bbox=highlight_bbox,
        smooth=smooth,
        title=title,
    )


def _mask_indices(
    mask: np.ndarray, view: _View, kind: str, void: int | None
) -> tuple[np.ndarray, list[tuple[int, int, int]], list[int]]:
    """A binary mask or label map of ``view`` → display indices, colours, alphas."""
    region = mask[view.slices]
    if kind == "binary":
        small = downsample_max(region != 0, view.step).view(np.uint8)
        return small, [(0, 0, 0), _rgb(MASK_COLOR)], [0, 255]
    # Labels are not ordered, so a block maximum would favour high ids:
    # sample the block centres instead.
    s = view.step
    small = region[s // 2 :: s, s // 2 :: s]
    if small.shape != (math.ceil(region.shape[0] / s), math.ceil(region.shape[1] / s)):
        rows = np.minimum(np.arange(0, region.shape[0], s) + s // 2, region.shape[0] - 1)
        cols = np.minimum(np.arange(0, region.shape[1], s) + s // 2, region.shape[1] - 1)
        small = region[np.ix_(rows, cols)]
    classes, inverse = np.unique(small, return_inverse=True)
    if len(classes) > 255:
        # More classes than a palette holds: colours cycle anyway, so fold ids.
        keep = (small == 0) | (small == void) if void is not None else small == 0
        folded = np.where(keep, small, (small.astype(np.int64) - 1) % len(CLASS_COLORS) + 1)
        classes, inverse = np.unique(folded, return_inverse=True)
    colours, alphas = [], []
    for c in classes.tolist():
        if c == 0:
            colours.append((0, 0, 0))
            alphas.append(0)
        elif void is not None and c == void:
            colours.append(_rgb(PALETTE["void"]))
            alphas.append(255)
        else:
            colours.append(_rgb(CLASS_COLORS[(int(c) - 1) % len(CLASS_COLORS)]))
            alphas.append(255)
    return inverse.reshape(small.shape).astype(np.uint8), colours, alphas


def side_by_side_figure(
    reference: np.ndarray,
    candidate: np.ndarray,
    confusion: np.ndarray,
    *,
    background: np.ndarray | None = None,
    max_side: int = 768,
    kind: Literal["binary", "labels"] = "binary",
    void: int | None = 255,
    opacity: float = 0.6,
    layers: Sequence[Layer] = _ALL_LAYERS,
    contour_only: bool = False,
    region: Region | None = None,
    counts: Mapping[str, int] | object | None = None,
    names: tuple[str, str, str] = ("Reference", "Candidate", "Overlay"),
    smooth: bool | None = None,
    title: str | None = None,
) -> go.Figure:
    """Three linked panels: reference | candidate | overlay.

    Zooming or panning one panel moves the others (their x and y axes are
    matched). Masks and the overlay are placed as in :func:`overlay_figure`,
    in full-resolution pixel coordinates.

    Parameters
    ----------
    reference, candidate : ndarray
        Binary masks (nonzero is foreground) or, with ``kind='labels'``,
        label maps (class colours from :data:`CLASS_COLORS`, 0 transparent,
        ``void`` grey).
    confusion : ndarray
        Their confusion codes (0 TN, 1 TP, 2 FP, 3 FN).
    kind : {'binary', 'labels'}
        How to draw the two masks. Binary masks are block-max reduced (thin
        parts survive); label maps are sampled at block centres.
    names : tuple of str
        Panel titles (escaped), e.g. the two file names.
    max_side : int
        Most display pixels per side in each panel (default 768, so three
        panels stay under 1 MB together).

    Other parameters are those of :func:`overlay_figure`.

    Examples
    --------
    >>> ref = np.array([[1, 1], [0, 0]], bool)
    >>> cand = np.array([[1, 0], [1, 0]], bool)
    >>> from maskapp.overlap import confusion_map
    >>> fig = side_by_side_figure(ref, cand, confusion_map(ref, cand))
    >>> fig.layout.xaxis2.matches, fig.layout.yaxis3.matches
    ('x', 'y')
    """
    if kind not in ("binary", "labels"):
        raise ValueError(f"kind must be 'binary' or 'labels', not {kind!r}")
    confusion = _check_codes(confusion)
    reference, candidate = np.asarray(reference), np.asarray(candidate)
    shape = confusion.shape
    for name, array in (
        ("reference", reference),
        ("candidate", candidate),
        ("background image", background),
    ):
        _check_shape(name, None if array is None else np.asarray(array), shape)
    layers = _check_layers(layers)
    view = _view(shape, region, max_side)
    alpha = round(255 * opacity) if background is not None else 255
    smooth = _auto_smooth(view, panels=3) if smooth is None else smooth

    fig = make_subplots(
        rows=1,
        cols=3,
        shared_xaxes="all",
        shared_yaxes="all",
        horizontal_spacing=0.02,
        subplot_titles=[_escape(n) for n in names],
    )
    # Three panels share the 1 MB: smaller budgets per image.
    bg_trace = None
    if background is not None:
        bg_trace = _background_trace(np.asarray(background), view, _BACKGROUND_BUDGET // 3)
    for col, mask in ((1, reference), (2, candidate)):
        if bg_trace is not None:
            fig.add_trace(bg_trace, row=1, col=col)
        indices, colours, alphas = _mask_indices(mask, view, kind, void)
        if background is not None:
            alphas = [min(a, alpha) for a in alphas]

        def encode(ix: np.ndarray, colours=colours, alphas=alphas) -> bytes:
            return _palette_png(ix, colours, alphas)

        data, step = _fit_indices(indices, view.step, encode, _OVERLAY_BUDGET // 3)
        fig.add_trace(
            _image_trace(
                _data_uri(data, "image/png"),
                view.row0,
                view.col0,
                step,
                _escape(names[col - 1]),
                smooth=smooth,
            ),
            row=1,
            col=col,
        )
    if bg_trace is not None:
        fig.add_trace(bg_trace, row=1, col=3)
    overlay, codes_small = _overlay_trace(
        confusion,
        view,
        layers=layers,
        contour_only=contour_only,
        alpha=alpha,
        void_mask=None,
        budget=_OVERLAY_BUDGET // 3,
        smooth=smooth,
    )
    fig.add_trace(overlay, row=1, col=3)
    labels = kind == "labels"
    fig.add_trace(
        _hover_trace(
            codes_small,
            view,
            hover_side=128,
            reference_labels=reference if labels else None,
            candidate_labels=candidate if labels else None,
            void=void,
        ),
        row=1,
        col=3,
    )
    for col in (1, 2, 3):
        axis = "" if col == 1 else str(col)
        fig.add_trace(_corner_trace(view, f"x{axis}", f"y{axis}"), row=1, col=col)
    shown_counts = (
        _counts_from(counts) if counts is not None else _count_states(confusion[view.slices])
    )
    for trace in _legend_traces(shown_counts, layers):
        fig.add_trace(trace, row=1, col=3)
    _image_layout(fig, view, title, panels=3)
    fig.update_annotations(font_size=12)
    return fig


def error_distance_figure(
    distance_map: np.ndarray,
    *,
    max_side: int = 1024,
    background: np.ndarray | None = None,
    region: Region | None = None,
    unit: str = "px",
    hover_side: int = 192,
    title: str | None = None,
) -> go.Figure:
    """Error pixels coloured by their distance to the other mask.

    Parameters
    ----------
    distance_map : ndarray
        2-D float array: on each FP / FN pixel, its distance to the nearest
        pixel of the other mask (positive); 0 or NaN on every other pixel,
        which stays transparent. ``inf`` marks errors with nothing to measure
        against (one mask empty).
    max_side : int
        Most display pixels per side; each display pixel shows the largest
        distance of its block.
    background : ndarray, optional
        Image shown underneath, as in :func:`overlay_figure`.
    region : (row0, row1, col0, col1), optional
        Show only this half-open region.
    unit : str
        Unit of the distances, for the colour bar and hover.
    title : str, optional
        Plain text (escaped). When every error distance is infinite the
        title says so and errors are drawn in one colour without a colour bar.

    Returns
    -------
    plotly.graph_objects.Figure
        Colour scale *cividis* (readable with colour-vision deficiencies),
        from 0 to the largest finite distance shown.

    Examples
    --------
    >>> d = np.zeros((3, 4))
    >>> d[0, 0], d[2, 3] = 1.0, 2.5
    >>> fig = error_distance_figure(d)
    >>> fig.data[-1].marker.cmax
    2.5
    """
    distance_map = np.asarray(distance_map)
    if distance_map.ndim != 2 or distance_map.size == 0:
        raise ValueError(f"distance_map must be a non-empty 2-D array, not {distance_map.shape}")
    shape = distance_map.shape
    _check_shape("background image", None if background is None else np.asarray(background), shape)
    view = _view(shape, region, max_side)
    region_d = distance_map[view.slices]
    # Reduce first (NaN-ignoring maximum), then colour the small array: no
    # full-size float temporaries beyond the caller's own map.
    small = downsample_max(region_d, view.step).astype(np.float64, copy=False)
    small = np.where(np.isnan(small) | (small < 0), 0.0, small)
    finite = np.isfinite(small)
    errors = small > 0
    vmax = float(small[finite & errors].max()) if (finite & errors).any() else 0.0
    all_infinite = bool(errors.any()) and vmax == 0.0
    # Index 0 transparent, 1–255 the colour scale (inf → 255, the top).
    scaled = np.where(finite, small / vmax if vmax > 0 else 1.0, 1.0)
    indices = np.where(errors, 1 + np.round(np.clip(scaled, 0, 1) * 254), 0).astype(np.uint8)
    colours = [(0, 0, 0), *_cividis(255)]
    alphas = [0] + [255] * 255

    def encode(ix: np.ndarray) -> bytes:
        return _palette_png(ix, colours, alphas)

    traces: list = []
    if background is not None:
        traces.append(_background_trace(np.asarray(background), view, _BACKGROUND_BUDGET))
    data, step = _fit_indices(indices, view.step, encode, _OVERLAY_BUDGET)
    traces.append(
        _image_trace(
            _data_uri(data, "image/png"),
            view.row0,
            view.col0,
            step,
            "distance",
            smooth=_auto_smooth(view),
        )
    )
    factor = display_step(small.shape, hover_side)
    hover = downsample_max(small, factor)
    hover_step = view.step * factor
    shown = np.where(np.isfinite(hover), hover, -1.0).astype(np.float32)
    unit_text = _escape(unit)
    where = "" if hover_step == 1 else f" (largest in its {hover_step}×{hover_step} px block)"
    traces.append(
        go.Heatmap(
            z=shown,
            x0=view.col0 + (hover_step - 1) / 2,
            y0=view.row0 + (hover_step - 1) / 2,
            dx=hover_step,
            dy=hover_step,
            colorscale=[[0.0, "rgba(0,0,0,0)"], [1.0, "rgba(0,0,0,0)"]],
            showscale=False,
            hovertemplate=(
                "row %{y:.0f}, column %{x:.0f}<br>error distance %{z:.2f} "
                + unit_text
                + where
                + "<extra></extra>"
                if not all_infinite
                else "row %{y:.0f}, column %{x:.0f}<extra></extra>"
            ),
            name="hover",
            showlegend=False,
        )
    )
    traces.append(_corner_trace(view))
    if not all_infinite:
        # A legend-less marker trace carries the colour bar.
        traces.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={
                    "color": [0.0, vmax],
                    "cmin": 0.0,
                    "cmax": vmax,
                    "colorscale": "cividis",
                    "showscale": True,
                    "colorbar": {"title": {"text": f"distance ({unit_text})"}, "thickness": 14},
                },
                hoverinfo="skip",
                showlegend=False,
                name="colour bar",
            )
        )
    if title is None:
        title = "Error distance to the other mask"
    if all_infinite:
        title = f"{title} — infinite: one mask is empty, so there is nothing to measure"
    elif not errors.any():
        title = f"{title} — no errors"
    fig = go.Figure(data=traces)
    _image_layout(fig, view, title)
    return fig


def _cividis(n: int) -> list[tuple[int, int, int]]:
    """``n`` colours along Plotly's cividis scale, interpolated in RGB."""
    from plotly.colors import sequential

    stops = [_rgb(c) if c.startswith("#") else _parse_rgb(c) for c in sequential.Cividis]
    positions = np.linspace(0, 1, len(stops))
    t = np.linspace(0, 1, n)
    channels = [np.interp(t, positions, [s[k] for s in stops]) for k in range(3)]
    return [tuple(round(float(c[i])) for c in channels) for i in range(n)]


def _parse_rgb(text: str) -> tuple[int, int, int]:
    values = text[text.index("(") + 1 : text.index(")")].split(",")
    return tuple(int(float(v)) for v in values[:3])  # type: ignore[return-value]


Normalize = Literal["reference", "candidate", "all"]


def confusion_matrix_figure(
    matrix: np.ndarray,
    labels: Sequence[int],
    *,
    names: Mapping[int, str] | Sequence[str] | None = None,
    normalize: Normalize | None = None,
    max_classes: int = 40,
    title: str | None = None,
) -> go.Figure:
    """Class confusion matrix as a heatmap: reference rows, candidate columns.

    Parameters
    ----------
    matrix : ndarray
        ``(n, n)`` pixel counts; ``matrix[i, j]`` = pixels of reference class
        ``labels[i]`` labelled ``labels[j]`` by the candidate.
    labels : sequence of int
        Class ids of the rows and columns.
    names : mapping or sequence of str, optional
        Class names (by id, or in ``labels`` order), escaped.
    normalize : {'reference', 'candidate', 'all'}, optional
        Colour by row fractions (recall of each reference class), column
        fractions (precision of each candidate class) or fractions of all
        pixels; None colours by counts. Cells always show the count; an empty
        row or column gives fractions of 0.
    max_classes : int
        With more classes, only the ``max_classes`` largest (by reference +
        candidate pixels) are shown, and the title says so.
    title : str, optional
        Plain text (escaped).

    Examples
    --------
    >>> fig = confusion_matrix_figure(np.array([[5, 1], [0, 4]]), [0, 1], normalize="reference")
    >>> fig.data[0].z.tolist()
    [[0.8333333333333334, 0.16666666666666666], [0.0, 1.0]]
    """
    matrix = np.asarray(matrix)
    labels = [int(v) for v in labels]
    n = len(labels)
    if matrix.shape != (n, n):
        raise ValueError(f"matrix must be {n}×{n} for {n} labels, not {matrix.shape}")
    if normalize not in (None, "reference", "candidate", "all"):
        raise ValueError(
            f"normalize must be None, 'reference', 'candidate' or 'all', not {normalize!r}"
        )
    if names is None:
        text_names = [str(v) for v in labels]
    elif isinstance(names, Mapping):
        text_names = [f"{v} {names[v]}" if v in names else str(v) for v in labels]
    else:
        if len(names) != n:
            raise ValueError(f"names has {len(names)} entries for {n} labels")
        text_names = [str(s) for s in names]
    note = ""
    keep = np.arange(n)
    if n > max_classes:
        size = matrix.sum(axis=1) + matrix.sum(axis=0)
        keep = np.sort(np.argsort(-size, kind="stable")[:max_classes])
        note = f" (the {max_classes} largest of {n} classes)"
    counts = matrix[np.ix_(keep, keep)].astype(np.float64)
    full = matrix.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalize == "reference":
            z = counts / full.sum(axis=1)[keep][:, None]
        elif normalize == "candidate":
            z = counts / full.sum(axis=0)[keep][None, :]
        elif normalize == "all":
            z = counts / full.sum()
        else:
            z = counts
    z = np.nan_to_num(z, nan=0.0, posinf=0.0)
    # Names are unique categories even when two classes share a name.
    axis_names = [_escape(text_names[i]) for i in keep]
    seen: dict[str, int] = {}
    for i, name in enumerate(axis_names):
        if name in seen:
            axis_names[i] = f"{name} [{labels[keep[i]]}]"
        seen[name] = i
    cell_text = [[f"{int(v):,}" for v in row] for row in counts]
    show_text = len(keep) <= 20
    colour_title = {
        None: "pixels",
        "reference": "share of reference class",
        "candidate": "share of candidate class",
        "all": "share of all pixels",
    }[normalize]
    heatmap = go.Heatmap(
        z=z,
        x=axis_names,
        y=axis_names,
        text=cell_text,
        texttemplate="%{text}" if show_text else None,
        colorscale="Blues",
        zmin=0,
        zmax=1 if normalize else None,
        colorbar={"title": {"text": colour_title}, "thickness": 14},
        hovertemplate=(
            "reference %{y}<br>candidate %{x}<br>%{text} px"
            + ("<br>%{z:.1%}" if normalize else "")
            + "<extra></extra>"
        ),
        xgap=1,
        ygap=1,
    )
    fig = go.Figure(heatmap)
    size = int(min(900, max(320, 60 + 28 * len(keep))))
    fig.update_layout(
        title={"text": _escape(title or "Confusion matrix") + note, "x": 0, "font": {"size": 14}},
        template="none",
        height=size + 80,
        margin={"l": 90, "r": 10, "t": 60, "b": 80},
        xaxis={
            "title": {"text": "candidate class"},
            "type": "category",
            "side": "bottom",
            "showgrid": False,
            "constrain": "domain",
        },
        yaxis={
            "title": {"text": "reference class"},
            "type": "category",
            "autorange": "reversed",
            "showgrid": False,
            "scaleanchor": "x",
            "constrain": "domain",
        },
    )
    return fig


# ----------------------------------------------------------------------------
# Full-size PNG for downloads
# ----------------------------------------------------------------------------


def overlay_png(
    confusion: np.ndarray,
    *,
    background: np.ndarray | None = None,
    opacity: float = 0.6,
    layers: Sequence[Layer] = _ALL_LAYERS,
    contour_only: bool = False,
) -> bytes:
    """The overlay at full input size as PNG bytes (numpy + Pillow, no browser).

    Parameters
    ----------
    confusion : ndarray
        2-D ``uint8`` confusion codes (0 TN, 1 TP, 2 FP, 3 FN).
    background : ndarray, optional
        Grey or colour image of the same size. With it, the result is an RGB
        PNG in which each shown state is blended over the image with
        ``opacity``; without it, a palette PNG whose TN and hidden pixels are
        transparent and whose states are opaque (indices = codes, so the file
        stays machine-readable).
    opacity, layers, contour_only
        As in :func:`overlay_figure`.

    Returns
    -------
    bytes
        A PNG of exactly the input size.

    Examples
    --------
    >>> png = overlay_png(np.array([[0, 1], [2, 3]], np.uint8))
    >>> im = Image.open(io.BytesIO(png)).convert("RGBA")
    >>> im.size, im.getpixel((1, 0))
    ((2, 2), (0, 158, 115, 255))
    """
    codes = _check_codes(confusion)
    layers = _check_layers(layers)
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must be within [0, 1], not {opacity}")
    if contour_only:
        codes = _state_boundaries(codes)
    shown = [code for code, name in ((TP, "TP"), (FP, "FP"), (FN, "FN")) if name in layers]
    if background is None:
        colours = [(0, 0, 0)] + [_rgb(PALETTE[n]) for n in ("TP", "FP", "FN")]
        alphas = [0] + [255 if code in shown else 0 for code in (TP, FP, FN)]
        return _palette_png(codes, colours, alphas, compress_level=6)
    _check_shape("background image", np.asarray(background), codes.shape)
    bg = _as_uint8_image(background)
    a = round(255 * opacity)
    # One lookup per channel, indexed by (code << 8) | background value,
    # replaces float blending of every pixel: no full-size float temporaries.
    # (Fancy indexing here is several times faster than np.take.)
    index = codes.astype(np.uint16)
    index <<= 8
    value = np.arange(256, dtype=np.uint32)
    channels = []
    grey_index = np.bitwise_or(index, bg, dtype=np.uint16) if bg.ndim == 2 else None
    for k in range(3):
        table = np.tile(np.arange(256, dtype=np.uint8), 4)
        for code in shown:
            target = _rgb(PALETTE[STATE_NAMES[code]])[k]
            table[code * 256 : (code + 1) * 256] = (value * (255 - a) + target * a + 127) // 255
        lookup = grey_index if grey_index is not None else np.bitwise_or(index, bg[..., k])
        channels.append(Image.fromarray(table[lookup]))
    out = Image.merge("RGB", channels)
    buffer = io.BytesIO()
    # Level 3 keeps an 8192² download to a few seconds; level 6 buys little on photos.
    out.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


# ----------------------------------------------------------------------------
# Drawing canvas background
# ----------------------------------------------------------------------------


def _coverage(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Share of each canvas pixel a mask covers, 0–255 (area average: thin parts stay)."""
    image = Image.fromarray(np.asarray(mask, dtype=bool).view(np.uint8) * np.uint8(255))
    return np.asarray(image.resize(size, Image.Resampling.BOX))


def drawing_backdrop(
    shape: tuple[int, int],
    *,
    size: tuple[int, int],
    background: np.ndarray | None = None,
    base: np.ndarray | None = None,
    other: np.ndarray | None = None,
    opacity: float = 0.5,
) -> Image.Image:
    """Background picture for a drawing canvas: photo, the mask being edited, a mask to trace.

    Parameters
    ----------
    shape : (rows, cols)
        Size of the masks.
    size : (width, height)
        Canvas size in pixels (Pillow's order), e.g. from
        ``maskapp.drawing.canvas_size``; every layer is scaled to it.
    background : ndarray, optional
        Photo of ``shape`` (grey or colour); white when absent.
    base : ndarray of bool, optional
        The mask being edited, filled with :data:`MASK_COLOR` at ``opacity``
        (area-averaged, so thin parts stay visible when shrunk).
    other : ndarray of bool, optional
        Another mask to trace over: a light fill and a 1-pixel outline in
        :data:`TRACE_COLOR`.
    opacity : float
        Alpha of the ``base`` fill.

    Returns
    -------
    PIL.Image.Image
        RGB image of ``size``.

    Examples
    --------
    >>> base = np.zeros((40, 60), bool)
    >>> base[10:20, 10:30] = True
    >>> drawing_backdrop((40, 60), size=(30, 20), base=base).size
    (30, 20)
    """
    rows, cols = int(shape[0]), int(shape[1])
    width, height = int(size[0]), int(size[1])
    if width < 1 or height < 1:
        raise ValueError(f"size must be a positive (width, height), not {size!r}")
    for name, array in (("background image", background), ("mask", base), ("other mask", other)):
        _check_shape(name, None if array is None else np.asarray(array), (rows, cols))
    if background is None:
        canvas = np.full((height, width, 3), 255, np.uint8)
    else:
        photo = Image.fromarray(np.ascontiguousarray(_as_uint8_image(np.asarray(background))))
        canvas = np.asarray(photo.convert("RGB").resize((width, height), Image.Resampling.BOX))
    canvas = canvas.astype(np.float32)
    layers = []
    if other is not None:
        cover = _coverage(other, (width, height))
        inside = cover >= 128
        edge = inside.copy()
        edge[1:-1, 1:-1] &= ~(
            inside[:-2, 1:-1] & inside[2:, 1:-1] & inside[1:-1, :-2] & inside[1:-1, 2:]
        )
        alpha = np.where(edge, 1.0, cover / 255.0 * 0.25)
        layers.append((alpha, _rgb(TRACE_COLOR)))
    if base is not None:
        layers.append((_coverage(base, (width, height)) / 255.0 * opacity, _rgb(MASK_COLOR)))
    for alpha, colour in layers:
        alpha = alpha[..., None]
        canvas = canvas * (1.0 - alpha) + np.asarray(colour, np.float32) * alpha
    return Image.fromarray(np.clip(canvas + 0.5, 0, 255).astype(np.uint8), "RGB")
