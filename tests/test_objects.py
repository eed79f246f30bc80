"""Per-object comparison: hand-worked cases, conventions, and independent oracles."""

import json
import math

import numpy as np
import pytest
from helpers import blobs, grid
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage
from skimage.measure import label as skimage_label
from skimage.measure import regionprops

from maskapp import objects as objects_module
from maskapp.errors import MaskError
from maskapp.objects import ObjectComparison, compare_objects, label_objects


def noise(shape, seed, density=0.45):
    """Salt-and-pepper masks: many small, tangled objects (many competing partners)."""
    return np.random.default_rng(seed).random(shape) < density


def brute_force_iou(reference, candidate, connectivity):
    """IoU of every object pair, one pair of full-size masks at a time."""
    ref_labels, n_ref = skimage_label(reference, connectivity=connectivity // 4, return_num=True)
    cand_labels, n_cand = skimage_label(candidate, connectivity=connectivity // 4, return_num=True)
    out = np.zeros((n_ref, n_cand))
    for i in range(n_ref):
        r = ref_labels == i + 1
        for j in range(n_cand):
            c = cand_labels == j + 1
            out[i, j] = np.count_nonzero(r & c) / np.count_nonzero(r | c)
    return out


def brute_force_best_total(iou, match_iou):
    """Largest total IoU of any one-to-one matching of eligible pairs, by enumeration."""
    n_ref, n_cand = iou.shape
    best = 0.0

    def walk(i, used, total):
        nonlocal best
        if i == n_ref:
            best = max(best, total)
            return
        walk(i + 1, used, total)
        for j in range(n_cand):
            if j not in used and iou[i, j] > 0 and iou[i, j] >= match_iou:
                walk(i + 1, used | {j}, total + iou[i, j])

    walk(0, frozenset(), 0.0)
    return best


# --- hand-worked cases --------------------------------------------------------


def test_panoptic_quality_hand_worked():
    shape = (8, 10)
    reference = grid(
        shape,
        (1, 1, 3, 3),  # ref 1: 2×2 = 4 px
        (1, 5, 3, 8),  # ref 2: 2×3 = 6 px
        (5, 1, 7, 3),  # ref 3: 4 px, nothing there in the candidate → missed
    )
    candidate = grid(
        shape,
        (1, 1, 3, 3),  # cand 1 = ref 1 exactly: IoU 4/4 = 1
        (1, 5, 3, 7),  # cand 2: 2×2 = 4 px inside ref 2: IoU 4/6 = 2/3
        (5, 6, 7, 8),  # cand 3: 4 px where the reference has nothing → extra
    )
    r = compare_objects(reference, candidate)
    # TP = 2, FP = 1, FN = 1
    # SQ = (1 + 2/3) / 2 = 5/6
    # RQ = 2 / (2 + 1/2 + 1/2) = 2/3
    # PQ = (1 + 2/3) / 3 = 5/9 = SQ × RQ
    assert (r.reference_count, r.candidate_count) == (3, 3)
    assert (r.tp, r.fp, r.fn) == (2, 1, 1)
    assert r.matches == ((1, 1, 1.0), (2, 2, pytest.approx(2 / 3)))
    assert r.sq == pytest.approx(5 / 6)
    assert r.rq == pytest.approx(2 / 3)
    assert r.pq == pytest.approx(5 / 9)
    assert r.pq == pytest.approx(r.sq * r.rq)
    assert r.precision == pytest.approx(2 / 3)
    assert r.recall == pytest.approx(2 / 3)
    assert r.f1 == pytest.approx(2 / 3)
    assert r.undefined == {}
    assert [(o.side, o.id, o.status) for o in r.objects] == [
        ("reference", 1, "matched"),
        ("reference", 2, "matched"),
        ("reference", 3, "missed"),
        ("candidate", 1, "matched"),
        ("candidate", 2, "matched"),
        ("candidate", 3, "extra"),
    ]
    missed = r.objects[2]
    assert missed.matched_id is None and missed.matched_iou is None
    assert missed.best_id is None and missed.best_iou == 0.0 and missed.iou == 0.0
    assert missed.area == 4 and missed.centroid == (5.5, 1.5) and missed.bbox == (5, 1, 7, 3)
    np.testing.assert_allclose(r.iou_matrix, [[1, 0, 0], [0, 2 / 3, 0], [0, 0, 0]])


def test_split_reference_object():
    # ref: one 3×8 bar (24 px); cand: two 3×3 pieces inside it, a gap between.
    reference = grid((5, 10), (1, 1, 4, 9))
    candidate = grid((5, 10), (1, 1, 4, 4), (1, 6, 4, 9))
    r = compare_objects(reference, candidate)
    assert r.splits == 1 and r.merges == 0
    ref, cand_1, cand_2 = r.objects
    assert ref.split and not ref.merged and ref.part_of is None
    assert cand_1.part_of == 1 and cand_2.part_of == 1
    assert not cand_1.split and not cand_1.merged
    # each piece: IoU 9 / 24 < 0.5 → nothing matches
    assert r.tp == 0 and ref.status == "missed"
    assert ref.best_id == 1 and ref.best_iou == pytest.approx(9 / 24)


def test_split_object_can_still_be_matched():
    # cand 1 covers 16 of 20 px (IoU 0.8), cand 2 is a 2-px fragment inside.
    reference = grid((4, 12), (1, 1, 3, 11))
    candidate = grid((4, 12), (1, 1, 3, 9), (1, 10, 3, 11))
    r = compare_objects(reference, candidate)
    assert r.splits == 1
    assert r.matches == ((1, 1, pytest.approx(0.8)),)
    assert r.objects[0].split and r.objects[0].status == "matched"


def test_merged_candidate_object():
    # two 3×3 reference squares; the candidate joins them with a bridge.
    reference = grid((5, 10), (1, 1, 4, 4), (1, 6, 4, 9))
    candidate = grid((5, 10), (1, 1, 4, 9))
    r = compare_objects(reference, candidate)
    assert r.merges == 1 and r.splits == 0
    ref_1, ref_2, cand = r.objects
    assert cand.merged and not cand.split
    assert ref_1.part_of == 1 and ref_2.part_of == 1
    assert r.tp == 0 and cand.status == "extra"


def test_boundary_bleed_is_not_a_split_or_merge():
    # cand 1 covers ref 1 and spills 1 column into ref 2; cand 2 covers the rest of ref 2.
    reference = grid((4, 12), (1, 1, 3, 5), (1, 6, 3, 11))
    candidate = grid((4, 12), (1, 1, 3, 7), (1, 8, 3, 11))
    r = compare_objects(reference, candidate, connectivity=4)
    assert r.splits == 0 and r.merges == 0
    assert r.tp == 2


# --- connectivity and threshold ---------------------------------------------


def test_diagonal_pixels_are_one_object_only_with_8_connectivity():
    diagonal = np.eye(4, dtype=bool)
    assert label_objects(diagonal, connectivity=8)[1] == 1
    labels, n = label_objects(diagonal, connectivity=4)
    assert n == 4 and labels.dtype == np.uint16
    assert labels.diagonal().tolist() == [1, 2, 3, 4]


@pytest.mark.slow
def test_more_objects_than_uint16_holds_are_labelled_in_int32():
    dots = np.zeros((600, 600), bool)
    dots[::2, ::2] = True  # 90,000 one-pixel objects
    labels, n = label_objects(dots)
    assert n == 90_000 and labels.dtype == np.int32 and labels.max() == 90_000
    result = compare_objects(dots, dots, max_objects=100_000)
    assert (result.tp, result.fp, result.fn) == (90_000, 0, 0)


def test_connectivity_changes_the_objects_compared():
    reference = np.array([[1, 0], [0, 1]], bool)  # two diagonal pixels
    candidate = np.array([[1, 0], [0, 0]], bool)
    eight = compare_objects(reference, candidate, connectivity=8)
    # one 2-px object against a 1-px object: IoU 1/2, matched at ≥ 0.5
    assert (eight.reference_count, eight.tp, eight.fn) == (1, 1, 0)
    assert eight.matches == ((1, 1, 0.5),)
    four = compare_objects(reference, candidate, connectivity=4)
    assert (four.reference_count, four.tp, four.fn) == (2, 1, 1)
    assert four.matches == ((1, 1, 1.0),)
    assert (four.connectivity, eight.connectivity) == (4, 8)


@pytest.mark.parametrize(
    ("match_iou", "matched"),
    [(0.0, True), (0.5, True), (math.nextafter(0.5, 1.0), False), (1.0, False)],
)
def test_match_threshold_is_inclusive(match_iou, matched):
    # IoU exactly 1/2 (2 px inside 4 px), representable exactly in binary.
    reference = grid((3, 6), (1, 1, 2, 5))
    candidate = grid((3, 6), (1, 1, 2, 3))
    r = compare_objects(reference, candidate, match_iou=match_iou)
    assert r.objects[0].best_iou == 0.5
    assert r.tp == int(matched)
    assert r.matching == "unique"


def test_threshold_zero_still_requires_overlap():
    r = compare_objects(grid((3, 6), (0, 0, 1, 2)), grid((3, 6), (2, 3, 3, 6)), match_iou=0.0)
    assert (r.tp, r.fp, r.fn) == (0, 1, 1)


def test_low_threshold_matching_maximises_total_iou():
    # ref 1 overlaps cand 1 (IoU 0.6) and cand 2 (IoU 0.25); ref 2 overlaps only cand 1.
    # The greedy choice (ref 1, cand 1) leaves ref 2 unmatched; the best total is
    # (ref 1, cand 2) + (ref 2, cand 1).
    iou = np.array([[0.6, 0.25], [0.4, 0.0]])
    assert brute_force_best_total(iou, 0.2) == pytest.approx(0.65)
    pair_ref, pair_cand = np.nonzero(iou)
    m_ref, m_cand, m_iou, method = objects_module._match(
        pair_ref + 1, pair_cand + 1, iou[pair_ref, pair_cand], 2, 2, 0.2
    )
    assert method == "hungarian"
    assert sorted(zip(m_ref.tolist(), m_cand.tolist(), strict=True)) == [(1, 2), (2, 1)]
    assert m_iou.sum() == pytest.approx(0.65)


# --- conventions: empty cases -----------------------------------------------

NAN = math.nan
EMPTY_CASES = {
    # name: (reference, candidate, tp, fp, fn, precision, recall, f1, pq, sq, undefined keys)
    "both empty": (grid((4, 6)), grid((4, 6)), 0, 0, 0, NAN, NAN, 1.0, 1.0, NAN,
                   {"precision", "recall", "sq"}),
    "reference empty": (grid((4, 6)), grid((4, 6), (1, 1, 3, 3), (0, 5, 1, 6)), 0, 2, 0,
                        0.0, NAN, 0.0, 0.0, NAN, {"recall", "sq"}),
    "candidate empty": (grid((4, 6), (1, 1, 3, 3)), grid((4, 6)), 0, 0, 1,
                        NAN, 0.0, 0.0, 0.0, NAN, {"precision", "sq"}),
    "no match": (grid((4, 6), (0, 0, 2, 2)), grid((4, 6), (2, 4, 4, 6)), 0, 1, 1,
                 0.0, 0.0, 0.0, 0.0, NAN, {"sq"}),
    "identical": (grid((4, 6), (0, 0, 2, 2)), grid((4, 6), (0, 0, 2, 2)), 1, 0, 0,
                  1.0, 1.0, 1.0, 1.0, 1.0, set()),
}  # fmt: skip


@pytest.mark.parametrize("case", list(EMPTY_CASES))
def test_convention_table(case):
    reference, candidate, tp, fp, fn, precision, recall, f1, pq, sq, undefined = EMPTY_CASES[case]
    r = compare_objects(reference, candidate)
    assert (r.tp, r.fp, r.fn) == (tp, fp, fn)
    for name, expected in [
        ("precision", precision),
        ("recall", recall),
        ("f1", f1),
        ("rq", f1),
        ("pq", pq),
        ("sq", sq),
    ]:
        value = getattr(r, name)
        assert value == pytest.approx(expected, nan_ok=True), name
    assert set(r.undefined) == undefined
    assert r.both_empty == (case == "both empty")
    assert r.iou_matrix.shape == (r.reference_count, r.candidate_count)
    json.dumps(r.to_dict(), allow_nan=False)


def test_both_empty_reason_is_stated():
    r = compare_objects(grid((3, 3)), grid((3, 3)))
    assert r.undefined["precision"] == "neither mask has objects"
    data = r.to_dict()
    assert data["f1"] == 1.0 and data["precision"] is None and data["both_empty"] is True
    assert "both_empty" in data["conventions"]


# --- agreement with independent implementations ------------------------------


@pytest.mark.parametrize("connectivity", [4, 8])
@pytest.mark.parametrize("seed", range(3))
def test_iou_matrix_matches_brute_force(seed, connectivity):
    reference = blobs((40, 56), seed, sigma=2)
    candidate = blobs((40, 56), seed + 100, sigma=2)
    r = compare_objects(reference, candidate, connectivity=connectivity)
    expected = brute_force_iou(reference, candidate, connectivity)
    assert r.reference_count > 3 and r.candidate_count > 3
    np.testing.assert_allclose(r.iou_matrix, expected, rtol=0, atol=1e-12)


def test_sorted_pair_fallback_gives_the_same_iou(monkeypatch):
    reference, candidate = noise((30, 40), 1), noise((30, 40), 2)
    dense = compare_objects(reference, candidate, connectivity=4)
    monkeypatch.setattr(objects_module, "_DENSE_PAIR_BINS", 0)
    sorted_pairs = compare_objects(reference, candidate, connectivity=4)
    np.testing.assert_array_equal(dense.iou_matrix, sorted_pairs.iou_matrix)


@pytest.mark.parametrize("connectivity", [4, 8])
@pytest.mark.parametrize("shape", [(37, 23), (23, 37)])
def test_geometry_matches_regionprops(shape, connectivity):
    reference, candidate = blobs(shape, 7, sigma=2), blobs(shape, 8, sigma=2)
    r = compare_objects(reference, candidate, connectivity=connectivity)
    for mask, records in [
        (reference, r.objects[: r.reference_count]),
        (candidate, r.objects[r.reference_count :]),
    ]:
        labels, n = label_objects(mask, connectivity=connectivity)
        props = regionprops(labels)
        assert len(props) == n == len(records)
        for prop, record in zip(props, records, strict=True):
            assert record.id == prop.label
            assert record.area == prop.area
            assert record.bbox == tuple(prop.bbox)
            np.testing.assert_allclose(record.centroid, prop.centroid, rtol=0, atol=1e-9)


@pytest.mark.parametrize("connectivity", [4, 8])
def test_labels_agree_with_scikit_image_and_are_in_raster_order(connectivity):
    mask = noise((25, 31), 3)
    labels, n = label_objects(mask, connectivity=connectivity)
    other, n_other = skimage_label(mask, connectivity=connectivity // 4, return_num=True)
    assert n == n_other
    # the same partition: a one-to-one correspondence of labels
    pairs = np.unique(np.stack([labels.ravel(), other.ravel()]), axis=1)
    assert pairs.shape[1] == n + 1
    first_pixel = [np.flatnonzero(labels.ravel() == k)[0] for k in range(1, n + 1)]
    assert first_pixel == sorted(first_pixel)


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    match_iou=st.sampled_from([0.0, 0.05, 0.1, 0.2, 0.3]),
    connectivity=st.sampled_from([4, 8]),
)
def test_matching_has_the_best_total_iou(seed, match_iou, connectivity):
    reference, candidate = noise((7, 8), seed), noise((7, 8), seed + 1)
    r = compare_objects(reference, candidate, match_iou=match_iou, connectivity=connectivity)
    iou = r.iou_matrix
    assert sum(m[2] for m in r.matches) == pytest.approx(brute_force_best_total(iou, match_iou))
    matched_ref = [m[0] for m in r.matches]
    matched_cand = [m[1] for m in r.matches]
    assert len(set(matched_ref)) == len(matched_ref) and len(set(matched_cand)) == r.tp
    for i, j, value in r.matches:
        assert value == iou[i - 1, j - 1] and value >= match_iou and value > 0


def test_hungarian_path_is_exercised():
    methods = {
        compare_objects(noise((7, 8), seed), noise((7, 8), seed + 1), match_iou=0.1).matching
        for seed in range(20)
    }
    assert "hungarian" in methods


@pytest.mark.parametrize("seed", range(5))
def test_sparse_assignment_fallback_agrees_with_hungarian(seed, monkeypatch):
    reference, candidate = noise((16, 16), seed), noise((16, 16), seed + 50)
    dense = compare_objects(reference, candidate, match_iou=0.05, connectivity=4)
    monkeypatch.setattr(objects_module, "_DENSE_ASSIGNMENT_CELLS", 0)
    sparse = compare_objects(reference, candidate, match_iou=0.05, connectivity=4)
    assert dense.matching == "hungarian"
    assert sparse.tp > 0
    assert sum(m[2] for m in sparse.matches) == pytest.approx(sum(m[2] for m in dense.matches))
    matched_ref = [m[0] for m in sparse.matches]
    matched_cand = [m[1] for m in sparse.matches]
    assert len(set(matched_ref)) == len(set(matched_cand)) == sparse.tp


# --- properties -----------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    match_iou=st.floats(0.5, 1.0),
    connectivity=st.sampled_from([4, 8]),
)
def test_matching_is_unique_at_and_above_one_half(seed, match_iou, connectivity):
    reference, candidate = noise((9, 11), seed), noise((9, 11), seed + 1)
    r = compare_objects(reference, candidate, match_iou=match_iou, connectivity=connectivity)
    assert r.matching == "unique"
    eligible = np.argwhere(r.iou_matrix >= match_iou) + 1
    assert sorted(map(tuple, eligible.tolist())) == [m[:2] for m in r.matches]


@pytest.mark.parametrize("seed", range(3))
def test_swapping_the_masks_swaps_fp_and_fn(seed):
    reference, candidate = blobs((30, 45), seed, sigma=2), blobs((30, 45), seed + 9, sigma=2)
    ab = compare_objects(reference, candidate, match_iou=0.2)
    ba = compare_objects(candidate, reference, match_iou=0.2)
    assert (ab.tp, ab.fp, ab.fn) == (ba.tp, ba.fn, ba.fp)
    assert (ab.splits, ab.merges) == (ba.merges, ba.splits)
    assert ab.precision == pytest.approx(ba.recall)
    assert ab.pq == pytest.approx(ba.pq)
    np.testing.assert_array_equal(ab.iou_matrix, ba.iou_matrix.T)


@pytest.mark.parametrize("seed", range(3))
def test_pq_is_sq_times_rq_and_rq_is_f1(seed):
    reference = blobs((48, 40), seed, sigma=2)
    speckle = blobs((48, 40), seed + 3, density=0.05, sigma=2)
    candidate = ndimage.binary_dilation(reference) ^ speckle
    r = compare_objects(reference, candidate)
    assert r.tp > 0
    assert r.pq == pytest.approx(r.sq * r.rq)
    assert r.rq == r.f1 == pytest.approx(r.tp / (r.tp + r.fp / 2 + r.fn / 2))


def test_identical_masks_match_perfectly():
    mask = blobs((50, 30), 4, sigma=2)
    r = compare_objects(mask, mask)
    assert r.tp == r.reference_count == r.candidate_count > 0
    assert r.pq == r.sq == r.f1 == 1.0
    assert all(o.status == "matched" and o.matched_iou == 1.0 for o in r.objects)


def test_transposing_both_masks_transposes_the_geometry():
    reference, candidate = blobs((21, 34), 5, sigma=2), blobs((21, 34), 6, sigma=2)
    r = compare_objects(reference, candidate)
    t = compare_objects(reference.T, candidate.T)
    assert (r.tp, r.fp, r.fn, r.pq) == (t.tp, t.fp, t.fn, pytest.approx(t.pq))
    centroids = sorted(o.centroid[::-1] for o in r.objects if o.side == "reference")
    assert sorted(o.centroid for o in t.objects if o.side == "reference") == pytest.approx(
        centroids
    )


# --- results as data ----------------------------------------------------------


def test_to_dict_is_strict_json_and_table_has_one_row_per_object():
    reference, candidate = blobs((30, 30), 1, sigma=2), blobs((30, 30), 2, sigma=2)
    r = compare_objects(reference, candidate)
    full = r.to_dict()
    text = json.dumps(full, allow_nan=False)
    assert json.loads(text)["tp"] == r.tp
    assert len(full["objects"]) == r.reference_count + r.candidate_count
    assert full["objects"] == r.table()
    assert full["matches"] == [list(m) for m in r.matches]
    summary = r.to_dict(include_objects=False)
    assert "objects" not in summary and "matches" not in summary
    for key in ["precision", "recall", "f1", "pq", "sq", "rq", "splits", "merges", "conventions"]:
        assert key in summary
    row = r.table()[0]
    assert set(row) >= {"side", "id", "status", "area", "centroid_row", "min_row", "best_iou"}


def test_result_is_frozen():
    r = compare_objects(grid((2, 2), (0, 0, 1, 1)), grid((2, 2), (0, 0, 1, 1)))
    assert isinstance(r, ObjectComparison)
    with pytest.raises(AttributeError):
        r.tp = 5
    with pytest.raises(AttributeError):
        r.objects[0].area = 5


# --- errors -----------------------------------------------------------------------


def test_too_many_objects_is_a_mask_error():
    checkerboard = (np.indices((10, 10)).sum(axis=0) % 2).astype(bool)  # 50 isolated px at 4-conn
    with pytest.raises(MaskError, match=r"The candidate mask has 50 separate objects.*limit of 49"):
        compare_objects(grid((10, 10)), checkerboard, connectivity=4, max_objects=49)
    assert compare_objects(checkerboard, checkerboard, connectivity=4, max_objects=50).tp == 50


BAD_CALLS = [
    ({"reference": np.zeros((3, 3), np.uint8)}, "2-D bool"),
    ({"reference": np.zeros((3, 3, 1), bool)}, "2-D bool"),
    ({"candidate": np.zeros((3, 4), bool)}, "differ in shape"),
    ({"connectivity": 6}, "connectivity must be 4 or 8"),
    ({"match_iou": 1.5}, r"match_iou must be in \[0, 1\]"),
    ({"match_iou": -0.1}, r"match_iou must be in \[0, 1\]"),
    ({"max_objects": -1}, "max_objects must be"),
    ({"max_objects": 2.5}, "max_objects must be an int"),
]


@pytest.mark.parametrize(("change", "message"), BAD_CALLS)
def test_programming_errors_are_value_errors(change, message):
    kwargs = {"reference": np.zeros((3, 3), bool), "candidate": np.zeros((3, 3), bool)} | change
    with pytest.raises(ValueError, match=message) as info:
        compare_objects(**kwargs)
    assert not isinstance(info.value, MaskError)


def test_objects_module_imports_only_numpy_and_scipy():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(objects_module))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0
    }
    allowed = {"__future__", "collections", "dataclasses", "math", "typing", "numpy", "scipy"}
    assert imported <= allowed


