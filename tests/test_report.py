"""maskapp.report: numbers in words, the statistics table, CSV / JSON, and inert file names."""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re

import numpy as np
import pytest
from helpers import blobs, grid
from hypothesis import given, settings
from hypothesis import strategies as st

from maskapp import compare
from maskapp.report import (
    OBJECT_ROWS,
    OVERLAP_ROWS,
    SURFACE_ROWS,
    display_name,
    edge_case_sentence,
    format_value,
    statistic_rows,
    statistics_csv,
    statistics_json,
    text_report,
)

A, B = blobs((40, 50), 1), blobs((40, 50), 2)
EMPTY, SQUARE = np.zeros((6, 7), bool), grid((6, 7), (1, 2, 4, 5))
LABELS_REF = np.array([[0, 1, 255], [2, 2, 0]])
LABELS_CAND = np.array([[0, 1, 1], [2, 0, 0]])

# Each computed once, on first use (results are frozen).
RESULTS = {
    name: functools.cache(make)
    for name, make in {
        "typical": lambda: compare(A, B),
        "overlap only": lambda: compare(A, B, distances=False, objects=False),
        "both empty": lambda: compare(EMPTY, EMPTY),
        "candidate empty": lambda: compare(SQUARE, EMPTY),
        "reference empty": lambda: compare(EMPTY, SQUARE),
        "labels": lambda: compare(
            LABELS_REF, LABELS_CAND, kind="labels", class_names={1: "road"}
        ),
    }.items()
}


# ---------------------------------------------------------------- format_value


@pytest.mark.parametrize(
    ("value", "reason", "digits", "expected"),
    [
        (0.123456, None, 4, "0.1235"),
        (1.0, None, 4, "1.0000"),
        (0.123456, None, 2, "0.12"),
        (12345, None, 4, "12,345"),
        (-1234, None, 4, "-1,234"),
        (0, None, 4, "0"),
        (True, None, 4, "yes"),
        (False, None, 4, "no"),
        (None, None, 4, "—"),
        (None, "the reference is empty", 4, "undefined — the reference is empty"),
        (math.nan, None, 4, "undefined"),
        (math.nan, "both masks are empty", 4, "undefined — both masks are empty"),
        (math.inf, None, 4, "∞"),
        (math.inf, "the candidate is empty", 4, "∞ — the candidate is empty"),
        ((12.34, 5, 0.25), None, 4, "(12.3, 5, 0.2)"),
        ("text", None, 4, "text"),
    ],
)
def test_format_value(value, reason, digits, expected):
    assert format_value(value, reason, digits=digits) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.float32(math.nan), "undefined"),
        (np.float32(0.123456), "0.1235"),
        (np.int64(12345), "12,345"),
        (np.float64(math.inf), "∞"),
        (np.bool_(True), "yes"),
        ((np.float32(12.34), np.int32(5)), "(12.3, 5)"),
    ],
)
def test_format_value_of_numpy_scalars_is_that_of_their_python_value(value, expected):
    assert format_value(value) == expected


# ---------------------------------------------------------------- edge_case_sentence


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("typical", None),
        ("both empty", "Both masks are empty"),
        ("candidate empty", "The candidate is empty"),
        ("reference empty", "The reference is empty"),
    ],
)
def test_the_empty_mask_situation_is_said_in_one_sentence(case, words):
    sentence = edge_case_sentence(RESULTS[case]())
    if words is None:
        assert sentence is None
    else:
        assert sentence.startswith(words) and sentence.endswith(".")
        assert "\n" not in sentence


# ---------------------------------------------------------------- statistic_rows


@pytest.mark.parametrize(
    ("case", "rows"),
    [
        ("typical", len(OVERLAP_ROWS) + len(SURFACE_ROWS) + len(OBJECT_ROWS)),
        ("overlap only", len(OVERLAP_ROWS)),
        ("labels", len(OVERLAP_ROWS) + len(SURFACE_ROWS) + 2 + len(OBJECT_ROWS)),
    ],
)
def test_there_is_one_row_per_statistic_of_each_family_computed(case, rows):
    table = statistic_rows(RESULTS[case]())
    assert len(table) == rows
    assert all(set(row) == {"group", "key", "statistic", "value"} for row in table)


NUMBER = re.compile(r"-?[\d,]+(\.\d+)?")


@pytest.mark.parametrize("case", RESULTS)
def test_no_value_is_a_bare_nan_or_inf_and_every_gap_gives_its_reason(case):
    result = RESULTS[case]()
    undefined = result.undefined
    for row in statistic_rows(result):
        value = row["value"]
        reason_key = row["key"] if row["group"] not in ("objects", "classes") else (
            f"{row['group']}.{row['key']}"
        )
        if NUMBER.fullmatch(value):
            assert reason_key not in undefined, row
        else:
            assert value in (f"undefined — {undefined[reason_key]}",
                             f"∞ — {undefined[reason_key]}"), row  # fmt: skip


def test_a_missed_prediction_shows_infinite_distances_with_the_reason():
    table = statistic_rows(RESULTS["candidate empty"]())
    rows = {(row["group"], row["key"]): row["value"] for row in table}
    assert rows[("distance", "hausdorff")] == rows[("distance", "hd95")] == (
        "∞ — the candidate is empty"
    )
    assert rows[("overlap", "precision")] == "undefined — the candidate is empty"
    assert rows[("objects", "precision")] == "undefined — the candidate has no objects"
    assert rows[("overlap", "iou")] == "0.0000"


