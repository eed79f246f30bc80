"""Overlap operations and statistics, checked against independent implementations."""

import math

import numpy as np
import pytest
from helpers import blobs
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskapp import (
    candidate_only,
    confusion_map,
    intersection,
    reference_only,
    symmetric_difference,
    union,
)
from maskapp.metrics import overlap_counts, overlap_statistics

SEED_A = [[1, 0, 1], [0, 1, 0], [1, 1, 0]]
SEED_B = [[1, 1, 1], [0, 1, 0], [1, 0, 0]]


def stats(a, b, **kw):
    return overlap_statistics(overlap_counts(np.asarray(a, bool), np.asarray(b, bool)), **kw)


def test_seed_example_intersection_is_exact():
    out = intersection(SEED_A, SEED_B)
    assert out.dtype == bool
    assert out.astype(int).tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 0]]
    assert np.array_equal(out, np.multiply(SEED_A, SEED_B))


def test_set_operations_on_seed_example():
    a, b = np.array(SEED_A, bool), np.array(SEED_B, bool)
    assert np.array_equal(union(SEED_A, SEED_B), a | b)
    assert np.array_equal(symmetric_difference(SEED_A, SEED_B), a ^ b)
    assert np.array_equal(reference_only(SEED_A, SEED_B), a & ~b)
    assert np.array_equal(candidate_only(SEED_A, SEED_B), b & ~a)


def test_confusion_map_codes():
    codes = confusion_map(SEED_A, SEED_B)
    a, b = np.array(SEED_A, bool), np.array(SEED_B, bool)
    assert codes.dtype == np.uint8
    assert np.array_equal(codes == 1, a & b)
    assert np.array_equal(codes == 2, b & ~a)
    assert np.array_equal(codes == 3, a & ~b)
    assert np.array_equal(codes == 0, ~a & ~b)


def test_operations_accept_0_255_masks_and_reject_size_mismatch():
    from maskapp import MaskError

    a = np.array(SEED_A, np.uint8) * 255
    assert np.array_equal(intersection(a, SEED_B), np.multiply(SEED_A, SEED_B).astype(bool))
    with pytest.raises(MaskError, match=r"3×3 \(reference\) vs 3×2 \(candidate\)"):
        intersection(SEED_A, SEED_B[:2])


@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (300, 257), (1100, 1300)])
@pytest.mark.parametrize("dtype", [bool, np.uint8])
def test_fused_counts_equal_plain_numpy(shape, dtype):
    a = blobs(shape, 1) if min(shape) > 8 else np.random.default_rng(1).random(shape) < 0.5
    b = blobs(shape, 2) if min(shape) > 8 else np.random.default_rng(2).random(shape) < 0.5
    c = overlap_counts(a.astype(dtype), b.astype(dtype))
    assert c.tp == np.count_nonzero(a & b)
    assert c.reference_area == np.count_nonzero(a)
    assert c.candidate_area == np.count_nonzero(b)
    assert np.array_equal(c.row_reference, a.sum(axis=1))
    assert np.array_equal(c.col_candidate, b.sum(axis=0))


@pytest.mark.slow  # imports scikit-learn (~2 s)
def test_against_scikit_learn_on_realistic_masks():
    from sklearn import metrics as skm

    a, b = blobs((240, 320), 3), blobs((240, 320), 4)
    s = stats(a, b)
    y_true, y_pred = a.ravel(), b.ravel()
    assert s.iou == pytest.approx(skm.jaccard_score(y_true, y_pred))
    assert s.dice == pytest.approx(skm.f1_score(y_true, y_pred))
    assert s.precision == pytest.approx(skm.precision_score(y_true, y_pred))
    assert s.recall == pytest.approx(skm.recall_score(y_true, y_pred))
    assert s.accuracy == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert s.balanced_accuracy == pytest.approx(skm.balanced_accuracy_score(y_true, y_pred))
    assert s.mcc == pytest.approx(skm.matthews_corrcoef(y_true, y_pred))
    assert s.kappa == pytest.approx(skm.cohen_kappa_score(y_true, y_pred))
    tn, fp, fn, tp = skm.confusion_matrix(y_true, y_pred).ravel()
    assert (s.tn, s.fp, s.fn, s.tp) == (tn, fp, fn, tp)


@pytest.mark.slow  # imports MedPy (~1–2 s)
def test_against_medpy_on_realistic_masks():
    from medpy.metric import binary

    a, b = blobs((200, 150), 5), blobs((200, 150), 6)
    s = stats(a, b)
    # MedPy's (result, reference) order: result = candidate, reference = reference.
    assert s.dice == pytest.approx(binary.dc(b, a))
    assert s.iou == pytest.approx(binary.jc(b, a))
    assert s.precision == pytest.approx(binary.precision(b, a))
    assert s.recall == pytest.approx(binary.recall(b, a))
    assert s.specificity == pytest.approx(binary.specificity(b, a))
    assert s.relative_area_difference == pytest.approx(binary.ravd(b, a))


def test_iou_against_pycocotools():
    from pycocotools import mask as coco

    a, b = blobs((120, 90), 7), blobs((120, 90), 8)
    rle_a = coco.encode(np.asfortranarray(a.astype(np.uint8)))
    rle_b = coco.encode(np.asfortranarray(b.astype(np.uint8)))
    expected = coco.iou([rle_b], [rle_a], [0])[0, 0]
    assert stats(a, b).iou == pytest.approx(expected)
    assert stats(a, b).reference_area == coco.area(rle_a)


