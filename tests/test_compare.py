"""maskapp.compare: one call reads both masks, forwards every option to its family,
and keeps what it computed; ``to_dict`` is strict JSON that states its conventions.

The statistics themselves are checked family by family (test_metrics, test_surface,
test_classes, test_objects); here the same numbers must come out of ``compare``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from helpers import blobs, grid, png_bytes
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from maskapp import Comparison, MaskError, compare, confusion_map, intersection, read_mask
from maskapp.classes import compare_classes
from maskapp.compare import json_ready
from maskapp.errors import SizeMismatch
from maskapp.objects import compare_objects
from maskapp.surface import surface_distances

A, B = blobs((40, 50), 1), blobs((40, 50), 2)
LABELS_REF = np.array([[0, 1, 255], [2, 2, 0]])
LABELS_CAND = np.array([[0, 1, 1], [2, 0, 0]])
OVERLAP_ONLY = {"distances": False, "objects": False}


# ---------------------------------------------------------------- options


BAD_OPTIONS = [
    # (options, fragment of the message)
    ({"kind": "grey"}, "'binary' or 'labels', not 'grey'"),
    ({"void_policy": "neither"}, "void policy must be 'reference' or 'either'"),
    ({"hd95": "mean"}, "HD95 variant must be 'max' or 'pooled'"),
    ({"connectivity": 6}, "object connectivity must be 4 or 8, not 6"),
    ({"boundary_connectivity": True}, "boundary connectivity must be 4 or 8, not True"),
    ({"spacing": (0, 1)}, "two positive numbers"),
    ({"spacing": (1.0,)}, "two numbers (row, column)"),
    ({"spacing": (1.0, math.inf)}, "two positive numbers"),
    ({"tolerance": -1}, "tolerance must be a finite number ≥ 0, not -1"),
    ({"tolerance": math.nan}, "tolerance"),
    ({"boundary_width": 0}, "Boundary IoU width must be a finite number > 0, not 0"),
    ({"match_iou": 1.5}, "matching IoU must be between 0 and 1, not 1.5"),
    ({"threshold": "abc"}, "threshold"),
    ({"threshold": math.nan}, "threshold"),
    ({"void": -1}, "void label must be a whole number ≥ 1"),
    ({"void": 2.5}, "void label"),
]


@pytest.mark.parametrize(("options", "fragment"), BAD_OPTIONS)
def test_every_bad_option_is_one_mask_error_naming_it_and_its_value(options, fragment):
    with pytest.raises(MaskError) as info:
        compare(A, B, **options)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message and message.endswith(".")


def test_every_option_reaches_its_family():
    options = dict(spacing=(2.0, 0.5), hd95="pooled", boundary_connectivity=8,
                   tolerance=1.5, boundary_width=3.0, connectivity=4, match_iou=0.3)  # fmt: skip
    result = compare(A, B, **options)
    surface = surface_distances(A, B, spacing=(2.0, 0.5), connectivity=8, hd95="pooled",
                                tolerance=1.5, boundary_width=3.0)  # fmt: skip
    assert result.surface.to_dict() == surface.to_dict()
    objects = compare_objects(A, B, connectivity=4, match_iou=0.3)
    assert result.objects.to_dict() == objects.to_dict()
    default = compare(A, B)
    assert default.surface.to_dict() != surface.to_dict()  # the options changed something


def test_label_options_reach_the_class_family():
    names = {1: "road", 2: "car"}
    result = compare(LABELS_REF, LABELS_CAND, kind="labels", void_policy="either",
                     include_background=True, class_names=names, **OVERLAP_ONLY)  # fmt: skip
    expected = compare_classes(LABELS_REF, LABELS_CAND, void=255, void_policy="either",
                               include_background=True, names=names)  # fmt: skip
    assert result.classes.to_dict() == expected.to_dict()
    assert [c.name for c in result.classes.classes][1:] == ["road", "car"]


def test_the_options_record_every_choice_made():
    result = compare(A, B, spacing=[2, 3], tolerance=2, **OVERLAP_ONLY)
    assert result.options["spacing"] == (2.0, 3.0)
    assert result.options["tolerance"] == 2.0
    assert result.options["kind"] == "binary" and result.options["resized"] is False


def test_skipped_families_are_none_and_absent_from_the_json():
    result = compare(A, B, **OVERLAP_ONLY)
    assert result.surface is None and result.objects is None and result.classes is None
    assert result.hd95 is None
    data = result.to_dict()
    assert "hausdorff" not in data and "objects" not in data and "per_class" not in data
    assert "spacing" not in data["conventions"]


def test_label_mode_adds_the_class_family_and_binary_mode_does_not():
    labels = compare(LABELS_REF, LABELS_CAND, kind="labels", **OVERLAP_ONLY)
    assert labels.classes is not None
    assert labels.to_dict()["mean_iou"] == labels.classes.mean_iou
    assert compare(LABELS_REF, LABELS_CAND, **OVERLAP_ONLY).classes is None


def test_a_threshold_applies_to_both_inputs():
    ref, cand = np.array([[0.1, 0.4, 0.8]]), np.array([[0.35, 0.2, 0.9]])
    result = compare(ref, cand, threshold=0.3, **OVERLAP_ONLY)
    assert (result.overlap.tp, result.overlap.fp, result.overlap.fn) == (1, 1, 1)
    assert result.reference.threshold == result.candidate.threshold == 0.3


# ---------------------------------------------------------------- sizes


def test_a_size_mismatch_is_refused_naming_both_sizes():
    with pytest.raises(SizeMismatch, match=r"50×40 \(reference\) vs 25×20 \(candidate\)"):
        compare(A, B[::2, ::2])


def test_resize_brings_the_candidate_to_the_reference_by_nearest_neighbour():
    small = B[::2, ::2]
    result = compare(A, small, resize=True, **OVERLAP_ONLY)
    assert result.overlap.shape == A.shape
    assert result.options["resized"] is True
    assert "resized to the reference" in result.to_dict()["conventions"]["resize"]
    assert any("resized by nearest neighbour from 25×20 to 50×40" in n
               for n in result.candidate.notes)  # fmt: skip
    expected = np.kron(small, np.ones((2, 2), bool))
    assert result.overlap.candidate_area == np.count_nonzero(expected)


# ---------------------------------------------------------------- fast and general paths


@settings(max_examples=25, deadline=None)
@given(
    st.tuples(st.integers(1, 16), st.integers(1, 16)).flatmap(
        lambda shape: st.tuples(hnp.arrays(bool, shape), hnp.arrays(bool, shape))
    ),
    st.sampled_from([bool, np.uint8]),
)
@example(pair=(blobs((257, 301), 13), blobs((257, 301), 14)), dtype=np.uint8)
def test_the_fast_path_for_0_1_arrays_gives_the_same_json_as_the_general_path(pair, dtype):
    # 0/1 ndarrays skip interpretation; Masks read first go the general way.
    ref, cand = (m.astype(dtype) for m in pair)
    fast = compare(ref, cand)
    general = compare(read_mask(ref), read_mask(cand))
    assert fast.to_dict() == general.to_dict()
    assert np.array_equal(fast.confusion, general.confusion)


def test_uint8_0_255_input_falls_back_to_interpretation():
    result = compare(A.astype(np.uint8) * 255, B.astype(np.uint8) * 255, **OVERLAP_ONLY)
    assert result.overlap.tp == np.count_nonzero(A & B)
    assert result.reference.values == (0, 255)


def test_a_png_and_its_array_give_the_same_numbers():
    from_files = compare(png_bytes(A), png_bytes(B)).to_dict()
    from_arrays = compare(A, B).to_dict()
    for data in (from_files, from_arrays):
        del data["reference"], data["candidate"]
    assert from_files == from_arrays


@pytest.mark.parametrize("true_byte", [2, 255])
def test_bool_arrays_whose_true_bytes_are_not_1_count_like_numpy_says(true_byte):
    # Pillow's mode "1" arrays store True as 255; a bool .npy can hold any byte.
    a, b = blobs((64, 80), 17), blobs((64, 80), 18)
    odd = np.frombuffer((a.astype(np.uint8) * true_byte).tobytes(), bool).reshape(a.shape)
    assert np.array_equal(odd, a)
    for reference in (odd, odd.tolist()):
        r = compare(reference, b, **OVERLAP_ONLY).overlap
        assert r.reference_area == np.count_nonzero(a)
        assert r.tp == np.count_nonzero(a & b)
        assert r.tn == np.count_nonzero(~a & ~b)
    assert np.array_equal(intersection(odd, b), a & b)


# ---------------------------------------------------------------- label mode


def test_label_mode_ignores_void_in_binary_statistics():
    r = compare(LABELS_REF, LABELS_CAND, kind="labels", **OVERLAP_ONLY)
    # void pixel (0, 2) counts nowhere: foreground TP = 2 (1 and one 2), FN = 1
    assert (r.overlap.tp, r.overlap.fp, r.overlap.fn, r.overlap.tn) == (2, 0, 1, 2)
    assert r.overlap.accuracy == pytest.approx(4 / 5)


def test_the_either_policy_also_ignores_pixels_void_in_the_candidate():
    cand = np.array([[0, 255, 1], [2, 0, 0]])
    reference_policy = compare(LABELS_REF, cand, kind="labels", **OVERLAP_ONLY).overlap
    either = compare(LABELS_REF, cand, kind="labels", void_policy="either", **OVERLAP_ONLY).overlap
    total = LABELS_REF.size
    assert reference_policy.tp + reference_policy.fp + reference_policy.fn + reference_policy.tn \
        == total - 1  # fmt: skip
    assert either.tp + either.fp + either.fn + either.tn == total - 2


# ---------------------------------------------------------------- what the result keeps


def test_the_confusion_map_kept_is_the_pairs_and_read_only():
    result = compare(A, B)
    assert np.array_equal(result.confusion, confusion_map(A, B))
    with pytest.raises(ValueError):
        result.confusion[0, 0] = 3


def test_a_comparison_built_by_hand_has_no_confusion_map():
    kept = compare(A, B, **OVERLAP_ONLY)
    by_hand = Comparison(kept.reference, kept.candidate, kept.overlap, None, None, None)
    with pytest.raises(ValueError, match="keeps no pair"):
        _ = by_hand.confusion


def test_the_headline_properties_are_the_overlap_statistics():
    result = compare(A, B)
    o = result.overlap
    assert (result.iou, result.dice, result.precision, result.recall) == (
        o.iou, o.dice, o.precision, o.recall
    )
    assert result.hd95 == result.surface.hd95


# ---------------------------------------------------------------- conventions


EMPTY, SQUARE, FULL = np.zeros((6, 7), bool), grid((6, 7), (1, 2, 4, 5)), np.ones((6, 7), bool)
# (reference, candidate, IoU, Dice, HD95 in JSON, keys that must be undefined, reason)
CONVENTIONS = {
    "both empty": (EMPTY, EMPTY, 1.0, 1.0, 0.0, {"precision", "recall"}, "empty"),
    "candidate empty": (
        SQUARE, EMPTY, 0.0, 0.0, None, {"precision", "hausdorff", "hd95", "assd"},
        "the candidate is empty",
    ),
    "reference empty": (
        EMPTY, SQUARE, 0.0, 0.0, None, {"recall", "hausdorff", "hd95", "masd"},
        "the reference is empty",
    ),
    "both full": (FULL, FULL, 1.0, 1.0, 0.0, {"specificity", "mcc", "kappa"}, "whole image"),
}  # fmt: skip


@pytest.mark.parametrize("case", CONVENTIONS, ids=list(CONVENTIONS))
def test_convention_table(case):
    ref, cand, iou, dice, hd95, undefined, reason = CONVENTIONS[case]
    result = compare(ref, cand)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert (data["iou"], data["dice"], data["hd95"]) == (iou, dice, hd95)
    assert data["both_empty"] == (case == "both empty")
    assert undefined <= set(data["undefined"])
    assert all(data[key] is None for key in undefined if key in data)
    assert any(reason in why for why in data["undefined"].values())
    if hd95 is None:
        assert math.isinf(result.hd95)  # infinite in Python, null in JSON


def test_the_conventions_block_states_the_choices_in_force():
    default = compare(A, B).to_dict()["conventions"]
    chosen = compare(A, B, hd95="pooled", boundary_connectivity=8, spacing=(2, 1),
                     match_iou=0.3).to_dict()["conventions"]  # fmt: skip
    assert "max of the two directed" in default["hd95"] and "MedPy" in chosen["hd95"]
    assert "4-connected cross" in default["boundary"] and "3×3 square" in chosen["boundary"]
    assert chosen["spacing"] == [2.0, 1.0]
    assert chosen["object_matching"].endswith("IoU ≥ 0.3")
    labels = compare(LABELS_REF, LABELS_CAND, kind="labels", include_background=True,
                     **OVERLAP_ONLY).to_dict()["conventions"]  # fmt: skip
    assert labels["void"] == 255 and "(VOC)" in labels["void_policy"]
    assert labels["mean_over"].endswith("background included")


def test_to_dict_is_strict_json_whatever_is_undefined():
    for ref, cand in ((SQUARE, FULL), (EMPTY, EMPTY), (FULL, EMPTY), (EMPTY, SQUARE)):
        result = compare(ref, cand)
        text = json.dumps(result.to_dict(), allow_nan=False)
        assert "NaN" not in text and "Infinity" not in text


# ---------------------------------------------------------------- json_ready


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.float32(0.5), 0.5),
        (np.int64(7), 7),
        (np.bool_(True), True),
        (math.nan, None),
        (-math.inf, None),
        (np.float64(np.inf), None),
        ((1, (2, 3)), [1, [2, 3]]),
        (np.arange(3).reshape(1, 3), [[0, 1, 2]]),
        ({1: {"x": np.float16(1.5)}}, {"1": {"x": 1.5}}),
        ("text", "text"),
        (None, None),
    ],
)
def test_json_ready_makes_plain_python_with_null_for_nan_and_infinity(value, expected):
    out = json_ready(value)
    assert out == expected
    assert type(out) is type(expected)
    json.dumps(out, allow_nan=False)


def test_json_ready_leaves_its_input_alone():
    data = {"a": [np.float64(np.nan)], "b": (1, 2)}
    json_ready(data)
    assert math.isnan(data["a"][0]) and data["b"] == (1, 2)