def test_row_values_are_the_results_numbers_formatted():
    result = RESULTS["typical"]()
    rows = {(row["group"], row["key"]): row["value"] for row in statistic_rows(result)}
    assert rows[("overlap", "iou")] == f"{result.iou:.4f}"
    assert rows[("counts", "tp")] == f"{result.overlap.tp:,}"
    assert rows[("distance", "hd95")] == f"{result.surface.hd95:.4f}"
    assert rows[("objects", "f1")] == f"{result.objects.f1:.4f}"


# ---------------------------------------------------------------- CSV and JSON


@pytest.mark.parametrize("case", RESULTS)
def test_the_csv_reads_back_to_the_json_numbers(case):
    result = RESULTS[case]()
    data = result.to_dict()
    parsed = list(csv.DictReader(io.StringIO(statistics_csv(result))))
    rows = statistic_rows(result)
    assert [(r["group"], r["statistic"], r["key"]) for r in parsed] == [
        (r["group"], r["statistic"], r["key"]) for r in rows
    ]
    for row in parsed:
        expected = (data["objects"] if row["group"] == "objects" else data)[row["key"]]
        if expected is None:
            assert row["value"] == ""
        elif isinstance(expected, bool):
            assert row["value"] == str(expected)
        else:
            assert type(expected)(row["value"]) == expected  # floats round-trip exactly


@pytest.mark.parametrize("case", RESULTS)
def test_the_json_is_strict_and_is_the_results_dictionary(case):
    result = RESULTS[case]()
    text = statistics_json(result)
    assert json.loads(text) == json.loads(json.dumps(result.to_dict()))
    assert "NaN" not in text and "Infinity" not in text
    assert "|A∩B|" in text  # not ∩-escaped: people read this file


# ---------------------------------------------------------------- text_report


def test_the_text_report_names_both_inputs_and_lists_every_row_aligned():
    result = RESULTS["typical"]()
    report = text_report(result, reference_name="truth.png", candidate_name="model.png")
    lines = report.splitlines()
    assert lines[0] == "reference (A): truth.png" and lines[2] == "candidate (B): model.png"
    assert lines[1].strip() == result.reference.summary()
    rows = statistic_rows(result)
    width = max(len(row["statistic"]) for row in rows)  # one column of values
    for row in rows:
        assert f"  {row['statistic']:<{width}}  {row['value']}" in lines
    for header in ("Overlap", "Counts", "Distance", "Objects"):
        assert header in lines


def test_the_text_report_states_the_edge_case_and_the_input_notes():
    ids = np.array([[0, 1, 2], [3, 0, 0]], np.uint8)  # an id map: read with a note
    result = compare(ids, ids > 0)
    report = text_report(result, reference_name="ids.png", candidate_name="b.png")
    assert any(line.startswith("  note: ") and "label mode" in line for line in report.splitlines())
    empty = text_report(RESULTS["both empty"](), reference_name="a", candidate_name="b")
    assert edge_case_sentence(RESULTS["both empty"]()) in empty.splitlines()


def test_the_text_report_in_label_mode_has_a_per_class_table_with_names():
    result = RESULTS["labels"]()
    lines = text_report(result, reference_name="a", candidate_name="b").splitlines()
    table = lines[lines.index("Per class") + 2 :]
    assert [line.split()[0] for line in table] == ["0", "road", "2"]
    road = result.classes.classes[1]
    assert table[1].split()[1:] == [
        f"{road.reference_area:,}", f"{road.candidate_area:,}",
        f"{road.iou:.4f}", f"{road.dice:.4f}",
    ]  # fmt: skip


# ---------------------------------------------------------------- display_name


MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:=&\"'")


def unescaped(shown: str) -> str:
    """The text a reader sees, checking every special character is escaped."""
    out, chars = [], iter(shown)
    for ch in chars:
        if ch == "\\":
            ch = next(chars)
            assert ch in MARKDOWN_SPECIAL, shown
        else:
            assert ch not in MARKDOWN_SPECIAL, f"unescaped {ch!r} in {shown!r}"
        out.append(ch)
    return "".join(out)


HOSTILE = [
    ("../../etc/[click](javascript:alert(1)).png", "[click](javascript:alert(1)).png"),
    ("C:\\Users\\me\\evil<b>.png", "evil<b>.png"),
    ("<img src=x onerror=alert(1)>.png", "<img src=x onerror=alert(1)>.png"),
    ("$x^2$ :red[alarm] `code` **bold**.png", "$x^2$ :red[alarm] `code` **bold**.png"),
    ("\u202egnp.exe", "gnp.exe"),  # right-to-left override: would show "exe.png"
    ("zero\u200bwidth\ufeff.png", "zerowidth.png"),
    ("line\nbreak\r\ttab\x00.png", "linebreaktab.png"),
    ("", "unnamed"),
    (None, "unnamed"),
    ("  \u2066 ", "unnamed"),
    ("folder/", "unnamed"),
]


@pytest.mark.parametrize(("name", "seen"), HOSTILE)
def test_a_hostile_file_name_is_shown_as_inert_text(name, seen):
    assert unescaped(display_name(name)) == seen


def test_a_long_name_is_shortened_in_the_middle_keeping_its_extension():
    name = "a" * 40 + "b" * 40 + ".png"
    seen = unescaped(display_name(name, max_length=30))
    assert len(seen) == 30 and "…" in seen
    assert seen.startswith("a" * 14) and seen.endswith("b" * 11 + ".png")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=120), st.integers(5, 80))
def test_any_name_becomes_short_escaped_text_without_controls_or_folders(name, max_length):
    seen = unescaped(display_name(name, max_length=max_length))
    assert 0 < len(seen) <= max_length
    assert "/" not in seen
    assert not any(ord(ch) < 0x20 or ord(ch) == 0x7F or 0x202A <= ord(ch) <= 0x202E
                   or 0x2066 <= ord(ch) <= 0x2069 for ch in seen)  # fmt: skip
