"""The TP / FP / FN overlay: a figure, its opacity, one class, a full-size PNG."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ..encode import BACKGROUND_BUDGET, OVERLAY_BUDGET, palette_png, rgb_png
from ..errors import MaskError
from ..overlap import FN, FP, TN, TP
from ..void import DEFAULT_VOID, VoidPolicy, ignored
from .colours import ALL_LAYERS, PALETTE, STATE_NAMES, Layer, check_layers, rgb
from .raster import (
    Region,
    as_uint8_image,
    auto_smooth,
    check_codes,
    check_shape,
    state_boundaries,
    view_of,
)
from .traces import (
    background_trace,
    bbox_shapes,
    corner_trace,
    count_states,
    counts_from,
    hausdorff_traces,
    hover_trace,
    image_layout,
    legend_traces,
    overlay_trace,
)


def overlay_figure(
    confusion: np.ndarray,
    *,
    background: np.ndarray | None = None,
    opacity: float = 0.6,
    layers: Sequence[Layer] = ALL_LAYERS,
    contour_only: bool = False,
    max_side: int = 1024,
    region: Region | None = None,
    hausdorff_pair: tuple[tuple[float, float], tuple[float, float]] | None = None,
    hausdorff_label: str | None = None,
    counts: Mapping[str, int] | object | None = None,
    reference_labels: np.ndarray | None = None,
    candidate_labels: np.ndarray | None = None,
    void: int | None = DEFAULT_VOID,
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
    confusion = check_codes(confusion)
    shape = confusion.shape
    layers = check_layers(layers)
    for name, array in (
        ("background image", background),
        ("reference label map", reference_labels),
        ("candidate label map", candidate_labels),
        ("void mask", void_mask),
    ):
        check_shape(name, None if array is None else np.asarray(array), shape)
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must be within [0, 1], not {opacity}")
    view = view_of(shape, region, max_side)

    traces: list = []
    budget = OVERLAY_BUDGET
    if background is not None:
        traces.append(background_trace(np.asarray(background), view, BACKGROUND_BUDGET))
    overlay, codes_small = overlay_trace(
        confusion,
        view,
        layers=layers,
        contour_only=contour_only,
        alpha=255,
        void_mask=None if void_mask is None else np.asarray(void_mask, dtype=bool),
        budget=budget,
        smooth=auto_smooth(view) if smooth is None else smooth,
    )
    # Opacity is the trace's, not baked into the PNG, so that a new opacity needs
    # no new image (see with_overlay_opacity).
    overlay.opacity = opacity if background is not None else 1.0
    traces.append(overlay)
    traces.append(
        hover_trace(
            codes_small,
            view,
            hover_side=hover_side,
            reference_labels=reference_labels,
            candidate_labels=candidate_labels,
            void=void,
        )
    )
    if hausdorff_pair is not None:
        traces.extend(hausdorff_traces(hausdorff_pair, hausdorff_label))
    traces.append(corner_trace(view))
    shown_counts = (
        counts_from(counts) if counts is not None else count_states(confusion[view.slices])
    )
    void_pixels = None
    if void_mask is not None:
        void_pixels = int(np.count_nonzero(np.asarray(void_mask, dtype=bool)[view.slices]))
    traces.extend(legend_traces(shown_counts, layers, void_pixels))

    fig = go.Figure(data=traces)
    image_layout(fig, view, title)
    if highlight_bbox is not None:
        for shape_ in bbox_shapes(highlight_bbox):
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


#: Opacity steps of the in-figure slider (the browser restyles; no server round-trip).
OPACITY_STEPS = tuple(round(0.1 * i, 1) for i in range(11))
_SLIDER_ROOM = 70


def with_opacity_slider(figure: go.Figure, opacity: float) -> go.Figure:
    """A copy of an :func:`overlay_figure` at ``opacity`` with an opacity slider in it.

    The slider restyles the overlay trace in the browser, so moving it costs
    no server round-trip and no new figure (at 4096² a Streamlit slider took
    ~0.8 s a step). Figures without a background are returned as
    :func:`with_overlay_opacity` returns them: their colours stay opaque.

    Examples
    --------
    >>> from maskapp.overlap import confusion_map
    >>> codes = confusion_map([[1, 1], [0, 0]], [[1, 0], [1, 0]])
    >>> fig = overlay_figure(codes, background=np.zeros((2, 2), np.uint8), opacity=1.0)
    >>> slider = with_opacity_slider(fig, 0.6).layout.sliders[0]
    >>> slider.active, slider.steps[3].args
    (6, ({'opacity': 0.3}, (1,)))
    """
    out = with_overlay_opacity(figure, opacity)
    index = [i for i, trace in enumerate(out.data) if trace.name == "overlay"]
    if not index or "background" not in {trace.name for trace in out.data}:
        return out
    active = min(range(len(OPACITY_STEPS)), key=lambda i: abs(OPACITY_STEPS[i] - opacity))
    steps = [
        {"method": "restyle", "args": [{"opacity": value}, index], "label": f"{value:g}"}
        for value in OPACITY_STEPS
    ]
    margin = out.layout.margin
    out.update_layout(
        height=(out.layout.height or 450) + _SLIDER_ROOM,
        margin={"b": (margin.b or 0) + _SLIDER_ROOM},
        sliders=[
            {
                "active": active,
                "steps": steps,
                "x": 0,
                "len": 1,
                "y": 0,
                "yanchor": "top",
                "pad": {"t": 30, "b": 0},
                "currentvalue": {"prefix": "Overlay opacity ", "font": {"size": 12}},
                "font": {"size": 10},
                "ticklen": 3,
            }
        ],
    )
    return out


def class_overlay_figure(
    reference_labels: np.ndarray,
    candidate_labels: np.ndarray,
    *,
    label: int,
    void: int | None = DEFAULT_VOID,
    void_policy: VoidPolicy = "reference",
    class_name: str | None = None,
    background: np.ndarray | None = None,
    opacity: float = 0.6,
    layers: Sequence[Layer] = ALL_LAYERS,
    contour_only: bool = False,
    max_side: int = 1024,
    region: Region | None = None,
    highlight_bbox: tuple[int, int, int, int] | None = None,
    smooth: bool | None = None,
    title: str | None = None,
) -> go.Figure:
    """TP / FP / FN of one class of two label maps.

    A pixel is TP when both maps say ``label``, FP when only the candidate
    does, FN when only the reference does. Pixels the void policy ignores
    (:func:`maskapp.void.ignored`: where the reference is ``void``, or either
    map with ``void_policy='either'``) count as nothing and are shown in grey.

    Parameters
    ----------
    reference_labels, candidate_labels : ndarray
        2-D integer label maps of the same size.
    label : int
        The class to highlight.
    void : int or None
        The void label (default 255); None for no void.
    void_policy : {'reference', 'either'}
        Which map's void pixels are ignored, as in :func:`maskapp.compare`.
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
    if void != label:
        void_mask = ignored(reference_labels, candidate_labels, void, void_policy)
        if void_mask is not None and void_mask.any():
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


