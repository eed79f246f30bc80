"""Figures of a volume comparison: one slice's overlay at the voxels' aspect, the Dice strip.

A slice is drawn by :func:`~maskapp.figures.overlay_figure` (the 2-D overlay);
:func:`slice_overlay_figure` then gives its axes the spacing's aspect (a
0.8 × 2.5 mm coronal pixel is drawn 3.125 times as tall as it is wide) and the
radiological display directions (axes reversed, so hover and selections keep
voxel indices). :func:`slice_dice_figure` is the per-slice Dice strip under it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from ..slices import SliceProfile
from .colours import PALETTE, escape
from .overlay import overlay_figure
from .traces import axis_style


def slice_overlay_figure(
    confusion: np.ndarray,
    *,
    spacing: tuple[float, float] = (1.0, 1.0),
    flips: tuple[bool, bool] = (False, False),
    axis_titles: tuple[str, str] | None = None,
    hausdorff_pair: tuple[tuple[float, float], tuple[float, float]] | None = None,
    hausdorff_label: str | None = None,
    counts: Mapping[str, int] | None = None,
    reference_labels: np.ndarray | None = None,
    candidate_labels: np.ndarray | None = None,
    void: int | None = None,
    layers: Sequence[str] = ("TP", "FP", "FN"),
    contour_only: bool = False,
    title: str | None = None,
    width: int = 640,
) -> go.Figure:
    """The TP / FP / FN overlay of one slice, drawn at the physical aspect of its pixels.

    Parameters
    ----------
    confusion : ndarray
        The slice's 2-D codes (0 TN, 1 TP, 2 FP, 3 FN), e.g.
        ``maskapp.slices.slice_of(result.confusion, axis, index)``.
    spacing : (row_spacing, col_spacing)
        Pixel size along the slice's rows and columns; the y axis is drawn
        ``row_spacing / col_spacing`` times as long per pixel as the x axis.
    flips : (bool, bool)
        Reverse the rows / columns on screen (``maskapp.slices.display_flips``);
        coordinates stay voxel indices.
    axis_titles : (str, str), optional
        Titles of the y and x axes (e.g. ``"j (A ↑)"``).
    hausdorff_pair, hausdorff_label, counts, reference_labels, candidate_labels, void, layers,
    contour_only, title
        As in :func:`~maskapp.figures.overlay_figure` (2-D, in the slice's coordinates).
    width : int
        The plot width the height is chosen for (about 340 on a phone), so the
        image fills the figure instead of floating in white space.

    Examples
    --------
    >>> codes = np.zeros((4, 6), np.uint8); codes[1, 1:3] = 1
    >>> fig = slice_overlay_figure(codes, spacing=(2.5, 0.8), flips=(True, False))
    >>> fig.layout.yaxis.scaleratio, list(fig.layout.yaxis.range)
    (3.125, [-0.5, 3.5])
    """
    row_spacing, col_spacing = (float(s) for s in spacing)
    if row_spacing <= 0 or col_spacing <= 0:
        raise ValueError(f"spacing must be positive, not {spacing!r}")
    fig = overlay_figure(
        confusion,
        layers=layers,
        contour_only=contour_only,
        hausdorff_pair=hausdorff_pair,
        hausdorff_label=hausdorff_label,
        counts=counts,
        reference_labels=reference_labels,
        candidate_labels=candidate_labels,
        void=void,
        title=title,
    )
    rows, cols = confusion.shape
    ratio = row_spacing / col_spacing
    y_range = [rows - 0.5, -0.5]
    x_range = [-0.5, cols - 0.5]
    if flips[0]:
        y_range.reverse()
    if flips[1]:
        x_range.reverse()
    margin = fig.layout.margin
    height = int(min(900, max(240, (width - 60) * rows * ratio / cols + (margin.t or 0)
                                  + (margin.b or 0))))
    fig.update_layout(height=height)
    fig.update_yaxes(range=y_range, scaleanchor="x", scaleratio=ratio)
    fig.update_xaxes(range=x_range)
    if axis_titles is not None:
        fig.update_yaxes(title={"text": escape(axis_titles[0]), "standoff": 4})
        fig.update_xaxes(title={"text": escape(axis_titles[1]), "standoff": 4})
    return fig


def slice_dice_figure(
    profile: SliceProfile,
    *,
    current: int | None = None,
    worst: int | None = None,
    marked: Mapping[int, str] | None = None,
    axis_title: str = "slice",
    height: int = 190,
) -> go.Figure:
    """Dice of every slice as bars (click one to show it); empty slices are gaps.

    The bar of ``current`` is outlined, ``worst`` is coloured as an error, a
    slice of Dice 0 (no bar) gets a marker at its foot and ``marked`` slices
    (e.g. the Hausdorff pair's) a labelled arrow above. Each bar's hover gives
    its areas and errors.

    Examples
    --------
    >>> from maskapp.metrics import overlap_counts
    >>> a = np.zeros((3, 2, 2), bool); a[:2, 0, 0] = True
    >>> b = a.copy(); b[1, 1, 1] = True
    >>> from maskapp.slices import slice_profile
    >>> fig = slice_dice_figure(slice_profile(overlap_counts(a, b)), current=1, worst=1)
    >>> list(fig.data[0].y)
    [1.0, 0.6666666666666666, None]
    """
    n = len(profile.dice)
    index = np.arange(n)
    dice = [None if np.isnan(d) else float(d) for d in profile.dice]
    colours = [PALETTE["TP"]] * n
    if worst is not None and 0 <= worst < n:
        colours[worst] = PALETTE["FP"]
    widths = [0.0] * n
    if current is not None and 0 <= current < n:
        widths[current] = 2.5
    custom = np.stack(
        [profile.reference_area, profile.candidate_area, profile.intersection, profile.errors],
        axis=1,
    )
    bars = go.Bar(
        x=index,
        y=dice,
        marker={"color": colours, "line": {"color": "#000000", "width": widths}},
        customdata=custom,
        hovertemplate=(
            f"{escape(axis_title)} %{{x}}<br>Dice %{{y:.4f}}<br>|A| %{{customdata[0]:,}} · "
            "|B| %{customdata[1]:,} · |A∩B| %{customdata[2]:,}<br>FP+FN %{customdata[3]:,}"
            "<extra></extra>"
        ),
        name="Dice",
        showlegend=False,
    )
    # A Dice-0 slice (pixels in one volume only) has no bar to see or click: a marker instead.
    zero = np.flatnonzero(profile.dice == 0)
    zeros = go.Scatter(
        x=zero,
        y=np.full(zero.size, 0.03),
        mode="markers",
        marker={"symbol": "triangle-up", "size": 9, "color": [colours[z] for z in zero],
                "line": {"color": "#000000", "width": [widths[z] / 2 for z in zero]}},
        customdata=custom[zero],
        hovertemplate=(
            f"{escape(axis_title)} %{{x}}<br>Dice 0 (no overlap)<br>|A| %{{customdata[0]:,}} · "
            "|B| %{customdata[1]:,}<extra></extra>"
        ),
        name="Dice 0",
        showlegend=False,
    )  # fmt: skip
    fig = go.Figure(data=[bars, zeros])
    for slice_index, text in (marked or {}).items():
        if 0 <= slice_index < n:
            fig.add_annotation(
                x=slice_index, y=1.0, yref="y", text=escape(text), showarrow=True,
                arrowhead=2, ax=0, ay=-22, font={"size": 11},
            )  # fmt: skip
    fig.update_layout(
        height=height,
        margin={"l": 50, "r": 10, "t": 30, "b": 40},
        template="none",
        plot_bgcolor="#FFFFFF",
        paper_bgcolor="#FFFFFF",
        bargap=0.1,
        dragmode=False,
        clickmode="event+select",
    )
    fig.update_xaxes(
        **axis_style(), range=[-0.5, n - 0.5], title={"text": escape(axis_title), "standoff": 2}
    )
    fig.update_yaxes(**axis_style(), range=[0, 1.05], title={"text": "Dice", "standoff": 2})
    return fig
