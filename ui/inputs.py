"""The inputs panel: three uploaders, what each slot holds, thresholds, swap and demo."""

from __future__ import annotations

import streamlit as st

from maskapp.io import EXTENSIONS
from maskapp.masks import size_text
from maskapp.report import display_name
from ui.state import ROLES, SLOTS, TITLES, Input, SessionModel, Shown
from ui.widgets import act, synced

_HEADINGS = {
    "reference": "Reference (A) — ground truth",
    "candidate": "Candidate (B) — prediction",
    "background": "Background image (optional)",
}


def uploaders(model: SessionModel) -> dict[str, st.delta_generator.DeltaGenerator]:
    """One uploader a slot; a new file is taken in by the model on every run.

    Taken from the widget's value, not in ``on_change``: a file dropped while
    the page's first run is still going can miss its callback. The file is
    marked as seen last, so a run interrupted by a newer upload takes it in
    again. An empty uploader changes nothing (replacing a file passes through a
    run with no file); '↺ Demo masks' brings the demo back.
    """
    columns = dict(zip(ROLES, st.columns(3), strict=True))
    for slot, column in columns.items():
        with column:
            st.markdown(f"**{_HEADINGS[slot]}**")
            file = st.file_uploader(
                _HEADINGS[slot],
                type=list(EXTENSIONS),
                key=f"uploader_{slot}_{model.uploader_generation(slot)}",
                label_visibility="collapsed",
                help="PNG, JPEG, BMP, TIFF, GIF, WebP or .npy; the content decides, not the name.",
            )
            seen = f"seen_{slot}"
            if file is not None and st.session_state.get(seen) != file.file_id:
                model.upload(slot, file.name, file.getvalue())
                st.session_state[seen] = file.file_id
    return columns


def slot_panels(model: SessionModel, shown: Shown, columns: dict) -> None:
    """Under each uploader: how its input was read, its threshold, or its error."""
    for slot in SLOTS:
        with columns[slot]:
            _slot_panel(model, slot, shown.inputs[slot])


def _slot_panel(model: SessionModel, slot: str, item: Input) -> None:
    failed = model.upload_error(slot)
    if failed:
        kept = "the previous file is kept" if item.mask is not None else "nothing loaded"
        st.error(f"{TITLES[slot]} «{display_name(failed[0])}»: {failed[1]} ({kept}).", icon="⚠️")
    if item.mask is not None:
        st.caption(reading_caption(item))
        _threshold(model, slot, item)
    elif item.error and not failed:
        name = item.source.name if item.source else ""
        st.error(f"{TITLES[slot]} «{display_name(name)}»: {item.error}", icon="⚠️")


def _threshold(model: SessionModel, slot: str, item: Input) -> None:
    """A threshold slider for a soft input (or one whose threshold was set), for it alone."""
    info = item.mask.info
    chosen = item.source.threshold
    if info.kind != "binary" or (info.threshold is None and chosen is None):
        return
    lo, hi = (float(v) for v in (info.value_range or (0.0, 255.0)))
    value = float(chosen if chosen is not None else info.threshold)
    lo, hi = min(lo, value), max(hi, value)
    integer = info.dtype.startswith(("uint", "int", "bool"))
    step = 1.0 if integer else max((hi - lo) / 200, 1e-6)
    key = f"threshold_{slot}"
    st.slider(
        f"Threshold of {TITLES[slot]} (foreground = value > threshold)",
        lo,
        max(hi, lo + step),
        step=step,
        key=synced(key, value),
        on_change=lambda: act(model.set_threshold, slot, st.session_state[key]),
        help="Applies to this input only; a new file starts on its automatic rule.",
    )
    if chosen is not None:
        st.button(
            "Automatic threshold",
            key=f"auto_{slot}",
            on_click=lambda: model.set_threshold(slot, None),
        )


def background_caption(model: SessionModel, shown: Shown, column) -> None:
    """Which photo is under the overlay, or why none is."""
    source, error = model.background()
    if source is None:
        return
    name = display_name(source.name)
    origin = "demo file" if source.origin == "demo" else "uploaded"
    if error:
        column.error(f"Background «{name}»: {error}", icon="⚠️")
        return
    failed = model.upload_error("background")
    if failed:
        column.error(f"Background «{display_name(failed[0])}»: {failed[1]}", icon="⚠️")
    image = background_image(model)
    shape = next((i.mask.shape for i in shown.inputs.values() if i.mask is not None), None)
    if image is None:
        return
    if shape is not None and image.shape[:2] != shape:
        column.caption(
            f"{origin} «{name}» · {size_text(image.shape)} px differs in size from the masks "
            f"({size_text(shape)}) and is not shown."
        )
    else:
        column.caption(f"{origin} «{name}» · {size_text(image.shape)} px · shown under the overlay")


def background_image(model: SessionModel, shape: tuple[int, int] | None = None):
    """The background photo as RGB, if it can be read (and has ``shape``, when given)."""
    from ui.cached import load_background

    source, error = model.background()
    if source is None or error:
        return None
    image = load_background(source.digest, model.background_data(source))
    if shape is not None and image.shape[:2] != tuple(shape):
        return None
    return image


def actions(model: SessionModel) -> None:
    """Swap and restore-the-demo buttons."""
    c1, c2, _ = st.columns([1, 1, 2])
    c1.button(
        "⇄ Swap A and B",
        help="Make the candidate the reference and vice versa.",
        on_click=model.swap,
    )
    c2.button(
        "↺ Demo masks",
        help="Forget uploads, drawings and thresholds; show the demo case again.",
        on_click=model.restore_demo,
    )


def reading_caption(item: Input) -> str:
    """One line under a slot: where the mask came from, its size and the rule read."""
    info = item.mask.info
    origin = {"demo": "demo file", "upload": "uploaded", "drawing": "drawn here"}
    parts = [
        f"{origin[item.source.origin]} «{display_name(item.source.name)}»",
        f"{size_text(info.shape)} px",
    ]
    if item.resized_from is not None:
        parts[-1] += f" (resized from {size_text(item.resized_from)})"
    parts += [f"{info.mode} ({info.dtype})", f"{info.n_values} value(s)", f"rule: {info.rule}"]
    notes = [n for n in info.notes if not n.startswith("resized by nearest")]
    return " · ".join(parts + notes)
