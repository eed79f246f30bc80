"""The Streamlit front end through ``streamlit.testing.v1.AppTest`` (no browser).

Widgets are driven by ``key=``: bound query-parameter widgets are not initialised
from ``at.query_params`` in AppTest. Every mask is generated here with Pillow or
numpy; expected numbers come from ``maskapp.compare`` on the same bytes.
Known app bugs are pinned as strict xfails whose reason starts with "BUG:".
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import disk, png_bytes
from PIL import Image
from streamlit.testing.v1 import AppTest

from maskapp import compare, read_mask
from maskapp.drawing import polygons_to_mask, selection_polygons

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
CASES = json.loads((ROOT / "assets" / "cases.json").read_text())["cases"]
VIEWS = ["overlay", "side-by-side", "distances", "classes", "objects", "table"]
HEADLINE = ["IoU", "Dice", "Precision", "Recall", "HD95"]
HOSTILE_NAME = "[x](javascript:alert(1))<b>.png"


# ---------------------------------------------------------------- inputs


# A non-square pair (rows ≠ columns) that overlaps partly. It has the size of the
# default demo's background photo: other sizes hit the drawing-panel bug pinned in
# test_uploading_masks_of_another_size_than_the_demo_background_works.
DEMO_COLS, DEMO_ROWS = Image.open(ROOT / "assets" / CASES["typical"]["files"]["background"]).size
ROWS, COLS = DEMO_ROWS, DEMO_COLS
SIZE = f"{COLS}×{ROWS}"
REFERENCE = disk(ROWS, COLS, (0.45 * ROWS, 0.4 * COLS), 0.3 * ROWS)
CANDIDATE = disk(ROWS, COLS, (0.5 * ROWS, 0.48 * COLS), 0.28 * ROWS)
REFERENCE_PNG = png_bytes(REFERENCE)
CANDIDATE_PNG = png_bytes(CANDIDATE)


def npy_pickle() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"mask": 1}, None], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def huge_one_bit_png() -> bytes:
    """9000×9000 pixels (over the 8192² cap) in about 10 kB."""
    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")
    return buffer.getvalue()


BAD_FILES = {
    # id: (file name, bytes, fragment of the expected message)
    "zero-byte": ("empty.png", b"", "empty (0 bytes)"),
    "html-named-png": (
        "page.png",
        b"<!doctype html><html><body><h1>Not found</h1></body></html>",
        "not an image",
    ),
    "truncated-png": ("cut.png", REFERENCE_PNG[: len(REFERENCE_PNG) // 2], "truncated"),
    "npy-pickle": ("objects.npy", npy_pickle(), "pickle"),
    "over-pixel-cap": ("huge.png", huge_one_bit_png(), "9000×9000"),
    "hostile-name": (HOSTILE_NAME, b"<html><b>bold</b></html>", "not an image"),
}


# ---------------------------------------------------------------- helpers


def new_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    """The five headline cards (label → shown value)."""
    shown = {m.label: m.value for m in at.metric if m.label in HEADLINE}
    assert list(shown) == HEADLINE, f"headline cards: {[m.label for m in at.metric]}"
    return shown


def upload(at: AppTest, slot: str, name: str, data: bytes) -> AppTest:
    # Uploader keys carry a generation (swapping A and B renews the widgets).
    (widget,) = [u for u in at.file_uploader if u.key.startswith(f"uploader_{slot}_")]
    widget.set_value((name, data, "image/png")).run()
    assert not at.exception, at.exception
    return at


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def escaped(name: str) -> str:
    """The name as the app shows it: Markdown specials backslash-escaped."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&\"'])", r"\\\1", name)


def run_selected(at: AppTest, *, case: str | None = None, view: str | None = None) -> AppTest:
    if case is not None:
        at.selectbox(key="case").set_value(case).run()
        assert not at.exception, at.exception
    if view is not None:
        at.segmented_control(key="view").set_value(view).run()
        assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def demo() -> AppTest:
    """One app left on the default demo (read-only checks share it)."""
    return new_app()


