"""batch --compat: per-case library values, per-library dataset means by each library's rule."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from batch_data import png

from maskapp import compare
from maskapp.batch import evaluate, pair_locations
from maskapp.cli import main
from maskapp.compat import LIBRARIES, decode
from maskapp.compat.aggregate import RULES, dataset_mean
from maskapp.errors import MaskError
from maskapp.pair import Options

NAN, INF = math.nan, math.inf


def blob(shape, top, left, height, width) -> np.ndarray:
    mask = np.zeros(shape, bool)
    mask[top : top + height, left : left + width] = True
    return mask


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> tuple[Path, Path]:
    """Six cases of 40×48: three shifted blobs, a missed prediction (empty candidate), a false
    prediction on an empty reference, two empty masks; and a reference with no candidate."""
    root = tmp_path_factory.mktemp("compat")
    references, candidates = root / "references", root / "candidates"
    references.mkdir(), candidates.mkdir()
    shape = (40, 48)
    empty = np.zeros(shape, bool)
    cases = {
        "a_shift0": (blob(shape, 8, 8, 14, 16), blob(shape, 8, 8, 14, 16)),
        "b_shift1": (blob(shape, 8, 8, 14, 16), blob(shape, 9, 8, 14, 16)),
        "c_shift3": (blob(shape, 10, 12, 12, 20), blob(shape, 10, 15, 11, 20)),
        "d_missed": (blob(shape, 5, 5, 10, 10), empty),
        "e_false": (empty, blob(shape, 20, 20, 6, 6)),
        "f_empty": (empty, empty),
    }
    for name, (reference, candidate) in cases.items():
        (references / f"{name}.png").write_bytes(png(reference))
        (candidates / f"{name}.png").write_bytes(png(candidate))
    (references / "g_no_candidate.png").write_bytes(png(blob(shape, 2, 2, 5, 5)))
    return references, candidates


@pytest.fixture(scope="module")
def result(dataset):
    return evaluate(pair_locations(*map(str, dataset)), Options(), workers=0, compat="all")


def cases_in_name_order(result):
    return sorted(result.cases, key=lambda c: c.name)


def test_each_row_holds_what_compare_gives_for_that_pair(dataset, result):
    references, candidates = dataset
    case = next(c for c in result.cases if c.name == "c_shift3")
    single = compare(references / "c_shift3.png", candidates / "c_shift3.png", compat="all")
    for library, values in single.compat.items():
        for key, value in values.items():
            got = case.row[f"compat.{library}.{key}"]
            assert got == value or (math.isnan(got) and math.isnan(value)), (library, key)
    assert case.row["compat.maskapp.asd"] == single.surface.directed_mean_candidate_to_reference


def test_the_missing_candidate_is_scored_as_the_empty_mask_by_every_library(result):
    missing = next(c for c in result.cases if c.name == "g_no_candidate")
    assert missing.status == "missing_candidate"
    assert missing.row["compat.medpy.hd95"] == "raises RuntimeError"
    assert math.isnan(missing.row["compat.monai.hd95"])
    assert missing.row["compat.seg-metrics.hd95"] == 0.0


def by_hand(library: str, key: str, values: list) -> float | str:
    """Each library's rule written out again, independently of maskapp.compat.aggregate."""
    floats = [v for v in values if not isinstance(v, str)]
    if library == "torchmetrics" and key == "hausdorff" and len(floats) < len(values):
        return next(v for v in values if isinstance(v, str))
    if library in ("monai", "metricsreloaded", "seg-metrics") or (
        library == "torchmetrics" and key in ("dice", "iou")
    ):
        floats = [v for v in floats if not math.isnan(v)]
    if not floats:
        return NAN
    with np.errstate(invalid="ignore"):
        return float(np.mean(floats))


def test_every_library_mean_equals_a_hand_computation_from_the_rows(result):
    summarised = [c for c in cases_in_name_order(result) if c.status != "failed"]
    assert len(summarised) == 7
    means = result.candidates.compat
    assert list(means) == ["maskapp", *LIBRARIES]
    for library in LIBRARIES:
        for key in LIBRARIES[library].KEYS:
            values = [c.row[f"compat.{library}.{key}"] for c in summarised]
            expected = by_hand(library, key, values)
            got = means[library][key].mean
            if isinstance(expected, str) or math.isinf(expected) or math.isnan(expected):
                assert got == expected or (math.isnan(got) and math.isnan(expected)), (
                    library, key, got, expected,
                )  # fmt: skip
            else:
                assert got == pytest.approx(expected, rel=1e-12), (library, key)


