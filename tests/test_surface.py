"""Boundary distances, checked against MedPy, SciPy, scikit-image and brute force."""

import ast
import json
import math
from pathlib import Path

import numpy as np
import pytest
from helpers import blobs
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import ndimage
from scipy.spatial.distance import cdist, directed_hausdorff
from skimage.metrics import hausdorff_distance, hausdorff_pair

from maskapp import surface
from maskapp.surface import boundary, error_distance_map, surface_distances

DISTANCES = (
    "hausdorff",
    "hd95",
    "directed_hausdorff_reference_to_candidate",
    "directed_hausdorff_candidate_to_reference",
    "directed_hd95_reference_to_candidate",
    "directed_hd95_candidate_to_reference",
    "assd",
    "masd",
    "directed_mean_reference_to_candidate",
    "directed_mean_candidate_to_reference",
)


def scipy_boundary(mask, connectivity):
    """The definition itself: mask XOR erosion, outside the image = background."""
    footprint = ndimage.generate_binary_structure(2, 1 if connectivity == 4 else 2)
    return mask ^ ndimage.binary_erosion(mask, footprint, border_value=0)


def brute_force(ref, cand, spacing, connectivity, tolerance, width):
    """Every statistic from all pairwise distances (cdist), for small masks."""
    scale = np.asarray(spacing)
    ref_b = np.argwhere(scipy_boundary(ref, connectivity)) * scale
    cand_b = np.argwhere(scipy_boundary(cand, connectivity)) * scale
    d_rc = cdist(ref_b, cand_b).min(axis=1)
    d_cr = cdist(cand_b, ref_b).min(axis=1)

    def band(mask, points):
        pixels = np.argwhere(mask)
        near = cdist(pixels * scale, points).min(axis=1) <= width * (1 + 1e-9)
        return {tuple(p) for p in pixels[near]}

    band_ref, band_cand = band(ref, ref_b), band(cand, cand_b)
    slack = tolerance * (1 + 1e-9)
    return {
        "hausdorff": max(d_rc.max(), d_cr.max()),
        "directed_hausdorff_reference_to_candidate": d_rc.max(),
        "directed_hausdorff_candidate_to_reference": d_cr.max(),
        "directed_hd95_reference_to_candidate": np.percentile(d_rc, 95),
        "directed_hd95_candidate_to_reference": np.percentile(d_cr, 95),
        "hd95": max(np.percentile(d_rc, 95), np.percentile(d_cr, 95)),
        "assd": np.concatenate([d_rc, d_cr]).mean(),
        "masd": (d_rc.mean() + d_cr.mean()) / 2,
        "directed_mean_reference_to_candidate": d_rc.mean(),
        "directed_mean_candidate_to_reference": d_cr.mean(),
        "surface_dice": ((d_rc <= slack).sum() + (d_cr <= slack).sum()) / (len(d_rc) + len(d_cr)),
        "boundary_iou": len(band_ref & band_cand) / len(band_ref | band_cand),
        "reference_boundary_pixels": len(ref_b),
        "candidate_boundary_pixels": len(cand_b),
    }


def assert_matches(result, expected):
    for key, value in expected.items():
        assert getattr(result, key) == pytest.approx(value, rel=1e-9, abs=1e-12), key


def framed(mask, margin=4):
    """``mask`` with a background margin, so it touches no image edge."""
    return np.pad(mask, margin)


# Non-empty pairs of equal, small shape (rows and cols from 1 to 14).
nonempty_pairs = (
    st.tuples(st.integers(1, 14), st.integers(1, 14))
    .flatmap(lambda shape: st.tuples(hnp.arrays(bool, shape), hnp.arrays(bool, shape)))
    .filter(lambda pair: pair[0].any() and pair[1].any())
)
spacings = st.sampled_from([(1.0, 1.0), (2.0, 0.5), (0.3, 1.7), (0.1, 0.1)])


# --- the boundary --------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(bool, st.tuples(st.integers(1, 12), st.integers(1, 12))),
    st.sampled_from([4, 8]),
)
def test_boundary_is_mask_xor_scipy_erosion_with_background_border(mask, connectivity):
    expected = scipy_boundary(mask, connectivity)
    np.testing.assert_array_equal(boundary(mask, connectivity=connectivity), expected)