# ---------------------------------------------------------------- the demo


@pytest.mark.parametrize("case", list(CASES))
def test_every_case_renders_five_headline_metrics_with_at_least_three_decimals(case):
    at = run_selected(new_app(), case=case)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    shown = metrics(at)
    for label, value in shown.items():
        # A number with ≥ 3 decimals, or a word whose reason is written under the card.
        assert value in ("∞", "undefined") or re.fullmatch(r"-?\d+\.\d{3,}", value), (
            label,
            value,
        )


@pytest.mark.parametrize("case", list(CASES))
def test_every_view_renders_without_exception(case):
    at = run_selected(new_app(), case=case)
    for view in VIEWS:
        run_selected(at, view=view)
        assert at.segmented_control(key="view").value == view
        assert not at.exception, (case, view, at.exception)
        assert not at.error, (case, view, [e.value for e in at.error])
        metrics(at)


def test_the_demo_shows_both_inputs_and_a_link_to_the_view(demo):
    shown = captions(demo)
    assert any("typical\\_reference\\.png" in c for c in shown), shown
    assert any("typical\\_candidate\\.png" in c for c in shown), shown
    assert demo.get("plotly_chart"), "no overlay chart"
    assert "/?" in demo.code[-1].value


def test_the_typical_demo_numbers_match_the_core_package(demo):
    files = CASES["typical"]["files"]
    expected = compare(ROOT / "assets" / files["reference"], ROOT / "assets" / files["candidate"])
    shown = metrics(demo)
    assert shown["IoU"] == f"{expected.overlap.iou:.4f}"
    assert shown["Dice"] == f"{expected.overlap.dice:.4f}"
    assert shown["HD95"] == f"{expected.surface.hd95:.4f}"


def test_the_empty_case_says_the_candidate_is_empty_in_words():
    at = run_selected(new_app(), case="empty")
    assert not at.exception
    infos = [i.value for i in at.info]
    assert any("candidate is empty" in text.lower() for text in infos), infos
    shown = metrics(at)
    assert shown["HD95"] == "∞"
    assert shown["IoU"] == "0.0000"
    # The reason for the undefined precision / infinite HD95 is written, not just a symbol.
    assert any("empty" in c.lower() for c in captions(at)), captions(at)


# ---------------------------------------------------------------- uploads


def test_uploading_two_pngs_gives_the_iou_of_the_core_package():
    at = new_app()
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    upload(at, "candidate", "cand.png", CANDIDATE_PNG)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    expected = compare(REFERENCE_PNG, CANDIDATE_PNG)
    shown = metrics(at)
    assert shown["IoU"] == f"{expected.overlap.iou:.4f}"
    assert shown["Precision"] == f"{expected.overlap.precision:.4f}"
    assert shown["Recall"] == f"{expected.overlap.recall:.4f}"
    assert any(c.startswith(f"uploaded «ref\\.png» · {SIZE} px") for c in captions(at))
    assert any(c.startswith(f"uploaded «cand\\.png» · {SIZE} px") for c in captions(at))


@pytest.mark.parametrize("bad", list(BAD_FILES))
def test_a_bad_candidate_shows_one_error_and_keeps_both_good_inputs(bad):
    name, data, fragment = BAD_FILES[bad]
    at = new_app()
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    upload(at, "candidate", "cand.png", CANDIDATE_PNG)
    before = metrics(at)

    upload(at, "candidate", name, data)
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert fragment in errors[0], errors[0]
    assert "previous file is kept" in errors[0]
    assert errors[0].startswith(f"Candidate (B) «{escaped(name)}»:"), errors[0]
    # The other input and the last good candidate are still the ones compared.
    assert metrics(at) == before
    shown = captions(at)
    assert any(c.startswith("uploaded «ref\\.png»") for c in shown), shown
    assert any(c.startswith("uploaded «cand\\.png»") for c in shown), shown


