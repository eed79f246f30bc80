"""3-D volumes: reading NIfTI/NRRD with their geometry, the guards, and every statistic in 3-D."""

from __future__ import annotations

import gzip
import io
import json
import math

import nibabel as nib
import nrrd
import numpy as np
import pytest
from scipy import ndimage
from scipy.spatial.distance import directed_hausdorff

from maskapp import MaskError, compare, read_mask
from maskapp.class_distances import class_distances
from maskapp.cli import main
from maskapp.geometry import Geometry, check_same_geometry
from maskapp.metrics import overlap_counts, overlap_statistics
from maskapp.slices import pair_slice, slice_of, slice_profile
from maskapp.surface import boundary, error_distance_map, surface_distances

SHAPE_IJK = (7, 11, 5)  # non-cubic, as stored (i fastest)
SPACING_IJK = (0.8, 0.9, 2.5)


def _blob(shape, seed, level=0.5, sigma=1.5):
    field = np.random.default_rng(seed).random(shape)
    return ndimage.gaussian_filter(field, sigma) > level


def _labels_ijk(seed=0):
    """A 3-label (x, y, z)-ordered volume as nibabel would hand it over."""
    rng = np.random.default_rng(seed)
    out = np.zeros(SHAPE_IJK, np.uint8)
    out[1:5, 2:9, 1:4] = 1
    out[4:7, 6:10, 2:5] = 2
    out[rng.random(SHAPE_IJK) > 0.97] = 3
    return out


def _nifti_bytes(data_ijk, affine, *, gz=True, two=False):
    cls = nib.Nifti2Image if two else nib.Nifti1Image
    img = cls(data_ijk, affine)
    raw = img.to_bytes()
    return gzip.compress(raw) if gz else raw


RAS = np.diag([*SPACING_IJK, 1.0])
LPS = np.diag([-SPACING_IJK[0], -SPACING_IJK[1], SPACING_IJK[2], 1.0])


# --- reading -------------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False])
@pytest.mark.parametrize("two", [False, True])
def test_nifti_reads_unscaled_with_spacing_orientation_and_axis_order(gz, two):
    data = _labels_ijk()
    affine = RAS.copy()
    affine[:3, 3] = (10, -20, 30)
    mask = read_mask(_nifti_bytes(data, affine, gz=gz, two=two), kind="labels")
    assert mask.array.dtype == np.uint8 and mask.array.shape == SHAPE_IJK[::-1]
    assert np.array_equal(mask.array, data.T)  # array axes (k, j, i)
    g = mask.info.geometry
    assert g.orientation == "RAS"
    assert np.allclose(g.spacing, SPACING_IJK[::-1])
    assert g.describe() == "7×11×5 at 0.8×0.9×2.5 mm (RAS)"
    # World coordinates of array index (k, j, i) follow the file's affine.
    assert np.allclose(g.to_world((2, 3, 4)), (affine @ np.array([4, 3, 2, 1.0]))[:3])
    info = mask.info.to_dict()
    assert info["geometry"]["orientation"] == "RAS" and info["shape"] == [5, 11, 7]


def test_nifti_with_lps_affine_reports_lps():
    mask = read_mask(_nifti_bytes(_labels_ijk(), LPS), kind="labels")
    assert mask.info.geometry.orientation == "LPS"


def test_nrrd_attached_and_detached_read_the_same_voxels_and_geometry(tmp_path):
    data = _labels_ijk()
    header = {
        "space": "left-posterior-superior",
        "space directions": np.diag(SPACING_IJK),
        "space origin": [1.0, 2.0, 3.0],
        "encoding": "gzip",
    }
    nrrd.write(str(tmp_path / "a.nrrd"), data, header)
    nrrd.write(str(tmp_path / "b.nhdr"), data, header, detached_header=True)
    attached = read_mask(tmp_path / "a.nrrd", kind="labels")
    detached = read_mask(tmp_path / "b.nhdr", kind="labels")
    for mask in (attached, detached):
        assert np.array_equal(mask.array, data.T)
        g = mask.info.geometry
        # LPS space with identity directions: axes increase towards L, P, S.
        assert g.orientation == "LPS"
        assert np.allclose(g.spacing, SPACING_IJK[::-1])
        assert np.allclose(g.to_world((0, 0, 0)), (-1.0, -2.0, 3.0))  # RAS+ world
    # The same voxels from bytes: the detached header cannot find its data file.
    with pytest.raises(MaskError, match="detached NRRD header"):
        read_mask((tmp_path / "b.nhdr").read_bytes())