def test_centroids_and_bboxes_against_scikit_image():
    from skimage.measure import regionprops

    a, b = blobs((180, 130), 9, 0.2), blobs((180, 130), 10, 0.25)
    s = stats(a, b)
    for mask, centroid, bbox in (
        (a, s.centroid_reference, s.bbox_reference),
        (b, s.centroid_candidate, s.bbox_candidate),
    ):
        props = regionprops(mask.astype(np.uint8))[0]
        assert centroid == pytest.approx(props.centroid)
        assert bbox == props.bbox
    expected = math.dist(s.centroid_reference, s.centroid_candidate)
    assert s.centroid_offset == pytest.approx(expected)
    scaled = stats(a, b, spacing=(2.0, 0.5))
    dr = (s.centroid_reference[0] - s.centroid_candidate[0]) * 2.0
    dc = (s.centroid_reference[1] - s.centroid_candidate[1]) * 0.5
    assert scaled.centroid_offset == pytest.approx(math.hypot(dr, dc))


def test_volume_similarity_formula():
    a, b = blobs((100, 100), 11), blobs((100, 100), 12, 0.4)
    s = stats(a, b)
    assert s.volume_similarity == pytest.approx(1 - abs(s.fn - s.fp) / (2 * s.tp + s.fp + s.fn))
    assert s.volume_similarity == pytest.approx(
        1 - abs(s.reference_area - s.candidate_area) / (s.reference_area + s.candidate_area)
    )


NAN = math.nan
# (reference, candidate, expected values, expected undefined keys)
CONVENTIONS = {
    "both empty": (
        np.zeros((4, 5)),
        np.zeros((4, 5)),
        dict(iou=1.0, dice=1.0, precision=NAN, recall=NAN, specificity=1.0, accuracy=1.0),
        {
            "precision",
            "recall",
            "volume_similarity",
            "relative_area_difference",
            "mcc",
            "kappa",
            "centroid_offset",
            "balanced_accuracy",
        },
    ),
    "candidate empty": (
        np.eye(4, 5),
        np.zeros((4, 5)),
        dict(
            iou=0.0,
            dice=0.0,
            precision=NAN,
            recall=0.0,
            volume_similarity=0.0,
            relative_area_difference=-1.0,
        ),
        {"precision", "mcc", "centroid_offset"},
    ),
    "reference empty": (
        np.zeros((4, 5)),
        np.eye(4, 5),
        dict(iou=0.0, dice=0.0, precision=0.0, recall=NAN, relative_area_difference=NAN),
        {"recall", "relative_area_difference", "balanced_accuracy", "mcc", "centroid_offset"},
    ),
    "both full": (
        np.ones((4, 5)),
        np.ones((4, 5)),
        dict(iou=1.0, dice=1.0, precision=1.0, recall=1.0, specificity=NAN, mcc=NAN),
        {"specificity", "balanced_accuracy", "mcc", "kappa"},
    ),
    "1×1 agree": (
        np.ones((1, 1)),
        np.ones((1, 1)),
        dict(iou=1.0, dice=1.0, precision=1.0, recall=1.0),
        {"specificity", "balanced_accuracy", "mcc", "kappa"},
    ),
}


@pytest.mark.parametrize("case", list(CONVENTIONS), ids=list(CONVENTIONS))
def test_convention_table(case):
    a, b, expected, undefined = CONVENTIONS[case]
    s = stats(a, b)
    for key, value in expected.items():
        got = getattr(s, key)
        if math.isnan(value):
            assert math.isnan(got), key
        else:
            assert got == pytest.approx(value), key
    assert set(s.undefined) == undefined
    assert all(isinstance(r, str) and r for r in s.undefined.values())
    assert s.both_empty == (case == "both empty")


mask_pairs = st.integers(1, 24).flatmap(
    lambda rows: st.integers(1, 24).flatmap(
        lambda cols: st.tuples(hnp.arrays(bool, (rows, cols)), hnp.arrays(bool, (rows, cols)))
    )
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(mask_pairs)
def test_properties_hold_for_any_pair(pair):
    a, b = pair
    s, swapped = stats(a, b), stats(b, a)
    # symmetric statistics are symmetric; precision and recall swap
    for key in ("iou", "dice", "accuracy", "mcc", "kappa", "volume_similarity"):
        x, y = getattr(s, key), getattr(swapped, key)
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y), key
    assert (math.isnan(s.precision) and math.isnan(swapped.recall)) or (
        s.precision == pytest.approx(swapped.recall)
    )
    # bounds
    assert 0.0 <= s.iou <= s.dice <= 1.0
    assert s.dice == pytest.approx(2 * s.iou / (1 + s.iou))
    assert s.tp + s.fp + s.fn + s.tn == a.size
    for key in ("precision", "recall", "specificity", "accuracy", "balanced_accuracy"):
        v = getattr(s, key)
        assert math.isnan(v) or 0.0 <= v <= 1.0 + 1e-12
    for key in ("mcc", "kappa"):
        v = getattr(s, key)
        assert math.isnan(v) or -1.0 - 1e-12 <= v <= 1.0 + 1e-12


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(bool, st.tuples(st.integers(1, 20), st.integers(1, 20))))
def test_self_comparison_is_perfect(a):
    s = stats(a, a)
    assert s.iou == 1.0 and s.dice == 1.0
    assert s.fp == 0 and s.fn == 0
    if a.any():
        assert s.precision == 1.0 and s.recall == 1.0
        assert s.centroid_offset == 0.0

