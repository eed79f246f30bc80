"""The volume page ("Compare volumes") through ``streamlit.testing.v1.AppTest``.

Volumes are written here in memory with nibabel (NIfTI-1, gzip or not) at an
anisotropic spacing; the numbers the page shows are checked against
:func:`maskapp.compare` of the same bytes with the page's reading options.
The Dice strip's click cannot be driven by AppTest: the page's "jump" buttons
and slider move the same slice, and the browser test clicks a bar.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from maskapp import compare
from maskapp.slices import planes
from ui.views.volume_numbers import class_rows

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DEMO = [ROOT / "assets" / f"volume_{slot}.nii.gz" for slot in ("reference", "candidate")]
CARDS = {"IoU": "iou", "Dice": "dice", "Precision": "precision", "Recall": "recall",
         "HD95": "hd95"}  # fmt: skip
SPACING = (0.9, 0.9, 3.0)  # i, j, k


def labels_volume(shift: int = 0, size=(20, 24, 10)) -> np.ndarray:
    """Two labels in file order (i, j, k): a box and a slab; ``shift`` moves the box along i."""
    volume = np.zeros(size, np.uint8)
    volume[4 + shift : 12 + shift, 5:15, 2:8] = 1
    volume[14:18, 4:20, 3:6] = 2
    return volume


def nifti(array: np.ndarray, spacing=SPACING, *, gz: bool = True) -> bytes:
    data = nib.Nifti1Image(array, np.diag([*spacing, 1.0])).to_bytes()
    return gzip.compress(data, mtime=0) if gz else data


def volumes_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    (page_hash,) = [
        h for h, info in at._registered_pages.items() if info["url_pathname"] == "volumes"
    ]
    at._page_hash = page_hash
    at.run()
    assert not at.exception, at.exception
    return at


def upload(at: AppTest, slot: str, name: str, data: bytes) -> AppTest:
    (widget,) = [u for u in at.file_uploader if u.key == f"volume_uploader_{slot}"]
    widget.set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label in CARDS}


def frame_with(at: AppTest, *columns: str):
    """The one table showing these columns (tables without a selection carry no key)."""
    (found,) = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    return found


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def assert_numbers_of(at: AppTest, expected) -> None:
    """The cards, the per-class table and every statistic equal ``expected``'s."""
    shown = cards(at)
    assert list(shown) == list(CARDS)
    for label, key in CARDS.items():
        assert shown[label] == f"{getattr(expected, key):.4f}", label
    if expected.classes is not None:
        table = frame_with(at, "label", "HD95 (mm)")
        rows = class_rows(expected)
        assert list(table["label"]) == [r["label"] for r in rows]
        for column in ("Dice", "HD95 (mm)", "ASSD (mm)"):
            np.testing.assert_array_equal(
                table[column].to_numpy(float), np.array([r[column] for r in rows], float)
            )
    statistics = frame_with(at, "group", "statistic")
    from maskapp import report

    assert list(statistics["value"]) == [r["value"] for r in report.statistic_rows(expected)]


def test_the_demo_opens_with_the_numbers_of_maskapp_compare():
    at = volumes_page()
    assert [t.value for t in at.title] == ["Compare two volumes"]
    assert not errors(at)
    assert_numbers_of(at, compare(*DEMO, kind="labels", objects=False))
    assert any("96×96×48 at 0.8×0.8×2.5 mm (RAS)" in c.value for c in at.caption)
    assert any("Limits of this demo" in c.value and "M voxels" in c.value for c in at.caption)


def test_uploaded_volumes_give_the_numbers_of_maskapp_compare():
    reference, candidate = nifti(labels_volume()), nifti(labels_volume(2), gz=False)
    at = volumes_page()
    upload(at, "reference", "ref.nii.gz", reference)
    upload(at, "candidate", "cand.nii", candidate)
    assert not errors(at)
    expected = compare(reference, candidate, kind="labels", objects=False)
    assert_numbers_of(at, expected)
    # Binary mode: the same files read as masks.
    at.radio(key="volume_kind").set_value("binary").run()
    assert_numbers_of(at, compare(reference, candidate, kind="binary", objects=False))