def test_the_same_voxels_as_nifti_lps_and_nrrd_lps_agree_and_compare_equal(tmp_path):
    data = _labels_ijk()
    (tmp_path / "a.nii.gz").write_bytes(_nifti_bytes(data, LPS))
    nrrd.write(
        str(tmp_path / "b.nrrd"),
        data,
        {"space": "RAS", "space directions": np.diag([-0.8, -0.9, 2.5])},
    )
    result = compare(tmp_path / "a.nii.gz", tmp_path / "b.nrrd", kind="labels")
    assert result.iou == 1.0 and result.surface.hausdorff == 0.0


def test_npy_volume_needs_volume_true_and_takes_the_given_spacing(tmp_path):
    a = _blob((6, 9, 8), 1)
    b = _blob((6, 9, 8), 2)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    with pytest.raises(MaskError, match="more dimensions"):
        read_mask(tmp_path / "a.npy")
    result = compare(
        tmp_path / "a.npy", tmp_path / "b.npy", volume=True, spacing=(2.5, 0.8, 0.9), objects=False
    )
    direct = surface_distances(a, b, spacing=(2.5, 0.8, 0.9))
    assert result.surface.hausdorff == direct.hausdorff
    assert result.to_dict()["spacing"] == [2.5, 0.8, 0.9]


# --- guards ---------------------------------------------------------------------------------


def _header_only(dims, dtype=np.uint8):
    header = nib.Nifti1Header()
    header.set_data_shape(dims)
    header.set_data_dtype(dtype)
    out = io.BytesIO()
    header.write_to(out)
    out.write(b"\0" * (352 - out.tell()))
    return out.getvalue()


def test_voxel_cap_is_checked_from_the_header_before_any_data():
    huge = _header_only((4096, 4096, 4096))  # 68 G voxels declared, 352 bytes
    with pytest.raises(MaskError, match="voxel limit"):
        read_mask(huge)
    small = _nifti_bytes(_labels_ijk(), RAS)
    with pytest.raises(MaskError, match="voxel limit"):
        read_mask(small, max_voxels=100)


def test_gzip_bomb_stops_at_the_declared_size():
    header = _header_only((8, 8, 8))
    bomb = gzip.compress(header + b"\0" * (8 * 8 * 8) + b"\0" * (64 << 20))
    assert len(bomb) < 200_000
    with pytest.raises(MaskError, match=r"more than the .* bytes its header declares"):
        read_mask(bomb)


