"""The command line as a user runs it: in-process through ``main`` (fast), plus
two real ``python -m maskapp`` runs (slow) for the entry point itself."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from maskapp import __version__, compare
from maskapp.cli import main

SEED_A = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]], np.uint8)
SEED_B = np.array([[1, 1, 1], [0, 1, 0], [1, 0, 0]], np.uint8)
REQUIRED_KEYS = {
    "shape", "reference_area", "candidate_area", "intersection", "union", "iou", "dice",
    "precision", "recall", "reference", "candidate", "conventions",
    "hausdorff", "hd95", "assd", "masd", "objects",
}  # fmt: skip
#: The app's remedy for a size mismatch: the CLI must name its own (--resize).
APP_RESIZE_BUTTON = "Resize candidate"


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


@pytest.fixture
def cli(capsys):
    """Run ``maskapp ARGS`` in this process: (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        try:
            status = main(list(args))
        except SystemExit as exit_:  # argparse (bad usage, --version) exits
            status = exit_.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


def the_one_error_line(status: int, out: str, err: str) -> str:
    """The single 'maskapp: error:' line of a refused run (exit 2, nothing on stdout)."""
    assert status == 2, (status, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("maskapp: error: "), err
    assert "Traceback" not in err
    return lines[0]


# ---------------------------------------------------------------- compare


def test_compare_json_is_valid_and_complete(cli, pair):
    ref, cand, a, b = pair
    status, out, err = cli("compare", ref, cand, "--json")
    assert status == 0, err
    data = json.loads(out)
    assert REQUIRED_KEYS <= set(data)
    assert "NaN" not in out and "Infinity" not in out
    assert data["shape"] == [40, 60]
    assert data["intersection"] == int((a & b).sum())
    assert data["iou"] == pytest.approx((a & b).sum() / (a | b).sum())
    assert data["reference"]["format"] == "PNG"
    assert data["conventions"]["hd95"].startswith("max")


def test_compare_table_is_readable(cli, pair):
    ref, cand, *_ = pair
    status, out, err = cli("compare", ref, cand)
    assert status == 0, err
    assert "IoU (Jaccard)" in out and "HD95" in out
    assert "reference (A): " + ref in out


def test_result_to_dict_matches_cli_json(cli, pair):
    ref, cand, *_ = pair
    status, out, err = cli("compare", ref, cand, "--json")
    assert status == 0, err
    assert json.loads(out) == json.loads(json.dumps(compare(ref, cand).to_dict()))


@pytest.mark.parametrize(
    ("variant", "words"),
    [("max", ("MONAI", "MetricsReloaded")), ("pooled", ("MedPy", "boundary_connectivity=8"))],
)
def test_the_hd95_convention_names_the_libraries_it_agrees_with(cli, pair, variant, words):
    status, out, err = cli("compare", *pair[:2], "--json", "--hd95", variant, "--no-objects")
    assert status == 0, err
    text = json.loads(out)["conventions"]["hd95"]
    assert all(word in text for word in words), text


def test_label_mode_reports_per_class(cli, tmp_path):
    ref = np.zeros((30, 30), np.uint8)
    ref[2:12, 2:12] = 1
    ref[15:28, 15:28] = 2
    ref[12, :] = 255
    cand = ref.copy()
    cand[cand == 255] = 0
    cand[20:28, 2:10] = 2
    r, c = save_png(tmp_path / "r.png", ref), save_png(tmp_path / "c.png", cand)
    status, out, err = cli("compare", r, c, "--labels", "--json")
    assert status == 0, err
    data = json.loads(out)
    assert [row["label"] for row in data["per_class"]] == [0, 1, 2]
    assert data["mean_iou"] is not None
    assert data["reference"]["void_pixels"] == 30


def test_one_empty_mask_gives_null_distances_with_reasons(cli, tmp_path, pair):
    ref, *_ = pair
    empty = save_png(tmp_path / "empty.png", np.zeros((40, 60), np.uint8))
    status, out, err = cli("compare", ref, empty, "--json")
    assert status == 0, err
    data = json.loads(out)
    assert data["iou"] == 0.0 and data["dice"] == 0.0
    assert data["precision"] is None and "candidate is empty" in data["undefined"]["precision"]
    assert data["hd95"] is None and "candidate is empty" in data["undefined"]["hd95"]
    assert data["candidate_empty"] is True


# ---------------------------------------------------------------- intersect


def test_intersect_writes_png_of_input_size(cli, pair, tmp_path):
    ref, cand, a, b = pair
    out = tmp_path / "out.png"
    status, stdout, err = cli("intersect", ref, cand, "-o", str(out))
    assert status == 0, err
    assert f"wrote {out}: 60×40, {int((a & b).sum()):,} intersection pixels" in stdout
    written = np.asarray(Image.open(out))
    assert written.shape == (40, 60)
    assert set(np.unique(written)) <= {0, 255}
    assert np.array_equal(written == 255, a & b)


def test_seed_example_through_the_cli(cli, tmp_path):
    ref = save_png(tmp_path / "a.png", SEED_A)
    cand = save_png(tmp_path / "b.png", SEED_B)
    out = tmp_path / "i.png"
    assert cli("intersect", ref, cand, "-o", str(out))[0] == 0
    assert (np.asarray(Image.open(out)) // 255).tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 0]]


@pytest.mark.parametrize("void", ["255", "7", "none"])
def test_intersect_in_label_mode_writes_the_true_positives_of_the_void_aware_foreground(
    cli, tmp_path, void
):
    rng = np.random.default_rng(3)
    ref = rng.choice(np.array([0, 1, 2, 7, 255], np.uint8), size=(24, 32))
    cand = rng.choice(np.array([0, 1, 2, 7, 255], np.uint8), size=(24, 32))
    r, c = save_png(tmp_path / "r.png", ref), save_png(tmp_path / "c.png", cand)
    out = tmp_path / "i.png"
    status, _, err = cli("intersect", r, c, "--labels", "--void", void, "-o", str(out))
    assert status == 0, err
    written = np.asarray(Image.open(out)) == 255
    expected = compare(r, c, kind="labels", void=None if void == "none" else int(void))
    assert np.array_equal(written, expected.confusion == 1)
    # The void pixels of the reference are in no intersection, whatever the candidate says.
    if void != "none":
        assert not written[ref == int(void)].any()
        # A candidate pixel marked void has found nothing: background.
        found = (ref != int(void)) & (ref > 0) & (cand > 0) & (cand != int(void))
        assert written[found].all()


def test_an_unwritable_output_is_one_error_line(cli, pair, tmp_path):
    target = tmp_path / "no such folder" / "i.png"
    line = the_one_error_line(*cli("intersect", *pair[:2], "-o", str(target)))
    assert "Could not write" in line and "writable path" in line


# ---------------------------------------------------------------- refused input


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        pytest.param(["--tolerance", "-1"], "tolerance", id="--tolerance -1"),
        pytest.param(["--tolerance", "nan"], "tolerance", id="--tolerance nan"),
        pytest.param(["--boundary-width", "0"], "Boundary IoU width", id="--boundary-width 0"),
        pytest.param(["--match-iou", "2"], "matching IoU", id="--match-iou 2"),
        pytest.param(["--spacing", "0", "1"], "spacing", id="--spacing 0 1"),
        pytest.param(["--spacing", "1", "inf"], "spacing", id="--spacing 1 inf"),
        pytest.param(["--void", "-3"], "void", id="--void -3"),
        pytest.param(["--void", "0"], "void", id="--void 0"),
        pytest.param(["--void", "abc"], "void", id="--void abc"),
        pytest.param(["--threshold", "nan"], "threshold", id="--threshold nan"),
    ],
)
def test_every_bad_option_value_is_one_error_line_with_exit_2(cli, pair, options, fragment):
    line = the_one_error_line(*cli("compare", *pair[:2], *options))
    assert fragment in line, line


BAD_FILES = {
    "empty file": (lambda p: p.write_bytes(b""), "empty"),
    "html": (lambda p: p.write_text("<html>not a mask</html>"), "not an image"),
    "missing": (lambda p: None, "No file"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
@pytest.mark.parametrize(
    ("slot", "name", "role"), [(0, "a.png", "reference (A)"), (1, "b.png", "candidate (B)")]
)
def test_a_read_error_names_the_input(cli, tmp_path, pair, case, slot, name, role):
    make, fragment = BAD_FILES[case]
    bad = tmp_path / name
    make(bad)
    paths = list(pair[:2])
    paths[slot] = str(bad)
    line = the_one_error_line(*cli("compare", *paths))
    assert line.startswith(f"maskapp: error: {role} {bad}: "), line
    assert fragment in line


def test_a_size_mismatch_names_the_cli_remedy_and_resize_fixes_it(cli, tmp_path, pair):
    ref, _, a, _ = pair
    small = save_png(tmp_path / "small.png", (a[:20] * 255).astype(np.uint8))
    line = the_one_error_line(*cli("compare", ref, small, "--json"))
    assert "60×40 (reference) vs 60×20 (candidate)" in line
    assert "--resize" in line
    assert APP_RESIZE_BUTTON not in line and "resize=True" not in line
    status, out, err = cli("compare", ref, small, "--json", "--resize", "--no-objects")
    assert status == 0, err
    assert "nearest" in json.loads(out)["conventions"]["resize"]


def test_a_transposed_pair_says_so_and_suggests_no_resize(cli, tmp_path, pair):
    ref, _, a, _ = pair
    transposed = save_png(tmp_path / "t.png", np.ascontiguousarray(a.T * 255).astype(np.uint8))
    line = the_one_error_line(*cli("compare", ref, transposed))
    assert "transposed" in line
    assert "resize" not in line.lower()


def test_version_in_process(cli):
    status, out, _ = cli("--version")
    assert (status, out.strip()) == (0, f"maskapp {__version__}")


# ---------------------------------------------------------------- the real entry point


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "maskapp", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_python_m_maskapp_version():
    proc = run("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"maskapp {__version__}"


@pytest.mark.slow
def test_python_m_maskapp_end_to_end(pair, tmp_path):
    ref, cand, *_ = pair
    proc = run("compare", ref, cand, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(json.dumps(compare(ref, cand).to_dict()))
    proc = run("compare", str(tmp_path / "missing.png"), cand)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("maskapp: error: reference (A) ")
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr
