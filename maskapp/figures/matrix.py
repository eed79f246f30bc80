"""The class confusion matrix as a heatmap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import plotly.graph_objects as go

from .colours import escape

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
    axis_names = [escape(text_names[i]) for i in keep]
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
    # Every class gets its tick label (Plotly skips labels on a crowded
    # category axis) and the margins grow to fit the names (automargin): a
    # fixed margin cut long names off and put the axis title over them.
    ticks = {"tickmode": "array", "tickvals": axis_names, "ticktext": axis_names}
    # Candidate names under the plot may turn vertical: room for the longest.
    name_room = min(200, 7 * max((len(text_names[i]) for i in keep), default=0))
    fig.update_layout(
        title={"text": escape(title or "Confusion matrix") + note, "x": 0, "font": {"size": 14}},
        template="none",
        height=size + 80 + max(0, name_room - 30),
        margin={"l": 90, "r": 10, "t": 60, "b": 80},
        xaxis={
            "title": {"text": "candidate class"},
            "type": "category",
            "side": "bottom",
            "showgrid": False,
            "constrain": "domain",
            "automargin": True,
            **ticks,
        },
        yaxis={
            "title": {"text": "reference class"},
            "type": "category",
            "autorange": "reversed",
            "showgrid": False,
            "scaleanchor": "x",
            "constrain": "domain",
            "automargin": True,
            **ticks,
        },
    )
    return fig
