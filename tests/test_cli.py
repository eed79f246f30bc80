"""The command line and the library's result object, as a user runs them."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from maskapp import compare
from maskapp.cli import main

SEED_A = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]], np.uint8)
SEED_B = np.array([[1, 1, 1], [0, 1, 0], [1, 0, 0]], np.uint8)
REQUIRED_KEYS = {
    "shape", "reference_area", "candidate_area", "intersection", "union", "iou", "dice",
    "precision", "recall", "reference", "candidate", "conventions",
    "hausdorff", "hd95", "assd", "masd", "objects",
}


def save_png(path, array):
    Image.fromarray(array).save(path)
    return str(path)


@pytest.fixture
def pair(tmp_path):
    a = np.zeros((40, 60), np.uint8)
    b = np.zeros((40, 60), np.uint8)
    a[5:25, 10:40] = 255
    b[8:30, 12:45] = 255
    return save_png(tmp_path / "ref.png", a), save_png(tmp_path / "cand.png", b), a > 0, b > 0


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "maskapp", *args], capture_output=True, text=True, timeout=120
    )


def test_compare_json_is_valid_and_complete(pair):
    ref, cand, a, b = pair
    proc = run("compare", ref, cand, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert REQUIRED_KEYS <= set(data)
    assert "NaN" not in proc.stdout and "Infinity" not in proc.stdout
    assert data["shape"] == [40, 60]
    assert data["intersection"] == int((a & b).sum())
    assert data["iou"] == pytest.approx((a & b).sum() / (a | b).sum())
    assert data["reference"]["format"] == "PNG"
    assert data["conventions"]["hd95"].startswith("max")


def test_compare_table_is_readable(pair):
    ref, cand, *_ = pair
    proc = run("compare", ref, cand)
    assert proc.returncode == 0, proc.stderr
    assert "IoU (Jaccard)" in proc.stdout and "HD95" in proc.stdout
    assert "reference (A): " + ref in proc.stdout


def test_intersect_writes_png_of_input_size(pair, tmp_path):
    ref, cand, a, b = pair
    out = tmp_path / "out.png"
    assert main(["intersect", ref, cand, "-o", str(out)]) == 0
    written = np.asarray(Image.open(out))
    assert written.shape == (40, 60)
    assert set(np.unique(written)) <= {0, 255}
    assert np.array_equal(written == 255, a & b)


def test_seed_example_through_the_cli(tmp_path):
    ref = save_png(tmp_path / "a.png", SEED_A)
    cand = save_png(tmp_path / "b.png", SEED_B)
    out = tmp_path / "i.png"
    assert main(["intersect", ref, cand, "-o", str(out)]) == 0
    assert (np.asarray(Image.open(out)) // 255).tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 0]]


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_text("<html>not a mask</html>"), "not an image"),
        (lambda p: None, "No file"),
    ],
    ids=["empty file", "html", "missing"],
)
def test_unusable_input_exits_2_with_one_line(tmp_path, pair, make, fragment):
    bad = tmp_path / "bad.png"
    make(bad)
    proc = run("compare", str(bad), pair[1])
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]
    assert "Traceback" not in proc.stderr


def test_size_mismatch_needs_explicit_resize(tmp_path, pair):
    ref, _, a, _ = pair
    small = save_png(tmp_path / "small.png", np.kron(a, np.ones((1, 1))).astype(np.uint8)[:20])
    proc = run("compare", ref, small, "--json")
    assert proc.returncode == 2
    assert "60×40 (reference) vs 60×20 (candidate)" in proc.stderr
    proc = run("compare", ref, small, "--json", "--resize", "--no-objects")
    assert proc.returncode == 0, proc.stderr
    assert "nearest" in json.loads(proc.stdout)["conventions"]["resize"]


def test_label_mode_reports_per_class(tmp_path):
    ref = np.zeros((30, 30), np.uint8)
    ref[2:12, 2:12] = 1
    ref[15:28, 15:28] = 2
    ref[12, :] = 255
    cand = ref.copy()
    cand[cand == 255] = 0
    cand[20:28, 2:10] = 2
    r, c = save_png(tmp_path / "r.png", ref), save_png(tmp_path / "c.png", cand)
    proc = run("compare", r, c, "--labels", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [row["label"] for row in data["per_class"]] == [0, 1, 2]
    assert data["mean_iou"] is not None
    assert data["reference"]["void_pixels"] == 30


def test_one_empty_mask_gives_null_distances_with_reasons(tmp_path, pair):
    ref, *_ = pair
    empty = save_png(tmp_path / "empty.png", np.zeros((40, 60), np.uint8))
    data = json.loads(run("compare", ref, empty, "--json").stdout)
    assert data["iou"] == 0.0 and data["dice"] == 0.0
    assert data["precision"] is None and "candidate is empty" in data["undefined"]["precision"]
    assert data["hd95"] is None and "candidate is empty" in data["undefined"]["hd95"]
    assert data["candidate_empty"] is True


def test_result_to_dict_matches_cli_json(pair):
    ref, cand, *_ = pair
    from_cli = json.loads(run("compare", ref, cand, "--json").stdout)
    from_library = compare(ref, cand).to_dict()
    assert from_cli == json.loads(json.dumps(from_library))


def test_maskapp_never_imports_streamlit():
    code = (
        "import sys, pkgutil, importlib, maskapp\n"
        "for m in pkgutil.iter_modules(maskapp.__path__):\n"
        "    if m.name != '__main__': importlib.import_module('maskapp.' + m.name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