def test_the_slider_the_worst_slice_and_the_hausdorff_pair():
    at = volumes_page()
    expected = compare(*DEMO, kind="labels", objects=False)
    profile = expected.slice_profile(planes("RAS")["axial"])
    slider = at.slider(key="volume_slice")
    assert slider.max == len(profile.dice) - 1
    assert slider.value == profile.worst()  # the page opens on the worst slice
    slider.set_value(20).run()
    assert at.slider(key="volume_slice").value == 20
    at.button(key="volume_worst").click().run()
    assert at.slider(key="volume_slice").value == profile.worst()
    at.button(key="volume_hausdorff").click().run()
    assert at.slider(key="volume_slice").value == expected.surface.hausdorff_pair[0][0]
    # Another plane: the slider spans that axis.
    at.button_group(key="volume_plane").set_value("sagittal").run()
    assert at.slider(key="volume_slice").max == expected.geometry.shape[2] - 1
    assert not at.exception and not errors(at)


def test_one_class_in_the_viewer():
    at = volumes_page()
    expected = compare(*DEMO, kind="labels", objects=False)
    at.selectbox(key="volume_class").set_value(3).run()
    assert not at.exception and not errors(at)
    pair = expected.class_distances[3].hausdorff_pair
    at.button(key="volume_hausdorff").click().run()
    assert at.slider(key="volume_slice").value == pair[0][0]


def test_a_bad_file_is_one_error_and_keeps_the_other_upload():
    at = volumes_page()
    reference = nifti(labels_volume())
    upload(at, "reference", "ref.nii.gz", reference)
    upload(at, "candidate", "broken.nii.gz", reference[: len(reference) // 2])
    assert len(errors(at)) == 1, errors(at)
    assert cards(at) == {}
    assert any("ref\\.nii\\.gz" in c.value for c in at.caption), "the reference is kept"
    # A good candidate next: numbers again, with the kept reference.
    candidate = nifti(labels_volume(1))
    upload(at, "candidate", "cand.nii.gz", candidate)
    assert not errors(at)
    assert_numbers_of(at, compare(reference, candidate, kind="labels", objects=False))


def test_a_2d_array_is_one_error():
    from helpers import npy

    at = volumes_page()
    upload(at, "candidate", "mask.npy", npy(np.eye(8, dtype=np.uint8)))
    (message,) = errors(at)
    assert "2-D image" in message


def test_a_geometry_mismatch_is_one_sentence():
    at = volumes_page()
    upload(at, "reference", "ref.nii.gz", nifti(labels_volume()))
    upload(at, "candidate", "cand.nii.gz", nifti(labels_volume(), spacing=(0.9, 0.9, 2.0)))
    (message,) = errors(at)
    assert "20×24×10 at 0.9×0.9×3 mm" in message and "0.9×0.9×2 mm" in message, message
    assert "Resample" in message and cards(at) == {}


def test_the_caps_are_enforced_in_one_sentence(monkeypatch):
    import ui.volume_cached as cached

    monkeypatch.setattr(cached, "MAX_VOLUME_BYTES", 1000)
    at = volumes_page()
    upload(at, "reference", "big.nii", nifti(labels_volume(), gz=False))
    (message,) = errors(at)
    assert "up to 0 MB" not in message and "python -m maskapp compare" in message
    assert cards(at), "the demo stays shown"


@pytest.mark.parametrize("kind", ["labels", "binary"])
def test_void_and_reading_mode_reach_the_numbers(kind):
    reference = labels_volume()
    reference[0:2] = 7
    data = nifti(reference)
    candidate = nifti(labels_volume(1))
    at = volumes_page()
    upload(at, "reference", "ref.nii.gz", data)
    upload(at, "candidate", "cand.nii.gz", candidate)
    at.radio(key="volume_kind").set_value(kind).run()
    at.number_input(key="volume_void").set_value(7).run()
    assert not errors(at)
    assert_numbers_of(at, compare(data, candidate, kind=kind, void=7, objects=False))
    at.toggle(key="volume_no_void").set_value(True).run()
    assert_numbers_of(at, compare(data, candidate, kind=kind, void=None, objects=False))


def test_a_volume_one_slice_thick_has_no_slider_in_that_plane():
    reference = labels_volume(size=(20, 24, 1))
    reference[4:12, 5:15, 0] = 1
    data = nifti(reference)
    at = volumes_page()
    upload(at, "reference", "ref.nii.gz", data)
    upload(at, "candidate", "cand.nii.gz", data)
    assert not at.exception and not errors(at)
    assert not [s for s in at.slider if s.key == "volume_slice"]
    assert any("One axial slice" in c.value for c in at.caption)
    at.button_group(key="volume_plane").set_value("coronal").run()
    assert at.slider(key="volume_slice").max == 23
