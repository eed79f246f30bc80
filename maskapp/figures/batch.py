"""How one statistic is distributed over a dataset's cases: a histogram under a box plot.

Only finite values can be drawn; infinite ones (a distance to a structure
that is missing) and undefined ones are counted in the title, so the figure
never looks better than the data. With a second model its values are drawn
over the first, in the other colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .colours import PALETTE, escape

#: Short names of the batch statistics, for titles, axes and cards.
METRIC_LABELS = {
    "iou": "IoU",
    "dice": "Dice",
    "precision": "Precision",
    "recall": "Recall",
    "mean_iou": "Mean IoU",
    "mean_dice": "Mean Dice",
    "hausdorff": "Hausdorff",
    "hd95": "HD95",
    "assd": "ASSD",
    "masd": "MASD",
    "surface_dice": "Surface Dice",
    "boundary_iou": "Boundary IoU",
    "objects.f1": "Object F1",
    "objects.pq": "Panoptic quality",
}
#: Statistics in [0, 1] (overlaps, qualities): their axis always spans [0, 1].
_UNIT_RANGE = frozenset(METRIC_LABELS) - {"hausdorff", "hd95", "assd", "masd"}


def metric_label(metric: str) -> str:
    """``"IoU"`` for ``"iou"``, ``"IoU of class 3"`` for ``"class_iou.3"``.

    >>> metric_label("hd95"), metric_label("class_iou.3")
    ('HD95', 'IoU of class 3')
    """
    if metric.startswith("class_iou."):
        return f"IoU of class {metric.split('.', 1)[1]}"
    return METRIC_LABELS.get(metric, metric)


def _counted(values: Sequence[float | None]) -> tuple[list[float], int, int]:
    """The finite values, and how many are infinite and undefined (None or NaN)."""
    finite, infinite, undefined = [], 0, 0
    for value in values:
        if value is None or math.isnan(value):
            undefined += 1
        elif math.isinf(value):
            infinite += 1
        else:
            finite.append(float(value))
    return finite, infinite, undefined


def distribution_figure(
    metric: str,
    values: Sequence[float | None],
    *,
    against: Sequence[float | None] | None = None,
    names: tuple[str, str] = ("candidates", "second candidates"),
    height: int = 340,
) -> go.Figure:
    """Histogram of a statistic's finite values over the cases, with a box plot above it.

    Parameters
    ----------
    metric : str
        The row key (``"iou"``, ``"hd95"`` …); overlaps get the axis [0, 1].
    values : sequence of float or None
        One value per summarised case; None / NaN are undefined, ±inf infinite.
    against : sequence of float or None, optional
        The second model's values (drawn over the first, in orange).
    names : (str, str)
        Legend names of the two models (escaped).
    height : int
        Figure height in CSS px.

    Returns
    -------
    plotly.graph_objects.Figure
        The title says how many values are drawn and how many infinite and
        undefined ones are not.

    Examples
    --------
    >>> fig = distribution_figure("hd95", [1.0, 2.0, float("inf"), None])
    >>> fig.layout.title.text
    'HD95 over 4 cases — 2 drawn; 1 infinite and 1 undefined not drawn'
    >>> [trace.type for trace in fig.data]
    ['box', 'histogram']
    """
    label = metric_label(metric)
    groups = [(names[0], values, PALETTE["FN"])]
    if against is not None:
        groups.append((names[1], against, PALETTE["FP"]))
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.22, 0.78], vertical_spacing=0.03
    )
    notes = []
    for name, group, colour in groups:
        finite, infinite, undefined = _counted(group)
        missing = [f"{n} {what}" for n, what in ((infinite, "infinite"), (undefined, "undefined"))]
        missing = [m for m in missing if not m.startswith("0 ")]
        note = f"{len(finite)} drawn" + (f"; {' and '.join(missing)} not drawn" if missing else "")
        notes.append(note if against is None else f"{escape(name)}: {note}")
        hover = f"{escape(label)} %{{x:.4g}}<extra>{escape(name)}</extra>"
        figure.add_trace(
            go.Box(
                x=finite, name=escape(name), marker_color=colour, boxpoints="outliers",
                showlegend=False, hovertemplate=hover, offsetgroup=name,
            ),
            row=1, col=1,
        )  # fmt: skip
        figure.add_trace(
            go.Histogram(
                x=finite, name=escape(name), marker_color=colour, opacity=0.75,
                showlegend=against is not None,
                hovertemplate=f"{escape(label)} %{{x}}<br>"
                f"%{{y}} cases<extra>{escape(name)}</extra>",
            ),
            row=2, col=1,
        )  # fmt: skip
    cases = len(values)
    title = f"{escape(label)} over {cases} case{'' if cases == 1 else 's'} — " + "; ".join(notes)
    figure.update_layout(
        title={"text": title, "x": 0, "font": {"size": 14}},
        template="none",
        height=height,
        barmode="overlay",
        bargap=0.05,
        margin={"l": 50, "r": 10, "t": 50, "b": 45},
        legend={"orientation": "h", "x": 0, "y": -0.2},
    )
    figure.update_yaxes(showticklabels=False, row=1, col=1)
    figure.update_yaxes(title={"text": "cases"}, row=2, col=1)
    figure.update_xaxes(title={"text": escape(label)}, row=2, col=1)
    if metric in _UNIT_RANGE or metric.startswith("class_iou."):
        figure.update_xaxes(range=[-0.02, 1.02])
    return figure
