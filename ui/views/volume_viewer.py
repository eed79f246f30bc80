"""The slice viewer: plane, slice, the slice's TP/FP/FN overlay and the per-slice Dice strip.

Display only: every number it shows is read from the comparison shown
(``Comparison.slice_profile``, its confusion map, its Hausdorff pairs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from maskapp.compare import Comparison
from maskapp.figures.volume import slice_dice_figure, slice_overlay_figure
from maskapp.overlap import confusion_map
from maskapp.slices import (
    PLANES,
    SliceProfile,
    axis_directions,
    display_flips,
    pair_slice,
    planes,
    slice_of,
)
from ui.cached import cached_figure
from ui.views.common import CHART_CONFIG
from ui.volume_cached import class_profile
from ui.volume_state import VolumeModel, VolumeShown
from ui.widgets import on_a_phone, on_change, synced

AXIS_NAMES = ("k", "j", "i")
ALL = "all classes"


@dataclass(frozen=True)
class Focus:
    """What the viewer shows: foreground (``label`` None) or one class, along ``axis``."""

    axis: int
    label: int | None
    profile: SliceProfile
    hausdorff_pair: tuple | None
    hausdorff: float | None


def focus(result: Comparison, token: str, axis: int, label: int | None) -> Focus:
    """The profile and Hausdorff pair of the foreground or of one class."""
    if label is None:
        surface = result.surface
        pair = surface.hausdorff_pair if surface is not None else None
        distance = surface.hausdorff if surface is not None else None
        return Focus(axis, None, result.slice_profile(axis), pair, distance)
    reference, candidate = result.pair.reference.array, result.pair.candidate.array
    row = None
    if result.class_distances is not None:
        row = next((c for c in result.class_distances.classes if c.label == label), None)
    box = row.box if row is not None else None
    profile = class_profile(token, reference, candidate, label, axis, box)
    if row is None:
        return Focus(axis, label, profile, None, None)
    return Focus(axis, label, profile, row.hausdorff_pair, row.hausdorff)


def slice_codes(result: Comparison, axis: int, index: int, label: int | None) -> np.ndarray:
    """The slice's TP/FP/FN codes, of the foreground or of one class."""
    if label is None:
        return slice_of(result.confusion, axis, index)
    pair = result.pair
    return confusion_map(
        slice_of(pair.reference.array, axis, index) == label,
        slice_of(pair.candidate.array, axis, index) == label,
    )


def _in_plane(point, axis: int) -> tuple[int, int]:
    return tuple(int(p) for a, p in enumerate(point) if a != axis)


def render(model: VolumeModel, shown: VolumeShown) -> None:
    result = shown.result
    geometry = result.geometry
    by_plane = planes(geometry.orientation if geometry is not None else None)
    c1, c2 = st.columns([1.4, 1])
    c1.segmented_control(
        "Plane",
        list(PLANES),
        key=synced("volume_plane", model.plane),
        on_change=on_change("volume_plane", model.set_plane),
        required=True,
    )
    label = _class_choice(result, c2)
    axis = by_plane[model.plane]
    seen = focus(result, shown.token, axis, label)
    profile = seen.profile
    count = len(profile.dice)
    worst = profile.worst()
    index = model.slice_index(count, worst)
    name = AXIS_NAMES[axis]
    if count > 1:
        st.slider(
            f"Slice ({name}, {model.plane})",
            0,
            count - 1,
            key=synced("volume_slice", index),
            on_change=on_change("volume_slice", model.set_slice),
        )
    else:  # a slider needs two values
        st.caption(f"One {model.plane} slice ({name} = 0).")
    _jump_buttons(model, seen, worst, name)
    _overlay(result, shown.token, seen, index)
    _strip(model, seen, index, worst, name)


def _class_choice(result: Comparison, column) -> int | None:
    """Label volumes: the class the viewer shows (all classes: the foreground)."""
    if result.classes is None:
        return None
    names = {c.label: c.name for c in result.classes.classes}
    labels = [c.label for c in result.classes.classes if c.present]
    choice = column.selectbox(
        "Show",
        [ALL, *labels],
        format_func=lambda v: v if v == ALL else f"class {v}" + (
            f" ({names[v]})" if names.get(v) and names[v] != str(v) else ""),
        key="volume_class",
    )  # fmt: skip
    return None if choice == ALL else int(choice)


