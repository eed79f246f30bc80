"""Per-class comparison of label maps, checked against scikit-learn and by hand."""

import ast
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import maskapp.classes as classes_module
from maskapp.classes import MAX_VALUES, compare_classes

VOID = 255

# Hand-worked below: the reference's void pixel (row 2, col 0) is ignored; the
# candidate's void pixel (row 2, col 1) sits on reference class 2.
REFERENCE = np.array([[0, 0, 1, 1], [0, 2, 2, 1], [255, 2, 2, 0]], np.int32)
CANDIDATE = np.array([[0, 1, 1, 1], [0, 2, 2, 2], [0, 255, 2, 0]], np.int32)


def by_label(result, label):
    return result.classes[result.labels.index(label)]


def random_maps(shape, seed, *, void_fraction=0.1):
    """Label maps over classes 0–5 plus void: class 4 never in the candidate,
    class 5 never in the reference, class 6 in neither."""
    rng = np.random.default_rng(seed)
    reference = rng.choice([0, 1, 2, 3, 4], size=shape, p=[0.4, 0.2, 0.2, 0.1, 0.1])
    candidate = reference.copy()
    noise = rng.random(shape) < 0.35
    candidate[noise] = rng.choice([0, 1, 2, 3, 5], size=int(noise.sum()))
    candidate[candidate == 4] = 1
    reference[rng.random(shape) < void_fraction] = VOID
    candidate[rng.random(shape) < void_fraction / 2] = VOID
    return reference.astype(np.int32), candidate.astype(np.int32)


def kept(reference, candidate, policy):
    """The pixels a void policy keeps, flattened (the oracle's own void removal)."""
    keep = reference != VOID
    if policy == "either":
        keep &= candidate != VOID
    return reference[keep], candidate[keep]


def brute_confusion(reference, candidate, labels):
    """Confusion matrix by one comparison per (row, column) cell."""
    return np.array(
        [[np.count_nonzero((reference == i) & (candidate == j)) for j in labels] for i in labels],
        np.int64,
    ).reshape(len(labels), len(labels))


# --- the hand-worked example --------------------------------------------------------------


def test_hand_worked_example_reference_policy():
    r = compare_classes(REFERENCE, CANDIDATE)
    assert r.labels == (0, 1, 2)
    assert r.confusion.dtype == np.int64
    assert r.confusion.tolist() == [[3, 1, 0], [0, 2, 1], [0, 0, 3]]
    assert r.candidate_void.tolist() == [0, 0, 1]
    assert r.ignored_pixels == 1
    assert r.counted_pixels == 11
    assert r.pixel_accuracy == pytest.approx(8 / 11)

    c0, c1, c2 = r.classes
    assert (c1.reference_area, c1.candidate_area, c1.intersection, c1.union) == (3, 3, 2, 4)
    assert (c1.iou, c1.dice) == pytest.approx((0.5, 2 / 3))
    assert (c1.precision, c1.recall) == pytest.approx((2 / 3, 2 / 3))
    # The candidate's void pixel is a reference pixel of class 2 that was missed.
    assert (c2.reference_area, c2.candidate_area, c2.intersection, c2.union) == (4, 4, 3, 5)
    assert c2.candidate_void == 1
    assert (c2.iou, c2.dice, c2.precision, c2.recall) == pytest.approx((0.6, 0.75, 0.75, 0.75))
    assert (c0.iou, c0.dice) == pytest.approx((0.75, 6 / 7))

    assert r.averaged_labels == (1, 2)
    assert r.mean_iou == pytest.approx(0.55)
    assert r.mean_dice == pytest.approx((2 / 3 + 0.75) / 2)
    assert r.micro_iou == pytest.approx(5 / 9)
    assert r.micro_dice == pytest.approx(10 / 14)
    assert r.weighted_iou == pytest.approx((3 * 0.5 + 4 * 0.6) / 7)
    assert r.weighted_dice == pytest.approx((3 * 2 / 3 + 4 * 0.75) / 7)
    assert r.undefined == {}


