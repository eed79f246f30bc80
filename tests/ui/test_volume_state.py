"""Random sequences of actions on the volume page's session model (hypothesis stateful).

The machine keeps its own record of what a person did — which file each slot
holds, the reading mode, the void label — and after every step checks that the
page would show exactly the numbers of a fresh :func:`maskapp.compare` of those
files with those options, that a bad or oversized file never touched the other
slot, and that the slice shown stays within the volume.
"""

from __future__ import annotations

import gzip

import nibabel as nib
import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from maskapp import MaskError, compare, read_mask
from maskapp.slices import PLANES
from ui.volume_state import SLOTS, VolumeModel

pytestmark = pytest.mark.slow

SIZE = (10, 12, 6)  # i, j, k


def _volume(seed: int, spacing=(1.0, 1.0, 2.0)) -> bytes:
    rng = np.random.default_rng(seed)
    array = np.zeros(SIZE, np.uint8)
    for label in (1, 2):
        i, j, k = rng.integers(0, 5, 3)
        array[i : i + 5, j : j + 6, k : k + 3] = label
    if seed % 3 == 0:
        array[0, 0, 0] = 255  # a void voxel
    return gzip.compress(nib.Nifti1Image(array, np.diag([*spacing, 1.0])).to_bytes(), mtime=0)


FILES = {f"v{seed}.nii.gz": _volume(seed) for seed in range(4)}
OTHER_GRID = _volume(9, spacing=(1.0, 1.0, 3.0))
DEMO = {"reference": ("demo_ref.nii.gz", _volume(10)), "candidate": ("demo_cand.nii.gz",
                                                                     _volume(11))}  # fmt: skip
MAX_BYTES = 2000


def reader(digest, data, kind, void):
    return read_mask(data, kind=kind, void=void, volume=True)


def comparer(token, reference, candidate, kind, void):
    return compare(reference, candidate, kind=kind, void=void, objects=False)


class VolumePage(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store: dict = {}
        self.model = VolumeModel(self.store, demo=lambda: DEMO, reader=reader,
                                 comparer=comparer, max_bytes=MAX_BYTES)  # fmt: skip
        self.files = {slot: DEMO[slot][1] for slot in SLOTS}
        self.kind, self.void = "labels", 255

    @rule(slot=st.sampled_from(SLOTS), name=st.sampled_from(sorted(FILES)))
    def upload(self, slot, name):
        self.model.upload(slot, name, FILES[name])
        self.files[slot] = FILES[name]

    @rule(slot=st.sampled_from(SLOTS))
    def upload_a_bad_file(self, slot):
        data = b"\x1f\x8b" + b"\0" * 40
        self.model.upload(slot, "bad.nii.gz", data)
        self.files[slot] = data

    @rule(slot=st.sampled_from(SLOTS))
    def upload_another_grid(self, slot):
        self.model.upload(slot, "other.nii.gz", OTHER_GRID)
        self.files[slot] = OTHER_GRID

    @rule(slot=st.sampled_from(SLOTS))
    def upload_too_large(self, slot):
        with pytest.raises(MaskError, match="up to"):
            self.model.upload(slot, "big.nii", b"\0" * (MAX_BYTES + 1))

    @rule()
    def use_demo(self):
        self.model.use_demo()
        self.files = {slot: DEMO[slot][1] for slot in SLOTS}
        self.kind, self.void = "labels", 255

    @rule(kind=st.sampled_from(["binary", "labels"]))
    def set_kind(self, kind):
        self.model.set_kind(kind)
        self.kind = kind

    @rule(void=st.sampled_from([None, 0, 2, 255]))
    def set_void(self, void):
        self.model.set_void(void)
        self.void = void

    @rule(plane=st.sampled_from(list(PLANES)), index=st.integers(-3, 20))
    def move(self, plane, index):
        self.model.set_plane(plane)
        self.model.set_slice(index)

    @invariant()
    def the_numbers_are_those_of_the_files_shown(self):
        shown = self.model.shown()
        for slot in SLOTS:
            assert shown.sources[slot].data == self.files[slot]
        try:
            expected = compare(self.files["reference"], self.files["candidate"],
                               kind=self.kind, void=self.void, objects=False)  # fmt: skip
        except MaskError:
            assert shown.result is None and shown.message
            return
        assert shown.result is not None, shown.message
        assert shown.result.to_dict() == expected.to_dict()

    @invariant()
    def the_slice_is_inside_the_volume(self):
        count = SIZE[::-1][PLANES[self.model.plane]]
        assert 0 <= self.model.slice_index(count, None) < count


VolumePage.TestCase.settings = settings(
    max_examples=40, stateful_step_count=12, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
TestVolumePage = VolumePage.TestCase
