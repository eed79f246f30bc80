"""The app's pages, defined once: app.py navigates over them, pages link to each other."""

from __future__ import annotations

import streamlit as st


def pair() -> st.Page:
    from ui import pair_page

    return st.Page(pair_page.render, title="Compare a pair", icon="🔍", default=True)


def dataset() -> st.Page:
    from ui import batch_page

    # A url_path of its own: both pages are functions named render.
    return st.Page(
        batch_page.render,
        title="Evaluate a dataset",
        icon=":material/table_chart:",
        url_path="dataset",
    )


def volumes() -> st.Page:
    from ui import volume_page

    return st.Page(
        volume_page.render,
        title="Compare volumes",
        icon=":material/view_in_ar:",
        url_path="volumes",
    )


def all_pages() -> list[st.Page]:
    """Every page, in the order the sidebar lists them (later pages join here)."""
    return [pair(), dataset(), volumes()]