def _jump_buttons(model: VolumeModel, seen: Focus, worst: int | None, name: str) -> None:
    left, right = st.columns(2)
    if worst is not None:
        dice = seen.profile.dice[worst]
        left.button(
            f"Jump to the worst slice ({name} = {worst}, Dice {dice:.3f})",
            key="volume_worst",
            on_click=model.set_slice,
            args=(worst,),
        )
    slices = pair_slice(seen.hausdorff_pair, seen.axis)
    if slices is not None:
        where = f"{name} = {slices[0]}" + (f" and {slices[1]}" if slices[1] != slices[0] else "")
        right.button(
            f"Show the Hausdorff pair ({where})",
            key="volume_hausdorff",
            on_click=model.set_slice,
            args=(slices[0],),
            help="The reference point of the pair that realises the Hausdorff distance; the "
            "candidate point is on the slice named second when it differs.",
        )


def _overlay(result: Comparison, token: str, seen: Focus, index: int) -> None:
    axis = seen.axis
    geometry = result.geometry
    orientation = geometry.orientation if geometry is not None else None
    spacing = result.pair.spacing
    row_axis, col_axis = (a for a in range(3) if a != axis)
    flips = display_flips(orientation, axis)
    directions = axis_directions(orientation)

    def title(a: int) -> str:
        # "j → A": the index increases towards anterior (whichever way the screen shows it).
        return AXIS_NAMES[a] if directions is None else f"{AXIS_NAMES[a]} → {directions[a]}"

    pair = seen.hausdorff_pair
    slices = pair_slice(pair, axis)
    on_slice = slices is not None and index in slices
    shown_pair = (_in_plane(pair[0], axis), _in_plane(pair[1], axis)) if on_slice else None
    unit = geometry.unit if geometry is not None else "voxel"
    label = None
    if shown_pair is not None and seen.hausdorff is not None:
        label = f"Hausdorff pair ({seen.hausdorff:.2f} {unit}; slices {slices[0]}, {slices[1]})"

    def build():
        codes = slice_codes(result, axis, index, seen.label)
        labels = result.pair.kind == "labels"
        return slice_overlay_figure(
            codes,
            spacing=(spacing[row_axis], spacing[col_axis]),
            flips=flips,
            axis_titles=(title(row_axis), title(col_axis)),
            hausdorff_pair=shown_pair,
            hausdorff_label=label,
            reference_labels=slice_of(result.pair.reference.array, axis, index) if labels
            else None,
            candidate_labels=slice_of(result.pair.candidate.array, axis, index) if labels
            else None,
            void=result.pair.void,
            width=width,
        )  # fmt: skip

    width = 360 if on_a_phone() else 700
    key = f"volume-slice|{token}|{axis}|{index}|{seen.label}|{width}"
    figure = cached_figure(key, build, 0)
    st.plotly_chart(figure, key="volume_overlay", config=CHART_CONFIG)
    if directions is not None:
        st.caption(
            "Shown as radiologists view it: superior or anterior at the top, the patient's right "
            "on the left (sagittal: anterior on the left), each pixel at its physical aspect. "
            "Axes give voxel indices; 'j → A': j increases towards anterior."
        )


def _strip(model: VolumeModel, seen: Focus, index: int, worst: int | None, name: str) -> None:
    marked = {}
    slices = pair_slice(seen.hausdorff_pair, seen.axis)
    if slices is not None:
        marked[slices[0]] = "HD"
    figure = slice_dice_figure(
        seen.profile, current=index, worst=worst, marked=marked, axis_title=f"slice ({name})"
    )

    def clicked() -> None:
        points = st.session_state["volume_strip"]["selection"]["points"]
        if points:
            model.set_slice(int(points[0]["x"]))

    st.plotly_chart(
        figure,
        key="volume_strip",
        on_select=clicked,
        selection_mode="points",
        config={**CHART_CONFIG, "displayModeBar": False},
    )
    what = "all classes (foreground)" if seen.label is None else f"class {seen.label}"
    st.caption(
        f"Dice of every slice, {what}; click a bar to show that slice. Gaps: slices empty in "
        "both volumes (Dice undefined). Orange: the worst slice; outlined: the slice shown."
    )