def test_hand_worked_example_with_background():
    r = compare_classes(REFERENCE, CANDIDATE, include_background=True)
    assert r.averaged_labels == (0, 1, 2)
    assert r.mean_iou == pytest.approx((0.75 + 0.5 + 0.6) / 3)
    assert r.micro_iou == pytest.approx((3 + 2 + 3) / (4 + 4 + 5))
    assert r.weighted_iou == pytest.approx((4 * 0.75 + 3 * 0.5 + 4 * 0.6) / 11)


def test_hand_worked_example_either_policy():
    r = compare_classes(REFERENCE, CANDIDATE, void_policy="either")
    assert r.confusion.tolist() == [[3, 1, 0], [0, 2, 1], [0, 0, 3]]
    assert r.candidate_void.tolist() == [0, 0, 0]
    assert r.ignored_pixels == 2
    c2 = by_label(r, 2)
    assert (c2.reference_area, c2.candidate_area, c2.iou) == (3, 4, 0.75)
    assert r.pixel_accuracy == pytest.approx(8 / 10)


# --- agreement with scikit-learn ----------------------------------------------------------


@pytest.fixture(scope="module")
def skm():
    """scikit-learn's metrics, imported when first needed (the import takes ~2 s)."""
    from sklearn import metrics

    return metrics


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["reference", "either"])
@pytest.mark.parametrize("include_background", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_agrees_with_scikit_learn(skm, seed, policy, include_background):
    reference, candidate = random_maps((53, 31), seed)
    r = compare_classes(
        reference, candidate, void_policy=policy, include_background=include_background,
        labels=[6],
    )
    y_true, y_pred = kept(reference, candidate, policy)
    labels = list(r.labels)
    assert labels == [0, 1, 2, 3, 4, 5, 6]
    # Under 'reference' the oracle sees the candidate's void as a label outside `labels`.
    assert (r.candidate_void.sum() > 0) == (policy == "reference")
    assert np.array_equal(r.confusion, skm.confusion_matrix(y_true, y_pred, labels=labels))
    assert r.pixel_accuracy == pytest.approx(skm.accuracy_score(y_true, y_pred))

    # scikit-learn's jaccard_score only offers 0 or 1 for 0/0, so compare NaN
    # positions with our own reading of the kept pixels and the rest as 0.
    in_reference = np.isin(labels, y_true)
    in_candidate = np.isin(labels, y_pred)
    per_class = dict(labels=labels, average=None, zero_division=0)
    for attribute, oracle, undefined in [
        ("iou", skm.jaccard_score, ~in_reference & ~in_candidate),
        ("dice", skm.f1_score, ~in_reference & ~in_candidate),
        ("precision", skm.precision_score, ~in_candidate),
        ("recall", skm.recall_score, ~in_reference),
    ]:
        ours = np.array([getattr(c, attribute) for c in r.classes])
        assert np.array_equal(np.isnan(ours), undefined), attribute
        np.testing.assert_allclose(
            np.nan_to_num(ours), oracle(y_true, y_pred, **per_class), err_msg=attribute
        )

    averaged = list(r.averaged_labels)
    assert averaged == ([0] if include_background else []) + [1, 2, 3, 4, 5]
    for average, prefix in [("macro", "mean"), ("micro", "micro"), ("weighted", "weighted")]:
        expected_iou = skm.jaccard_score(y_true, y_pred, labels=averaged, average=average)
        expected_dice = skm.f1_score(y_true, y_pred, labels=averaged, average=average)
        assert getattr(r, f"{prefix}_iou") == pytest.approx(expected_iou), average
        assert getattr(r, f"{prefix}_dice") == pytest.approx(expected_dice), average


@pytest.mark.slow
def test_void_none_agrees_with_scikit_learn_on_every_pixel(skm):
    reference, candidate = random_maps((40, 60), 7)
    r = compare_classes(reference, candidate, void=None, background=None)
    assert VOID in r.labels
    labels = list(r.labels)
    y_true, y_pred = reference.ravel(), candidate.ravel()
    assert np.array_equal(r.confusion, skm.confusion_matrix(y_true, y_pred, labels=labels))
    assert r.mean_iou == pytest.approx(skm.jaccard_score(y_true, y_pred, average="macro"))
    assert r.ignored_pixels == 0


# --- shapes, blocks and the three counting paths -------------------------------------------


def test_non_square_map_matches_brute_force_and_transpose():
    reference, candidate = random_maps((41, 13), 3)
    r = compare_classes(reference, candidate, void=None)
    assert np.array_equal(r.confusion, brute_confusion(reference, candidate, r.labels))
    t = compare_classes(reference.T, candidate.T, void=None)
    assert np.array_equal(t.confusion, r.confusion)
    tall = compare_classes(reference[:, :1], candidate[:, :1], void=None)
    assert np.array_equal(
        tall.confusion, brute_confusion(reference[:, :1], candidate[:, :1], tall.labels)
    )


@pytest.mark.parametrize("block", [7, 1000, 1 << 18])
def test_block_size_does_not_change_the_counts(monkeypatch, block):
    reference, candidate = random_maps((97, 61), 4)
    expected = compare_classes(reference, candidate).confusion
    monkeypatch.setattr(classes_module, "_BLOCK_PIXELS", block)
    for values in ([0, 1, 2, 3, 4, 5, 255], [0, 1, 2, 3, 4, 5, 60000], [-9, 1, 2, 3, 4, 5, 2**40]):
        lut = np.zeros(256, np.int64)
        lut[[0, 1, 2, 3, 4, 5, 255]] = values
        r = compare_classes(lut[reference], lut[candidate], void=values[-1])
        assert np.array_equal(r.confusion, expected), values


LABEL_SETS = [
    [0, 1, 2, 3, 255],  # raw pair counts (labels below 256)
    [3, 7, 300, 40000, 65000],  # bincount discovery
    [-5, 0, 1, 2, 255],  # bincount discovery with an offset
    [0, 1, 70000, 2**33, 255],  # sort (np.unique) discovery
    [-(2**40), 0, 1, 2, 255],
]
DTYPES = [np.uint8, np.int16, np.uint16, np.int32, np.uint64, np.int64]


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (values, dtype)
        for values in LABEL_SETS
        for dtype in DTYPES
        if np.iinfo(dtype).min <= min(values) and max(values) <= np.iinfo(dtype).max
    ],
)
def test_every_label_range_and_dtype_gives_the_same_result(values, dtype):
    rng = np.random.default_rng(5)
    codes_a = rng.integers(0, 5, (19, 11))
    codes_b = rng.integers(0, 5, (19, 11))
    expected = compare_classes(codes_a, codes_b, void=4, background=None)
    lut = np.array(values)
    r = compare_classes(
        lut[codes_a].astype(dtype), lut[codes_b].astype(dtype), void=values[-1], background=None
    )
    assert r.labels == tuple(values[:-1])
    assert np.array_equal(r.confusion, expected.confusion)
    assert np.array_equal(r.candidate_void, expected.candidate_void)
    assert r.ignored_pixels == expected.ignored_pixels
    assert r.mean_iou == expected.mean_iou