def test_maskapp_column_is_the_summary_mean(result):
    own = result.candidates.compat["maskapp"]
    for key in ("dice", "iou", "hd95", "assd", "surface_dice", "boundary_iou"):
        assert own[key].mean == result.summary[key].mean
        assert own[key].n == result.summary[key].n_finite
    values = [c.value("compat.maskapp.asd") for c in cases_in_name_order(result)]
    finite = [v for v in values if v is not None and math.isfinite(v)]
    assert own["asd"].mean == pytest.approx(sum(finite) / len(finite))


def test_monai_drops_the_missed_predictions_nan_so_its_hd95_mean_looks_better(result):
    """The issue's point (MONAI#9095): a missed structure leaves MONAI's HD95 mean, so the
    dataset looks better than one whose misses count; MedPy's script loses them as failures,
    seg-metrics counts them as perfect (0)."""
    means = result.candidates.compat
    monai, medpy, seg = means["monai"]["hd95"], means["medpy"]["hd95"], means["seg-metrics"]["hd95"]
    # Missed (d), false positive on an empty reference (e), no candidate (g): NaN each; (f) too.
    assert monai.n_dropped == 4 and monai.n == 3
    shifted = [c.row["compat.monai.hd95"] for c in cases_in_name_order(result)[:3]]
    assert monai.mean == pytest.approx(np.mean(shifted))
    assert math.isinf(means["monai"]["hausdorff"].mean)  # HD is ∞ there, and ∞ is kept
    assert medpy.n_failed == 4 and medpy.n == 3
    assert seg.n == 7 and seg.mean < monai.mean  # three zeros entered as perfect cases
    assert means["deepmind"]["hd95"].mean == INF
    assert means["torchmetrics"]["hausdorff"].mean == "raises RuntimeError"


def test_the_conventions_state_each_rule_in_one_sentence(result):
    conventions = result.conventions()
    assert set(conventions["compat_means"]) == {"maskapp", *LIBRARIES}
    for sentence in conventions["compat_means"].values():
        assert sentence.endswith(".") and sentence.count(". ") == 0
    assert conventions["compat_means"]["monai"] == RULES["monai"]
    assert "compat_means" not in evaluate_plain_conventions(result)


def evaluate_plain_conventions(result):
    from dataclasses import replace

    return replace(result, options=replace(result.options, compat=())).conventions()


def test_json_is_strict_with_strings_for_nan_and_infinity_in_the_compat_blocks(result):
    def refuse(constant):
        raise ValueError(constant)

    data = json.loads(result.to_json(), parse_constant=refuse)
    missed = next(c for c in data["cases"] if c["name"] == "d_missed")
    assert missed["compat"]["monai"]["hd95"] == "NaN"
    assert missed["compat"]["monai"]["hausdorff"] == "Infinity"
    assert missed["compat"]["medpy"]["hd95"] == "raises RuntimeError"
    assert missed["hd95"] is None  # maskapp's own ∞ keeps maskapp's JSON convention (null)
    assert not any(k.startswith("compat.") for k in missed)
    means = data["compat_means"]
    assert means["deepmind"]["hd95"]["mean"] == "Infinity"
    assert means["monai"]["hd95"]["n_dropped"] == 4
    assert decode(means["torchmetrics"]["hausdorff"]["mean"]) == "raises RuntimeError"


def test_csv_has_a_column_per_library_value(result):
    rows = list(csv.DictReader(io.StringIO(result.to_csv())))
    missed = next(r for r in rows if r["name"] == "d_missed")
    assert missed["compat.monai.hd95"] == "NaN"
    assert missed["compat.deepmind.hausdorff"] == "Infinity"
    assert missed["compat.medpy.assd"] == "raises RuntimeError"
    assert float(missed["compat.seg-metrics.hd95"]) == 0.0
    assert "compat.metricsreloaded.boundary_iou" in rows[0]