# ---------------------------------------------------------------- objects from instance ids


def test_instance_ids_are_counted_by_hand():
    """Id 4 is two pieces (one object), ids 2 and 9 touch (two objects): components would
    say 3 and 1; the ids say 2 and 2 — and the hand count of the matching follows."""
    reference = np.zeros((6, 10), np.int64)
    reference[1:3, 1:3] = 4
    reference[1:3, 6:8] = 4  # the same instance, in two pieces
    reference[4:6, 1:5] = 7
    candidate = np.zeros((6, 10), np.int64)
    candidate[1:3, 1:3] = 2
    candidate[1:3, 3:5] = 9  # touches instance 2
    r = compare_objects(reference, candidate, objects_from="labels")
    assert (r.reference_count, r.candidate_count) == (2, 2)
    # Ref 4 (8 px) ∩ cand 2 (4 px) = 4 → IoU 0.5, matched; cand 9 overlaps nothing.
    assert r.matches == ((1, 1, 0.5),)
    assert (r.tp, r.fp, r.fn) == (1, 1, 1)
    assert r.pq == pytest.approx(0.5 / 2)
    assert [o.area for o in r.objects] == [8, 8, 4, 4]
    assert r.objects_from == "labels" and "instance-id" in r.conventions()["objects"]
    components = compare_objects(reference > 0, candidate > 0)
    assert (components.reference_count, components.candidate_count) == (3, 1)