def test_bool_maps_are_labels_zero_and_one():
    a = np.array([[True, False], [True, True]])
    b = np.array([[True, True], [False, True]])
    r = compare_classes(a, b)
    assert r.labels == (0, 1)
    assert r.confusion.tolist() == [[0, 1], [1, 2]]


def test_input_is_not_modified():
    reference, candidate = random_maps((30, 20), 8)
    before = reference.copy(), candidate.copy()
    compare_classes(reference, candidate)
    assert np.array_equal(reference, before[0]) and np.array_equal(candidate, before[1])


# --- void policies ------------------------------------------------------------------------


def test_candidate_void_is_a_miss_for_the_reference_class():
    r = compare_classes(np.ones((2, 2), np.int32), np.array([[1, VOID], [1, 1]]))
    c = by_label(r, 1)
    assert r.labels == (1,) and r.confusion.tolist() == [[3]]
    assert r.candidate_void.tolist() == [1] and c.candidate_void == 1
    assert (c.reference_area, c.candidate_area, c.intersection) == (4, 3, 3)
    assert (c.iou, c.precision, c.recall) == (0.75, 1.0, 0.75)
    assert r.pixel_accuracy == 0.75
    assert r.ignored_pixels == 0


def test_either_policy_ignores_candidate_void():
    r = compare_classes(
        np.ones((2, 2), np.int32), np.array([[1, VOID], [1, 1]]), void_policy="either"
    )
    assert r.confusion.tolist() == [[3]] and r.candidate_void.tolist() == [0]
    assert by_label(r, 1).iou == 1.0
    assert r.ignored_pixels == 1 and r.pixel_accuracy == 1.0


