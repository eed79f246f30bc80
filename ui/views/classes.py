"""The classes view: per-class table, confusion matrix and one class highlighted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maskapp import figures, report
from ui.cached import cached_figure
from ui.state import Shown
from ui.views.common import CHART_CONFIG, figure_key


def render(shown: Shown, background, background_digest: str) -> None:
    classes = shown.result.classes
    if classes is None:
        st.info("Switch on label-map mode in the sidebar for per-class results.")
        return
    policy = "the reference" if classes.void_policy == "reference" else "either map"
    void = (
        "no void label"
        if classes.void is None
        else f"void {classes.void} ignored where {policy} is void ({classes.ignored_pixels:,} px)"
    )
    st.caption(
        f"Mean IoU {report.format_value(classes.mean_iou)} · mean Dice "
        f"{report.format_value(classes.mean_dice)} — macro over classes present in either "
        f"map, background {'included' if classes.include_background else 'excluded'}; {void}. "
        "Select a row to highlight its class."
    )
    table = pd.DataFrame(classes.table())
    selection = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="class_table",
    )
    names = {c.label: c.name for c in classes.classes if c.name}
    st.plotly_chart(
        figures.confusion_matrix_figure(classes.confusion, classes.labels, names=names or None),
        key="confusion_matrix",
        config=CHART_CONFIG,
    )
    label = _chosen_class(selection, table)
    if label is None:
        return
    pair = shown.result.pair
    figure = cached_figure(
        figure_key("class", shown, background_digest, label),
        lambda: figures.class_overlay_figure(
            pair.reference.array,
            pair.candidate.array,
            label=label,
            void=pair.void,
            void_policy=classes.void_policy,
            class_name=names.get(label),
            background=background,
        ),
        pair.confusion.size,
    )
    st.plotly_chart(figure, key="class_chart", config=CHART_CONFIG)


def _chosen_class(selection, table: pd.DataFrame) -> int | None:
    """The selected row's class (it goes into the link), else the link's class."""
    rows = selection["selection"]["rows"] if selection else []
    if rows:
        label = int(table.iloc[rows[0]]["label"])
        st.query_params["class"] = str(label)
        return label
    shared = st.query_params.get("class", "")
    if shared.lstrip("-").isdigit() and int(shared) in set(table["label"]):
        st.caption(f"Class {int(shared)} from the link is highlighted below.")
        return int(shared)
    return None
