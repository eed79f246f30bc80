"""The sidebar: demo case, reading mode, void label and every comparison option."""

from __future__ import annotations

import streamlit as st

import maskapp
from ui.state import SessionModel
from ui.widgets import on_change, synced


def sidebar(model: SessionModel) -> None:
    """Every widget here shows a model value and changes it through a model method."""
    options = model.store["m.options"]
    with st.sidebar:
        st.header("maskapp")
        st.caption("Where do two masks agree, where not, and by how much?")
        st.selectbox(
            "Demo case",
            list(model.cases),
            key=synced("case", model.case_key),
            on_change=on_change("case", model.select_case),
            help="Uploads and drawings stay in their slots; the demo files change.",
        )
        case = model.case
        st.caption(f"**{case['title']}** — {case['description']}")
        st.toggle(
            "Label-map mode (multi-class)",
            key=synced("labels", model.kind == "labels"),
            on_change=on_change("labels", lambda on: model.set_mode("labels" if on else "binary")),
            help="Read both masks as label maps: per-class table and confusion matrix.",
        )
        if model.kind == "labels":
            st.text_input(
                "Void / ignore label",
                key=synced("void", "" if model.void is None else str(model.void)),
                on_change=on_change("void", model.set_void),
                help="Pixels with this label count in no statistic; empty for none.",
            )
            st.radio(
                "Ignore void pixels of",
                ["reference", "either"],
                key=synced("void_policy", options["void_policy"]),
                on_change=on_change("void_policy", lambda v: model.set_option("void_policy", v)),
                format_func=lambda v: "the reference (VOC)" if v == "reference" else "either map",
                horizontal=True,
            )
            st.toggle(
                "Background (class 0) in the means",
                key=synced("background0", options["include_background"]),
                on_change=on_change(
                    "background0", lambda v: model.set_option("include_background", v)
                ),
            )
        with st.expander("Distance and object options"):
            _distance_options(model, options)
        st.divider()
        st.caption(
            f"maskapp {maskapp.__version__} · the link in the address bar carries the case, "
            "view and every option, never your masks."
        )


def _set_spacing(model: SessionModel, axis: int, value: float) -> None:
    spacing = list(model.store["m.options"]["spacing"])
    spacing[axis] = value
    model.set_option("spacing", tuple(spacing))


def _distance_options(model: SessionModel, options: dict) -> None:
    row, col = options["spacing"]
    st.number_input(
        "Row spacing",
        min_value=0.001,
        key=synced("row_spacing", float(row)),
        on_change=on_change("row_spacing", lambda v: _set_spacing(model, 0, v)),
    )
    st.number_input(
        "Column spacing",
        min_value=0.001,
        key=synced("col_spacing", float(col)),
        on_change=on_change("col_spacing", lambda v: _set_spacing(model, 1, v)),
    )
    st.radio(
        "HD95",
        ["max", "pooled"],
        key=synced("hd95", options["hd95"]),
        on_change=on_change("hd95", lambda v: model.set_option("hd95", v)),
        horizontal=True,
        format_func=lambda v: "max of directed" if v == "max" else "pooled (MedPy)",
    )
    st.radio(
        "Boundary erosion",
        [4, 8],
        key=synced("bconn", options["boundary_connectivity"]),
        on_change=on_change("bconn", lambda v: model.set_option("boundary_connectivity", v)),
        horizontal=True,
        format_func=lambda v: "cross (4)" if v == 4 else "square (8)",
    )
    st.number_input(
        "Surface Dice tolerance τ",
        min_value=0.0,
        key=synced("tau", float(options["tolerance"])),
        on_change=on_change("tau", lambda v: model.set_option("tolerance", v)),
    )
    st.number_input(
        "Boundary IoU width d",
        min_value=0.1,
        key=synced("band", float(options["boundary_width"])),
        on_change=on_change("band", lambda v: model.set_option("boundary_width", v)),
    )
    st.radio(
        "Object connectivity",
        [8, 4],
        key=synced("conn", options["connectivity"]),
        on_change=on_change("conn", lambda v: model.set_option("connectivity", v)),
        horizontal=True,
    )
    st.slider(
        "Object match IoU ≥",
        0.05,
        1.0,
        step=0.05,
        key=synced("match", float(options["match_iou"])),
        on_change=on_change("match", lambda v: model.set_option("match_iou", v)),
    )