@pytest.mark.parametrize("gz", [True, False])
def test_truncated_and_padded_nifti_are_refused(gz):
    raw = _nifti_bytes(_labels_ijk(), RAS, gz=False)
    short = raw[:-10]
    with pytest.raises(MaskError, match="truncated"):
        read_mask(gzip.compress(short) if gz else short)
    if not gz:
        with pytest.raises(MaskError, match="more than its header declares"):
            read_mask(raw + b"\0" * 7)
    stream = gzip.compress(raw)
    truncated_stream = stream[: len(stream) // 2]
    with pytest.raises(MaskError, match=r"truncated|corrupt"):
        read_mask(truncated_stream)


def test_four_d_volumes():
    one_time_point = _labels_ijk()[..., None]
    mask = read_mask(_nifti_bytes(one_time_point, RAS), kind="labels")
    assert mask.array.shape == SHAPE_IJK[::-1]
    assert any("one time point" in n for n in mask.info.notes)
    with pytest.raises(MaskError, match="4-D with 3 time points"):
        read_mask(_nifti_bytes(np.zeros((*SHAPE_IJK, 3), np.uint8), RAS))
    with pytest.raises(MaskError, match="dimensions"):
        read_mask(_nifti_bytes(np.zeros((*SHAPE_IJK, 2, 2), np.uint8), RAS))


def test_nifti_pair_header_and_other_gzip_are_refused():
    header = bytearray(_header_only((4, 4, 4)))
    header[344:348] = b"ni1\0"
    with pytest.raises(MaskError, match=r"\.hdr/\.img"):
        read_mask(bytes(header))
    with pytest.raises(MaskError, match="no NIfTI volume"):
        read_mask(gzip.compress(b"hello world" * 100))


def test_nrrd_guards(tmp_path):
    data = np.zeros((4, 4, 4), np.uint8)
    nrrd.write(str(tmp_path / "a.nrrd"), data, {"encoding": "raw"})
    raw = (tmp_path / "a.nrrd").read_bytes()
    with pytest.raises(MaskError, match="truncated"):
        read_mask(raw[:-5])
    with pytest.raises(MaskError, match="more than its header declares"):
        read_mask(raw + b"\0")
    bomb = raw.replace(b"encoding: raw", b"encoding: gzip").split(b"\n\n")[0] + b"\n\n"
    bomb += gzip.compress(b"\0" * (1 << 22))
    with pytest.raises(MaskError, match="more than the 64 bytes"):
        read_mask(bomb)
    header = (tmp_path / "a.nrrd").read_bytes().split(b"\n\n")[0]
    evil = header + b"\ndata file: ../../etc/passwd\n\n"
    (tmp_path / "evil.nhdr").write_bytes(evil)
    with pytest.raises(MaskError, match="beside the header only"):
        read_mask(tmp_path / "evil.nhdr")
    nrrd.write(str(tmp_path / "t.nrrd"), np.zeros((2, 3, 4, 5), np.uint8))
    with pytest.raises(MaskError, match="one 3-D volume"):
        read_mask(tmp_path / "t.nrrd")


# --- geometry ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("affine_b", "shape_b", "fragment"),
    [
        (RAS, (7, 11, 6), "sizes differ"),
        (np.diag([0.8, 0.9, 3.0, 1.0]), SHAPE_IJK, "spacings differ"),
        (LPS, SHAPE_IJK, "orientations differ"),
    ],
)
def test_volumes_on_different_grids_are_one_sentence_naming_both(affine_b, shape_b, fragment):
    a = _nifti_bytes(_labels_ijk(), RAS)
    b = _nifti_bytes(np.zeros(shape_b, np.uint8), affine_b)
    with pytest.raises(MaskError) as err:
        compare(a, b, kind="labels")
    text = str(err.value)
    assert fragment in text and "7×11×5 at 0.8×0.9×2.5 mm (RAS) (reference)" in text
    assert text.count(".") >= 1 and "\n" not in text


def test_reorienting_is_opt_in_and_noted():
    data = _labels_ijk()
    a = _nifti_bytes(data, RAS)
    flipped = data[::-1, ::-1, :]  # the same voxels stored LPS
    affine = LPS.copy()
    affine[:3, 3] = [(SHAPE_IJK[0] - 1) * 0.8, (SHAPE_IJK[1] - 1) * 0.9, 0]
    b = _nifti_bytes(np.ascontiguousarray(flipped), affine)
    with pytest.raises(MaskError, match="reorient=True"):
        compare(a, b, kind="labels")
    result = compare(a, b, kind="labels", reorient=True)
    assert result.iou == 1.0
    assert any("reoriented from LPS to RAS" in n for n in result.candidate.notes)


def test_spacing_within_tolerance_is_the_same_grid():
    g = Geometry((3, 4, 5), (2.5, 0.8, 0.8), orientation="RAS")
    check_same_geometry(g, Geometry((3, 4, 5), (2.5, 0.800000011920929, 0.8), orientation="RAS"))


# --- statistics against independent implementations ---------------------------------------


@pytest.mark.parametrize(("connectivity", "medpy_connectivity"), [(6, 1), (18, 2), (26, 3)])
def test_distances_match_medpy_in_3d_with_anisotropic_spacing(connectivity, medpy_connectivity):
    medpy = pytest.importorskip("medpy.metric.binary")
    a = _blob((14, 22, 19), 3)
    b = _blob((14, 22, 19), 4)
    spacing = (2.5, 0.8, 0.9)
    d = surface_distances(a, b, spacing=spacing, connectivity=connectivity, hd95="pooled")
    c = medpy_connectivity
    assert d.hausdorff == pytest.approx(medpy.hd(b, a, spacing, c), rel=1e-12)
    assert d.hd95 == pytest.approx(medpy.hd95(b, a, spacing, c), rel=1e-12)
    assert d.assd == pytest.approx(medpy.assd(b, a, spacing, c), rel=1e-12)
    assert d.directed_mean_reference_to_candidate == pytest.approx(
        medpy.asd(a, b, spacing, c), rel=1e-12
    )
    assert d.directed_mean_candidate_to_reference == pytest.approx(
        medpy.asd(b, a, spacing, c), rel=1e-12
    )