@pytest.mark.parametrize("policy", ["reference", "either"])
def test_reference_void_is_ignored_under_both_policies(policy):
    r = compare_classes(np.array([[VOID, 1]]), np.array([[2, 1]]), void_policy=policy)
    assert r.ignored_pixels == 1
    # Class 2 was only seen on an ignored pixel: listed, but absent.
    c2 = by_label(r, 2)
    assert not c2.present and math.isnan(c2.iou)
    assert r.averaged_labels == (1,) and r.mean_iou == 1.0


def test_void_none_counts_255_as_a_class():
    r = compare_classes(np.array([[VOID, 1]]), np.array([[VOID, 2]]), void=None)
    assert r.labels == (1, 2, VOID)
    assert by_label(r, VOID).iou == 1.0
    assert r.ignored_pixels == 0


def test_other_void_label():
    r = compare_classes(np.array([[9, 1, 255]]), np.array([[1, 1, 255]]), void=9)
    assert r.labels == (1, 255) and r.ignored_pixels == 1
    assert r.mean_iou == 1.0


def test_all_void_leaves_everything_undefined():
    r = compare_classes(np.full((2, 3), VOID), np.zeros((2, 3), int))
    assert r.ignored_pixels == 6 and r.counted_pixels == 0
    assert math.isnan(r.pixel_accuracy) and math.isnan(r.mean_iou)
    assert r.undefined["pixel_accuracy"] == "every pixel is void"
    assert r.undefined["mean_iou"] == "every pixel is void"


# --- conventions: absent classes, one-sided classes, background --------------------------

NAN = math.nan


@pytest.mark.parametrize(
    ("reference", "candidate", "iou", "dice", "precision", "recall"),
    [
        ([[0, 0]], [[0, 0]], NAN, NAN, NAN, NAN),  # absent from both (requested)
        ([[1, 0]], [[0, 0]], 0.0, 0.0, NAN, 0.0),  # reference only
        ([[0, 0]], [[0, 1]], 0.0, 0.0, 0.0, NAN),  # candidate only
        ([[1, 1]], [[1, 1]], 1.0, 1.0, 1.0, 1.0),  # identical
        ([[1, 1, 0]], [[0, 1, 1]], 1 / 3, 0.5, 0.5, 0.5),
    ],
)
def test_convention_table(reference, candidate, iou, dice, precision, recall):
    c = by_label(compare_classes(np.array(reference), np.array(candidate), labels=[1]), 1)
    np.testing.assert_allclose(
        [c.iou, c.dice, c.precision, c.recall], [iou, dice, precision, recall]
    )
    assert c.present == (not math.isnan(iou))


def test_absent_class_is_nan_with_reasons_and_left_out_of_the_means():
    without = compare_classes(REFERENCE, CANDIDATE)
    r = compare_classes(REFERENCE, CANDIDATE, labels=[7, 1])
    c7 = by_label(r, 7)
    assert r.labels == (0, 1, 2, 7)
    assert not c7.present and (c7.reference_area, c7.candidate_area) == (0, 0)
    assert all(math.isnan(x) for x in (c7.iou, c7.dice, c7.precision, c7.recall))
    assert c7.undefined["iou"] == "the class is absent from both maps"
    assert set(c7.undefined) == {"iou", "dice", "precision", "recall"}
    assert r.confusion[3].tolist() == [0, 0, 0, 0] and r.confusion[:, 3].tolist() == [0, 0, 0, 0]
    assert r.averaged_labels == without.averaged_labels
    for name in ("mean_iou", "mean_dice", "micro_iou", "weighted_dice"):
        assert getattr(r, name) == getattr(without, name)
    assert r.to_dict()["per_class"][3]["iou"] is None


