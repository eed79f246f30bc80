"""evaluate(): every case accounted for, rows equal to compare, runners agree."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
from batch_data import case_masks, png, write_dataset
from PIL import Image

from maskapp import compare
from maskapp.batch import evaluate, pair_locations
from maskapp.batch.evaluate import case_row
from maskapp.errors import MaskError
from maskapp.pair import Options


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> tuple[Path, Path]:
    """12 good pairs of 96×128, then a corrupt candidate, a size mismatch, a missing
    candidate, a candidate without a reference, and an empty pair."""
    root = tmp_path_factory.mktemp("batch")
    references, candidates = write_dataset(root, 12, (96, 128), seed=3)
    (references / "corrupt.png").write_bytes(png(np.eye(96, 128, dtype=bool)))
    (candidates / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    (references / "small.png").write_bytes(png(np.eye(96, 128, dtype=bool)))
    (candidates / "small.png").write_bytes(png(np.eye(50, 50, dtype=bool)))
    (references / "no_candidate.png").write_bytes(png(np.eye(96, 128, dtype=bool)))
    (candidates / "no_reference.png").write_bytes(png(np.eye(96, 128, dtype=bool)))
    (references / "empty.png").write_bytes(png(np.zeros((96, 128), bool)))
    (candidates / "empty.png").write_bytes(png(np.zeros((96, 128), bool)))
    return references, candidates


@pytest.fixture(scope="module")
def result(dataset):
    return evaluate(pair_locations(*map(str, dataset)), Options(), workers=0)


def by_name(result, name):
    return next(c for c in result.cases if c.name == name)


def test_every_case_is_accounted_for(result):
    statuses = {c.name: c.status for c in result.cases}
    assert len(statuses) == 16
    assert statuses["corrupt"] == "failed" and by_name(result, "corrupt").stage == "read candidate"
    assert statuses["small"] == "failed" and by_name(result, "small").stage == "compare"
    assert "--resize" in by_name(result, "small").error
    assert statuses["no_candidate"] == "missing_candidate"
    assert result.pairing.missing_reference  # listed, not a case
    assert "no_reference" not in statuses
    assert sum(s == "ok" for s in statuses.values()) == 13
    assert result.exit_code == 3


def test_a_row_equals_compare_on_that_pair(dataset, result):
    references, candidates = dataset
    for name in ("case_00000", "case_00004", "case_00011", "empty"):
        expected, undefined = case_row(
            compare(references / f"{name}.png", candidates / f"{name}.png")
        )
        case = by_name(result, name)
        assert case.row == pytest.approx(expected, nan_ok=True)
        assert dict(case.undefined) == undefined


def test_a_missing_candidate_is_an_empty_candidate(dataset, result):
    references, _ = dataset
    case = by_name(result, "no_candidate")
    expected, _ = case_row(
        compare(references / "no_candidate.png", np.zeros((96, 128), bool))
    )
    assert case.row == pytest.approx(expected, nan_ok=True)
    assert case.row["iou"] == 0.0 and case.row["hd95"] == math.inf
    summary = result.summary["hd95"]
    assert summary.n == 14 and summary.n_infinite == 1 and summary.n_failed == 2


def test_skip_leaves_missing_cases_out_of_the_summaries_but_lists_them(dataset, result):
    skipped = evaluate(pair_locations(*map(str, dataset)), Options(), workers=0, missing="skip")
    assert by_name(skipped, "no_candidate").status == "missing_candidate"
    assert skipped.summary["iou"].n == result.summary["iou"].n - 1
    assert skipped.summary["hd95"].n_infinite == 0
    assert skipped.pooled["iou"] > result.pooled["iou"]


def test_summary_and_pooled_figures_from_the_rows(result):
    summarised = [c for c in result.cases if c.status != "failed"]
    ious = np.array([c.row["iou"] for c in summarised])
    assert result.summary["iou"].mean == pytest.approx(ious.mean())
    assert result.summary["iou"].median == pytest.approx(np.median(ious))
    tp = sum(c.row["tp"] for c in summarised)
    fp = sum(c.row["fp"] for c in summarised)
    fn = sum(c.row["fn"] for c in summarised)
    assert result.pooled["iou"] == pytest.approx(tp / (tp + fp + fn))
    low, high = result.summary["iou"].ci95
    assert low < ious.mean() < high


def test_cases_are_worst_first(result):
    statuses = [c.status for c in result.cases]
    assert statuses[:2] == ["failed", "failed"]
    ious = [c.row["iou"] for c in result.cases[2:]]
    assert ious == sorted(ious)


def test_distances_sort_descending_with_infinity_first(dataset):
    result = evaluate(pair_locations(*map(str, dataset)), Options(), workers=0, sort="hd95")
    values = [c.row["hd95"] for c in result.cases if c.status != "failed"]
    assert values[0] == math.inf and values[1:] == sorted(values[1:], reverse=True)


def test_an_unknown_sort_statistic_is_one_sentence(dataset):
    pairing = pair_locations(*map(str, dataset))
    with pytest.raises(MaskError, match="--sort hd95 is not a statistic of this run"):
        evaluate(pairing, Options(distances=False), workers=0, sort="hd95")


def test_json_has_every_key_and_no_nan_or_infinity(result):
    def refuse(constant):
        raise AssertionError(f"{constant} in the JSON")

    data = json.loads(result.to_json(), parse_constant=refuse)
    for key in ("pairing", "cases", "failures", "summary", "pooled", "conventions"):
        assert key in data
    assert set(data["pairing"]) >= {"matched", "missing_candidate", "missing_reference", "ignored"}
    assert {f["name"]: f["stage"] for f in data["failures"]} == {
        "corrupt": "read candidate", "small": "compare",
    }
    assert isinstance(data["summary"]["iou"]["ci95"], list)
    case = next(c for c in data["cases"] if c["name"] == "no_candidate")
    assert case["hd95"] is None and "hd95" in case["undefined"]


def test_csv_has_one_row_per_case(result):
    lines = result.to_csv().strip().splitlines()
    assert len(lines) == 1 + len(result.cases)
    assert lines[0].startswith("name,status,stage,error")
    assert any(",inf," in line for line in lines)


@pytest.mark.slow
def test_one_and_two_workers_give_identical_results(dataset, result):
    pairing = pair_locations(*map(str, dataset))
    for workers in (1, 2):
        other = evaluate(pairing, Options(), workers=workers)
        assert other.to_dict() == result.to_dict()


def test_label_mode_rows_and_the_dataset_class_table(tmp_path):
    rng = np.random.default_rng(5)
    refs, cands = tmp_path / "refs", tmp_path / "cands"
    refs.mkdir(), cands.mkdir()
    pairs = []
    for i in range(5):
        reference, candidate = case_masks(rng, (64, 80), labels=3)
        reference[:3] = 255  # a void border in the reference
        pairs.append((reference, candidate))
        Image.fromarray(reference).save(refs / f"c{i}.png")
        Image.fromarray(candidate).save(cands / f"c{i}.png")
    result = evaluate(pair_locations(str(refs), str(cands)), Options(kind="labels"), workers=0)
    for i, (reference, candidate) in enumerate(pairs):
        expected, _ = case_row(compare(reference, candidate, kind="labels"))
        assert by_name(result, f"c{i}").row == pytest.approx(expected, nan_ok=True)
    # The pooled per-class IoU is the IoU of all cases' pixels taken together.
    reference = np.concatenate([r for r, _ in pairs])
    candidate = np.concatenate([c for _, c in pairs])
    kept = reference != 255
    rows = {r["label"]: r for r in result.classes if r["label"] is not None}
    for label in (1, 2, 3):
        a, b = (reference == label) & kept, (candidate == label) & kept
        union = np.count_nonzero(a | b)
        if union:
            assert rows[label]["pooled_iou"] == pytest.approx(np.count_nonzero(a & b) / union)
    assert "mean_iou" in result.summary


def test_two_models_are_compared_case_by_case(tmp_path):
    rng = np.random.default_rng(9)
    for folder in ("gt", "a", "b"):
        (tmp_path / folder).mkdir()
    for i in range(8):
        reference, candidate = case_masks(rng, (64, 64))
        worse = candidate.copy()
        worse[: 8 + i] = False  # model B misses a growing band
        for folder, mask in (("gt", reference), ("a", candidate), ("b", worse)):
            (tmp_path / folder / f"c{i}.png").write_bytes(png(mask))
    pairing = pair_locations(
        str(tmp_path / "gt"), str(tmp_path / "a"), against=str(tmp_path / "b")
    )
    result = evaluate(pairing, Options(distances=False, objects=False), workers=0)
    paired = result.paired["iou"]
    a = {c.name: c.row["iou"] for c in result.cases}
    b = {c.name: c.row["iou"] for c in result.against.cases}
    differences = [b[n] - a[n] for n in sorted(a)]
    assert paired.mean_difference == pytest.approx(np.mean(differences))
    assert paired.wins == sum(d > 0 for d in differences)
    assert paired.losses == sum(d < 0 for d in differences)
    assert "comparison" in json.loads(result.to_json())


def test_zips_are_read_in_place(dataset, tmp_path):
    references, candidates = dataset
    zips = []
    for folder in (references, candidates):
        target = tmp_path / f"{folder.name}.zip"
        with zipfile.ZipFile(target, "w") as archive:
            for path in sorted(folder.glob("case_*.png")):
                archive.write(path, f"{folder.name}/{path.name}")  # a zipped folder
        zips.append(str(target))
    from_zips = evaluate(pair_locations(*zips), Options(), workers=0)
    from_folders = evaluate(pair_locations(*map(str, dataset)), Options(), workers=0)
    assert {c.name: c.row for c in from_zips.cases} == {
        c.name: c.row for c in from_folders.cases if c.name.startswith("case_")
    }


@pytest.mark.slow
def test_dask_in_process_cluster_gives_the_same_result(dataset, result):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        pairing = pair_locations(*map(str, dataset))
        notices = []
        other = evaluate(pairing, Options(), dask=cluster.scheduler_address, log=notices.append)
    assert other.to_dict() == result.to_dict()
    assert any("dashboard" in n for n in notices)


def test_an_unreachable_dask_scheduler_is_one_sentence(dataset, monkeypatch):
    pytest.importorskip("distributed")
    from maskapp.batch import runners

    monkeypatch.setattr(runners, "DASK_TIMEOUT_S", 1)
    pairing = pair_locations(*map(str, dataset))
    with pytest.raises(MaskError, match="Could not connect to the Dask scheduler"):
        evaluate(pairing, Options(), dask="tcp://127.0.0.1:9")


@pytest.mark.slow
def test_a_cluster_running_another_maskapp_is_refused(dataset, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from maskapp.batch import runners

    # The in-process workers import this very maskapp; the client claims another version.
    monkeypatch.setattr(runners, "__version__", "0.0.0-other")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        pairing = pair_locations(*map(str, dataset))
        with pytest.raises(MaskError, match=r"runs maskapp \S+ on .* but this is maskapp 0\.0\.0"):
            evaluate(pairing, Options(), dask=cluster.scheduler_address)


def test_a_mask_above_max_pixels_fails_its_case_only(dataset):
    pairing = pair_locations(*map(str, dataset))
    result = evaluate(pairing, Options(), workers=0, max_pixels=96 * 128 - 1)
    failed = [c for c in result.cases if c.status == "failed"]
    assert {c.stage for c in failed} == {"read reference"}  # every reference is 96×128
    assert "pixels" in failed[0].error


def test_sorted_by_reorders_without_recomputing(dataset, result):
    again = evaluate(pair_locations(*map(str, dataset)), Options(), workers=0, sort="hd95")
    assert result.sorted_by("hd95").to_dict() == again.to_dict()
    assert result.values("iou") == [
        c.row["iou"] for c in sorted(result.cases, key=lambda c: c.name) if c.status != "failed"
    ]


def test_volumes_in_a_batch_with_a_missing_candidate(tmp_path):
    nib = pytest.importorskip("nibabel")
    for folder in ("gt", "pred"):
        (tmp_path / folder).mkdir()
    affine = np.diag([0.8, 0.8, 2.5, 1.0])
    volumes = {}
    for i in range(3):
        reference = np.zeros((24, 20, 12), np.uint8)
        reference[4:18, 3:15, 2:9] = 1
        candidate = np.roll(reference, i, axis=0)
        volumes[f"v{i}"] = (reference, candidate)
        nib.save(nib.Nifti1Image(reference, affine), tmp_path / "gt" / f"v{i}.nii.gz")
        if i:  # v0 has no prediction
            nib.save(nib.Nifti1Image(candidate, affine), tmp_path / "pred" / f"v{i}.nii.gz")
    pairing = pair_locations(str(tmp_path / "gt"), str(tmp_path / "pred"))
    result = evaluate(pairing, Options(objects=False), workers=0)
    cases = {c.name: c for c in result.cases}
    assert cases["v0"].status == "missing_candidate" and cases["v0"].row["hd95"] == math.inf
    for name in ("v1", "v2"):
        expected = compare(
            tmp_path / "gt" / f"{name}.nii.gz", tmp_path / "pred" / f"{name}.nii.gz",
            objects=False,
        )
        assert cases[name].row["iou"] == pytest.approx(expected.iou)
        assert cases[name].row["hd95"] == pytest.approx(expected.hd95)  # millimetres
    assert result.exit_code == 3


def test_an_unexpected_error_costs_one_case_not_the_run(dataset, monkeypatch):
    import importlib

    evaluate_module = importlib.import_module("maskapp.batch.evaluate")  # the module

    real = evaluate_module.compare_pair

    def flaky(pair):
        if pair.reference.shape == (96, 128) and pair.reference.array.sum() == 96:
            raise RuntimeError("boom")  # the eye() references: corrupt, small, no_candidate
        return real(pair)

    monkeypatch.setattr(evaluate_module, "compare_pair", flaky)
    result = evaluate(pair_locations(*map(str, dataset)), Options(), workers=0)
    broken = by_name(result, "no_candidate")
    assert broken.status == "failed" and "RuntimeError: boom" in broken.error
    assert "please report it" in broken.error
    assert sum(c.status == "ok" for c in result.cases) == 13