def test_instance_ids_equal_components_when_each_id_is_one_component():
    rng = np.random.default_rng(11)
    for _ in range(20):
        reference = rng.random((40, 50)) > 0.8
        candidate = rng.random((40, 50)) > 0.8
        ids_ref, _ = ndimage.label(reference, structure=np.ones((3, 3)))
        ids_cand, _ = ndimage.label(candidate, structure=np.ones((3, 3)))
        # Ids renumbered by value: shuffle their values, the objects stay the same.
        shuffled = np.concatenate([[0], rng.permutation(ids_ref.max()) + 100])
        by_ids = compare_objects(shuffled[ids_ref], ids_cand, objects_from="labels")
        by_components = compare_objects(reference, candidate, connectivity=8)
        for key in ("reference_count", "candidate_count", "tp", "fp", "fn", "splits", "merges"):
            assert getattr(by_ids, key) == getattr(by_components, key), key
        assert by_ids.pq == pytest.approx(by_components.pq)
        assert by_ids.f1 == by_components.f1


def test_instance_ids_through_compare_leave_void_and_background_out():
    from maskapp import compare

    reference = np.zeros((8, 12), np.uint8)
    reference[1:4, 1:4] = 3
    reference[1:4, 6:9] = 3
    reference[5:7, 1:11] = 255  # void: no object
    candidate = reference.copy()
    candidate[5:7, 1:11] = 5
    r = compare(reference, candidate, kind="labels", objects_from="labels", distances=False)
    assert (r.objects.reference_count, r.objects.candidate_count) == (1, 1)
    assert r.objects.pq == 1.0
    assert "instance ids" in r.to_dict()["conventions"]["objects_from"]
    with pytest.raises(MaskError, match="label maps"):
        compare(reference > 0, candidate > 0, objects_from="labels")
    with pytest.raises(MaskError, match=r"'components' .* or 'labels'"):
        compare(reference, candidate, kind="labels", objects_from="ids")


