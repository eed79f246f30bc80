"""Draw or edit the reference or the candidate on a canvas."""

from __future__ import annotations

import numpy as np
import streamlit as st

from maskapp import figures
from maskapp.drawing import ERASE, PAINT, canvas_size
from ui.state import SLOTS, SessionModel
from ui.widgets import on_a_phone

_MODES = {
    "brush": "freedraw",
    "eraser": "freedraw",
    "rect": "rect",
    "polygon": "polygon",
    "erase rect": "rect",
}
#: Widest canvas that fits a phone's screen: at 390 CSS px the expander leaves 324 px.
PHONE_WIDTH = 300


def drawing_panel(model: SessionModel, background: np.ndarray | None) -> None:
    """Strokes edit the slot's mask as shown; the numbers update on release."""
    from streamlit_drawable_canvas import st_canvas

    if model.kind == "labels":
        st.caption(
            "Label-map mode: a drawing is one class (label 1) and replaces the slot's "
            "label map; switch label-map mode off to compare binary masks."
        )
    shape = model.drawing_shape()
    masks = model.shown_masks()
    c1, c2, c3, c4 = st.columns([1.2, 1.6, 1, 1.2])
    slot = c1.radio(
        "Edit",
        SLOTS,
        horizontal=True,
        key="draw_slot",
        format_func=lambda s: "reference (A)" if s == "reference" else "candidate (B)",
    )
    tool = c2.radio(
        "Tool",
        list(_MODES),
        horizontal=True,
        key="draw_tool",
        help="Polygon: click vertices, click the first one again to close.",
    )
    size = c3.slider("Brush px", 2, 60, 14, key="draw_brush")
    under = c4.radio("Draw over", ["background", "other mask"], horizontal=True, key="draw_under")
    small = st.toggle(
        "Phone-sized canvas",
        value=on_a_phone(),
        key="draw_small",
        help=f"A canvas at most {PHONE_WIDTH} px wide, to draw on a narrow screen.",
    )
    other = masks["candidate" if slot == "reference" else "reference"]
    base = model.canvas_base(slot)
    if base is None:
        mine = masks[slot]
        base = mine.array != 0 if mine is not None and mine.shape == shape else None
    width, height = canvas_size(shape, max_width=PHONE_WIDTH) if small else canvas_size(shape)
    backdrop = figures.drawing_backdrop(
        shape,
        size=(width, height),
        background=background if under == "background" else None,
        base=base,
        other=(other.array != 0)
        if under == "other mask" and other is not None and other.shape == shape
        else None,
    )
    erase = tool in ("eraser", "erase rect")
    colour = "#%02x%02x%02x" % (ERASE if erase else PAINT)
    result = st_canvas(
        fill_color=colour,
        stroke_width=size,
        stroke_color=colour,
        background_image=backdrop,
        height=height,
        width=width,
        drawing_mode=_MODES[tool],
        return_image_data=True,
        key=f"canvas_{slot}_{model.canvas_generation(slot)}_{width}",
    )
    b1, b2, b3 = st.columns(3)
    b1.button(
        "Clear drawing",
        key=f"clear_{slot}",
        help="Forget the strokes; the file drawn over comes back.",
        on_click=model.clear_drawing,
        args=(slot,),
    )
    b2.button("Start from empty", key=f"empty_{slot}", on_click=model.start_empty, args=(slot,))
    b3.caption("Strokes edit the mask shown; the numbers update on release.")
    image = result.image_data if result is not None else None
    if image is not None and np.asarray(image)[..., 3].any():
        if model.draw_strokes(slot, np.asarray(image)):
            st.rerun()
