"""The dataset page ("Evaluate a dataset") through ``streamlit.testing.v1.AppTest``.

Zips are built here in memory from Pillow PNGs; the numbers the page shows are
checked against :func:`maskapp.batch.evaluate` on the same zips, and a case
opened on the pair page against :func:`maskapp.compare` of its two files.

AppTest's ``switch_page`` finds file pages only, and the app's pages are
callables: the tests open the dataset page the way a browser does, by the hash
of its URL path (``/dataset``), taken from the pages ``app.py`` registered.
A dataframe's row selection cannot be driven by AppTest; the page's "Case to
open" list and button do the same, and the browser test selects a real row.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import disk, grey, png_bytes
from PIL import Image
from streamlit.testing.v1 import AppTest

from maskapp import compare
from maskapp.batch import evaluate, open_files, pair_locations
from ui.state import SessionModel, compare_masks
from ui.views import batch_run, batch_table
from ui.views.batch_inputs import MAX_PAIRS, Settings

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ROWS, COLS = 48, 64
CARDS = ["IoU", "Dice", "HD95"]


# ---------------------------------------------------------------- data


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def shifted(shift: int, radius: float = 14) -> np.ndarray:
    return disk(ROWS, COLS, (ROWS / 2, COLS / 2 + shift), radius)


def binary_dataset(suffix: str = "") -> tuple[bytes, bytes]:
    """Six references: four matched at different overlaps, one without a candidate, one whose
    candidate has another size (fails at compare); plus junk, a text file and an orphan."""
    references = {f"case{i}.png": png_bytes(shifted(0, 10 + i)) for i in range(6)}
    references["__MACOSX/._case0.png"] = b"junk"
    references["notes.txt"] = b"not a mask"
    candidates = {f"case{i}{suffix}.png": png_bytes(shifted(2 * i, 11)) for i in (0, 1, 2, 4)}
    candidates[f"case5{suffix}.png"] = png_bytes(np.ones((ROWS + 1, COLS), bool))
    candidates[f"orphan{suffix}.png"] = png_bytes(shifted(3))
    return zipped(references), zipped(candidates)


REFERENCES, CANDIDATES = binary_dataset()


def expected(references: bytes, candidates: bytes, against: bytes | None = None, **settings):
    """What the page must show: the core on the same bytes with the page's settings."""
    chosen = Settings(**settings)
    pairing = pair_locations(
        open_files(references, label="refs.zip"),
        open_files(candidates, label="preds.zip"),
        against=open_files(against, label="other.zip") if against is not None else None,
        strip_suffix=chosen.strip_suffix,
    )
    return evaluate(pairing, chosen.options(), workers=0, missing=chosen.missing, sort=chosen.sort)


# ---------------------------------------------------------------- the page


def go(at: AppTest, url_path: str) -> AppTest:
    """Open a page of the app by its URL path, as a browser would, and run it."""
    (page_hash,) = [
        h for h, info in at._registered_pages.items() if info["url_pathname"] == url_path
    ]
    at._page_hash = page_hash
    at.run()
    assert not at.exception, at.exception
    return at


def dataset_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return go(at, "dataset")


def upload(at: AppTest, slot: str, name: str, data: bytes) -> AppTest:
    (widget,) = [u for u in at.file_uploader if u.key.startswith(f"batch_uploader_{slot}_")]
    widget.set_value((name, data, "application/zip")).run()
    assert not at.exception, at.exception
    return at


def run_batch(at: AppTest) -> AppTest:
    at.button(key="batch_run").click().run()
    assert not at.exception, at.exception
    return at


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric if m.label in (*CARDS, "Mean IoU")}


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def frame_with(at: AppTest, *columns: str):
    """The one table showing these columns (tables without a selection carry no key)."""
    (found,) = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    return found


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


@pytest.fixture
def loaded() -> AppTest:
    at = dataset_page()
    upload(at, "reference", "refs.zip", REFERENCES)
    return upload(at, "candidate", "preds.zip", CANDIDATES)


def test_the_page_is_in_the_navigation_and_asks_for_the_references():
    at = dataset_page()
    assert [t.value for t in at.title] == ["Evaluate a dataset"]
    assert not errors(at)
    assert any("Upload the references zip" in i.value for i in at.info)
    assert any(f"at most {MAX_PAIRS} pairs" in c for c in captions(at))


