"""The distances view: each error pixel coloured by its distance to the other mask."""

from __future__ import annotations

import streamlit as st

from maskapp import figures
from maskapp.surface import error_distance_map
from ui.cached import cached_figure
from ui.state import Shown
from ui.views.common import CHART_CONFIG, figure_key


def render(shown: Shown, background, background_digest: str) -> None:
    result = shown.result
    if result.surface is None:
        st.info("Distances were not computed.")
        return
    pair = result.pair
    spacing = pair.options.spacing

    def build():
        distances = error_distance_map(*pair.foreground, spacing=spacing)
        return figures.error_distance_figure(distances, background=background)

    figure = cached_figure(
        figure_key("distances", shown, background_digest), build, pair.confusion.size
    )
    st.plotly_chart(figure, key="distance_chart", config=CHART_CONFIG)