def test_class_in_one_map_only_counts_as_zero_in_the_mean():
    r = compare_classes(np.array([[1, 1, 2]]), np.array([[1, 1, 1]]))
    c2 = by_label(r, 2)
    assert (c2.iou, c2.dice, c2.recall) == (0.0, 0.0, 0.0)
    assert math.isnan(c2.precision)
    assert c2.undefined == {"precision": "the candidate has no pixel of this class"}
    assert r.mean_iou == pytest.approx((2 / 3 + 0) / 2)
    assert r.weighted_iou == pytest.approx((2 * 2 / 3 + 1 * 0) / 3)


def test_only_background_maps():
    zeros = np.zeros((3, 5), np.int32)
    r = compare_classes(zeros, zeros)
    assert r.labels == (0,) and r.averaged_labels == ()
    assert by_label(r, 0).iou == 1.0
    assert r.pixel_accuracy == 1.0
    for name in ("mean_iou", "mean_dice", "micro_iou", "micro_dice", "weighted_iou"):
        assert math.isnan(getattr(r, name))
        assert r.undefined[name] == "no class other than background 0 is present"
    with_background = compare_classes(zeros, zeros, include_background=True)
    assert with_background.mean_iou == with_background.weighted_dice == 1.0
    assert with_background.undefined == {}


def test_weighted_mean_undefined_when_reference_has_only_background():
    r = compare_classes(np.zeros((1, 3), int), np.array([[0, 1, 1]]))
    assert r.mean_iou == 0.0 and r.micro_iou == 0.0
    assert math.isnan(r.weighted_iou)
    assert "reference" in r.undefined["weighted_iou"]


def test_background_none_averages_every_class():
    r = compare_classes(REFERENCE, CANDIDATE, background=None)
    assert r.averaged_labels == (0, 1, 2)
    assert "no class is background" in r.conventions()["background"]


def test_other_background_label():
    r = compare_classes(REFERENCE, CANDIDATE, background=2)
    assert r.averaged_labels == (0, 1)


# --- output formats -----------------------------------------------------------------------


def test_names_default_to_the_label():
    r = compare_classes(REFERENCE, CANDIDATE, names={1: "road", 9: "unused"})
    assert [c.name for c in r.classes] == ["0", "road", "2"]


def test_to_dict_is_strict_json_and_states_the_conventions():
    r = compare_classes(REFERENCE, CANDIDATE, labels=[7])
    data = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert data["labels"] == [0, 1, 2, 7]
    assert data["confusion"] == r.confusion.tolist()
    assert data["candidate_void"] == [0, 0, 1, 0]
    assert [c["label"] for c in data["per_class"]] == [0, 1, 2, 7]
    assert data["per_class"][3]["dice"] is None
    assert data["mean_iou"] == pytest.approx(0.55)
    assert (data["void"], data["void_policy"], data["background"]) == (255, "reference", 0)
    assert data["ignored_pixels"] == 1 and data["counted_pixels"] == 11
    conventions = data["conventions"]
    for key in ("confusion", "void", "background", "absent_class", "mean", "micro", "weighted"):
        assert conventions[key]
    assert "miss" in conventions["void"] and "excluded" in conventions["background"]
    either = compare_classes(REFERENCE, CANDIDATE, void_policy="either").to_dict()
    assert "either map" in either["conventions"]["void"]


def test_to_dict_of_undefined_means_is_null_with_reason():
    zeros = np.zeros((2, 2), int)
    data = compare_classes(zeros, zeros).to_dict()
    assert data["mean_iou"] is None
    assert data["undefined"]["mean_iou"] == "no class other than background 0 is present"
    json.dumps(data, allow_nan=False)


def test_table_has_one_row_per_class():
    rows = compare_classes(REFERENCE, CANDIDATE, labels=[7]).table()
    assert [row["label"] for row in rows] == [0, 1, 2, 7]
    assert [row["averaged"] for row in rows] == [False, True, True, False]
    assert rows[3]["iou"] is None and "absent from both maps" in rows[3]["note"]
    assert rows[1]["note"] == ""
    assert set(rows[0]) >= {"name", "reference_area", "candidate_area", "iou", "dice"}