def overlay_png(
    confusion: np.ndarray,
    *,
    background: np.ndarray | None = None,
    opacity: float = 0.6,
    layers: Sequence[Layer] = ALL_LAYERS,
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
    >>> from maskapp.io import read_mask
    >>> png = overlay_png(np.array([[0, 1], [2, 3]], np.uint8))
    >>> read_mask(png, kind="labels", void=None).array.tolist()  # indices = codes
    [[0, 1], [2, 3]]
    """
    codes = check_codes(confusion)
    layers = check_layers(layers)
    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must be within [0, 1], not {opacity}")
    if contour_only:
        codes = state_boundaries(codes)
    shown = [code for code, name in ((TP, "TP"), (FP, "FP"), (FN, "FN")) if name in layers]
    if background is None:
        colours = [(0, 0, 0)] + [rgb(PALETTE[n]) for n in ("TP", "FP", "FN")]
        alphas = [0] + [255 if code in shown else 0 for code in (TP, FP, FN)]
        return palette_png(codes, colours, alphas, compress_level=6)
    check_shape("background image", np.asarray(background), codes.shape)
    bg = as_uint8_image(background)
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
            target = rgb(PALETTE[STATE_NAMES[code]])[k]
            table[code * 256 : (code + 1) * 256] = (value * (255 - a) + target * a + 127) // 255
        lookup = grey_index if grey_index is not None else np.bitwise_or(index, bg[..., k])
        channels.append(table[lookup])
    # Level 3 keeps an 8192² download to a few seconds; level 6 buys little on photos.
    return rgb_png(channels, compress_level=3)