def test_boundaries_match_scipy_erosion_and_distances_match_brute_force():
    a = _blob((6, 8, 7), 5)
    b = _blob((6, 8, 7), 6)
    spacing = np.array([2.5, 0.8, 0.9])
    for connectivity, rank in ((6, 1), (18, 2), (26, 3)):
        footprint = ndimage.generate_binary_structure(3, rank)
        for m in (a, b):
            expected = m ^ ndimage.binary_erosion(m, footprint, border_value=0)
            assert np.array_equal(boundary(m, connectivity=connectivity), expected)
    pa = np.argwhere(boundary(a, connectivity=6)) * spacing
    pb = np.argwhere(boundary(b, connectivity=6)) * spacing
    every = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(-1))
    d_ab, d_ba = every.min(axis=1), every.min(axis=0)
    d = surface_distances(a, b, spacing=tuple(spacing), tolerance=1.0)
    assert d.directed_hausdorff_reference_to_candidate == pytest.approx(d_ab.max())
    assert d.directed_hausdorff_reference_to_candidate == pytest.approx(
        directed_hausdorff(pa, pb)[0]
    )
    assert d.directed_hausdorff_candidate_to_reference == pytest.approx(
        directed_hausdorff(pb, pa)[0]
    )
    assert d.directed_hd95_reference_to_candidate == pytest.approx(np.percentile(d_ab, 95))
    assert d.hd95 == pytest.approx(max(np.percentile(d_ab, 95), np.percentile(d_ba, 95)))
    assert d.assd == pytest.approx(np.concatenate([d_ab, d_ba]).mean())
    assert d.masd == pytest.approx((d_ab.mean() + d_ba.mean()) / 2)
    close = (d_ab <= 1.0).sum() + (d_ba <= 1.0).sum()
    assert d.surface_dice == pytest.approx(close / (len(d_ab) + len(d_ba)))
    ref_point, cand_point = d.hausdorff_pair
    assert math.dist(np.array(ref_point) * spacing, np.array(cand_point) * spacing) == (
        pytest.approx(d.hausdorff)
    )


def test_boundary_iou_in_3d_matches_a_distance_transform_band():
    a = _blob((8, 16, 15), 7)
    b = _blob((8, 16, 15), 8)
    spacing = (2.5, 0.8, 0.9)
    width = 2.0
    d = surface_distances(a, b, spacing=spacing, boundary_width=width)
    bands = []
    for m in (a, b):
        edge = boundary(m, connectivity=6)
        distance = ndimage.distance_transform_edt(~edge, sampling=spacing)
        bands.append(m & (distance <= width * (1 + 1e-9)))
    expected = (bands[0] & bands[1]).sum() / (bands[0] | bands[1]).sum()
    assert d.boundary_iou == pytest.approx(expected)


def test_error_distance_map_in_3d_matches_a_distance_transform():
    a = _blob((8, 12, 10), 9)
    b = _blob((8, 12, 10), 10)
    spacing = (2.5, 0.8, 0.9)
    out = error_distance_map(a, b, spacing=spacing)
    fn, fp = a & ~b, b & ~a
    assert np.allclose(out[fn], ndimage.distance_transform_edt(~b, sampling=spacing)[fn])
    assert np.allclose(out[fp], ndimage.distance_transform_edt(~a, sampling=spacing)[fp])
    assert not out[~(fn | fp)].any()


def test_overlap_statistics_in_3d_count_centroids_and_boxes_per_axis():
    a = _blob((9, 13, 11), 11)
    b = _blob((9, 13, 11), 12)
    s = overlap_statistics(overlap_counts(a, b), spacing=(2.5, 0.8, 0.9))
    assert s.tp == np.count_nonzero(a & b) and s.tn == np.count_nonzero(~a & ~b)
    assert np.allclose(s.centroid_reference, ndimage.center_of_mass(a))
    hits = np.argwhere(b)
    assert s.bbox_candidate == (*hits.min(0), *(hits.max(0) + 1))
    offset = (np.array(ndimage.center_of_mass(a)) - ndimage.center_of_mass(b)) * (2.5, 0.8, 0.9)
    assert s.centroid_offset == pytest.approx(np.linalg.norm(offset))


