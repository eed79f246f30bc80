"""Side-by-side panels (reference | candidate | overlay) and the error-distance map."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..encode import BACKGROUND_BUDGET, OVERLAY_BUDGET, data_uri, palette_png
from ..void import DEFAULT_VOID
from .colours import (
    ALL_LAYERS,
    CLASS_COLORS,
    MASK_COLOR,
    PALETTE,
    Layer,
    check_layers,
    cividis,
    escape,
    rgb,
)
from .raster import (
    Region,
    View,
    auto_smooth,
    check_codes,
    check_shape,
    display_step,
    downsample_max,
    view_of,
)
from .traces import (
    background_trace,
    corner_trace,
    count_states,
    counts_from,
    fit_indices,
    hover_trace,
    image_layout,
    image_trace,
    legend_traces,
    overlay_trace,
)


def _mask_indices(
    mask: np.ndarray, view: View, kind: str, void: int | None
) -> tuple[np.ndarray, list[tuple[int, int, int]], list[int]]:
    """A binary mask or label map of ``view`` → display indices, colours, alphas."""
    region = mask[view.slices]
    if kind == "binary":
        small = downsample_max(region != 0, view.step).view(np.uint8)
        return small, [(0, 0, 0), rgb(MASK_COLOR)], [0, 255]
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
            colours.append(rgb(PALETTE["void"]))
            alphas.append(255)
        else:
            colours.append(rgb(CLASS_COLORS[(int(c) - 1) % len(CLASS_COLORS)]))
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
    void: int | None = DEFAULT_VOID,
    opacity: float = 0.6,
    layers: Sequence[Layer] = ALL_LAYERS,
    contour_only: bool = False,
    region: Region | None = None,
    counts: Mapping[str, int] | object | None = None,
    names: tuple[str, str, str] = ("Reference", "Candidate", "Overlay"),
    smooth: bool | None = None,
    title: str | None = None,
    stacked: bool = False,
) -> go.Figure:
    """Three linked panels: reference | candidate | overlay (or one under another).

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
    stacked : bool
        Panels in a column (for narrow screens) instead of a row.

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
    confusion = check_codes(confusion)
    reference, candidate = np.asarray(reference), np.asarray(candidate)
    shape = confusion.shape
    for name, array in (
        ("reference", reference),
        ("candidate", candidate),
        ("background image", background),
    ):
        check_shape(name, None if array is None else np.asarray(array), shape)
    layers = check_layers(layers)
    view = view_of(shape, region, max_side)
    alpha = round(255 * opacity) if background is not None else 255
    smooth = auto_smooth(view, panels=3) if smooth is None else smooth

    fig = make_subplots(
        rows=3 if stacked else 1,
        cols=1 if stacked else 3,
        shared_xaxes="all",
        shared_yaxes="all",
        horizontal_spacing=0.02,
        vertical_spacing=0.06,
        subplot_titles=[escape(n) for n in names],
    )

    def at(panel: int) -> dict[str, int]:
        return {"row": panel, "col": 1} if stacked else {"row": 1, "col": panel}

    # Three panels share the 1 MB: smaller budgets per image.
    bg_trace = None
    if background is not None:
        bg_trace = background_trace(np.asarray(background), view, BACKGROUND_BUDGET // 3)
    for col, mask in ((1, reference), (2, candidate)):
        if bg_trace is not None:
            fig.add_trace(bg_trace, **at(col))
        indices, colours, alphas = _mask_indices(mask, view, kind, void)
        if background is not None:
            alphas = [min(a, alpha) for a in alphas]

        def encode(ix: np.ndarray, colours=colours, alphas=alphas) -> bytes:
            return palette_png(ix, colours, alphas)

        data, step = fit_indices(indices, view.step, encode, OVERLAY_BUDGET // 3)
        fig.add_trace(
            image_trace(
                data_uri(data, "image/png"),
                view.row0,
                view.col0,
                step,
                escape(names[col - 1]),
                smooth=smooth,
            ),
            **at(col),
        )
    if bg_trace is not None:
        fig.add_trace(bg_trace, **at(3))
    overlay, codes_small = overlay_trace(
        confusion,
        view,
        layers=layers,
        contour_only=contour_only,
        alpha=alpha,
        void_mask=None,
        budget=OVERLAY_BUDGET // 3,
        smooth=smooth,
    )
    fig.add_trace(overlay, **at(3))
    labels = kind == "labels"
    fig.add_trace(
        hover_trace(
            codes_small,
            view,
            hover_side=128,
            reference_labels=reference if labels else None,
            candidate_labels=candidate if labels else None,
            void=void,
        ),
        **at(3),
    )
    for col in (1, 2, 3):
        axis = "" if col == 1 else str(col)
        fig.add_trace(corner_trace(view, f"x{axis}", f"y{axis}"), **at(col))
    shown_counts = (
        counts_from(counts) if counts is not None else count_states(confusion[view.slices])
    )
    for trace in legend_traces(shown_counts, layers):
        fig.add_trace(trace, **at(3))
    image_layout(fig, view, title, panels=3, stacked=stacked)
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
    check_shape("background image", None if background is None else np.asarray(background), shape)
    view = view_of(shape, region, max_side)
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
    colours = [(0, 0, 0), *cividis(255)]
    alphas = [0] + [255] * 255

    def encode(ix: np.ndarray) -> bytes:
        return palette_png(ix, colours, alphas)

    traces: list = []
    if background is not None:
        traces.append(background_trace(np.asarray(background), view, BACKGROUND_BUDGET))
    data, step = fit_indices(indices, view.step, encode, OVERLAY_BUDGET)
    traces.append(
        image_trace(
            data_uri(data, "image/png"),
            view.row0,
            view.col0,
            step,
            "distance",
            smooth=auto_smooth(view),
        )
    )
    factor = display_step(small.shape, hover_side)
    hover = downsample_max(small, factor)
    hover_step = view.step * factor
    shown = np.where(np.isfinite(hover), hover, -1.0).astype(np.float32)
    unit_text = escape(unit)
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
    traces.append(corner_trace(view))
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
    image_layout(fig, view, title)
    return fig
