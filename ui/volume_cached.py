"""The volume page's caches and hosted-demo limits (the pair page's are in ui/cached.py).

The caches hold one comparison and the two volumes it was made of (a new pair
evicts the old one): at the cap the labels are 1–2 bytes a voxel each; the
pair's foregrounds and confusion map are resident only in the labels' box
(maskapp.volumes.lazy_zeros). Comparisons of large volumes run one at a time
across all sessions (ui.cached.large_work).
"""

from __future__ import annotations

import os

import numpy as np
import streamlit as st

from maskapp import compare, read_mask
from maskapp.compare import Comparison
from maskapp.masks import Mask
from maskapp.slices import SliceProfile, class_slice_profile
from ui.cached import CACHE, demo_file, large_work
from ui.volume_state import VolumeModel

#: Voxel cap per volume (MASKAPP_MAX_VOXELS changes it), checked from the header before a
#: voxel is read. 3·2²⁴ = 512×512×192: the server peaks at 482 MB comparing two 5-label
#: volumes of that size and browsing them (benchmarks/bench_volume_page.py; 624 MB at
#: 512×512×300, too close to the 690 MB host).
MAX_VOXELS = int(os.environ.get("MASKAPP_MAX_VOXELS", 3 * 2**24))
#: Largest volume file accepted. An uncompressed upload stays in memory twice (Streamlit's
#: upload and the page's copy) next to its volume: two 48 MB .nii at the voxel cap peaked the
#: server at 580 MB, so uncompressed files are held to 32 MB (a .nii.gz of a label volume at
#: the voxel cap is a few MB).
MAX_VOLUME_BYTES = 32 * 2**20
DEMO = {"reference": "volume_reference.nii.gz", "candidate": "volume_candidate.nii.gz"}


def demo_volumes() -> dict[str, tuple[str, bytes]]:
    """The built-in 3-D case (assets/make_volume_demo.py), read once per process."""
    return {slot: (name, demo_file(name)[0]) for slot, name in DEMO.items()}


@st.cache_resource(max_entries=2, **CACHE)
def read_volume(digest: str, _data: bytes, kind: str, void: int | None) -> Mask:
    """One volume read with the page's reading options and the app's voxel cap (read-only)."""
    mask = read_mask(_data, kind=kind, void=void, volume=True, max_voxels=MAX_VOXELS)
    mask.array.flags.writeable = False
    return mask


@st.cache_resource(max_entries=1, **CACHE)
def compare_volumes(
    token: str, _reference: Mask, _candidate: Mask, kind: str, void: int | None
) -> Comparison:
    """The page's comparison (objects off: see the page caption), its confusion map built once."""
    with large_work(_reference.array.size):
        result = compare(_reference, _candidate, kind=kind, void=void, objects=False)
        result.confusion  # noqa: B018 — built here, under the lock, not in the first figure
    return result


@st.cache_data(max_entries=8, **CACHE)
def class_profile(token: str, _reference: np.ndarray, _candidate: np.ndarray, label: int,
                  axis: int, _box: tuple[slice, ...] | None) -> SliceProfile:  # fmt: skip
    """Per-slice Dice of one class (one pass over its box), per pair, class and axis."""
    with large_work(_reference.size):
        return class_slice_profile(_reference, _candidate, label, axis, box=_box)


def volume_model() -> VolumeModel:
    """This visitor's volume model, with the page's caches plugged in."""
    return VolumeModel(
        st.session_state,
        demo=demo_volumes,
        reader=read_volume,
        comparer=compare_volumes,
        max_bytes=MAX_VOLUME_BYTES,
    )

