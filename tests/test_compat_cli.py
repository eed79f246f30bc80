"""``maskapp compare --compat``: the other libraries' numbers on the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import disk
from PIL import Image

from maskapp.cli import main


def _png(path, mask):
    Image.fromarray(mask.astype(np.uint8) * 255).save(path)
    return str(path)


@pytest.fixture
def pair(tmp_path):
    ref = _png(tmp_path / "ref.png", disk(40, 60, (20, 25), 12))
    cand = _png(tmp_path / "cand.png", disk(40, 60, (22, 29), 10))
    return ref, cand


def test_json_has_every_library_with_nan_and_infinity_as_strings(tmp_path, capsys):
    ref = _png(tmp_path / "ref.png", disk(30, 30, (15, 15), 8))
    empty = _png(tmp_path / "empty.png", np.zeros((30, 30), bool))
    assert main(["compare", ref, empty, "--compat", "all", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data["compat"]) == [
        "medpy", "monai", "deepmind", "metricsreloaded", "seg-metrics", "torchmetrics"
    ]
    assert data["compat"]["monai"]["hd95"] == "NaN"
    assert data["compat"]["deepmind"]["hausdorff"] == "Infinity"
    assert data["compat"]["medpy"]["assd"] == "raises RuntimeError"
    assert data["compat"]["seg-metrics"]["hd95"] == 0.0
    assert any("seg-metrics" in w for w in data["compat_warnings"])
    assert "MONAI#9095" in data["compat_notes"]["monai"]["hd95"]


def test_text_report_has_the_table_the_notes_and_the_warnings(pair, capsys):
    assert main(["compare", *pair, "--compat", "medpy,torchmetrics", "--no-objects"]) == 0
    out = capsys.readouterr().out
    assert "Other libraries" in out
    assert "statistic" in out and "medpy" in out and "torchmetrics" in out
    assert "torchmetrics#3300" in out  # 40 × 60: fewer rows than columns
    assert "warning:" in out
    assert "deepmind" not in out


def test_options_reach_the_libraries(pair, capsys):
    assert main(["compare", *pair, "--compat", "monai", "--json", "--spacing", "0.5", "2",
                 "--tolerance", "3"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["compat"]["monai"]["surface_dice"] == pytest.approx(data["surface_dice"], 1e-5)
    assert data["compat"]["monai"]["assd"] == pytest.approx(data["assd"], 1e-5)


@pytest.mark.parametrize("value", ["pymia", "medpy,foo", ""])
def test_a_bad_library_is_one_error_line(pair, capsys, value):
    code = main(["compare", *pair, "--compat", value])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("maskapp: error: " + ("Name at least" if not value else "Unknown"))


def test_without_compat_nothing_changes(pair, capsys):
    assert main(["compare", *pair, "--json"]) == 0
    assert "compat" not in json.loads(capsys.readouterr().out)


# ---------------------------------------------------------------- --percentile, --boundary-band


def test_percentile_and_boundary_band_reach_compare(pair, capsys):
    from maskapp import compare

    assert main(["compare", *pair, "--percentile", "80", "--boundary-band", "strict",
                 "--json"]) == 0  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    expected = compare(*pair, percentile=80, boundary_band="strict")
    assert data["hd95"] == expected.surface.hd95
    assert data["boundary_iou"] == expected.surface.boundary_iou
    assert data["hd95"] != compare(*pair).surface.hd95
    assert data["conventions"]["hd95_percentile"] == 80.0


def test_percentile_and_boundary_band_reach_batch(pair, tmp_path, capsys):
    from maskapp import compare

    references, candidates = tmp_path / "r", tmp_path / "c"
    references.mkdir(), candidates.mkdir()
    (references / "x.png").write_bytes(open(pair[0], "rb").read())
    (candidates / "x.png").write_bytes(open(pair[1], "rb").read())
    target = tmp_path / "out.json"
    code = main(["batch", str(references), str(candidates), "--percentile", "100",
                 "--boundary-band", "strict", "--json", str(target), "--quiet",
                 "--workers", "0"])  # fmt: skip
    assert code == 0
    (case,) = json.loads(target.read_text())["cases"]
    expected = compare(*pair, percentile=100, boundary_band="strict")
    assert case["hd95"] == expected.surface.hausdorff  # p = 100 is the Hausdorff distance
    assert case["boundary_iou"] == expected.surface.boundary_iou


@pytest.mark.parametrize("value", ["0", "101", "nan"])
def test_a_percentile_out_of_range_is_one_error_line(pair, capsys, value):
    assert main(["compare", *pair, "--percentile", value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "(0, 100]" in err[0]