def test_classes_module_imports_only_numpy_and_the_standard_library():
    tree = ast.parse(Path(classes_module.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        "." * node.level + node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    # Within the package only the pure helpers (safe ratios, the void policy).
    assert imported <= {
        "__future__", "collections", "dataclasses", "math", "typing", "numpy", ".numbers", ".void"
    }


# --- programming errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "candidate", "options", "message"),
    [
        (np.zeros((2, 3), int), np.zeros((3, 2), int), {}, "same shape"),
        (np.zeros((2, 2, 2), int), np.zeros((2, 2, 2), int), {}, "2-D"),
        (np.zeros((2, 2)), np.zeros((2, 2)), {}, "integer arrays"),
        (np.zeros((2, 2), int), np.zeros((2, 2), int), {"void_policy": "both"}, "void policy"),
        (np.zeros((2, 2), int), np.zeros((2, 2), int), {"labels": [1, 255]}, "void label"),
        (np.zeros((2, 2), int), np.zeros((2, 2), int), {"background": 255}, "background and void"),
        (
            np.arange(MAX_VALUES + 1).reshape(1, -1),
            np.zeros((1, MAX_VALUES + 1), int),
            {"void": None},
            "distinct values",
        ),
        (
            np.array([[2**63 + 1, 0]], np.uint64),
            np.zeros((1, 2), np.uint64),
            {},
            "int64",
        ),
    ],
)
def test_programming_errors(reference, candidate, options, message):
    with pytest.raises(ValueError, match=message):
        compare_classes(reference, candidate, **options)


# --- properties ---------------------------------------------------------------------------

label_maps = st.integers(1, 6).flatmap(
    lambda rows: st.integers(1, 6).flatmap(
        lambda cols: st.tuples(
            *[
                hnp.arrays(np.int32, (rows, cols), elements=st.sampled_from([0, 1, 2, 3, VOID]))
                for _ in range(2)
            ]
        )
    )
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(label_maps, st.sampled_from(["reference", "either"]))
def test_iou_never_exceeds_dice_and_dice_is_2iou_over_1_plus_iou(maps, policy):
    r = compare_classes(*maps, void_policy=policy)
    for c in r.classes:
        if c.present:
            assert 0.0 <= c.iou <= c.dice <= 1.0
            assert c.dice == pytest.approx(2 * c.iou / (1 + c.iou))
        else:
            assert math.isnan(c.iou) and math.isnan(c.dice)
    if r.averaged_labels:
        assert r.micro_dice == pytest.approx(2 * r.micro_iou / (1 + r.micro_iou))
        ious = [c.iou for c in r.classes if c.label in r.averaged_labels]
        assert min(ious) - 1e-12 <= r.mean_iou <= max(ious) + 1e-12


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(label_maps, st.sampled_from([VOID, None]))
def test_swapping_the_maps_transposes_the_confusion_matrix(maps, void):
    a, b = maps
    forward = compare_classes(a, b, void=void, void_policy="either")
    backward = compare_classes(b, a, void=void, void_policy="either")
    assert forward.labels == backward.labels
    assert np.array_equal(forward.confusion, backward.confusion.T)
    for f, g in zip(forward.classes, backward.classes, strict=True):
        np.testing.assert_equal([f.iou, f.dice], [g.iou, g.dice])
        np.testing.assert_equal([f.precision, f.recall], [g.recall, g.precision])
    np.testing.assert_equal(forward.mean_iou, backward.mean_iou)
    np.testing.assert_equal(forward.micro_dice, backward.micro_dice)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(label_maps, st.sampled_from(["reference", "either"]))
def test_every_pixel_is_counted_once_and_matches_brute_force(maps, policy):
    a, b = maps
    r = compare_classes(a, b, void_policy=policy)
    assert r.counted_pixels + r.ignored_pixels == a.size
    keep = a != VOID
    if policy == "either":
        keep &= b != VOID
    assert np.array_equal(r.confusion, brute_confusion(a[keep], b[keep], r.labels))
    assert r.candidate_void.tolist() == [
        np.count_nonzero((a == label) & (b == VOID) & keep) for label in r.labels
    ]
