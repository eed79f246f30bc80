"""The pair page: inputs panel → compare → headline → the chosen view → downloads.

It only wires the session model (ui/state.py) to widgets: every number shown
is ``model.shown().result``, the comparison of the inputs shown with the
options shown.
"""

from __future__ import annotations

import streamlit as st

from ui import inputs, links, pages
from ui.cached import return_freed_arrays_to_the_os, session_model
from ui.downloads import downloads
from ui.drawing_panel import drawing_panel
from ui.headline import headline
from ui.sidebar import sidebar
from ui.state import VIEWS, SessionModel, Shown
from ui.views import classes, compat, distances, objects, overlay, side_by_side, table
from ui.widgets import on_change, show_flash, synced

#: Query parameters the page itself keeps (display only, no number depends on them).
DISPLAY_PARAMS = ("layers", "contour", "class", "opacity")


def render() -> None:
    return_freed_arrays_to_the_os()
    first_run = "m.case" not in st.session_state
    model = session_model()
    if first_run:
        for problem in links.open_link(model, st.query_params.to_dict()):
            st.session_state.setdefault("ui.link_problems", []).append(problem)
    sidebar(model)
    st.title("Compare two segmentation masks")
    if "b.result" in st.session_state:  # a case opened from the dataset page
        st.page_link(pages.dataset(), label="Back to the dataset results", icon="↩️")
    for problem in st.session_state.pop("ui.link_problems", []):
        st.warning(problem, icon="🔗")
    show_flash()
    columns = inputs.uploaders(model)
    shown = model.shown()
    inputs.slot_panels(model, shown, columns)
    inputs.background_caption(model, shown, columns["background"])
    inputs.actions(model)
    shape = next((i.mask.shape for i in shown.inputs.values() if i.mask is not None), None)
    background = inputs.background_image(model, shape)
    drawing = st.expander("✏️ Draw or edit a mask", key="drawing_open", on_change="rerun")
    if drawing.open:
        with drawing:
            drawing_panel(model, background)
    if shown.result is None:
        _no_numbers(model, shown)
    else:
        _numbers(model, shown, background)
    _share_link(model)


def _no_numbers(model: SessionModel, shown: Shown) -> None:
    """Why there are no numbers yet, in one sentence, and the way on."""
    if shown.waiting:
        st.info(shown.message, icon="➡️")
    else:
        st.error(shown.message, icon="📐" if shown.can_resize else "⚠️")
    if shown.can_resize:
        st.button(
            "Resize candidate to reference (nearest neighbour)",
            on_click=model.approve_resize,
            help="For this pair only; another file is never resized without asking.",
        )


def _numbers(model: SessionModel, shown: Shown, background) -> None:
    headline(shown.result)
    st.segmented_control(
        "View",
        VIEWS,
        key=synced("view", model.view),
        on_change=on_change("view", model.set_view),
        required=True,
    )
    source, _ = model.background()
    digest = source.digest if background is not None and source is not None else "none"
    view = model.view
    if view == "overlay":
        overlay.render(model, shown, background, digest)
    elif view == "side-by-side":
        side_by_side.render(shown, background, digest)
    elif view == "distances":
        distances.render(shown, background, digest)
    elif view == "classes":
        classes.render(shown, background, digest)
    elif view == "objects":
        objects.render(shown, background, digest)
    elif view == "other libraries":
        compat.render(shown)
    else:
        table.render(shown)
    downloads(shown.result, background)


def _share_link(model: SessionModel) -> None:
    """Keep the address bar's parameters equal to the model's, and show the link."""
    link = links.to_link(model)
    for key in list(st.query_params):
        if key not in link and key not in DISPLAY_PARAMS:
            del st.query_params[key]
    for key, value in link.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    st.caption(
        "Link to this view — copy the address bar; it carries the demo case, view, "
        "reading mode, thresholds and every option, never uploaded or drawn pixels."
    )
    params = "&".join(f"{k}={v}" for k, v in st.query_params.to_dict().items())
    st.code(f"{st.context.url or ''}/?{params}", language=None)