def test_text_report_has_the_library_table(dataset, capsys):
    code = main(["batch", *map(str, dataset), "--compat", "monai,seg-metrics", "--quiet",
                 "--workers", "0"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 3  # the missing candidate
    assert "Dataset means as other libraries would report them" in out
    table = out.split("Dataset means")[1].splitlines()
    line = next(line for line in table if line.startswith("hd95 "))
    assert "(3/7)" in line  # MONAI's mean is over 3 of the 7 cases
    assert "monai: MONAI's do_metric_reduction" in out
    assert "deepmind" not in out.split("Dataset means")[1].split("Worst")[0]


def test_cli_json_and_a_bad_library_name(dataset, tmp_path, capsys):
    target = tmp_path / "out.json"
    code = main(["batch", *map(str, dataset), "--compat", "medpy", "--json", str(target),
                 "--quiet", "--workers", "0"])  # fmt: skip
    assert code == 3
    data = json.loads(target.read_text())
    assert list(data["compat_means"]) == ["maskapp", "medpy"]
    assert data["options"]["compat"] == ["medpy"]
    capsys.readouterr()
    code = main(["batch", *map(str, dataset), "--compat", "scipy", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("maskapp: error: Unknown library 'scipy'")


def test_an_unknown_library_in_evaluate_is_one_sentence(dataset):
    with pytest.raises(MaskError, match="Unknown library"):
        evaluate(pair_locations(*map(str, dataset)), Options(), workers=0, compat="pymia")


def test_without_compat_nothing_changes(dataset):
    plain = evaluate(pair_locations(*map(str, dataset)), Options(), workers=0)
    assert plain.candidates.compat is None
    assert "compat_means" not in plain.to_dict()
    assert not any(k.startswith("compat.") for c in plain.cases for k in c.row)
    assert "compat" not in plain.to_dict()["options"]


def test_two_models_each_get_their_means(dataset, tmp_path):
    references, candidates = dataset
    other = tmp_path / "other"
    other.mkdir()
    for path in candidates.iterdir():
        (other / path.name).write_bytes(path.read_bytes())
    pairing = pair_locations(str(references), str(candidates), against=str(other))
    both = evaluate(pairing, Options(), workers=0, compat=("monai",))
    assert both.against.compat["monai"]["hd95"] == both.candidates.compat["monai"]["hd95"]
    assert "compat_means" in both.to_dict()["against"]


def test_dataset_mean_rules_on_small_lists():
    assert math.isnan(dataset_mean("monai", "hd95", [NAN, NAN]).mean)  # nothing left
    assert dataset_mean("monai", "hausdorff", [1.0, INF]).mean == INF
    assert math.isnan(dataset_mean("medpy", "dice", [NAN, 1.0]).mean)  # NaN propagates
    assert dataset_mean("seg-metrics", "hd95", [0.0, 4.0]).mean == 2.0
    assert dataset_mean("torchmetrics", "dice", [NAN, 0.5]).mean == 0.5
    assert dataset_mean("metricsreloaded", "hd95", [NAN, 3.0]).n_dropped == 1


@pytest.mark.slow
def test_one_two_workers_and_dask_give_identical_results(dataset, result):
    pairing = pair_locations(*map(str, dataset))
    expected = result.to_dict()
    for workers in (1, 2):
        assert evaluate(pairing, Options(), workers=workers, compat="all").to_dict() == expected
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        other = evaluate(pairing, Options(), dask=cluster.scheduler_address, compat="all")
    assert other.to_dict() == expected


# ---------------------------------------------------------------- the dataset page


def _zip(folder: Path) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(path.name, path.read_bytes())
    return buffer.getvalue()


@pytest.mark.slow
def test_the_dataset_page_shows_the_other_libraries_table_when_toggled(dataset):
    from streamlit.testing.v1 import AppTest

    from maskapp.batch import open_files
    from ui.views.batch_summary import COMPAT_KEYS, _mean_cell

    app = str(Path(__file__).resolve().parents[2] / "app.py")
    at = AppTest.from_file(app, default_timeout=60)
    at.run()
    (page,) = [h for h, i in at._registered_pages.items() if i["url_pathname"] == "dataset"]
    at._page_hash = page
    at.run()
    zips = {"reference": _zip(dataset[0]), "candidate": _zip(dataset[1])}
    for slot, data in zips.items():
        (widget,) = [u for u in at.file_uploader if u.key.startswith(f"batch_uploader_{slot}_")]
        widget.set_value((f"{slot}.zip", data, "application/zip")).run()
    at.button(key="batch_run").click().run()
    assert not at.exception, at.exception
    def compat_tables():  # AppTest keeps no key on a table without a selection
        return [d.value for d in at.dataframe if "monai" in d.value.columns]

    assert not compat_tables()  # off by default
    at.toggle(key="batch_compat").set_value(True).run()
    at.button(key="batch_run").click().run()
    assert not at.exception, at.exception
    (shown,) = compat_tables()
    pairing = pair_locations(
        open_files(zips["reference"], label="r.zip"), open_files(zips["candidate"], label="c.zip")
    )
    means = evaluate(pairing, Options(compat="all"), workers=0).candidates.compat
    assert list(shown.columns) == ["statistic", "maskapp", *LIBRARIES]
    hd95 = shown.iloc[COMPAT_KEYS.index("hd95")]
    for library in means:
        mean = means[library].get("hd95")
        assert hd95[library] == ("—" if mean is None else _mean_cell(mean, 7)), library
    assert hd95["monai"].endswith("(3/7)")
