"""The compatibility view: other libraries' numbers reproduced, and why they differ.

Three checks, as for every metric:

1. the oracle data (``../shared/peers/compat_shared.*``: 43 synthetic pairs,
   each library's value for each key, computed by the libraries themselves)
   is reproduced within the tolerance stated there — through ``compare``
   (re-reading maskapp's boundary distances), with maskapp's boundary set to
   the 3×3 square (the libraries' numbers must not move), and from the masks
   alone;
2. live comparisons with MedPy (and seg-metrics' SimpleITK calls) on
   generated masks;
3. the notes and warnings as sentences: one for every difference, none
   for agreement.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers import blobs, disk, grid, segmetrics_by_simpleitk

from maskapp import MaskError, compare
from maskapp.compat import (
    KEYS,
    LIBRARIES,
    Inputs,
    compat_values,
    decode,
    encode,
    resolve,
    with_compat,
)
from maskapp.compat.monai import quantile
from maskapp.report import compat_lines, compat_rows

PEERS = Path(__file__).resolve().parents[1].parent / "shared" / "peers"
_HAVE_ORACLE = (PEERS / "compat_shared.json").exists() and (PEERS / "compat_shared.npz").exists()
needs_oracle = pytest.mark.skipif(not _HAVE_ORACLE, reason="oracle data ../shared/peers absent")


def _oracle():
    if not _HAVE_ORACLE:
        return {"pairs": [], "meta": {}}, {}
    data = json.loads((PEERS / "compat_shared.json").read_text())
    arrays = np.load(PEERS / "compat_shared.npz")
    return data, {name: arrays[name] for name in arrays.files}


ORACLE, ARRAYS = _oracle()
PAIRS = [p["name"] for p in ORACLE["pairs"]]


def _pair(name):
    p = next(q for q in ORACLE["pairs"] if q["name"] == name)
    return ARRAYS[f"{name}__ref"], ARRAYS[f"{name}__cand"], tuple(p["spacing"]), p


def _matches(library: str, got, expected) -> bool:
    """The oracle README's rule: atol + rtol·|expected|, NaN = NaN, inf = inf, 'raises…'."""
    tol = ORACLE["meta"]["tolerance"][library]
    expected = decode(expected)
    if isinstance(expected, str):
        return isinstance(got, str) and got.startswith("raises")
    if isinstance(got, str):
        return False
    if math.isnan(expected):
        return math.isnan(got)
    if math.isinf(expected):
        return got == expected
    return abs(got - expected) <= tol["atol"] + tol["rtol"] * abs(expected)


def _mismatches(values, oracle_values) -> list[str]:
    out = []
    for library, expected in oracle_values.items():
        assert set(values[library]) == set(expected), library
        for key, value in expected.items():
            if not _matches(library, values[library][key], value):
                out.append(f"{library}.{key}: expected {value!r}, got {values[library][key]!r}")
    return out


# --- 1. the oracle ------------------------------------------------------------