def test_pixels_on_the_image_frame_are_boundary():
    full = np.ones((3, 4), bool)
    top_row = np.zeros((3, 4), bool)
    top_row[0] = True
    ring = np.array([[1, 1, 1, 1], [1, 0, 0, 1], [1, 1, 1, 1]], bool)
    np.testing.assert_array_equal(boundary(full), ring)
    np.testing.assert_array_equal(boundary(full, connectivity=8), ring)
    np.testing.assert_array_equal(boundary(top_row), top_row)
    assert boundary(np.ones((1, 1), bool)).tolist() == [[True]]

    # Worked by hand: the ring's top row lies on the candidate (0), its two
    # middle pixels are 1 away and its bottom row 2 away; the candidate's
    # boundary lies on the reference's.
    d = surface_distances(full, top_row, boundary_width=2.0)
    assert (d.reference_boundary_pixels, d.candidate_boundary_pixels) == (10, 4)
    assert d.hausdorff == d.directed_hausdorff_reference_to_candidate == 2.0
    assert d.directed_hausdorff_candidate_to_reference == 0.0
    assert d.directed_mean_reference_to_candidate == pytest.approx(10 / 10)
    assert d.assd == pytest.approx(10 / 14)
    assert d.masd == pytest.approx(0.5)
    assert d.directed_hd95_reference_to_candidate == 2.0
    assert d.surface_dice == pytest.approx((6 + 4) / 14)
    # Every pixel of the full mask is within 2 of its ring: bands of 12 and 4.
    assert d.boundary_iou == pytest.approx(4 / 12)
    assert d.hausdorff_pair[1][0] == 0 and d.hausdorff_pair[0][0] == 2


# --- independent implementations -----------------------------------------


@pytest.fixture(scope="module")
def medpy():
    """MedPy's binary metrics, imported when first needed (the import takes ~2 s)."""
    from medpy.metric import binary

    return binary


def square_and_far_blob():
    """A square, and the square plus a small false blob far away."""
    ref = np.zeros((64, 64), bool)
    ref[10:30, 10:30] = True
    cand = ref.copy()
    cand[50:60, 50:60] = True
    return ref, cand


_TOP_ROW = np.zeros((3, 4), bool)
_TOP_ROW[0] = True

