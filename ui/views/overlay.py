"""The overlay view: TP / FP / FN over the background, zoom and selection edits."""

from __future__ import annotations

import streamlit as st

from maskapp import figures
from maskapp.drawing import selection_polygons
from ui.cached import cached_figure
from ui.state import SLOTS, SessionModel, Shown
from ui.views.common import CHART_CONFIG, figure_key, region

LAYERS = ["TP", "FP", "FN"]


def initial_opacity() -> float:
    """The overlay opacity a link asks for (``opacity=0.3``), else 0.6."""
    try:
        value = float(st.query_params.get("opacity", 0.6))
    except ValueError:
        return 0.6
    return min(1.0, max(0.0, value))


def render(model: SessionModel, shown: Shown, background, background_digest: str) -> None:
    result = shown.result
    pair = result.pair
    conf = pair.confusion
    c1, c2 = st.columns([1.4, 1])
    layers = c1.pills(
        "Layers",
        LAYERS,
        selection_mode="multi",
        default=LAYERS,
        key="layers",
        bind="query-params",
    )
    contour = c2.toggle("Contours only", key="contour", bind="query-params")
    layers = tuple(layers or ())
    zoom = region(conf.shape)
    labels = pair.kind == "labels"
    o = result.overlap
    # Built once at full opacity and cached; the slider in the figure restyles it.
    fig = cached_figure(
        figure_key("overlay", shown, background_digest, layers, contour, zoom),
        lambda: figures.overlay_figure(
            conf,
            background=background,
            opacity=1.0,
            layers=layers,
            contour_only=contour,
            region=zoom,
            hausdorff_pair=result.surface.hausdorff_pair if result.surface else None,
            counts={"TP": o.tp, "FP": o.fp, "FN": o.fn},
            reference_labels=pair.reference.array if labels else None,
            candidate_labels=pair.candidate.array if labels else None,
            void=pair.void,
        ),
        conf.size,
    )
    event = st.plotly_chart(
        figures.with_opacity_slider(fig, initial_opacity()),
        key="overlay_chart",
        on_select="rerun",
        selection_mode=("box", "lasso"),
        config=CHART_CONFIG,
    )
    st.caption("Drag a box or a lasso on the overlay to zoom into it or to edit a mask with it.")
    polygons = selection_polygons(event)
    _zoom_buttons(polygons, conf.shape, zoom)
    _selection_edits(model, polygons, labels)


def _zoom_buttons(polygons, shape, zoom) -> None:
    z1, z2 = st.columns(2)
    if polygons and z1.button("Zoom: show the selected box at full detail"):
        xs = [x for p in polygons for x, _ in p]
        ys = [y for p in polygons for _, y in p]
        rows, cols = shape
        st.session_state["region"] = (
            max(0, int(min(ys))),
            min(rows, int(max(ys)) + 1),
            max(0, int(min(xs))),
            min(cols, int(max(xs)) + 1),
        )
        st.rerun()
    if zoom and z2.button("Show the whole image"):
        st.session_state.pop("region", None)
        st.rerun()


def _selection_edits(model: SessionModel, polygons, labels: bool) -> None:
    """Buttons that add a Plotly box/lasso selection to a mask or erase it from one."""
    if not polygons:
        return
    if labels:
        # A selection has no class: painting it would flatten a label map to one class.
        st.caption("Selections edit binary masks: switch off label-map mode to edit with one.")
        return
    cols = st.columns(4)
    for i, slot in enumerate(SLOTS):
        for j, erase in enumerate((False, True)):
            verb = "Erase selection from" if erase else "Add selection to"
            cols[i * 2 + j].button(
                f"{verb} {slot}",
                key=f"sel_{slot}_{erase}",
                on_click=lambda s=slot, e=erase: model.edit_selection(s, polygons, erase=e),
            )