@pytest.mark.parametrize(
    ("ids", "message"),
    [(np.zeros((3, 3), float), "integer id map"), (-np.ones((3, 3), int), "negative ids")],
)
def test_bad_instance_id_maps_are_value_errors(ids, message):
    with pytest.raises(ValueError, match=message):
        compare_objects(ids, np.zeros((3, 3), int), objects_from="labels")
    with pytest.raises(ValueError, match="objects_from"):
        compare_objects(np.zeros((3, 3), bool), np.zeros((3, 3), bool), objects_from="ids")


def test_cli_objects_from_labels(tmp_path, capsys):
    from PIL import Image

    from maskapp.cli import main

    reference = np.zeros((10, 20), np.uint8)
    reference[2:6, 2:6] = 1
    reference[2:6, 10:14] = 1  # one instance in two pieces
    candidate = reference.copy()
    candidate[2:6, 10:14] = 2
    paths = []
    for name, array in (("ref.png", reference), ("cand.png", candidate)):
        Image.fromarray(array).save(tmp_path / name)
        paths.append(str(tmp_path / name))
    assert main(["compare", *paths, "--labels", "--objects-from", "labels", "--json"]) == 0
    objects = json.loads(capsys.readouterr().out)["objects"]
    assert (objects["reference_count"], objects["candidate_count"]) == (1, 2)
    assert objects["objects_from"] == "labels"
    assert main(["compare", *paths, "--labels", "--json"]) == 0
    objects = json.loads(capsys.readouterr().out)["objects"]
    assert (objects["reference_count"], objects["candidate_count"]) == (2, 2)
    assert main(["compare", *paths, "--objects-from", "labels"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "label maps" in err[0]