def test_the_pairing_report_is_shown_before_anything_is_computed(loaded):
    at = loaded
    counts = {m.label: m.value for m in at.metric}
    assert counts == {
        "Matched": "5",  # case5 is paired: its failure is found when it is compared
        "No candidate": "1",
        "No reference": "1",
        "Ambiguous": "0",
        "Ignored": "2",
    }, counts
    assert any("5 pairs matched; 1 reference has no candidate" in c for c in captions(at))
    assert not errors(at)
    assert cards(at) == {}, "summary cards before Run"
    assert at.button(key="batch_run").label == "Run on 6 cases"


def test_a_suffix_stripped_from_the_names_pairs_the_files():
    references, candidates = binary_dataset("_pred")
    at = dataset_page()
    upload(at, "reference", "refs.zip", references)
    upload(at, "candidate", "preds.zip", candidates)
    assert {m.label: m.value for m in at.metric}["Matched"] == "0"
    at.text_input(key="batch_strip").input("_pred").run()
    assert {m.label: m.value for m in at.metric}["Matched"] == "5"
    run_batch(at)
    result = expected(references, candidates, strip_suffix=("_pred",))
    assert cards(at)["IoU"] == f"{result.summary['iou'].mean:.4f}"


def test_the_numbers_on_the_page_are_those_of_maskapp_batch_evaluate(loaded):
    at = run_batch(loaded)
    result = expected(REFERENCES, CANDIDATES)
    shown = cards(at)
    assert list(shown) == CARDS
    for label, metric in zip(CARDS, ("iou", "dice", "hd95"), strict=True):
        summary = result.summary[metric]
        assert shown[label] == f"{summary.mean:.4f}", label
        low, high = summary.ci95
        line = (
            f"95 % CI [{low:.4f}, {high:.4f}] · {summary.n_defined} of {summary.n} defined · "
            f"{summary.n_infinite} infinite · {summary.n_failed} failed"
        )
        assert line in captions(at), (label, line, captions(at))
    # The missing candidate counts as empty: HD95 is infinite there, and says so.
    assert result.summary["hd95"].n_infinite == 1 and result.summary["hd95"].n_failed == 1
    table = at.dataframe(key="batch_cases_0_0").value
    assert list(table["case"]) == [c.name for c in result.cases]
    iou = [c.value("iou") for c in result.cases]
    np.testing.assert_array_equal(table["IoU"].to_numpy(float), np.array(iou, float))
    failed = frame_with(at, "case", "stage", "reason")
    assert list(failed["case"]) == ["case5"] and list(failed["stage"]) == ["compare"]
    assert "size" in failed["reason"][0]
    assert not errors(at)
    assert [b.label for b in at.get("download_button")] == ["Cases CSV", "Results JSON"]


def test_a_bad_zip_gives_one_error_and_keeps_the_other_upload():
    at = dataset_page()
    upload(at, "reference", "refs.zip", REFERENCES)
    upload(at, "candidate", "page.zip", b"<html>not a zip</html>")
    assert len(errors(at)) == 1, errors(at)
    assert "page\\.zip is not a zip" in errors(at)[0], errors(at)
    assert any("«refs\\.zip»" in c for c in captions(at)), captions(at)
    # A bad zip over a good one keeps the good one (and says so).
    upload(at, "candidate", "preds.zip", CANDIDATES)
    assert not errors(at) and at.button(key="batch_run")
    upload(at, "candidate", "evil.zip", zipped({"../../etc/passwd.png": b"x"}))
    assert len(errors(at)) == 1 and "preds\\.zip» is kept" in errors(at)[0], errors(at)
    assert {m.label: m.value for m in at.metric}["Matched"] == "5"


HOSTILE = "[x](javascript:alert(1))<b>.zip"


