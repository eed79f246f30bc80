"""The volume page: two NIfTI/NRRD volumes → compare → headline → slice viewer → tables.

Wiring only: the session model is ui/volume_state.py, the caches and the
hosted-demo limits ui/volume_cached.py; every number is ``shown.result``, the
comparison of the volumes shown with the reading options shown.
"""

from __future__ import annotations

import streamlit as st

from ui.cached import return_freed_arrays_to_the_os
from ui.headline import headline
from ui.views import volume_inputs, volume_numbers, volume_viewer
from ui.volume_cached import MAX_VOLUME_BYTES, MAX_VOXELS, volume_model
from ui.volume_state import VolumeShown
from ui.widgets import show_flash


def limits_caption() -> str:
    """The hosted demo's limits in words (the byte cap: this page's or the server's, if lower)."""
    mb = min(MAX_VOLUME_BYTES // 2**20, int(st.get_option("server.maxUploadSize")))
    return (
        f"Limits of this demo: each volume at most {MAX_VOXELS / 2**20:.0f} M voxels (e.g. "
        f"512×512×{MAX_VOXELS // (512 * 512)}, checked from the header before a voxel is read) "
        f"and {mb} MB a file (compress larger ones: .nii.gz); objects are not counted here. For "
        "larger volumes run `python -m "
        "maskapp compare a.nii.gz b.nii.gz --labels` on your own machine: the same numbers."
    )


def render() -> None:
    return_freed_arrays_to_the_os()
    model = volume_model()
    st.title("Compare two volumes")
    st.caption(
        "Upload a reference and a candidate volume on the same grid (NIfTI .nii/.nii.gz or NRRD; "
        "the spacing and orientation come from the headers), or keep the demo case. "
        + limits_caption()
    )
    columns = volume_inputs.uploaders(model)
    volume_inputs.reading_options(model)
    show_flash()  # after the uploaders: a refused upload is told on the run that saw it
    shown = model.shown()
    volume_inputs.slot_panels(shown, columns)
    if shown.result is None:
        _no_numbers(shown)
        return
    result = shown.result
    if result.geometry is not None:
        st.caption(f"Compared on the grid {result.geometry.describe()}; distances in "
                   f"{result.geometry.unit}.")  # fmt: skip
    headline(result, classes_table="the per-class table below")
    volume_viewer.render(model, shown)
    volume_numbers.render(result)


def _no_numbers(shown: VolumeShown) -> None:
    """Why there are no numbers yet, in one sentence (a slot's own error is shown under it)."""
    if shown.waiting:
        st.info(shown.message, icon="➡️")
    elif not shown.errors:
        st.error(shown.message, icon="📐")
