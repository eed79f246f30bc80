"""maskapp.masks: the binary rules, Otsu's threshold, label maps, resizing and shape checks.

Numbers are checked against scikit-image (Otsu), Pillow (nearest-neighbour
resize) and plain numpy (distinct values, histograms).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image
from skimage.filters import threshold_otsu

from maskapp import MaskError
from maskapp.errors import SizeMismatch
from maskapp.masks import (
    MAX_CLASSES,
    SOFT_MIN_VALUES,
    Mask,
    binarize,
    check_same_shape,
    distinct_values,
    histogram,
    interpret,
    otsu_threshold,
    resize_nearest,
    resized_mask,
    size_text,
)

GRADIENT = np.arange(256, dtype=np.uint8).reshape(16, 16)  # 256 grey levels

# ---------------------------------------------------------------- binarize


# (raw, expected mask, fragment of the rule, threshold used)
RULES = {
    "bool as it is": (
        np.array([[True, False, True]]), [[1, 0, 1]], "set pixels are foreground", None
    ),
    "uint8 0/255 nonzero": (np.array([[0, 255, 0]], np.uint8), [[0, 1, 0]], "nonzero", None),
    "uint8 0/1 nonzero": (np.array([[0, 1, 1]], np.uint8), [[0, 1, 1]], "nonzero", None),
    "uint16 0/65535 nonzero": (
        np.array([[65535, 0]], np.uint16), [[1, 0]], "nonzero is foreground", None
    ),
    "one value, all zero": (np.zeros((1, 3), np.uint8), [[0, 0, 0]], "nonzero", None),
    "float 0/1 nonzero": (
        np.array([[0.0, 1.0, 0.0]]), [[0, 1, 0]], "nonzero is foreground (values 0/1)", None
    ),
    "float probabilities above one half": (
        np.array([[0.2, 0.5, 0.51, 0.9]], np.float32), [[0, 0, 1, 1]], "value > 0.5", 0.5
    ),
    "float outside [0, 1] above the midpoint": (
        np.array([[0.2, 1.0, 3.0]]), [[0, 0, 1]], "midpoint of the range", 1.6
    ),
    "negative floats above the midpoint": (
        np.array([[-1.0, -0.1, 0.1, 1.0]]), [[0, 0, 1, 1]], "midpoint", 0.0
    ),
    "8-bit id map with few values nonzero": (
        np.array([[0, 3, 7, 9]], np.uint8), [[0, 1, 1, 1]], "nonzero is foreground (id map)", None
    ),
    "16-bit ids past 255 never wrap": (
        np.array([[0, 256, 512, 300]], np.uint16), [[0, 1, 1, 1]], "id map", None
    ),
}


@pytest.mark.parametrize("case", RULES, ids=list(RULES))
def test_binarize_applies_the_documented_rule(case):
    raw, expected, rule, threshold = RULES[case]
    mask, said, used, _, _ = binarize(raw)
    assert mask.astype(int).tolist() == expected
    assert rule in said
    assert used == pytest.approx(threshold) if threshold is not None else used is None


def test_soft_8_bit_maps_are_cut_at_the_middle_of_the_8_bit_range():
    mask, rule, used, _, n_values = binarize(GRADIENT)
    assert n_values == 256 > SOFT_MIN_VALUES
    assert used == 127.5 and "soft 8-bit" in rule
    assert np.array_equal(mask, GRADIENT > 127)


def test_8_bit_maps_with_few_values_are_id_maps_not_soft_maps():
    few = (np.arange(SOFT_MIN_VALUES, dtype=np.uint8) * 3).reshape(8, -1)  # 64 values, 0–189
    mask, rule, *_ = binarize(few)
    assert "id map" in rule
    assert np.array_equal(mask, few != 0)


def test_an_explicit_threshold_overrides_every_rule():
    for raw in (GRADIENT, GRADIENT.astype(np.float32) / 255, GRADIENT > 100):
        mask, rule, used, *_ = binarize(raw, threshold=0.5)
        assert np.array_equal(mask, raw > 0.5)
        assert used == 0.5 and "threshold given" in rule


def test_a_float32_value_just_above_the_threshold_is_not_rounded_onto_it():
    # float32(0.3) is 0.30000001192…: above 0.3, though float32(0.3) == 0.3 in float32.
    raw = np.array([[np.float32(0.3), 0.1]], np.float32)
    mask, *_ = binarize(raw, threshold=0.3)
    assert mask.tolist() == [[True, False]]


def test_lossy_pixels_are_cut_at_otsus_threshold():
    rng = np.random.default_rng(0)
    truth = rng.random((40, 50)) < 0.4
    noisy = np.where(truth, 255, 0) + rng.integers(-20, 21, truth.shape)
    raw = noisy.clip(0, 255).astype(np.uint8)
    mask, rule, used, *_ = binarize(raw, lossy=True)
    assert "Otsu" in rule and used == otsu_threshold(raw)
    assert np.array_equal(mask, truth)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_infinite_values_are_a_mask_error(bad):
    with pytest.raises(MaskError, match="NaN or infinite"):
        binarize(np.array([[0.0, bad, 1.0]]))


# ---------------------------------------------------------------- Otsu


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.uint8,
        st.tuples(st.integers(1, 30), st.integers(2, 30)),
        elements=st.integers(0, 255),
    ).filter(lambda a: a.min() != a.max())
)
def test_otsu_threshold_agrees_with_scikit_image(raw):
    assert otsu_threshold(raw) == threshold_otsu(raw)


@pytest.mark.parametrize("scale", [1, 2, 255])
def test_otsu_separates_two_clusters_at_any_scale(scale):
    # Lossy 0/1 masks decode as {0, 1, 2}: Otsu must find the cut whatever the scale.
    rng = np.random.default_rng(scale)
    truth = rng.random((30, 30)) < 0.5
    raw = (truth * scale + rng.integers(0, 2, truth.shape) * (truth if scale == 1 else 0))
    raw = raw.astype(np.uint8)
    assert np.array_equal(raw > otsu_threshold(raw), truth)


def test_otsu_of_a_constant_image_is_its_value():
    assert otsu_threshold(np.full((3, 3), 7, np.uint8)) == 7.0


# ---------------------------------------------------------------- interpret


def test_interpret_bool_keeps_the_mask_and_counts_its_foreground():
    raw = np.array([[True, False], [True, True]])
    mask = interpret(raw)
    assert isinstance(mask, Mask) and mask.array.dtype == bool
    assert np.array_equal(mask.array, raw)
    assert mask.info.kind == "binary" and mask.info.foreground == 3
    assert mask.info.shape == (2, 2) and mask.info.dtype == "bool"


def test_interpret_bool_whose_true_bytes_are_not_1_counts_like_numpy():
    # Pillow's mode "1" stores True as 255; sums and bitwise ops would see 255.
    raw = np.frombuffer(bytes([255, 0, 2, 1]), bool).reshape(2, 2)
    mask = interpret(raw)
    assert mask.array.view(np.uint8).max() == 1
    assert mask.info.foreground == 3 == int(mask.array.sum())


def test_interpret_uint8_0_255_is_nonzero_foreground():
    mask = interpret(np.array([[0, 255], [255, 0]], np.uint8))
    assert mask.array.tolist() == [[False, True], [True, False]]
    assert mask.info.values == (0, 255) and mask.info.n_values == 2


def test_interpret_float_probabilities_above_one_half():
    mask = interpret(np.array([[0.1, 0.7], [0.5, 0.9]], np.float32))
    assert mask.array.tolist() == [[False, True], [False, True]]
    assert mask.info.threshold == 0.5


def test_interpret_an_id_map_in_binary_mode_says_every_id_is_foreground():
    mask = interpret(np.array([[0, 1, 2], [3, 0, 0]], np.uint8))
    assert mask.info.foreground == 3
    assert any("label mode" in note for note in mask.info.notes)


def test_interpret_labels_counts_classes_and_void_separately():
    mask = interpret(np.array([[0, 1, 255], [2, 2, 0]], np.uint8), kind="labels")
    assert mask.array.dtype == np.int32
    assert mask.info.classes == (0, 1, 2)
    assert (mask.info.void, mask.info.void_pixels, mask.info.foreground) == (255, 1, 3)
    assert "255 is void" in mask.info.rule


def test_interpret_labels_without_void_keeps_255_as_a_class():
    mask = interpret(np.array([[0, 255]], np.uint8), kind="labels", void=None)
    assert mask.info.classes == (0, 255) and mask.info.void_pixels == 0


def test_interpret_labels_from_whole_number_floats():
    mask = interpret(np.array([[0.0, 2.0], [5.0, 2.0]]), kind="labels")
    assert mask.array.tolist() == [[0, 2], [5, 2]]
    assert mask.info.classes == (0, 2, 5)


def test_interpret_colour_in_binary_mode_is_non_black_foreground():
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgb[1, 2] = (0, 0, 1)  # nearly black is still a colour
    mask = interpret(rgb)
    assert mask.array.tolist() == [[True, False, False], [False, False, True]]
    assert mask.info.rule == "non-black colour is foreground"


def test_interpret_colour_labels_are_one_class_per_colour_with_its_hex():
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    rgb[1, 2] = (0, 128, 0)
    rgb[1, 1] = (0, 0, 255)  # pure blue packs to 255 yet is no void
    mask = interpret(rgb, kind="labels")
    assert mask.array.tolist() == [[0xFF0000, 0, 0], [0, 0x0000FF, 0x008000]]
    assert mask.info.void is None and mask.info.void_pixels == 0
    assert dict(mask.info.class_colors) == {
        0: "#000000", 0x0000FF: "#0000ff", 0x008000: "#008000", 0xFF0000: "#ff0000"
    }


def test_interpret_grey_stored_as_colour_is_grey():
    grey = np.array([[0, 200], [200, 0]], np.uint8)
    mask = interpret(np.dstack([grey] * 3))
    assert mask.array.tolist() == [[False, True], [True, False]]
    assert "grey stored as colour" in mask.info.rule


def test_interpret_a_mask_kept_only_in_the_alpha_channel():
    alpha = np.array([[0, 255], [255, 0]], np.uint8)
    rgba = np.dstack([np.full((2, 2, 3), 40, np.uint8), alpha])
    mask = interpret(rgba)
    assert mask.array.tolist() == [[False, True], [True, False]]
    assert "alpha" in mask.info.rule


def test_interpret_drops_singleton_axes_with_a_note():
    raw = np.zeros((1, 3, 4, 1), np.uint8)
    raw[0, 1, 2, 0] = 1
    mask = interpret(raw)
    assert mask.shape == (3, 4) and mask.info.foreground == 1
    assert any("singleton axes dropped" in note for note in mask.info.notes)


INTERPRET_ERRORS = [
    # (raw, options, fragment of the message)
    (np.zeros(5), {}, "needs two dimensions"),
    (np.zeros((2, 3, 4, 5)), {}, "more dimensions than a 2-D mask"),
    (np.zeros((3, 3, 5)), {}, "more dimensions than a 2-D mask"),
    (np.zeros((0, 3)), {}, "no pixels"),
    (np.array([["a", "b"]]), {}, "not numeric"),
    (np.array([[np.nan, 1.0]]), {}, "NaN or infinite"),
    (np.zeros((10, 10)), {"max_pixels": 99}, "10×10 pixels"),
    (np.array([[-1, 2]]), {"kind": "labels"}, "negative values (smallest -1)"),
    (np.array([[0.5, 2.0]]), {"kind": "labels"}, "fractional values"),
    (np.array([[np.inf, 2.0]]), {"kind": "labels"}, "NaN or infinite"),
    (np.array([[0, 2**31]], np.int64), {"kind": "labels"}, "beyond the supported"),
    (
        np.arange(MAX_CLASSES + 2).reshape(1, -1),
        {"kind": "labels", "void": None},
        f"{MAX_CLASSES + 2} classes, more than the {MAX_CLASSES}",
    ),
]


@pytest.mark.parametrize(("raw", "options", "fragment"), INTERPRET_ERRORS)
def test_unusable_arrays_are_one_mask_error_naming_the_problem(raw, options, fragment):
    with pytest.raises(MaskError) as info:
        interpret(raw, **options)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_a_bad_kind_is_a_programming_error_not_a_mask_error():
    with pytest.raises(ValueError, match="kind") as info:
        interpret(np.zeros((2, 2)), kind="grey")  # type: ignore[arg-type]
    assert not isinstance(info.value, MaskError)


# ---------------------------------------------------------------- values and histograms


# Small ranges take the histogram path, int32 values 2²² apart the sorting one.
VALUE_RANGES = {np.uint8: (0, 255), np.int16: (-300, 300), np.uint16: (0, 700),
                np.int32: (-(2**22), 2**22), np.float64: (-3, 3)}  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(list(VALUE_RANGES)).flatmap(
        lambda dtype: hnp.arrays(
            dtype,
            st.tuples(st.integers(1, 12), st.integers(1, 12)),
            elements=st.integers(*VALUE_RANGES[dtype]),
        )
    )
)
def test_distinct_values_are_numpys_unique(raw):
    values, n_values = distinct_values(raw)
    expected = np.unique(raw)
    assert n_values == len(expected)
    assert np.array_equal(values, expected)


def test_histogram_is_bincount_from_the_lowest_value():
    raw = np.array([[-2, 5, 5], [0, -2, 5]], np.int8)
    assert histogram(raw, -2, 8).tolist() == np.bincount((raw + 2).ravel(), minlength=8).tolist()
    assert histogram(np.array([[70000, 70002]], np.uint64), 70000, 3).tolist() == [1, 0, 1]


# ---------------------------------------------------------------- resize


def _tie_free(n_out: int, n_in: int) -> np.ndarray:
    """Output positions whose pixel centre does not fall exactly on a source-pixel edge."""
    return ((2 * np.arange(n_out) + 1) * n_in) % (2 * n_out) != 0


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(np.uint8, st.tuples(st.integers(1, 20), st.integers(1, 20))),
    st.tuples(st.integers(1, 50), st.integers(1, 50)),
)
def test_resize_nearest_agrees_with_pillow_away_from_exact_ties(src, shape):
    # At an exact tie (a centre on the edge between two source pixels) both are
    # nearest; Pillow's choice there follows its floating-point rounding.
    ours = resize_nearest(src, shape)
    pillow = np.asarray(Image.fromarray(src).resize(shape[::-1], Image.Resampling.NEAREST))
    rows, cols = _tie_free(shape[0], src.shape[0]), _tie_free(shape[1], src.shape[1])
    assert ours.shape == shape
    assert np.array_equal(ours[np.ix_(rows, cols)], pillow[np.ix_(rows, cols)])


def test_resize_nearest_by_a_whole_factor_repeats_every_pixel():
    labels = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
    assert np.array_equal(resize_nearest(labels, (6, 6)), np.kron(labels, np.ones((3, 2), int)))
    assert np.array_equal(resize_nearest(np.kron(labels, np.ones((3, 2), int)), (2, 3)), labels)


def test_resize_nearest_never_blends_labels():
    labels = np.random.default_rng(0).choice([0, 7, 255], size=(13, 17))
    out = resize_nearest(labels, (29, 5))
    assert set(np.unique(out)) <= {0, 7, 255}


def test_resize_to_the_same_shape_changes_nothing():
    raw = np.random.default_rng(1).random((5, 7)) > 0.5
    assert np.array_equal(resize_nearest(raw, raw.shape), raw)


def test_resized_mask_notes_the_resize_and_recounts_foreground_and_void():
    mask = interpret(np.array([[1, 255], [0, 2]], np.uint8), kind="labels")
    bigger = resized_mask(mask, (4, 6))
    assert bigger.shape == bigger.array.shape == (4, 6)
    assert bigger.info.foreground == 12 and bigger.info.void_pixels == 6
    assert bigger.info.notes[-1] == "resized by nearest neighbour from 2×2 to 6×4"
    assert resized_mask(mask, (2, 2)) is mask


# ---------------------------------------------------------------- shapes


SHAPE_CHECKS = [
    # (reference shape, candidate shape, fragments of the message)
    ((480, 640), (512, 512), ["640×480 (reference) vs 512×512 (candidate)", "resize=True"]),
    ((480, 640), (640, 480), ["640×480 (reference) vs 480×640 (candidate)", "transposed"]),
    ((1, 9), (9, 1), ["9×1 (reference) vs 1×9 (candidate)", "transposed"]),
    ((3, 4, 3), (3, 5), ["4×3 (reference) vs 5×3 (candidate)"]),
]


@pytest.mark.parametrize(("reference", "candidate", "fragments"), SHAPE_CHECKS)
def test_check_same_shape_names_both_sizes_as_columns_by_rows(reference, candidate, fragments):
    with pytest.raises(SizeMismatch) as info:
        check_same_shape(np.zeros(reference), np.zeros(candidate))
    message = str(info.value)
    assert isinstance(info.value, MaskError)
    for fragment in fragments:
        assert fragment in message
    assert ("resize" in message) != info.value.transposed  # no resize for an axis mistake


def test_check_same_shape_compares_rows_and_columns_only():
    assert check_same_shape(np.zeros((3, 4, 3)), np.zeros((3, 4))) is None


def test_size_text_is_columns_by_rows():
    assert size_text((480, 640)) == "640×480"
    assert size_text((1, 9, 3)) == "9×1"
