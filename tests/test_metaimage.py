"""MetaImage (.mha) volumes, read through SimpleITK when it is installed."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import maskapp
from maskapp import MaskError, read_mask

sitk = pytest.importorskip("SimpleITK")


def mha(array: np.ndarray, tmp_path, name="v.mha", spacing=(0.8, 0.9, 2.5), compress=True):
    image = sitk.GetImageFromArray(array)
    image.SetSpacing(spacing)
    image.SetOrigin((1.0, 2.0, 3.0))
    path = tmp_path / name
    sitk.WriteImage(image, str(path), compress)
    return path


@pytest.fixture
def pair():
    reference = np.zeros((7, 11, 5), np.uint8)  # (k, j, i)
    reference[1:5, 2:9, 1:4] = 1
    reference[2:4, 3:6, 2] = 2
    return reference, np.roll(reference, 1, axis=1)


def test_an_mha_reads_with_its_grid_and_compares_like_the_arrays(pair, tmp_path):
    reference, candidate = pair
    a, b = mha(reference, tmp_path, "a.mha"), mha(candidate, tmp_path, "b.mha", compress=False)
    mask = read_mask(a, kind="labels")
    assert mask.info.format == "MetaImage"
    np.testing.assert_array_equal(mask.array, reference)
    geometry = mask.info.geometry
    assert geometry.orientation == "LPS"  # SimpleITK's identity direction
    assert geometry.spacing == pytest.approx((2.5, 0.9, 0.8))  # (k, j, i)
    result = maskapp.compare(a, b, kind="labels")
    expected = maskapp.compare(
        reference, candidate, kind="labels", volume=True, spacing=(2.5, 0.9, 0.8)
    )
    assert result.iou == pytest.approx(expected.iou)
    assert result.hd95 == pytest.approx(expected.hd95)


def test_the_voxel_cap_is_checked_from_the_header(pair, tmp_path):
    with pytest.raises(MaskError, match="voxel limit"):
        read_mask(mha(pair[0], tmp_path), kind="labels", max_voxels=100)


def test_a_detached_mhd_is_refused_with_what_to_do(tmp_path):
    header = b"ObjectType = Image\nNDims = 3\nDimSize = 4 4 4\nElementType = MET_UCHAR\n"
    with pytest.raises(MaskError, match=r"save it as a single \.mha"):
        read_mask(header + b"ElementDataFile = v.raw\n")


def test_a_truncated_mha_is_one_sentence(pair, tmp_path):
    data = mha(pair[0], tmp_path, compress=False).read_bytes()
    with pytest.raises(MaskError, match="corrupt or truncated"):
        read_mask(data[:-40], kind="labels")


def test_without_simpleitk_the_sentence_says_how_to_read_it(pair, tmp_path, monkeypatch):
    data = mha(pair[0], tmp_path).read_bytes()
    monkeypatch.setitem(sys.modules, "SimpleITK", None)  # import fails
    with pytest.raises(MaskError, match=r"pip install SimpleITK\) or convert"):
        read_mask(data, kind="labels")