@pytest.mark.parametrize("bad", ["zero-byte", "npy-pickle", "hostile-name"])
def test_a_bad_reference_shows_one_error_and_keeps_the_candidate(bad):
    name, data, fragment = BAD_FILES[bad]
    at = new_app()
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    upload(at, "candidate", "cand.png", CANDIDATE_PNG)
    before = metrics(at)
    upload(at, "reference", name, data)
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert fragment in errors[0] and errors[0].startswith("Reference (A) «"), errors[0]
    assert metrics(at) == before  # both good uploads are kept
    assert any(c.startswith("uploaded «ref\\.png»") for c in captions(at))
    assert any(c.startswith("uploaded «cand\\.png»") for c in captions(at))


def test_uploading_only_the_reference_asks_for_the_candidate():
    at = upload(new_app(), "reference", "ref.png", REFERENCE_PNG)
    assert not at.error and not at.metric
    (info,) = [i.value for i in at.info if "Now upload" in i.value]
    assert info.startswith("Now upload the candidate (prediction)"), info
    assert not [b for b in at.button if "Resize" in b.label]


def test_a_hostile_file_name_is_shown_inert():
    name, data, _ = BAD_FILES["hostile-name"]
    at = upload(new_app(), "candidate", name, data)
    (error,) = [e.value for e in at.error]
    # Every Markdown / HTML special character is escaped, so no link and no tag can form.
    assert escaped(name) in error, error
    unescaped = re.sub(r"\\.", "", error)
    assert "](" not in unescaped and "<b>" not in unescaped and "[x]" not in unescaped, error
    # A good file under the same name: the caption shows it escaped too.
    upload(at, "candidate", name, CANDIDATE_PNG)
    assert not at.error
    assert any(escaped(name) in c for c in captions(at)), captions(at)


def test_uploading_masks_of_another_size_than_the_demo_background_works():
    reference, candidate = disk(90, 120, (45, 50), 30), disk(90, 120, (50, 62), 28)
    at = new_app()
    upload(at, "reference", "ref.png", png_bytes(reference))
    upload(at, "candidate", "cand.png", png_bytes(candidate))
    assert not at.exception, at.exception
    expected = compare(png_bytes(reference), png_bytes(candidate))
    assert metrics(at)["IoU"] == f"{expected.overlap.iou:.4f}"


def test_after_swap_a_file_uploaded_as_reference_is_the_reference():
    at = new_app()
    next(b for b in at.button if "Swap A and B" in b.label).click().run()
    upload(at, "reference", "new_ref.png", REFERENCE_PNG)
    reference_caption = captions(at)[0]
    assert reference_caption.startswith("uploaded «new\\_ref\\.png»"), captions(at)[:2]


# ---------------------------------------------------------------- size mismatch