def test_per_class_iou_matches_scikit_learn_on_the_flattened_volume():
    metrics = pytest.importorskip("sklearn.metrics")
    ref = _labels_ijk(1)
    cand = np.roll(_labels_ijk(2), 1, axis=0)
    aff = RAS
    result = compare(_nifti_bytes(ref, aff), _nifti_bytes(cand, aff), kind="labels", void=None)
    labels = [c.label for c in result.classes.classes]
    expected = metrics.jaccard_score(ref.ravel(), cand.ravel(), labels=labels, average=None)
    assert np.allclose([c.iou for c in result.classes.classes], expected)


def test_per_class_distances_match_medpy_per_label():
    medpy = pytest.importorskip("medpy.metric.binary")
    ref = np.zeros((10, 18, 16), np.uint8)
    ref[_blob(ref.shape, 13)] = 1
    ref[_blob(ref.shape, 14, level=0.53)] = 2
    cand = np.roll(ref, 1, axis=2)
    cand[2:4, 2:5, 2:5] = 3  # a class in the candidate only
    spacing = (2.5, 0.8, 0.9)
    table = class_distances(ref, cand, spacing=spacing, connectivity=6, hd95="pooled")
    assert [c.label for c in table.classes] == [1, 2, 3]
    for c in table.classes[:2]:
        a, b = ref == c.label, cand == c.label
        assert c.hausdorff == pytest.approx(medpy.hd(b, a, spacing, 1))
        assert c.hd95 == pytest.approx(medpy.hd95(b, a, spacing, 1))
        assert c.assd == pytest.approx(medpy.assd(b, a, spacing, 1))
    missing = table[3]
    assert math.isinf(missing.hausdorff) and missing.infinite["hd95"] == "the reference is empty"
    assert table.to_dict()["per_class"][2]["hausdorff"] is None


def test_per_class_distances_in_2d_are_opt_in_and_equal_the_binary_ones():
    a = np.zeros((20, 24), np.uint8)
    a[3:10, 3:12] = 1
    a[12:18, 5:20] = 2
    b = np.roll(a, 2, axis=1)
    plain = compare(a, b, kind="labels", objects=False)
    assert plain.class_distances is None
    result = compare(a, b, kind="labels", objects=False, class_distances=True)
    for c in result.class_distances.classes:
        direct = surface_distances(a == c.label, b == c.label)
        assert c.hausdorff == direct.hausdorff and c.hd95 == direct.hd95


def test_objects_in_3d_default_to_26_connectivity():
    a = np.zeros((5, 5, 5), bool)
    a[1, 1, 1] = a[2, 2, 2] = True  # corner-touching voxels
    b = a.copy()
    r = compare(a, b, volume=True, spacing=(1.0, 1.0, 1.0))
    assert r.objects.reference_count == 1 and r.objects.connectivity == 26
    r6 = compare(a, b, volume=True, spacing=(1.0, 1.0, 1.0), connectivity="face")
    assert r6.objects.reference_count == 2


# --- the slice profile, JSON and the CLI ----------------------------------------------------


def test_slice_profile_matches_per_slice_counts_on_every_axis():
    a = _blob((7, 9, 8), 15)
    b = _blob((7, 9, 8), 16)
    counts = overlap_counts(a, b)
    for axis in range(3):
        p = slice_profile(counts, axis)
        rest = tuple(i for i in range(3) if i != axis)
        assert np.array_equal(p.intersection, np.count_nonzero(a & b, axis=rest))
        assert np.array_equal(p.reference_area, np.count_nonzero(a, axis=rest))
        k = p.worst()
        dice = 2 * p.intersection[k] / (p.reference_area[k] + p.candidate_area[k])
        assert dice == np.nanmin(p.dice)
        assert slice_of(a, axis, k).shape == tuple(a.shape[i] for i in rest)