def test_file_names_are_shown_as_text_never_as_markdown():
    at = dataset_page()
    upload(at, "reference", HOSTILE, b"<b>not a zip</b>")
    (message,) = errors(at)
    assert "](javascript" not in message and "\\]\\(javascript" in message, message
    upload(at, "reference", HOSTILE, REFERENCES)
    upload(at, "candidate", "[y](javascript:alert(2)).zip", CANDIDATES)
    shown = [*captions(at), *[i.value for i in at.info], *errors(at)]
    assert not any("](javascript" in text for text in shown), shown
    assert any("\\[x\\]" in text for text in shown), shown


def test_opening_the_worst_case_shows_its_pair_on_the_pair_page(loaded):
    at = run_batch(loaded)
    result = expected(REFERENCES, CANDIDATES)
    worst = next(c for c in result.cases if c.status == "ok")
    at.selectbox(key="batch_chooser_0_name").set_value(worst.name).run()
    at.button(key="batch_chooser_0_open").click().run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Compare two segmentation masks"]
    references = open_files(REFERENCES)
    candidates = open_files(CANDIDATES)
    pair = compare(references.read(worst.reference), candidates.read(worst.candidate))
    iou = next(m.value for m in at.metric if m.label == "IoU")
    assert iou == f"{pair.overlap.iou:.4f}" == f"{worst.value('iou'):.4f}"
    assert any(worst.name in c and "reference" in c for c in captions(at)), captions(at)
    links = [e for e in at.main if getattr(e, "type", None) == "page_link"]
    assert [e.proto.label for e in links] == ["Back to the dataset results"]
    # Back on the dataset page, the results are there without running again.
    go(at, "dataset")
    assert cards(at)["IoU"] == f"{result.summary['iou'].mean:.4f}"
    assert not any("earlier run" in i.value for i in at.info)


def test_a_missing_candidate_opens_as_the_empty_mask_it_was_scored_as(loaded):
    at = run_batch(loaded)
    at.selectbox(key="batch_chooser_0_name").set_value("case3").run()
    at.button(key="batch_chooser_0_open").click().run()
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["IoU"] == "0.0000" and shown["HD95"] == "∞", shown


def test_changing_the_sort_reorders_without_computing_again(loaded, monkeypatch):
    at = run_batch(loaded)
    calls = []
    monkeypatch.setattr(batch_run, "evaluate", lambda *a, **k: calls.append(a))
    at.selectbox(key="batch_sort").set_value("hd95").run()
    assert not at.exception, at.exception
    result = expected(REFERENCES, CANDIDATES, sort="hd95")
    table = at.dataframe(key="batch_cases_0_0").value
    assert list(table["case"]) == [c.name for c in result.cases]
    assert calls == []
    # A setting that changes the numbers marks the results as earlier ones.
    at.radio(key="batch_missing").set_value("skip").run()
    assert any("earlier run" in i.value for i in at.info)


def test_label_maps_get_the_per_class_table():
    def labels(shift: int) -> bytes:
        image = np.zeros((ROWS, COLS), np.uint8)
        image[shifted(shift, 12)] = 1
        image[4:12, 4 + shift : 30 + shift] = 2
        return grey(image)

    references = zipped({f"c{i}.png": labels(0) for i in range(3)})
    candidates = zipped({f"c{i}.png": labels(i) for i in range(3)})
    at = dataset_page()
    upload(at, "reference", "refs.zip", references)
    upload(at, "candidate", "preds.zip", candidates)
    at.radio(key="batch_kind").set_value("labels").run()
    run_batch(at)
    result = expected(references, candidates, kind="labels")
    assert cards(at)["Mean IoU"] == f"{result.summary['mean_iou'].mean:.4f}"
    table = frame_with(at, "label", "pooled_iou")
    assert list(table["label"].dropna().astype(int)) == [
        r["label"] for r in result.classes if r["label"] is not None
    ]
    np.testing.assert_allclose(
        table["pooled_iou"].to_numpy(float),
        np.array([r["pooled_iou"] for r in result.classes], float),
    )


def test_a_second_candidate_zip_compares_two_models(loaded):
    other = zipped({f"case{i}.png": png_bytes(shifted(i, 12)) for i in range(6)})
    at = upload(loaded, "against", "other.zip", other)
    assert {m.label: m.value for m in at.metric}["No 2nd candidate"] == "0"
    run_batch(at)
    result = expected(REFERENCES, CANDIDATES, other)
    table = frame_with(at, "B wins")
    first = table.iloc[0]
    paired = result.paired["iou"]
    assert (first["B wins"], first["ties"], first["B losses"]) == (
        paired.wins,
        paired.ties,
        paired.losses,
    )
    assert first["mean B − A"] == f"{paired.mean_difference:.4f}"
    assert not errors(at)


