"""The side-by-side view: reference, candidate and overlay panels with linked zoom."""

from __future__ import annotations

import streamlit as st

from maskapp import figures
from maskapp.overlap import masks_from_confusion
from ui.cached import cached_figure
from ui.state import Shown
from ui.views.common import CHART_CONFIG, figure_key
from ui.widgets import on_a_phone


def render(shown: Shown, background, background_digest: str) -> None:
    conf = shown.result.confusion
    stacked = st.toggle(
        "Panels one under another",
        value=on_a_phone(),
        key="stacked",
        help="For narrow screens: the three panels in a column, each at full width.",
    )
    figure = cached_figure(
        figure_key("side", shown, background_digest, stacked),
        lambda: figures.side_by_side_figure(
            *masks_from_confusion(conf), conf, background=background, stacked=stacked
        ),
        conf.size,
    )
    st.plotly_chart(figure, key="side_chart", config=CHART_CONFIG)
