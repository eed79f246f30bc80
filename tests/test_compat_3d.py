"""DeepMind surface-distance and seg-metrics on volumes.

1. The oracle data ``tests/data/compat_3d.*`` (written by
   ``tests/data/make_compat_3d.py`` from the real DeepMind code at 1f805cea and
   the real seg-metrics 1.2.8 on SimpleITK): every value reproduced through
   ``maskapp.compare(..., volume=True, compat=("deepmind", "seg-metrics"))``
   within the tolerances it states, and DeepMind's surface-area table.
2. The 3-D boundaries equal their dense definitions (DeepMind's zero-padded
   ``correlate`` codes, a 3×3×3 erosion with the frame as foreground), and
   seg-metrics' distance part live against SimpleITK on generated volumes.
3. A sentence for every 3-D difference.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from helpers import segmetrics_by_simpleitk
from scipy import ndimage

from maskapp import compare
from maskapp.compat import decode
from maskapp.compat.surfel_areas import surface_areas
from maskapp.compat.volume import corner_codes, label_contour, surfels
from maskapp.overlap import union_box

DATA = Path(__file__).parent / "data"
ORACLE = json.loads((DATA / "compat_3d.json").read_text())
ARRAYS = np.load(DATA / "compat_3d.npz")
LIBRARIES = ("deepmind", "seg-metrics")
NAMES = [p["name"] for p in ORACLE["pairs"]]


def _pair(name):
    p = next(q for q in ORACLE["pairs"] if q["name"] == name)
    i = p["index"]
    return ARRAYS[f"reference_{i}"], ARRAYS[f"candidate_{i}"], p


def _matches(library, got, expected) -> bool:
    tol = ORACLE["tolerances"][library]
    expected = decode(expected)
    if isinstance(got, str) or isinstance(expected, str):
        return got == expected
    if math.isnan(expected):
        return math.isnan(got)
    if math.isinf(expected):
        return got == expected
    return abs(got - expected) <= tol["atol"] + tol["rtol"] * abs(expected)


def _compare(ref, cand, p, **options):
    return compare(
        ref,
        cand,
        volume=True,
        spacing=tuple(p["spacing"]),
        tolerance=p["tolerance"],
        percentile=p["percentile"],
        objects=False,
        compat=LIBRARIES,
        **options,
    )


# --- 1. the oracle ------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_compare_reproduces_every_3d_oracle_value(name):
    ref, cand, p = _pair(name)
    result = _compare(ref, cand, p)
    bad = [
        f"{lib}.{key}: got {result.compat[lib].get(key)!r}, expected {expected!r}"
        for lib, expected_values in p["values"].items()
        for key, expected in expected_values.items()
        if not _matches(lib, result.compat[lib].get(key), expected)
    ]
    assert not bad, "\n".join(bad)
    assert set(result.compat["deepmind"]) == set(p["values"]["deepmind"])
    assert set(result.compat["seg-metrics"]) == set(p["values"]["seg-metrics"])


@pytest.mark.parametrize("name", ["blobs-aniso", "frame-touching-aniso", "speckle"])
def test_3d_values_do_not_depend_on_maskapps_own_boundary_choice(name):
    ref, cand, p = _pair(name)
    own = _compare(ref, cand, p).compat
    other = _compare(ref, cand, p, boundary_connectivity="vertex").compat
    assert other == own


def test_3d_oracle_counts():
    assert len(ORACLE["pairs"]) >= 12
    values = sum(len(v) for p in ORACLE["pairs"] for v in p["values"].values())
    assert values == len(ORACLE["pairs"]) * (6 + 5)
    assert (DATA / "compat_3d.json").stat().st_size + (DATA / "compat_3d.npz").stat().st_size < (
        200_000
    )


def test_surface_area_table_is_deepminds():
    table = ORACLE["surface_area_table"]
    ours = surface_areas(table["spacing"])
    assert ours.tolist() == pytest.approx(table["areas"], rel=1e-15, abs=0)


# --- 2. dense definitions, SimpleITK live ---------------------------------------


def _volumes(seed, shape=(9, 12, 10)):
    rng = np.random.default_rng(seed)
    ref = ndimage.gaussian_filter(rng.random(shape), 1.2) > 0.55
    cand = ndimage.gaussian_filter(rng.random(shape), 1.2) > 0.55
    if seed % 2:
        ref[:, 0, :3] = True  # on the frame
    else:  # inside: the union box is smaller than the volume
        ref[:2], cand[:2], ref[..., -3:], cand[..., -3:] = False, False, False, False
    return ref, cand


@pytest.mark.parametrize("seed", range(4))
def test_surfels_and_contour_equal_their_dense_definitions(seed):
    ref, cand = _volumes(seed)
    box = union_box(ref, cand)
    kernel = np.array([[[128, 64], [32, 16]], [[8, 4], [2, 1]]])
    start = np.array([s.start for s in box])
    for mask in (ref, cand):
        crop = np.zeros(tuple(s.stop - s.start + 1 for s in box), np.uint8)
        crop[:-1, :-1, :-1] = mask[box]
        code = ndimage.correlate(crop, kernel, mode="constant", cval=0)
        assert (corner_codes(mask, box) == code).all()
        on = (code != 0) & (code != 255)
        points, areas = surfels(mask, box, (0.7, 1.3, 2.1))
        assert points.tolist() == (np.argwhere(on) + start).tolist()
        assert areas.tolist() == surface_areas((0.7, 1.3, 2.1))[code[on]].tolist()
        thick = mask & ~ndimage.binary_erosion(mask, np.ones((3, 3, 3)), border_value=1)
        assert label_contour(mask, box).tolist() == np.argwhere(thick).tolist()


@pytest.mark.parametrize(
    "seed, spacing",
    [(0, (1.0, 1.0, 1.0)), (1, (2.5, 0.8, 0.6)), (2, (0.5, 1.5, 1.0)), (3, (3.0, 1.0, 1.0))],
)
def test_segmetrics_3d_live_through_simpleitk(seed, spacing):
    ref, cand = _volumes(seed)
    theirs = segmetrics_by_simpleitk(ref, cand, spacing)
    r = compare(ref, cand, volume=True, spacing=spacing, objects=False, compat="seg-metrics")
    for key, value in theirs.items():
        assert r.compat["seg-metrics"][key] == pytest.approx(value, rel=1e-5, abs=1e-4), key


# --- 3. sentences ----------------------------------------------------------------


def test_every_3d_difference_has_a_3d_sentence():
    ref, cand, p = _pair("blobs-aniso")
    r = _compare(ref, cand, p)
    deepmind, segmetrics = r.compat_notes["deepmind"], r.compat_notes["seg-metrics"]
    assert "voxel corners" in deepmind["hd95"] and "marching-cubes" in deepmind["hd95"]
    assert "cumulative area" in deepmind["hd95"]
    assert "26 neighbours" in segmetrics["assd"] and "pools both" in segmetrics["hd95"]
    for notes in r.compat_notes.values():
        for sentence in notes.values():
            assert sentence.endswith(".") and "unsupported" not in sentence
            assert "pixel" not in sentence.replace("voxel", "")
    full, blob, q = _pair("fills-volume")
    notes = _compare(full, blob, q).compat_notes["seg-metrics"]
    assert "fills the whole volume" in notes["hd95"]


def test_no_3d_value_is_unsupported_any_more():
    ref, cand = _volumes(5)
    r = compare(ref, cand, volume=True, objects=False, compat="all")
    for library, values in r.compat.items():
        for key, value in values.items():
            assert value != "unsupported in 3-D", (library, key)


@pytest.mark.parametrize("spacing", [(1.0, 1.0, 1.0), (3.0, 0.5, 0.5), (0.7, 1.3, 2.1)])
def test_lattice_search_equals_the_kd_tree_near_and_far(spacing):
    from maskapp.compat.context import nearest
    from maskapp.compat.volume import nearest_on_lattice

    ref, cand = _volumes(1, shape=(20, 22, 24))
    cand = np.roll(cand, (6, -7, 5), axis=(0, 1, 2))  # some points far beyond the ball
    box = union_box(ref, cand)
    origin = np.array([s.start for s in box])
    points, _ = surfels(ref, box, spacing)
    targets, _ = surfels(cand, box, spacing)
    on = np.zeros(tuple(s.stop - s.start + 1 for s in box), bool)
    on[tuple((targets - origin).T)] = True
    got = nearest_on_lattice(points, targets, on, origin, spacing)
    assert got.tolist() == pytest.approx(nearest(points, targets, spacing).tolist(), abs=1e-12)


def test_a_boundary_difference_in_3d_is_explained_with_the_3d_elements():
    rng = np.random.default_rng(1)
    a, b = rng.random((14, 16, 12)) > 0.6, rng.random((14, 16, 12)) > 0.6
    square = compare(
        a, b, volume=True, spacing=(1, 1, 2), boundary_connectivity=8, compat=("medpy",)
    )
    notes = square.compat_notes["medpy"]
    assert notes and all("6-connected cross" in n and "26-connected" in n for n in notes.values())
    assert not any("3×3" in n or "4-connected" in n for n in notes.values())