def test_more_pairs_than_the_cap_is_one_error_and_no_run_button():
    tiny = png_bytes(np.eye(2, dtype=bool))
    references = zipped({f"c{i:03}.png": tiny for i in range(MAX_PAIRS + 1)})
    at = dataset_page()
    upload(at, "reference", "big.zip", references)
    upload(at, "candidate", "preds.zip", references)
    assert len(errors(at)) == 1 and f"more than the {MAX_PAIRS}" in errors(at)[0], errors(at)
    assert not [b for b in at.button if b.key == "batch_run"]


def test_a_zip_over_the_size_cap_is_refused_with_one_sentence(monkeypatch):
    from ui.views import batch_inputs

    monkeypatch.setattr(batch_inputs, "MAX_ZIP_BYTES", len(REFERENCES) - 1)
    at = dataset_page()
    upload(at, "reference", "refs.zip", REFERENCES)
    (message,) = errors(at)
    assert "more than the" in message and "smaller zips" in message, message
    assert any("Upload the references zip" in i.value for i in at.info)


def test_a_mask_over_the_pixel_cap_fails_its_case_with_a_sentence():
    buffer = io.BytesIO()
    Image.new("1", (2049, 2049)).save(buffer, "PNG")
    references = zipped({"big.png": buffer.getvalue(), "small.png": png_bytes(shifted(0))})
    candidates = zipped({"big.png": buffer.getvalue(), "small.png": png_bytes(shifted(1))})
    at = dataset_page()
    upload(at, "reference", "refs.zip", references)
    upload(at, "candidate", "preds.zip", candidates)
    run_batch(at)
    failed = frame_with(at, "case", "stage", "reason")
    assert list(failed["case"]) == ["big"] and list(failed["stage"]) == ["read reference"]
    assert "4.2 MP" in failed["reason"][0], failed["reason"][0]
    assert not errors(at)


def test_a_second_session_is_told_the_server_is_busy(loaded):
    slot = batch_run.runner()
    assert slot.lock.acquire(blocking=False)
    try:
        at = run_batch(loaded)
    finally:
        slot.lock.release()
    assert any("Another visitor" in w.value for w in at.warning), [w.value for w in at.warning]
    assert cards(at) == {}
    run_batch(at)
    assert list(cards(at)) == CARDS


# ---------------------------------------------------------------- the logic, without a page


def test_resorting_a_result_equals_evaluating_with_that_sort():
    result = expected(REFERENCES, CANDIDATES)
    for sort in ("hd95", "dice", "objects.f1"):
        again = expected(REFERENCES, CANDIDATES, sort=sort)
        names = [c.name for c in result.sorted_by(sort).cases]
        assert names == [c.name for c in again.cases], sort


def test_open_case_puts_both_files_into_the_pair_model_read_as_the_batch_read_them():
    result = expected(REFERENCES, CANDIDATES, kind="labels", void=None)
    store: dict = {}
    cases = {"typical": {"files": {}, "title": "", "description": ""}}

    def reader(digest, data, kind, threshold, void):
        from maskapp import read_mask

        return read_mask(data, kind=kind, threshold=threshold, void=void)

    model = SessionModel(
        store, cases=cases, assets=lambda name: (b"", ""), reader=reader,
        image_reader=lambda d, b: None, comparer=lambda t, a, b, o: compare_masks(a, b, o),
    )  # fmt: skip
    case = next(c for c in result.cases if c.status == "ok")
    assert batch_table.open_case(model, result, case) is None
    assert (model.kind, model.void) == ("labels", None)
    assert case.name in model.source("reference").name
    assert model.source("candidate").data == open_files(CANDIDATES).read(case.candidate)
    failed = next(c for c in result.cases if c.status == "failed")
    assert batch_table.open_case(model, result, failed) is None  # size mismatch: the pair page
    assert "size" in (model.shown().message or "")