@needs_oracle
@pytest.mark.parametrize("name", PAIRS)
def test_compare_reproduces_every_oracle_value(name):
    ref, cand, spacing, p = _pair(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from 0/0 or inf − inf
        result = compare(ref, cand, spacing=spacing, objects=False, compat="all")
    assert _mismatches(result.compat, p["values"]) == []


@needs_oracle
@pytest.mark.parametrize("name", PAIRS)
def test_library_values_do_not_depend_on_maskapps_own_boundary_choice(name):
    ref, cand, spacing, p = _pair(name)
    result = compare(
        ref, cand, spacing=spacing, boundary_connectivity=8, hd95="pooled", objects=False,
        compat="all",
    )
    assert _mismatches(result.compat, p["values"]) == []
    without_distances = compare(ref, cand, spacing=spacing, distances=False, objects=False)
    values = with_compat(without_distances, "all").compat
    assert _mismatches(values, p["values"]) == []


@needs_oracle
def test_oracle_counts():
    """All 43 pairs, six libraries, every key the oracle lists."""
    assert len(PAIRS) == 43
    total = sum(len(v) for p in ORACLE["pairs"] for v in p["values"].values())
    assert total == 1505
    assert {lib: tuple(keys) for lib, keys in ORACLE["meta"]["keys"].items()} == {
        name: module.KEYS for name, module in LIBRARIES.items()
    }


@needs_oracle
def test_label_maps_are_compared_on_their_foreground():
    ref, cand, spacing, p = _pair("two-disks-shifted")
    labels_ref = ref.astype(np.int32) * 3
    labels_cand = cand.astype(np.int32) * 5
    result = compare(labels_ref, labels_cand, kind="labels", spacing=spacing, compat="all")
    assert _mismatches(result.compat, p["values"]) == []


# --- 2. live comparisons --------------------------------------------------------


GENERATED = [
    (blobs((40, 56), 1), blobs((40, 56), 2), (1.0, 1.0)),
    (blobs((64, 48), 3, density=0.2), blobs((64, 48), 4, density=0.25), (0.7, 1.3)),
    (disk(50, 50, (24, 20), 12), disk(50, 50, (27, 24), 9), (2.0, 0.5)),
    (grid((30, 30), (0, 0, 12, 30)), grid((30, 30), (3, 2, 15, 25)), (1.0, 1.0)),
    (blobs((33, 33), 5, sigma=1.5), blobs((33, 33), 6, sigma=1.5), (1.0, 1.0)),
    (disk(20, 20, (10, 10), 5), np.zeros((20, 20), bool), (1.0, 1.0)),
]


@pytest.mark.parametrize("ref, cand, spacing", GENERATED)
def test_medpy_live(ref, cand, spacing):
    binary = pytest.importorskip("medpy.metric.binary")
    ours = compat_values(Inputs(ref, cand, spacing=spacing), ("medpy",))["medpy"]
    calls = {
        "dice": lambda: binary.dc(cand, ref),
        "iou": lambda: binary.jc(cand, ref),
        "hausdorff": lambda: binary.hd(cand, ref, voxelspacing=spacing, connectivity=1),
        "hd95": lambda: binary.hd95(cand, ref, voxelspacing=spacing, connectivity=1),
        "assd": lambda: binary.assd(cand, ref, voxelspacing=spacing, connectivity=1),
        "asd": lambda: binary.asd(cand, ref, voxelspacing=spacing, connectivity=1),
    }
    for key, call in calls.items():
        try:
            with np.errstate(all="ignore"):
                theirs = float(call())
        except RuntimeError:
            assert ours[key] == "raises RuntimeError", key
            continue
        assert ours[key] == pytest.approx(theirs, rel=1e-9, abs=1e-12, nan_ok=True), key


@pytest.mark.parametrize("ref, cand, spacing", GENERATED)
def test_segmetrics_live_through_simpleitk(ref, cand, spacing):
    theirs = segmetrics_by_simpleitk(ref, cand, spacing)
    ours = compat_values(Inputs(ref, cand, spacing=spacing), ("seg-metrics",))["seg-metrics"]
    for key, value in theirs.items():
        assert ours[key] == pytest.approx(value, rel=1e-5, abs=1e-4), key


def test_monai_quantile_is_torch_linear_in_float32():
    values = np.array([0.0, 1.0, 1.0, 2.0, 5.0, 9.0], np.float32)
    for p in (0.1, 50, 95, 99.9, 100):
        assert float(quantile(values, p)) == pytest.approx(np.percentile(values, p), rel=1e-6)
    assert math.isnan(float(quantile(np.full(4, np.inf, np.float32), 95)))


# --- 3. notes, warnings, JSON, options --------------------------------------------


def test_every_difference_has_a_sentence_and_agreement_has_none():
    ref, cand = blobs((48, 64), 11), blobs((48, 64), 12)
    result = compare(ref, cand, objects=False, compat="all")
    for row in compat_rows(result):
        for library in result.compat:
            value = row[library]
            if value is None:
                continue
            noted = row["key"] in result.compat_notes.get(library, {})
            own = row["maskapp"]
            agrees = not isinstance(value, str) and abs(value - own) <= 1e-4 * max(1, abs(own))
            assert noted != agrees or (noted and abs(value - own) < 1e-4), (library, row["key"])
    for notes in result.compat_notes.values():
        for sentence in notes.values():
            assert sentence[0].isupper() or sentence.startswith("torchmetrics")
            assert sentence.endswith(".") and "\n" not in sentence


def test_identical_masks_agree_everywhere_but_deepmind_surfels_and_the_boundary_iou_band():
    mask = disk(40, 40, (20, 18), 10)
    result = compare(mask, mask, objects=False, compat="all")
    assert result.compat_notes == {}
    assert result.compat_warnings == ()


@pytest.mark.parametrize(
    "candidate_empty, expected",
    [
        (True, ["monai reports HD95 = NaN", "seg-metrics reports HD95 = 0"]),
        (False, ["monai reports HD95 = NaN", "monai reports Dice = NaN", "seg-metrics"]),
    ],
)
def test_warnings_name_the_libraries_that_reward_an_error(candidate_empty, expected):
    mask = disk(24, 24, (12, 12), 6)
    empty = np.zeros_like(mask)
    ref, cand = (mask, empty) if candidate_empty else (empty, mask)
    result = compare(ref, cand, objects=False, compat="all")
    text = " ".join(result.compat_warnings)
    for fragment in expected:
        assert fragment in text
    assert ("missed prediction" in text) == candidate_empty
    assert "MONAI#9095" in result.compat_notes["monai"]["hd95"]
    assert "perfect" in result.compat_notes["seg-metrics"]["hd95"]


def test_specific_sentences():
    wide = disk(20, 50, (10, 20), 6), disk(20, 50, (11, 24), 6)
    notes = compare(*wide, objects=False, compat="all").compat_notes
    assert "torchmetrics#3300" in notes["torchmetrics"]["hausdorff"]
    notes = compare(blobs((48, 64), 11), blobs((48, 64), 12), compat="all").compat_notes
    assert "pools both directions" in notes["medpy"]["hd95"]
    assert "nearest rank" in notes["deepmind"]["hd95"]
    assert "strictly closer" in notes["metricsreloaded"]["boundary_iou"]
    tall = compare(wide[0].T, wide[1].T, objects=False, compat="torchmetrics")
    assert tall.compat["torchmetrics"]["hausdorff"] == "raises IndexError"
    assert "IndexError" in tall.compat_notes["torchmetrics"]["hausdorff"]
    square8 = compare(*(m[:, 5:25] for m in wide), boundary_connectivity=8, compat="medpy")
    assert "4-connected cross" in square8.compat_notes["medpy"]["assd"]


def test_json_holds_nan_and_infinity_as_strings_and_stays_strict():
    mask = disk(24, 24, (12, 12), 6)
    result = compare(mask, np.zeros_like(mask), compat="all")
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["compat"]["monai"]["hd95"] == "NaN"
    assert data["compat"]["monai"]["hausdorff"] == "Infinity"
    assert data["compat"]["medpy"]["hd95"] == "raises RuntimeError"
    assert data["hausdorff"] is None  # maskapp's own JSON keeps null with a reason
    assert set(data["compat_notes"]) <= set(LIBRARIES)
    assert data["compat_calls"]["medpy"].startswith("MedPy 0.5.2")
    assert "compat" not in compare(mask, mask).to_dict()


def test_values_are_python_floats_or_strings():
    result = compare(blobs((30, 30), 41), blobs((30, 30), 42), compat="all")
    for library_values in result.compat.values():
        for value in library_values.values():
            assert type(value) in (float, str)


def test_encode_decode_round_trip():
    for value in (0.25, math.inf, -math.inf, "raises RuntimeError"):
        assert decode(encode(value)) == value
    assert math.isnan(decode(encode(math.nan)))


@pytest.mark.parametrize(
    "given, expected",
    [
        ("all", tuple(LIBRARIES)),
        ("MedPy, monai", ("medpy", "monai")),
        (["torchmetrics", "deepmind"], ("deepmind", "torchmetrics")),
        ("seg-metrics,all", tuple(LIBRARIES)),
    ],
)
def test_resolve(given, expected):
    assert resolve(given) == expected


def test_unknown_library_is_one_sentence():
    with pytest.raises(MaskError, match=r"Unknown library 'pymia'.*medpy, monai"):
        compare([[1]], [[1]], compat="pymia")


def test_text_report_lines():
    ref, cand = blobs((30, 40), 7), blobs((30, 40), 8)
    lines = compat_lines(compare(ref, cand, objects=False, compat=("medpy", "deepmind")))
    assert lines[0].startswith("Other libraries")
    assert lines[1].split() == ["statistic", "maskapp", "medpy", "deepmind"]
    assert any(line.startswith("  * deepmind") for line in lines)
    assert {row["key"] for row in compat_rows(compare(ref, cand, compat="all"))} == set(KEYS)


# --- item 5: percentile and band --------------------------------------------------


def test_percentile_option():
    ref, cand = blobs((40, 40), 21), blobs((40, 40), 22)
    assert compare(ref, cand, percentile=100).hd95 == compare(ref, cand).surface.hausdorff
    p90 = compare(ref, cand, percentile=90, compat=("monai", "metricsreloaded", "deepmind"))
    d = p90.surface.boundary_distances
    expected = max(np.percentile(d.reference_to_candidate, 90),
                   np.percentile(d.candidate_to_reference, 90))
    assert p90.hd95 == pytest.approx(expected)
    assert p90.compat["metricsreloaded"]["hd95"] == pytest.approx(expected)
    assert "hd95" not in p90.compat_notes.get("metricsreloaded", {})
    for bad in (0, -5, 100.5, float("nan"), "x"):
        with pytest.raises(MaskError, match="HD percentile"):
            compare(ref, cand, percentile=bad)


def test_strict_band_is_metricsreloaded_boundary_iou_at_unit_spacing():
    ref, cand = blobs((50, 50), 31), blobs((50, 50), 32)
    for width in (1.0, 2.0, 3.0):  # lattice distances: < d and ≤ d differ at integers
        result = compare(
            ref, cand, boundary_width=width, boundary_band="strict", compat="metricsreloaded"
        )
        mr = result.compat["metricsreloaded"]["boundary_iou"]
        assert result.surface.boundary_iou == pytest.approx(mr)
        assert "boundary_iou" not in result.compat_notes.get("metricsreloaded", {})
        inclusive = compare(ref, cand, boundary_width=width).surface.boundary_iou
        assert inclusive != result.surface.boundary_iou
    with pytest.raises(MaskError, match="Boundary IoU band"):
        compare(ref, cand, boundary_band="loose")


# --- the sparse boundaries equal their dense definitions ---------------------------


@pytest.mark.parametrize("seed", range(6))
def test_thick_boundaries_and_surfels_equal_their_dense_definitions(seed):
    from scipy import ndimage

    from maskapp.compat.context import thick_boundaries
    from maskapp.compat.deepmind import contour_lengths, surfels
    from maskapp.surface import _boundary

    rng = np.random.default_rng(seed)
    mask = blobs((23, 31), seed, density=rng.uniform(0.2, 0.9), sigma=rng.uniform(0.8, 3))
    mask[rng.integers(0, 23), :] |= seed % 2 == 0  # a full row: the frame on both sides
    square = np.ones((3, 3), bool)
    inside, framed = thick_boundaries(mask, np.argwhere(_boundary(mask, 4)))
    dense_inside = mask & ~ndimage.binary_erosion(mask, square, border_value=1)
    dense_framed = mask & ~ndimage.binary_erosion(mask, square, border_value=0)
    assert inside.tolist() == np.argwhere(dense_inside).tolist()
    assert framed.tolist() == np.argwhere(dense_framed).tolist()

    padded = np.zeros((mask.shape[0] + 1, mask.shape[1] + 1), np.uint8)
    padded[:-1, :-1] = mask
    code = ndimage.correlate(padded, np.array([[8, 4], [2, 1]]), mode="constant", cval=0)
    on = (code != 0) & (code != 15)
    found = surfels(mask, framed, (0.7, 1.3))
    assert found.points.tolist() == np.argwhere(on).tolist()
    assert found.lengths.tolist() == contour_lengths((0.7, 1.3))[code[on]].tolist()


# ---------------------------------------------------------------- volumes


def _volumes(seed: int) -> tuple[np.ndarray, np.ndarray]:
    from scipy import ndimage

    rng = np.random.default_rng(seed)
    ref = ndimage.gaussian_filter(rng.random((12, 14, 16)), 1.5) > 0.5
    cand = ndimage.gaussian_filter(rng.random((12, 14, 16)), 1.5) > 0.5
    ref[0, :4, :4] = True  # touches the frame
    return ref, cand


@pytest.mark.parametrize("seed, spacing", [(1, (1.0, 1.0, 1.0)), (2, (2.5, 0.8, 0.6))])
def test_volumes_medpy_live(seed, spacing):
    binary = pytest.importorskip("medpy.metric.binary")
    ref, cand = _volumes(seed)
    result = compare(ref, cand, volume=True, spacing=spacing, objects=False, compat="all")
    ours = result.compat["medpy"]
    assert ours["hausdorff"] == pytest.approx(
        binary.hd(cand, ref, voxelspacing=spacing, connectivity=1), rel=1e-12)
    assert ours["hd95"] == pytest.approx(
        binary.hd95(cand, ref, voxelspacing=spacing, connectivity=1), rel=1e-12)
    assert ours["assd"] == pytest.approx(
        binary.assd(cand, ref, voxelspacing=spacing, connectivity=1), rel=1e-12)
    assert ours["asd"] == pytest.approx(
        binary.asd(cand, ref, voxelspacing=spacing, connectivity=1), rel=1e-12)
    # Without maskapp's own boundary data (a 26-connected boundary), the same numbers.
    other = compare(ref, cand, volume=True, spacing=spacing, objects=False,
                    boundary_connectivity="vertex", compat="medpy")  # fmt: skip
    assert other.compat["medpy"] == ours


def _directed_by_definition(ref, cand, spacing):
    """Cross (6-connected) borders and scipy EDT distances: the definition MONAI and
    MetricsReloaded state, computed independently of maskapp.compat."""
    from scipy import ndimage

    cross = ndimage.generate_binary_structure(3, 1)
    ref_b = ref ^ ndimage.binary_erosion(ref, cross, border_value=0)
    cand_b = cand ^ ndimage.binary_erosion(cand, cross, border_value=0)
    to_cand = ndimage.distance_transform_edt(~cand_b, sampling=spacing)[ref_b]
    to_ref = ndimage.distance_transform_edt(~ref_b, sampling=spacing)[cand_b]
    return ref_b, cand_b, to_cand, to_ref


@pytest.mark.parametrize("seed, spacing", [(3, (1.0, 1.0, 1.0)), (4, (2.0, 0.7, 1.1))])
def test_volumes_monai_and_metricsreloaded_follow_their_definitions(seed, spacing):
    from scipy import ndimage

    ref, cand = _volumes(seed)
    r = compare(ref, cand, volume=True, spacing=spacing, objects=False, compat="all",
                tolerance=1.5)  # fmt: skip
    ref_b, cand_b, to_cand, to_ref = _directed_by_definition(ref, cand, spacing)
    mr, monai = r.compat["metricsreloaded"], r.compat["monai"]
    hd = max(to_cand.max(), to_ref.max())
    hd95 = max(np.percentile(to_cand, 95), np.percentile(to_ref, 95))
    both = np.concatenate([to_cand, to_ref])
    assert mr["hausdorff"] == pytest.approx(hd, rel=1e-12)
    assert mr["hd95"] == pytest.approx(hd95, rel=1e-12)
    assert mr["assd"] == pytest.approx(both.mean(), rel=1e-12)
    assert mr["masd"] == pytest.approx((to_cand.mean() + to_ref.mean()) / 2, rel=1e-12)
    assert mr["surface_dice"] == pytest.approx(np.mean(both <= 1.5), rel=1e-12)
    # Boundary IoU: voxels strictly closer than d = 2 voxels to their border (spacing ignored).
    band_ref = ref & (ndimage.distance_transform_edt(~ref_b) < 2)
    band_cand = cand & (ndimage.distance_transform_edt(~cand_b) < 2)
    expected_biou = (band_ref & band_cand).sum() / (band_ref | band_cand).sum()
    assert mr["boundary_iou"] == pytest.approx(expected_biou, rel=1e-12)
    assert monai["hausdorff"] == pytest.approx(hd, rel=1e-6)
    assert monai["hd95"] == pytest.approx(hd95, rel=1e-5)
    assert monai["assd"] == pytest.approx(both.mean(), rel=1e-5)
    assert monai["asd"] == pytest.approx(to_ref.mean(), rel=1e-5)


def test_volumes_libraries_that_cannot_say_so_in_one_sentence_each():
    ref, cand = _volumes(5)
    r = compare(ref, cand, volume=True, objects=False, compat="all")
    # DeepMind and seg-metrics are reproduced in 3-D (tests/test_compat_3d.py).
    assert isinstance(r.compat["deepmind"]["hd95"], float)
    assert r.compat["deepmind"]["dice"] == pytest.approx(r.dice)
    assert "marching-cubes" in r.compat_notes["deepmind"]["hd95"]
    assert isinstance(r.compat["seg-metrics"]["hd95"], float)
    assert r.compat["seg-metrics"]["iou"] == pytest.approx(r.iou)
    assert "26 neighbours" in r.compat_notes["seg-metrics"]["assd"]
    # torchmetrics 1.9's distance_transform is rank-2 only: it raises on a volume.
    assert r.compat["torchmetrics"]["hausdorff"] == "raises ValueError"
    assert "2-D tensors only" in r.compat_notes["torchmetrics"]["hausdorff"]
    for notes in r.compat_notes.values():
        for sentence in notes.values():
            assert sentence.endswith(".") and sentence.count(". ") == 0


def test_volumes_with_an_empty_mask_keep_the_empty_conventions():
    ref, _ = _volumes(6)
    empty = np.zeros_like(ref)
    r = compare(ref, empty, volume=True, objects=False, compat="all")
    assert r.compat["medpy"]["hd95"] == "raises RuntimeError"
    assert math.isnan(r.compat["monai"]["hd95"]) and r.compat["monai"]["hausdorff"] == math.inf
    assert r.compat["seg-metrics"]["hd95"] == 0.0  # an empty mask's zeros hold in 3-D
    assert r.compat["torchmetrics"]["hausdorff"] == math.inf
    assert any("seg-metrics reports HD95 = 0" in w for w in r.compat_warnings)
    both = compare(empty, empty, volume=True, objects=False, compat="all")
    assert both.compat["torchmetrics"]["hausdorff"] == "raises RuntimeError"


def test_volumes_through_the_cli_never_give_a_traceback(tmp_path, capsys):
    from maskapp.cli import main

    ref, cand = _volumes(7)
    np.save(tmp_path / "ref.npy", ref)
    np.save(tmp_path / "cand.npy", cand)
    paths = [str(tmp_path / "ref.npy"), str(tmp_path / "cand.npy")]
    assert main(["compare", *paths, "--volume", "--compat", "all", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert isinstance(data["compat"]["deepmind"]["hausdorff"], float)
    assert main(["compare", *paths, "--volume", "--compat", "all"]) == 0
    assert "marching-cubes" in capsys.readouterr().out
