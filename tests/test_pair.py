"""maskapp.pair, maskapp.void and maskapp.numbers: options checked once, the void policy
in one place, what a pair derives computed once."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import blob

from maskapp import MaskError, compare
from maskapp.errors import SizeMismatch
from maskapp.masks import interpret
from maskapp.numbers import json_ready, safe_ratio
from maskapp.overlap import confusion_map
from maskapp.pair import Options, check_spacing, pair_of, read_pair
from maskapp.void import check_void, ignored, label_foreground, parse_void

# ---------------------------------------------------------------- Options


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"kind": "both"}, "'binary' or 'labels'"),
        ({"threshold": float("nan")}, "threshold must be a finite number"),
        ({"threshold": "x"}, "threshold must be a finite number"),
        ({"void": -1}, "whole number ≥ 1"),
        ({"void": 0}, "0 is the background"),
        ({"void": 2.5}, "whole number ≥ 1"),
        ({"void_policy": "both"}, "void policy"),
        ({"hd95": "mean"}, "'max' or 'pooled'"),
        ({"connectivity": 6}, "object connectivity must be 4 or 8"),
        ({"connectivity": True}, "object connectivity must be 4 or 8"),
        ({"boundary_connectivity": 0}, "boundary connectivity must be 4 or 8"),
        ({"spacing": (0, 1)}, "two positive numbers"),
        ({"spacing": (1, math.inf)}, "two positive numbers"),
        ({"spacing": (1,)}, "two numbers"),
        ({"tolerance": -1}, "≥ 0"),
        ({"tolerance": math.inf}, "finite number ≥ 0"),
        ({"boundary_width": 0}, "> 0"),
        ({"match_iou": 1.5}, "between 0 and 1"),
        ({"match_iou": None}, "between 0 and 1"),
    ],
)
def test_every_bad_option_is_one_sentence_naming_the_option_and_value(options, fragment):
    with pytest.raises(MaskError) as err:
        Options(**options)
    message = str(err.value)
    assert fragment in message, message
    assert "\n" not in message and message.endswith(".") and "Traceback" not in message


def test_options_are_normalised_once():
    options = Options(spacing=["0.5", 2], tolerance=1, match_iou=1, resize=1, void="7")
    assert options.spacing == (0.5, 2.0)
    assert options.tolerance == 1.0 and isinstance(options.tolerance, float)
    assert options.resize is True and options.void == 7
    assert Options().to_dict()["spacing"] == (1.0, 1.0)
    assert "class_names" not in Options(class_names={1: "a"}).to_dict()


def test_compare_validates_through_options():
    with pytest.raises(MaskError, match="surface Dice tolerance"):
        compare(blob(), blob(), tolerance=-1)


def test_check_spacing_accepts_two_numbers_in_any_sequence():
    assert check_spacing(np.array([2, 3])) == (2.0, 3.0)


# ---------------------------------------------------------------- Pair


def test_a_pair_keeps_the_confusion_map_of_its_foreground():
    ref, cand = blob(), np.roll(blob(), 3, axis=1)
    result = compare(ref, cand)
    assert np.array_equal(result.confusion, confusion_map(ref, cand))
    assert result.confusion is result.pair.confusion  # computed once
    assert not result.confusion.flags.writeable


def test_a_label_pair_s_foreground_follows_the_void_policy():
    ref = np.array([[0, 1, 255], [2, 2, 1]])
    cand = np.array([[1, 255, 1], [2, 0, 255]])
    for policy in ("reference", "either"):
        result = compare(ref, cand, kind="labels", void_policy=policy, distances=False)
        a, b, n = label_foreground(ref, cand, 255, policy)
        assert np.array_equal(result.pair.foreground[0], a)
        assert np.array_equal(result.pair.foreground[1], b)
        assert result.pair.ignored_pixels == n == result.classes.ignored_pixels
        assert result.overlap.tp == int(np.count_nonzero(a & b))


def test_pair_of_resizes_only_when_asked_and_names_both_sizes():
    ref = interpret(blob(24, 32))
    small = interpret(blob(12, 16))
    with pytest.raises(SizeMismatch) as err:
        pair_of(ref, small, Options())
    assert "32×24 (reference) vs 16×12 (candidate)" in str(err.value)
    assert err.value.sentence("pass --resize").endswith("or pass --resize.")
    pair = pair_of(ref, small, Options(resize=True))
    assert pair.resized and pair.candidate.shape == (24, 32)
    assert compare(ref, small, resize=True).options["resized"] is True


def test_a_transposed_pair_is_named_and_gets_no_resize_remedy():
    ref = interpret(blob(24, 32))
    with pytest.raises(SizeMismatch) as err:
        pair_of(ref, interpret(np.ascontiguousarray(blob(24, 32).T)), Options())
    assert err.value.transposed
    assert "transposed" in err.value.sentence("pass --resize")
    assert "--resize" not in err.value.sentence("pass --resize")


def test_read_pair_reads_both_inputs_the_same_way():
    soft = (np.linspace(0, 1, 24 * 32).reshape(24, 32) * 255).astype(np.uint8)
    pair = read_pair(soft, soft, Options(threshold=100))
    assert pair.reference.info.threshold == pair.candidate.info.threshold == 100
    with pytest.raises(MaskError, match="binary mask but the candidate is a labels"):
        pair_of(interpret(blob()), interpret(blob(), kind="labels"), Options())


# ---------------------------------------------------------------- void


def test_ignored_pixels_by_policy():
    ref = np.array([255, 1, 0, 255])
    cand = np.array([0, 255, 255, 255])
    assert ignored(ref, cand, 255, "reference").tolist() == [True, False, False, True]
    assert ignored(ref, cand, 255, "either").tolist() == [True, True, True, True]
    assert ignored(ref, cand, None, "either") is None


def test_a_candidate_void_on_a_reference_class_is_a_miss_not_ignored():
    ref_fg, cand_fg, n = label_foreground(np.array([1, 1]), np.array([255, 1]), 255, "reference")
    assert ref_fg.tolist() == [True, True] and cand_fg.tolist() == [False, True] and n == 0


@pytest.mark.parametrize("text", ["abc", "-1", "0", "1.5", "2147483648"])
def test_void_text_that_is_no_label_is_refused(text):
    with pytest.raises(MaskError):
        parse_void(text)


def test_void_text_none_and_empty_mean_no_void():
    assert parse_void("") is None and parse_void(" None ") is None and parse_void("off") is None
    assert check_void(np.int64(3)) == 3


# ---------------------------------------------------------------- numbers


def test_safe_ratio_records_why_it_has_no_value():
    why: dict[str, str] = {}
    assert math.isnan(safe_ratio(3, 0, "precision", "the candidate is empty", why))
    assert why == {"precision": "the candidate is empty"}


def test_json_ready_never_leaves_nan_or_infinity():
    out = json_ready({"a": [np.float64("inf"), -math.inf, np.nan], "b": (np.int32(2),)})
    assert out == {"a": [None, None, None], "b": [2]}