def test_json_of_a_volume_pair_has_shape_spacing_orientation_and_unit(tmp_path, capsys):
    (tmp_path / "a.nii.gz").write_bytes(_nifti_bytes(_labels_ijk(1), RAS))
    (tmp_path / "b.nii.gz").write_bytes(_nifti_bytes(np.roll(_labels_ijk(1), 1, 0), RAS))
    status = main(["compare", str(tmp_path / "a.nii.gz"), str(tmp_path / "b.nii.gz"),
                   "--labels", "--json"])  # fmt: skip
    assert status == 0
    out = json.loads(capsys.readouterr().out)
    assert out["shape"] == [5, 11, 7] and out["orientation"] == "RAS"
    assert out["distance_unit"] == "mm"
    assert np.allclose(out["spacing"], SPACING_IJK[::-1])
    assert out["conventions"]["axes"].startswith("array axes (k, j, i)")
    assert {r["label"] for r in out["per_class_distances"]} == {1, 2, 3}
    assert out["boundary_connectivity"] == 6
    k = pair_slice(out["hausdorff_pair"], 0)
    assert k is not None and len(out["hausdorff_pair_world"]) == 2
    # --spacing (file order i j k) overrides the header, with a note.
    main(["compare", str(tmp_path / "a.nii.gz"), str(tmp_path / "b.nii.gz"), "--labels",
          "--json", "--spacing", "1", "1", "1"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["spacing"] == [1.0, 1.0, 1.0]
    assert any("overriding the header" in n for n in out["geometry"]["notes"])


def test_cli_geometry_mismatch_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "a.nii").write_bytes(_nifti_bytes(_labels_ijk(), RAS, gz=False))
    (tmp_path / "b.nii").write_bytes(_nifti_bytes(_labels_ijk(), LPS, gz=False))
    assert main(["compare", str(tmp_path / "a.nii"), str(tmp_path / "b.nii")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "orientations differ" in err and "--reorient" in err
    assert main(["compare", str(tmp_path / "a.nii"), str(tmp_path / "b.nii"),
                 "--reorient", "--json"]) == 0  # fmt: skip


# ---------------------------------------------------------------- lighter volume paths


def _random_labels(rng, shape, void=255):
    labels = (ndimage.gaussian_filter(rng.random(shape), 1.5) * 7).astype(np.uint8) % 4
    labels[rng.random(shape) < 0.02] = void
    return labels


@pytest.mark.parametrize("void", [255, 0, 3, None])
@pytest.mark.parametrize("policy", ["reference", "either"])
def test_label_volume_foreground_equals_the_whole_volume_rule(void, policy, monkeypatch):
    import maskapp.volumes as volumes
    from maskapp.void import label_foreground

    monkeypatch.setattr(volumes, "_SLAB", 3)  # several slabs on small volumes
    rng = np.random.default_rng(7)
    for shape in [(11, 7, 5), (1, 4, 4), (20, 3, 9)]:
        ref = _random_labels(rng, shape, 255 if void is None else void)
        cand = _random_labels(rng, shape, 255 if void is None else void)
        ref[:2] = 0  # a box that does not start at the first plane
        expected = label_foreground(ref, cand, void, policy)
        got = volumes.label_volume_foreground(ref, cand, void, policy)
        for e, g in zip(expected[:2], got[:2], strict=True):
            np.testing.assert_array_equal(g, e)
        assert got[2] == expected[2]
    empty = np.zeros((3, 4, 5), np.uint8)
    ref, cand, n = volumes.label_volume_foreground(empty, empty, void, policy)
    assert not ref.any() and not cand.any() and n == (empty.size if void == 0 else 0)


def test_lazy_zeros_are_zero_writeable_and_pickle():
    import pickle

    from maskapp.volumes import lazy_zeros

    a = lazy_zeros((3, 4, 5))
    assert a.dtype == bool and a.shape == (3, 4, 5) and not a.any()
    a[1, 2, 3] = True
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(a)), a)
    assert lazy_zeros((0, 4)).shape == (0, 4)


@pytest.mark.parametrize("strict", [False, True])
def test_boundary_iou_of_volumes_by_slabs_equals_the_whole_bands(strict):
    from maskapp import surface

    rng = np.random.default_rng(3)
    for shape, spacing, width in [((40, 9, 11), (2.5, 0.8, 0.8), 2.0),
                                  ((37, 8, 8), (0.5, 1.0, 1.0), 3.0),
                                  ((18, 12, 6), (1.0, 1.0, 1.0), 40.0)]:  # fmt: skip
        a = ndimage.gaussian_filter(rng.random(shape), 2) > 0.5
        b = ndimage.gaussian_filter(rng.random(shape), 2) > 0.5
        a_b, b_b = surface._boundary(a, 6), surface._boundary(b, 6)
        band_a = surface._dilate(a_b, width, spacing, strict) & a
        band_b = surface._dilate(b_b, width, spacing, strict) & b
        both = np.count_nonzero(band_a & band_b)
        expected = both / (np.count_nonzero(band_a) + np.count_nonzero(band_b) - both)
        got = surface._boundary_iou(a, a_b, b, b_b, width, spacing, strict)
        assert got == expected, (shape, spacing, width)


def test_a_comparison_of_label_volumes_is_unchanged_by_the_box(tmp_path):
    """compare on label volumes whose labels sit in a corner: same numbers as binary masks."""
    ref = np.zeros((30, 40, 50), np.uint8)
    cand = np.zeros_like(ref)
    ref[20:28, 30:38, 40:47] = 2
    cand[21:29, 31:39, 40:46] = 2
    cand[22:24, 31:33, 41:43] = 255  # void in the candidate only: background in the binary view
    labels = compare(ref, cand, kind="labels", volume=True, spacing=(2.0, 1.0, 1.0),
                     objects=False)  # fmt: skip
    binary = compare(ref != 0, (cand != 0) & (cand != 255), volume=True,
                     spacing=(2.0, 1.0, 1.0), objects=False)  # fmt: skip
    assert labels.overlap == binary.overlap
    assert labels.surface == binary.surface


@pytest.mark.parametrize(
    "orientation, expected",
    [("RAS", {"axial": 0, "coronal": 1, "sagittal": 2}),
     ("LPS", {"axial": 0, "coronal": 1, "sagittal": 2}),
     ("ASL", {"axial": 1, "coronal": 2, "sagittal": 0}),  # a sagittal stack
     ("RSA", {"axial": 1, "coronal": 0, "sagittal": 2}),  # a coronal stack
     (None, {"axial": 0, "coronal": 1, "sagittal": 2})],
)  # fmt: skip
def test_planes_follow_the_orientation(orientation, expected):
    from maskapp.slices import planes

    assert planes(orientation) == expected


def test_display_flips_put_superior_and_anterior_up_and_the_right_on_the_left():
    from maskapp.slices import display_flips

    # RAS: k → S, j → A, i → R.
    assert display_flips("RAS", 0) == (True, True)  # axial: rows j (A up), columns i (R left)
    assert display_flips("RAS", 1) == (True, True)  # coronal: rows k (S up), columns i
    assert display_flips("RAS", 2) == (True, True)  # sagittal: rows k (S up), columns j (A left)
    # LPS: k → S, j → P, i → L: only the superior axis needs reversing.
    assert display_flips("LPS", 0) == (False, False)
    assert display_flips("LPS", 2) == (True, False)
    assert display_flips(None, 0) == (False, False)


def test_the_confusion_map_of_volumes_equals_the_whole_map(monkeypatch):
    import maskapp.volumes as volumes
    from maskapp.overlap import confusion_map

    monkeypatch.setattr(volumes, "_SLAB", 2)
    rng = np.random.default_rng(5)
    for shape in [(9, 6, 7), (1, 3, 3), (12, 5, 4)]:
        a = ndimage.gaussian_filter(rng.random(shape), 1.5) > 0.55
        b = ndimage.gaussian_filter(rng.random(shape), 1.5) > 0.55
        a[:3] = b[:3] = False
        np.testing.assert_array_equal(volumes.volume_confusion_map(a, b), confusion_map(a, b))
    empty = np.zeros((2, 3, 4), bool)
    codes = volumes.volume_confusion_map(empty, empty)
    assert codes.dtype == np.uint8 and not codes.any()
    result = compare(a, b, volume=True, spacing=(1, 1, 1), objects=False)
    np.testing.assert_array_equal(result.confusion, confusion_map(a, b))


def test_a_class_profile_in_its_box_equals_the_whole_count():
    from maskapp.slices import class_slice_profile

    rng = np.random.default_rng(11)
    ref = _random_labels(rng, (14, 9, 11), void=200)
    cand = _random_labels(rng, (14, 9, 11), void=200)
    result = compare(ref, cand, kind="labels", volume=True, spacing=(2, 1, 1), void=None,
                     objects=False)  # fmt: skip
    for row in result.class_distances.classes:
        for axis in range(3):
            whole = class_slice_profile(ref, cand, row.label, axis)
            boxed = class_slice_profile(ref, cand, row.label, axis, box=row.box)
            for name in ("reference_area", "candidate_area", "intersection", "dice"):
                np.testing.assert_array_equal(getattr(boxed, name), getattr(whole, name))
