"""What the views share: the figure cache key and the display region."""

from __future__ import annotations

import streamlit as st

from ui.state import Shown

#: Plotly's toolbar without the logo; the wheel zooms.
CHART_CONFIG = {"displaylogo": False, "scrollZoom": True}


def figure_key(view: str, shown: Shown, background_digest: str, *parts: object) -> str:
    """Cache key of a view's figure: the pair and options (the token), the photo, the parts."""
    return "|".join((view, shown.token, background_digest, *map(str, parts)))


def region(shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """The zoomed region (row0, row1, col0, col1) if it lies within ``shape``."""
    kept = st.session_state.get("region")
    if kept is None:
        return None
    r0, r1, c0, c1 = kept
    if 0 <= r0 < r1 <= shape[0] and 0 <= c0 < c1 <= shape[1]:
        return kept
    st.session_state.pop("region", None)
    return None