def test_a_size_mismatch_names_both_sizes_and_offers_a_resize():
    at = new_app()
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    small = disk(ROWS // 2, COLS // 2, (ROWS / 4, COLS / 5), ROWS / 6)
    upload(at, "candidate", "small.png", png_bytes(small))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert SIZE in errors[0] and f"{COLS // 2}×{ROWS // 2}" in errors[0], errors[0]
    assert not [m for m in at.metric if m.label in HEADLINE]
    button = next(b for b in at.button if b.label.startswith("Resize candidate to reference"))
    assert button.label == "Resize candidate to reference (nearest neighbour)"

    button.click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    expected = compare(REFERENCE_PNG, png_bytes(small), resize=True)
    assert metrics(at)["IoU"] == f"{expected.overlap.iou:.4f}"

    # The click approved that pair only: another small candidate is not resized silently.
    upload(at, "candidate", "other.png", png_bytes(np.roll(small, 3, axis=1)))
    assert [e.value for e in at.error if "differ in size" in e.value]
    assert not [m for m in at.metric if m.label in HEADLINE]


def test_replacing_a_good_file_passes_through_an_empty_uploader_and_keeps_it():
    # A browser replacing a file first sends a run with no file, then the new one.
    at = new_app()
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    upload(at, "candidate", "cand.png", CANDIDATE_PNG)
    expected = metrics(at)
    (widget,) = [u for u in at.file_uploader if u.key.startswith("uploader_candidate_")]
    widget.set_value(None).run()
    assert metrics(at) == expected
    upload(at, "candidate", "bad.png", b"<html></html>")
    assert len(at.error) == 1 and "previous file is kept" in at.error[0].value
    assert metrics(at) == expected
    assert captions(at)[1].startswith("uploaded «cand\\.png»"), captions(at)[:2]


def test_demo_masks_button_forgets_uploads_and_drawings():
    at = new_app()
    demo = metrics(at)
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    upload(at, "candidate", "cand.png", CANDIDATE_PNG)
    assert metrics(at) != demo
    next(b for b in at.button if "Demo masks" in b.label).click().run()
    assert not at.exception
    assert metrics(at) == demo
    assert captions(at)[0].startswith("demo file"), captions(at)[:2]


# ---------------------------------------------------------------- soft masks


def test_moving_the_threshold_slider_updates_the_numbers_in_the_same_run():
    rng = np.random.default_rng(3)
    soft = np.clip(CANDIDATE * 0.7 + rng.random(CANDIDATE.shape) * 0.3, 0, 1)
    buffer = io.BytesIO()
    np.save(buffer, soft.astype(np.float32))
    at = new_app()
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    upload(at, "candidate", "soft.npy", buffer.getvalue())
    slider = at.slider(key="threshold_candidate")
    assert slider.value == 0.5
    assert not [s for s in at.slider if s.key == "threshold_reference"]  # a binary PNG
    expected = compare(REFERENCE_PNG, soft.astype(np.float32), threshold=0.5)
    assert metrics(at)["IoU"] == f"{expected.overlap.iou:.4f}"
    slider.set_value(0.8).run()
    assert not at.exception
    expected = compare(REFERENCE_PNG, soft.astype(np.float32), threshold=0.8)
    assert metrics(at)["IoU"] == f"{expected.overlap.iou:.4f}"


# ---------------------------------------------------------------- swap, labels


def test_swap_exchanges_precision_and_recall():
    at = new_app()
    before = metrics(at)
    assert before["Precision"] != before["Recall"]
    swap = next(b for b in at.button if "Swap A and B" in b.label)
    swap.click().run()
    assert not at.exception
    after = metrics(at)
    assert after["Precision"] == before["Recall"]
    assert after["Recall"] == before["Precision"]
    assert after["IoU"] == before["IoU"] and after["Dice"] == before["Dice"]


def test_label_mode_on_the_labels_case_shows_the_class_table_and_mean_iou():
    at = run_selected(new_app(), case="labels")
    assert at.toggle(key="labels").value is True
    run_selected(at, view="classes")
    assert not at.exception and not at.error
    mean = [c for c in captions(at) if c.startswith("Mean IoU")]
    assert len(mean) == 1, captions(at)
    assert re.match(r"Mean IoU \d\.\d{4} · mean Dice \d\.\d{4}", mean[0]), mean[0]
    assert "void 255 ignored" in mean[0]
    table = at.dataframe[0].value
    assert "label" in table.columns
    assert set(table["label"]) >= {1, 2, 3}, table
    assert at.get("plotly_chart"), "no confusion matrix"


def test_a_class_in_the_link_is_highlighted_in_the_classes_view():
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["class"] = "2"
    at.run()
    run_selected(at, case="labels")
    run_selected(at, view="classes")
    assert not at.exception and not at.error
    assert any(c.startswith("Class 2 from the link") for c in captions(at)), captions(at)
    assert len(at.get("plotly_chart")) == 2  # confusion matrix and the class overlay


def test_the_classes_view_without_label_mode_says_how_to_get_it():
    at = run_selected(new_app(), view="classes")
    assert any("label-map mode" in i.value for i in at.info)


# ---------------------------------------------------------------- selections


def test_a_plotly_selection_added_to_the_reference_changes_the_numbers():
    at = new_app()
    event = {"selection": {"box": [{"x": [10, 60], "y": [10, 60]}], "lasso": [], "points": []}}
    try:
        at.session_state["overlay_chart"] = event
        at.run()
    except Exception as err:  # pragma: no cover - depends on the Streamlit version
        pytest.skip(f"AppTest cannot set a plotly_chart selection through session state: {err}")
    assert not at.exception
    before = metrics(at)
    labels = [b.label for b in at.button]
    assert "Add selection to reference" in labels, labels
    at.button(key="sel_reference_False").click().run()
    assert not at.exception

    files = CASES["typical"]["files"]
    reference = read_mask(ROOT / "assets" / files["reference"]).array
    candidate = read_mask(ROOT / "assets" / files["candidate"]).array
    edited = polygons_to_mask(selection_polygons(event), reference.shape, base=reference)
    expected = compare(edited, candidate)
    after = metrics(at)
    assert after != before
    assert after["IoU"] == f"{expected.overlap.iou:.4f}"
    assert after["Recall"] == f"{expected.overlap.recall:.4f}"
    assert any(c.startswith("drawn here") for c in captions(at)), captions(at)


def test_a_selection_after_swap_edits_the_mask_shown_as_reference():
    at = new_app()
    next(b for b in at.button if "Swap A and B" in b.label).click().run()
    event = {"selection": {"box": [{"x": [10, 60], "y": [10, 60]}], "lasso": [], "points": []}}
    at.session_state["overlay_chart"] = event
    at.run()
    at.button(key="sel_reference_False").click().run()
    assert not at.exception

    files = CASES["typical"]["files"]
    reference = read_mask(ROOT / "assets" / files["reference"]).array
    candidate = read_mask(ROOT / "assets" / files["candidate"]).array
    # Swapped: the reference (A) is the original candidate, and the box is added to it.
    edited = polygons_to_mask(selection_polygons(event), candidate.shape, base=candidate)
    expected = compare(edited, reference)
    assert metrics(at)["IoU"] == f"{expected.overlap.iou:.4f}"
    assert metrics(at)["Precision"] == f"{expected.overlap.precision:.4f}"


def test_a_selection_in_label_mode_keeps_the_numbers():
    at = run_selected(new_app(), case="labels")
    event = {"selection": {"box": [{"x": [10, 60], "y": [10, 60]}], "lasso": [], "points": []}}
    at.session_state["overlay_chart"] = event
    at.run()
    if "Add selection to reference" not in [b.label for b in at.button]:
        return  # not offered in label mode: fine
    at.button(key="sel_reference_False").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    metrics(at)


# ---------------------------------------------------------------- downloads


def test_every_download_is_offered():
    at = new_app()
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    upload(at, "candidate", "cand.png", CANDIDATE_PNG)
    buttons = {b.label: b for b in at.get("download_button")}
    assert set(buttons) == {
        "Intersection PNG",
        "Confusion map PNG",
        "Overlay PNG",
        "Statistics CSV",
        "Statistics JSON",
    }
    # AppTest runs without a Streamlit runtime, so it serves no file: the bytes
    # behind these buttons are checked in tests/browser (real clicks) and
    # tests/test_figures.py (the builders).
    assert not at.exception and not at.error


# ---------------------------------------------------------------- sessions at once


@pytest.mark.parametrize("serial_pixels, most_at_once", [(1, 1), (10**12, 2)])
def test_large_comparisons_run_one_at_a_time_across_sessions(
    monkeypatch, serial_pixels, most_at_once
):
    """Two sessions comparing at once: above MASKAPP_SERIAL_PIXELS the second waits.

    The second case (a threshold nothing reaches) shows the test can see two
    comparisons overlap."""
    import threading
    import time

    import maskapp
    import ui.cached

    real_compare = maskapp.compare
    real_compare_masks = ui.cached.compare_masks
    running, most = [0], [0]
    count = threading.Lock()

    def slow_compare(*args, **kwargs):
        with count:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.5)
            return real_compare_masks(*args, **kwargs)
        finally:
            with count:
                running[0] -= 1

    monkeypatch.setattr(ui.cached, "compare_masks", slow_compare)
    monkeypatch.setenv("MASKAPP_SERIAL_PIXELS", str(serial_pixels))
    apps = [new_app() for _ in range(2)]
    # Masks no other test uses, so neither comparison comes from the cache.
    rng = np.random.default_rng(serial_pixels % 1000)
    pairs = [(rng.random((ROWS, COLS)) > 0.5, rng.random((ROWS, COLS)) > 0.5) for _ in apps]
    for at, (reference, _) in zip(apps, pairs, strict=True):
        upload(at, "reference", "r.png", png_bytes(reference))
    most[0] = 0
    errors = []

    def upload_candidate(at, candidate):
        try:
            upload(at, "candidate", "c.png", png_bytes(candidate))
        except Exception as err:  # reported below, in the test's thread
            errors.append(err)

    threads = [
        threading.Thread(target=upload_candidate, args=(at, candidate))
        for at, (_, candidate) in zip(apps, pairs, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert most[0] == most_at_once
    for at, (reference, candidate) in zip(apps, pairs, strict=True):
        expected = real_compare(reference, candidate, distances=False, objects=False)
        assert metrics(at)["IoU"] == f"{expected.overlap.iou:.4f}"


# ---------------------------------------------------------------- what the page shows is the
# comparison of the inputs shown (issue 9's sequences; each failed before the session model)


def _jpeg(mask: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(mask, np.uint8) * 255).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_a_jpeg_threshold_never_reaches_the_next_file():
    """A lossy JPEG as A brings a threshold slider; a bool .npy as B keeps its own rule."""
    at = new_app()
    upload(at, "reference", "ref.jpg", _jpeg(REFERENCE))
    upload(at, "candidate", "cand.npy", _npy(CANDIDATE))
    expected = compare(read_mask(_jpeg(REFERENCE)), read_mask(_npy(CANDIDATE)))
    assert metrics(at)["IoU"] == f"{expected.overlap.iou:.4f}"
    assert not any("threshold given" in c for c in captions(at)), captions(at)
    assert [s.key for s in at.slider if s.key.startswith("threshold_")] == ["threshold_reference"]
    # Moving A's threshold changes A only; the demo comes back on its own rules.
    at.slider(key="threshold_reference").set_value(200.0).run()
    expected = compare(
        read_mask(_jpeg(REFERENCE), threshold=200.0), read_mask(_npy(CANDIDATE))
    )
    assert metrics(at)["IoU"] == f"{expected.overlap.iou:.4f}"
    next(b for b in at.button if "Demo masks" in b.label).click().run()
    assert metrics(at) == metrics(new_app())
    assert not any("threshold given" in c for c in captions(at))


def test_label_mode_then_the_labels_case_gives_the_numbers_of_a_fresh_link():
    at = new_app()
    at.toggle(key="labels").set_value(True).run()
    assert at.text_input(key="void").value == "255"
    run_selected(at, case="labels", view="classes")
    fresh = AppTest.from_file(str(APP), default_timeout=60)
    fresh.query_params["case"] = "labels"
    fresh.query_params["view"] = "classes"
    fresh.run()
    assert not fresh.exception, fresh.exception
    mean = [c for c in captions(at) if c.startswith("Mean IoU")]
    assert mean == [c for c in captions(fresh) if c.startswith("Mean IoU")]
    assert mean[0].startswith("Mean IoU 0.7849"), mean
    assert at.text_input(key="void").value == "255"
    assert 255 not in set(at.dataframe[0].value["label"])
    assert metrics(at) == metrics(fresh)


def test_every_option_in_the_link_is_applied_by_a_fresh_session():
    at = new_app()
    at.radio(key="hd95").set_value("pooled").run()
    at.number_input(key="tau").set_value(2.5).run()
    at.radio(key="conn").set_value(4).run()
    at.number_input(key="row_spacing").set_value(0.5).run()
    link = dict(at.query_params)
    assert {"hd95", "tau", "conn", "spacing"} <= set(link), link
    fresh = AppTest.from_file(str(APP), default_timeout=60)
    for key, value in link.items():
        fresh.query_params[key] = value[0] if isinstance(value, list) else value
    fresh.run()
    assert not fresh.exception and not fresh.warning
    run_selected(at, view="table")
    run_selected(fresh, view="table")
    assert at.dataframe[0].value.equals(fresh.dataframe[0].value)
    expected = compare(
        *(ROOT / "assets" / CASES["typical"]["files"][r] for r in ("reference", "candidate")),
        hd95="pooled",
        tolerance=2.5,
        connectivity=4,
        spacing=(0.5, 1.0),
    )
    assert metrics(fresh)["HD95"] == f"{expected.surface.hd95:.4f}"


def test_a_bad_link_value_is_one_warning_and_the_default():
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["tau"] = "-1"
    at.query_params["case"] = "nope"
    at.run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2 and all("was ignored" in w for w in warnings), warnings
    assert metrics(at) == metrics(new_app())


def test_selecting_an_object_row_outlines_it():
    at = run_selected(new_app(), view="objects")
    at.session_state["object_table"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 1
    assert any("Select a row" in c for c in captions(at))


def test_after_a_resize_the_candidate_says_so_and_a_selection_edits_it():
    small = disk(ROWS // 2, COLS // 2, (0.25 * ROWS, 0.24 * COLS), 0.14 * ROWS)
    at = new_app()
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    upload(at, "candidate", "small.png", png_bytes(small))
    (error,) = [e.value for e in at.error]
    assert "differ in size" in error and "Resize candidate to reference" in error
    next(b for b in at.button if b.label.startswith("Resize candidate")).click().run()
    assert not at.exception and not at.error
    caption = next(c for c in captions(at) if c.startswith("uploaded «small\\.png»"))
    assert f"{SIZE} px (resized from {COLS // 2}×{ROWS // 2})" in caption, caption
    expected = compare(REFERENCE_PNG, png_bytes(small), resize=True)
    assert metrics(at)["IoU"] == f"{expected.overlap.iou:.4f}"
    event = {"selection": {"box": [{"x": [10, 60], "y": [10, 60]}], "lasso": [], "points": []}}
    at.session_state["overlay_chart"] = event
    at.run()
    at.button(key="sel_candidate_False").click().run()
    assert not at.exception, at.exception
    resized = read_mask(png_bytes(small)).array
    from maskapp.masks import resize_nearest

    edited = polygons_to_mask(
        selection_polygons(event), REFERENCE.shape, base=resize_nearest(resized, REFERENCE.shape)
    )
    assert metrics(at)["IoU"] == f"{compare(REFERENCE, edited).overlap.iou:.4f}"


def test_a_transposed_pair_says_so_and_offers_no_resize():
    at = new_app()
    upload(at, "reference", "ref.png", REFERENCE_PNG)
    upload(at, "candidate", "t.png", png_bytes(np.ascontiguousarray(REFERENCE.T)))
    (error,) = [e.value for e in at.error]
    assert "transposed" in error, error
    assert not [b for b in at.button if b.label.startswith("Resize")]


def test_label_mode_headline_says_what_iou_means_and_the_matrix_names_classes():
    at = run_selected(new_app(), case="labels")
    assert any("foreground (any class) vs background" in c for c in captions(at))
    run_selected(at, view="classes")
    (matrix,) = [c for c in at.get("plotly_chart") if "heatmap" in c.proto.spec]
    spec = json.loads(matrix.proto.spec)
    ticks = spec["layout"]["xaxis"].get("ticktext") or []
    assert any("stroma" in t for t in ticks), ticks


def test_a_void_label_of_zero_is_refused_in_one_line():
    at = run_selected(new_app(), case="labels")
    at.text_input(key="void").set_value("0").run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert "0 is the background" in error
    assert at.text_input(key="void").value == "255"
