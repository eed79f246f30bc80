"""The volume page's inputs: two uploaders, the demo button, reading mode and void."""

from __future__ import annotations

import streamlit as st

from maskapp import report
from ui.volume_state import KINDS, SLOTS, VolumeModel, VolumeShown
from ui.widgets import act, on_change, synced

HEADINGS = {"reference": "Reference volume (A, ground truth)",
            "candidate": "Candidate volume (B, prediction)"}  # fmt: skip
TYPES = ["nii", "gz", "nrrd", "npy"]


def uploaders(model: VolumeModel) -> dict[str, st.delta_generator.DeltaGenerator]:
    """One uploader a slot; a new file is taken on the run that sees it."""
    store = model.store
    columns = dict(zip(SLOTS, st.columns(2), strict=True))
    for slot, column in columns.items():
        with column:
            file = st.file_uploader(
                HEADINGS[slot],
                type=TYPES,
                key=f"volume_uploader_{slot}",
                help="NIfTI (.nii, .nii.gz) or NRRD (.nrrd) with the spacing in its header; "
                "a 3-D .npy has no spacing (distances in voxels).",
            )
            seen = f"v.seen.{slot}"
            if file is not None and store.get(seen) != file.file_id:
                store[seen] = file.file_id
                act(model.upload, slot, file.name, file.getvalue())
    return columns


def slot_panels(shown: VolumeShown, columns) -> None:
    """Under each uploader: the file shown and how it was read, or its one error."""
    for slot, column in columns.items():
        source = shown.sources[slot]
        with column:
            if slot in shown.errors:
                st.error(shown.errors[slot], icon="⚠️")
                continue
            mask = shown.masks[slot]
            if source is None or mask is None:
                continue
            info = mask.info
            demo = " (demo)" if source.demo else ""
            geometry = info.geometry.describe() if info.geometry is not None else ""
            st.caption(
                f"**{report.display_name(source.name)}**{demo} — {geometry}; {info.source}; "
                f"{info.rule}."
            )


def reading_options(model: VolumeModel) -> None:
    """Reading mode, void label and the demo button, in one row."""
    left, middle, right = st.columns([1.2, 1.2, 1])
    left.radio(
        "Read the volumes as",
        KINDS,
        format_func={"binary": "binary masks", "labels": "label volumes"}.get,
        horizontal=True,
        key=synced("volume_kind", model.kind),
        on_change=on_change("volume_kind", model.set_kind),
    )
    with middle:
        no_void = st.toggle(
            "No void label",
            value=model.void is None,
            key="volume_no_void",
            help="A void (ignore) label is counted in no statistic; 255 by default.",
        )
        if no_void and model.void is not None:
            model.set_void(None)
        elif not no_void:
            if model.void is None:
                model.set_void(255)
            st.number_input(
                "Void label",
                min_value=0,
                max_value=65535,
                step=1,
                key=synced("volume_void", model.void),
                on_change=on_change("volume_void", model.set_void),
            )
    right.button(
        "Use the demo volumes",
        key="volume_demo",
        on_click=model.use_demo,
        disabled=model.showing_demo,
        help="Two 3-label CT-like volumes, 96×96×48 at 0.8×0.8×2.5 mm.",
    )