MEDPY_CASES = {
    # MedPy erodes with border_value=0 as well, so it agrees on the frame.
    "full against its top row": (np.ones((3, 4), bool), _TOP_ROW, (1.0, 1.0), 4),
    "a far false blob": (*square_and_far_blob(), (1.0, 1.0), 4),
    "away from the frame": (framed(blobs((30, 40), 1)), framed(blobs((30, 40), 2)), (1.0, 1.0), 4),
    "touching the frame": (blobs((30, 40), 3, 0.6), blobs((30, 40), 4, 0.6), (1.0, 1.0), 4),
    "non-square, rows > cols": (blobs((90, 40), 5), blobs((90, 40), 6), (1.0, 1.0), 4),
    "anisotropic spacing": (blobs((50, 30), 7), blobs((50, 30), 8), (2.0, 0.5), 4),
    "8-connectivity": (blobs((40, 40), 9), blobs((40, 40), 10), (0.7, 1.3), 8),
    "one pixel each": (np.ones((1, 1), bool), np.ones((1, 1), bool), (1.0, 1.0), 4),
    "one column": (np.ones((5, 1), bool), np.arange(5)[:, None] == 3, (3.0, 1.0), 8),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", MEDPY_CASES, ids=list(MEDPY_CASES))
def test_agrees_with_medpy(case, medpy):
    ref, cand, spacing, connectivity = MEDPY_CASES[case]
    kw = dict(voxelspacing=spacing, connectivity=1 if connectivity == 4 else 2)
    d = surface_distances(ref, cand, spacing=spacing, connectivity=connectivity, hd95="pooled")
    # MedPy's arguments are (result, reference) = (candidate, reference);
    # asd averages over the boundary of its first argument.
    assert d.hausdorff == pytest.approx(medpy.hd(cand, ref, **kw), rel=1e-12)
    assert d.hd95 == pytest.approx(medpy.hd95(cand, ref, **kw), rel=1e-12)
    assert d.assd == pytest.approx(medpy.assd(cand, ref, **kw), rel=1e-12)
    assert d.directed_mean_candidate_to_reference == pytest.approx(
        medpy.asd(cand, ref, **kw), rel=1e-12
    )
    assert d.directed_mean_reference_to_candidate == pytest.approx(
        medpy.asd(ref, cand, **kw), rel=1e-12
    )
    # Older MedPy's assd was the mean of the two asd values: our masd.
    old_assd = (medpy.asd(cand, ref, **kw) + medpy.asd(ref, cand, **kw)) / 2
    assert d.masd == pytest.approx(old_assd, rel=1e-12)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(nonempty_pairs, spacings, st.sampled_from([4, 8]))
def test_agrees_with_medpy_on_any_pair(medpy, pair, spacing, connectivity):
    ref, cand = pair
    kw = dict(voxelspacing=spacing, connectivity=1 if connectivity == 4 else 2)
    d = surface_distances(ref, cand, spacing=spacing, connectivity=connectivity, hd95="pooled")
    assert d.hausdorff == pytest.approx(medpy.hd(cand, ref, **kw), rel=1e-12)
    assert d.hd95 == pytest.approx(medpy.hd95(cand, ref, **kw), rel=1e-12)
    assert d.assd == pytest.approx(medpy.assd(cand, ref, **kw), rel=1e-12)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(
    nonempty_pairs,
    spacings,
    st.sampled_from([4, 8]),
    st.sampled_from([0.0, 0.5, 1.0, 1.5, 3.0]),
    st.sampled_from([0.0, 1.0, 2.0, 3.5]),
)
def test_every_statistic_matches_brute_force(pair, spacing, connectivity, tolerance, width):
    ref, cand = pair
    d = surface_distances(
        ref,
        cand,
        spacing=spacing,
        connectivity=connectivity,
        tolerance=tolerance,
        boundary_width=width,
    )
    assert_matches(d, brute_force(ref, cand, spacing, connectivity, tolerance, width))


@pytest.mark.parametrize("spacing", [(1.0, 1.0), (2.0, 0.5)])
def test_directed_hausdorff_agrees_with_scipy(spacing):
    ref, cand = blobs((60, 35), 11), blobs((60, 35), 12)
    d = surface_distances(ref, cand, spacing=spacing)
    u = np.argwhere(boundary(ref)) * spacing
    v = np.argwhere(boundary(cand)) * spacing
    assert d.directed_hausdorff_reference_to_candidate == pytest.approx(
        directed_hausdorff(u, v)[0], rel=1e-12
    )
    assert d.directed_hausdorff_candidate_to_reference == pytest.approx(
        directed_hausdorff(v, u)[0], rel=1e-12
    )


@pytest.mark.parametrize("shape", [(70, 30), (30, 70), (1, 9)])
def test_hausdorff_and_pair_agree_with_scikit_image(shape):
    ref, cand = blobs(shape, 13, sigma=1), blobs(shape, 14, sigma=1)
    d = surface_distances(ref, cand)
    ref_b, cand_b = boundary(ref), boundary(cand)
    assert d.hausdorff == pytest.approx(hausdorff_distance(ref_b, cand_b), rel=1e-12)
    a, b = hausdorff_pair(ref_b, cand_b)
    assert math.dist(a, b) == pytest.approx(d.hausdorff, rel=1e-12)
    ours_a, ours_b = d.hausdorff_pair
    assert ref_b[ours_a] and cand_b[ours_b]
    assert math.dist(ours_a, ours_b) == pytest.approx(d.hausdorff, rel=1e-12)


def test_hd95_variants_differ_and_pooled_is_the_percentile_of_both_directions():
    # The candidate's directed 95th percentile sees the far blob, the pooled one
    # barely does (MedPy's, checked in test_agrees_with_medpy).
    ref, cand = square_and_far_blob()
    pooled = surface_distances(ref, cand, hd95="pooled")
    largest = surface_distances(ref, cand, hd95="max")
    ref_b, cand_b = np.argwhere(scipy_boundary(ref, 4)), np.argwhere(scipy_boundary(cand, 4))
    both = np.concatenate([cdist(ref_b, cand_b).min(axis=1), cdist(cand_b, ref_b).min(axis=1)])
    assert pooled.hd95 == pytest.approx(np.percentile(both, 95))
    assert largest.hd95 == max(
        largest.directed_hd95_reference_to_candidate,
        largest.directed_hd95_candidate_to_reference,
    )
    assert pooled.hd95 < largest.hd95 <= largest.hausdorff
    assert (pooled.hd95_variant, largest.hd95_variant) == ("pooled", "max")


def test_boundary_iou_matches_cheng_et_al_on_rectangles():
    # Their implementation: mask minus k erosions by a 3×3 square of the
    # zero-padded mask. On axis-parallel edges chessboard and Euclidean
    # distances agree, so connectivity=8, width=k-1 gives the same band.
    def cheng_band(mask, k):
        padded = np.pad(mask, 1)
        eroded = ndimage.binary_erosion(padded, np.ones((3, 3)), iterations=k)[1:-1, 1:-1]
        return mask & ~eroded

    ref = np.zeros((40, 50), bool)
    ref[0:25, 5:30] = True  # touches the top of the image
    cand = np.zeros((40, 50), bool)
    cand[8:40, 12:50] = True  # touches the bottom right corner
    for k in (1, 2, 3, 6):
        a, b = cheng_band(ref, k), cheng_band(cand, k)
        expected = (a & b).sum() / (a | b).sum()
        d = surface_distances(ref, cand, connectivity=8, boundary_width=k - 1)
        assert d.boundary_iou == pytest.approx(expected), k


@pytest.mark.parametrize("max_shifts", [0, 10_000])
@pytest.mark.parametrize("strip_pixels", [1, 37, 1 << 21])
def test_wide_and_narrow_band_methods_agree_with_brute_force(monkeypatch, max_shifts, strip_pixels):
    monkeypatch.setattr(surface, "_MAX_SHIFTS", max_shifts)
    monkeypatch.setattr(surface, "_STRIP_PIXELS", strip_pixels)
    ref, cand = blobs((23, 31), 15, sigma=1.5), blobs((23, 31), 16, sigma=1.5)
    for spacing, width in [((1.0, 1.0), 2.0), ((2.0, 0.5), 3.0), ((1.0, 0.1), 5.0)]:
        d = surface_distances(ref, cand, spacing=spacing, boundary_width=width)
        expected = brute_force(ref, cand, spacing, 4, 1.0, width)["boundary_iou"]
        assert d.boundary_iou == pytest.approx(expected), (spacing, width)


# --- properties -------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(nonempty_pairs, spacings)
def test_hausdorff_is_symmetric(pair, spacing):
    ref, cand = pair
    d = surface_distances(ref, cand, spacing=spacing)
    swapped = surface_distances(cand, ref, spacing=spacing)
    for key in ("hausdorff", "hd95", "assd", "masd", "surface_dice", "boundary_iou"):
        assert getattr(d, key) == pytest.approx(getattr(swapped, key), rel=1e-12), key
    for stat in ("directed_hausdorff", "directed_hd95", "directed_mean"):
        forward = getattr(d, f"{stat}_reference_to_candidate")
        assert forward == getattr(swapped, f"{stat}_candidate_to_reference"), stat
    # Ties may pick other pixels; the pair's physical length is the Hausdorff distance.
    def length(pair):
        return math.dist(*(np.multiply(point, spacing) for point in pair))

    assert length(d.hausdorff_pair) == pytest.approx(length(swapped.hausdorff_pair), rel=1e-12)
    assert length(d.hausdorff_pair) == pytest.approx(d.hausdorff, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(nonempty_pairs, st.sampled_from([0.5, 2.0, 3.0]))
def test_hausdorff_scales_with_spacing(pair, factor):
    ref, cand = pair
    unit = surface_distances(ref, cand, tolerance=1.0, boundary_width=2.0)
    scaled = surface_distances(
        ref, cand, spacing=(factor, factor), tolerance=factor, boundary_width=2.0 * factor
    )
    for key in DISTANCES:
        assert getattr(scaled, key) == pytest.approx(factor * getattr(unit, key), rel=1e-9), key
    assert scaled.surface_dice == unit.surface_dice
    assert scaled.boundary_iou == unit.boundary_iou
    assert scaled.hausdorff_pair == unit.hausdorff_pair


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(bool, st.tuples(st.integers(1, 14), st.integers(1, 14))), spacings)
def test_identical_masks_have_zero_distances(mask, spacing):
    d = surface_distances(mask, mask, spacing=spacing, tolerance=0.0, boundary_width=0.0)
    for key in DISTANCES:
        assert getattr(d, key) == 0.0, key
    assert d.surface_dice == 1.0 and d.boundary_iou == 1.0
    assert d.infinite == {}


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(nonempty_pairs, spacings, st.sampled_from(["max", "pooled"]))
def test_hd95_never_exceeds_hausdorff(pair, spacing, variant):
    ref, cand = pair
    d = surface_distances(ref, cand, spacing=spacing, hd95=variant)
    assert 0.0 <= d.hd95 <= d.hausdorff
    for direction in ("reference_to_candidate", "candidate_to_reference"):
        hd = getattr(d, f"directed_hausdorff_{direction}")
        assert getattr(d, f"directed_hd95_{direction}") <= hd <= d.hausdorff
        assert getattr(d, f"directed_mean_{direction}") <= hd
    assert d.assd <= d.hausdorff and d.masd <= d.hausdorff
    assert 0.0 <= d.surface_dice <= 1.0 and 0.0 <= d.boundary_iou <= 1.0


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(nonempty_pairs, st.integers(0, 5), st.integers(0, 5))
def test_distances_do_not_depend_on_position_in_the_image(medpy, pair, top, left):
    ref, cand = pair
    d = surface_distances(ref, cand)
    # Shifted inside a larger image, away from the frame: only the pair moves.
    # (The frame itself matters — its pixels are boundary — so pad first.)
    ref_p, cand_p = framed(ref, 1), framed(cand, 1)
    d_p = surface_distances(ref_p, cand_p)
    big_ref = np.pad(ref_p, ((top, 5 - top), (left, 5 - left)))
    big_cand = np.pad(cand_p, ((top, 5 - top), (left, 5 - left)))
    d_big = surface_distances(big_ref, big_cand)
    for key in (*DISTANCES, "surface_dice", "boundary_iou"):
        assert getattr(d_big, key) == pytest.approx(getattr(d_p, key), rel=1e-12), key
    (ar, ac), (br, bc) = d_p.hausdorff_pair
    assert d_big.hausdorff_pair == ((ar + top, ac + left), (br + top, bc + left))
    # And the unpadded masks agree with MedPy wherever they touch the frame.
    assert d.assd == pytest.approx(medpy.assd(cand, ref), rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(nonempty_pairs, spacings)
def test_hausdorff_pair_realises_the_hausdorff_distance(pair, spacing):
    ref, cand = pair
    d = surface_distances(ref, cand, spacing=spacing)
    (ar, ac), (br, bc) = d.hausdorff_pair
    assert boundary(ref)[ar, ac] and boundary(cand)[br, bc]
    length = math.hypot((ar - br) * spacing[0], (ac - bc) * spacing[1])
    assert length == pytest.approx(d.hausdorff, rel=1e-12, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(nonempty_pairs)
def test_surface_dice_is_one_once_tolerance_reaches_hausdorff(pair):
    ref, cand = pair
    d = surface_distances(ref, cand)
    assert surface_distances(ref, cand, tolerance=d.hausdorff).surface_dice == 1.0


@settings(max_examples=40, deadline=None)
@given(nonempty_pairs)
def test_boundary_iou_with_a_band_wider_than_the_image_is_mask_iou(pair):
    ref, cand = pair
    d = surface_distances(ref, cand, boundary_width=float(sum(ref.shape)))
    assert d.boundary_iou == pytest.approx((ref & cand).sum() / (ref | cand).sum())


# --- conventions ------------------------------------------------------------

_SQUARE = np.zeros((6, 5), bool)
_SQUARE[1:4, 1:3] = True
_NONE = np.zeros((6, 5), bool)

CONVENTIONS = {
    # case: (reference, candidate, distance value, reason, surface Dice / Boundary IoU)
    "both empty": (_NONE, _NONE, 0.0, None, 1.0),
    "candidate empty (missed prediction)": (
        _SQUARE,
        _NONE,
        math.inf,
        "the candidate is empty",
        0.0,
    ),
    "reference empty (prediction of nothing)": (
        _NONE,
        _SQUARE,
        math.inf,
        "the reference is empty",
        0.0,
    ),
}


@pytest.mark.parametrize("hd95", ["max", "pooled"])
@pytest.mark.parametrize("case", CONVENTIONS, ids=list(CONVENTIONS))
def test_convention_table(case, hd95):
    ref, cand, distance, reason, overlap = CONVENTIONS[case]
    d = surface_distances(ref, cand, hd95=hd95)
    for key in DISTANCES:
        assert getattr(d, key) == distance, key  # never NaN; never 0 for a miss
    assert d.infinite == ({} if reason is None else dict.fromkeys(DISTANCES, reason))
    assert d.surface_dice == overlap and d.boundary_iou == overlap
    assert d.hausdorff_pair is None
    assert d.reference_boundary_pixels == (6 if ref.any() else 0)
    assert d.candidate_boundary_pixels == (6 if cand.any() else 0)
    out = d.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["hausdorff"] == (None if reason else 0.0)
    assert out["infinite"] == d.infinite


def test_to_dict_is_json_ready():
    ref, cand = blobs((20, 15), 17), blobs((20, 15), 18)
    d = surface_distances(ref, cand, spacing=(2.0, 0.5))
    out = json.loads(json.dumps(d.to_dict(), allow_nan=False))
    assert out["spacing"] == [2.0, 0.5]
    assert out["hausdorff_pair"] == [list(p) for p in d.hausdorff_pair]
    assert out["hd95_variant"] == "max" and out["infinite"] == {}
    assert set(out) == set(d.__dataclass_fields__)


# --- the error-distance map -------------------------------------------------


@pytest.mark.parametrize("strip_pixels", [1, 50, 1 << 21])
@pytest.mark.parametrize("spacing", [(1.0, 1.0), (2.0, 0.5)])
def test_error_distance_map_matches_scipy_distance_transform(monkeypatch, spacing, strip_pixels):
    monkeypatch.setattr(surface, "_STRIP_PIXELS", strip_pixels)
    ref, cand = blobs((45, 20), 19), blobs((45, 20), 20)  # rows > cols
    out = error_distance_map(ref, cand, spacing=spacing)
    expected = np.zeros(ref.shape)
    fn, fp = ref & ~cand, cand & ~ref
    expected[fn] = ndimage.distance_transform_edt(~cand, sampling=spacing)[fn]
    expected[fp] = ndimage.distance_transform_edt(~ref, sampling=spacing)[fp]
    assert out.dtype == np.float32 and out.shape == ref.shape
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert (out[~(fn | fp)] == 0).all() and (out[fn | fp] > 0).all()


def test_error_distance_map_conventions():
    assert not error_distance_map(_NONE, _NONE).any()
    missed = error_distance_map(_SQUARE, _NONE)
    assert np.isinf(missed[_SQUARE]).all() and (missed[~_SQUARE] == 0).all()
    extra = error_distance_map(_NONE, _SQUARE)
    assert np.isinf(extra[_SQUARE]).all() and (extra[~_SQUARE] == 0).all()
    assert not error_distance_map(_SQUARE, _SQUARE).any()


# --- errors and purity --------------------------------------------------------

ERRORS = [
    (dict(reference=np.zeros((3, 3)), candidate=np.zeros((3, 4))), "differ in shape"),
    (dict(reference=np.zeros((2, 3, 3)), candidate=np.zeros((2, 3, 3))), "2-D"),
    (dict(connectivity=6), "connectivity must be 4 or 8"),
    (dict(hd95="mean"), "hd95 must be 'max' or 'pooled'"),
    (dict(spacing=(1.0,)), "spacing must be two numbers"),
    (dict(spacing=(1.0, 0.0)), "spacing must be two positive numbers"),
    (dict(spacing=(math.nan, 1.0)), "spacing must be two positive numbers"),
    (dict(tolerance=-1.0), "tolerance must be a finite number ≥ 0"),
    (dict(boundary_width=math.inf), "boundary_width must be a finite number ≥ 0"),
]


@pytest.mark.parametrize(("kwargs", "fragment"), ERRORS)
def test_bad_arguments_raise_value_error(kwargs, fragment):
    call = dict(reference=_SQUARE, candidate=_SQUARE) | kwargs
    with pytest.raises(ValueError, match=fragment):
        surface_distances(call.pop("reference"), call.pop("candidate"), **call)


def test_boundary_and_error_map_validate_their_input():
    with pytest.raises(ValueError, match="2-D"):
        boundary(np.zeros(4, bool))
    with pytest.raises(ValueError, match="connectivity"):
        boundary(_SQUARE, connectivity=6)
    with pytest.raises(ValueError, match="differ in shape"):
        error_distance_map(_SQUARE, _SQUARE.T)


def test_surface_module_is_pure_numpy_and_scipy():
    tree = ast.parse(Path(surface.__file__).read_text(encoding="utf-8"))
    # Absolute imports only: within the package it uses the pure JSON helper.
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.level == 0)
        for alias in node.names
    }
    assert imported <= {"__future__", "math", "dataclasses", "typing", "numpy", "scipy"}
