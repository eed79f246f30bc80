"""The objects view: object F1 / PQ, the per-object table, one object highlighted."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maskapp import figures, report
from ui.cached import cached_figure
from ui.state import Shown
from ui.views.common import CHART_CONFIG, figure_key

_CARDS = [("f1", "Object F1"), ("pq", "PQ"), ("tp", "Matched"), ("fn", "Missed"), ("fp", "Extra")]


def render(shown: Shown, background, background_digest: str) -> None:
    objects = shown.result.objects
    if objects is None:
        st.info("Objects were not computed.")
        return
    summary = objects.to_dict(include_objects=False)
    for col, (key, label) in zip(st.columns(5), _CARDS, strict=True):
        col.metric(label, report.format_value(summary.get(key), digits=4))
    st.caption("Select a row to outline its object on the overlay.")
    table = pd.DataFrame(objects.table())
    selection = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="object_table",
    )
    rows = selection["selection"]["rows"] if selection else []
    if not rows:
        return
    row = table.iloc[rows[0]]
    bbox = tuple(int(row[k]) for k in ("min_row", "min_col", "max_row", "max_col"))
    conf = shown.result.confusion
    figure = cached_figure(
        figure_key("object", shown, background_digest, bbox),
        lambda: figures.overlay_figure(conf, background=background, highlight_bbox=bbox),
        conf.size,
    )
    st.plotly_chart(figure, key="object_chart", config=CHART_CONFIG)
