"""maskapp.drawing: canvas strokes and Plotly selections become masks.

Polygon fills are checked against an independent point-in-polygon test of the
pixel centres (x = column, y = row); canvas scaling against nearest neighbour.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from helpers import grid
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from scipy.spatial import ConvexHull, QhullError

from maskapp import drawing
from maskapp.drawing import (
    ERASE,
    PAINT,
    canvas_size,
    canvas_to_mask,
    polygons_to_mask,
    selection_polygons,
)
from maskapp.masks import resize_nearest


def canvas(shape: tuple[int, int], strokes: dict[tuple[int, int], tuple[int, ...]]) -> np.ndarray:
    """A transparent RGBA canvas with the given pixels set to (r, g, b, alpha)."""
    out = np.zeros((*shape, 4), np.uint8)
    for (row, col), rgba in strokes.items():
        out[row, col] = rgba
    return out


# ---------------------------------------------------------------- canvas_to_mask


def test_paint_strokes_add_to_an_empty_mask():
    drawn = canvas((3, 4), {(0, 1): (*PAINT, 255), (2, 3): (*PAINT, 255)})
    assert canvas_to_mask(drawn, (3, 4)).astype(int).tolist() == [
        [0, 1, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 1],
    ]


def test_erase_strokes_remove_from_the_base_and_the_base_is_not_modified():
    base = np.ones((2, 3), bool)
    drawn = canvas((2, 3), {(1, 1): (*ERASE, 255), (0, 2): (*PAINT, 255)})
    out = canvas_to_mask(drawn, (2, 3), base=base)
    assert out.astype(int).tolist() == [[1, 1, 1], [1, 0, 1]]
    assert base.all()


@pytest.mark.parametrize(
    ("rgba", "paints", "erases"),
    [
        pytest.param((*PAINT, 255), True, False, id="paint"),
        pytest.param((*ERASE, 255), False, True, id="erase"),
        pytest.param((230, 30, 220, 200), True, False, id="anti-aliased paint edge"),
        pytest.param((40, 210, 230, 160), False, True, id="anti-aliased erase edge"),
        pytest.param((*PAINT, 128), True, False, id="half opaque is drawn"),
        pytest.param((*PAINT, 127), False, False, id="less than half opaque is not"),
        pytest.param((*ERASE, 0), False, False, id="transparent"),
    ],
)
def test_each_drawn_pixel_paints_or_erases_by_its_nearer_colour(rgba, paints, erases):
    drawn = canvas((1, 1), {(0, 0): rgba})
    assert canvas_to_mask(drawn, (1, 1))[0, 0] == paints
    assert canvas_to_mask(drawn, (1, 1), base=np.ones((1, 1), bool))[0, 0] == (not erases)


@settings(max_examples=40, deadline=None)
@given(
    st.tuples(st.integers(1, 12), st.integers(1, 12)),
    st.tuples(st.integers(1, 40), st.integers(1, 40)),
    st.randoms(use_true_random=False),
)
def test_the_canvas_is_scaled_to_the_mask_by_nearest_neighbour(canvas_shape, shape, rng):
    paint = np.array([[rng.random() < 0.4 for _ in range(canvas_shape[1])]
                      for _ in range(canvas_shape[0])])  # fmt: skip
    drawn = np.zeros((*canvas_shape, 4), np.uint8)
    drawn[paint] = (*PAINT, 255)
    out = canvas_to_mask(drawn, shape)
    assert out.shape == shape
    assert np.array_equal(out, resize_nearest(paint, shape))


def test_a_canvas_twice_the_mask_size_halves_exactly():
    drawn = canvas((4, 4), {(r, c): (*PAINT, 255) for r in range(2) for c in range(2, 4)})
    assert canvas_to_mask(drawn, (2, 2)).astype(int).tolist() == [[0, 1], [0, 0]]


@pytest.mark.parametrize(
    ("rgba", "shape", "base", "fragment"),
    [
        (np.zeros((2, 2, 3), np.uint8), (2, 2), None, "RGBA"),
        (np.zeros((2, 2), np.uint8), (2, 2), None, "RGBA"),
        (np.zeros((2, 2, 4), np.uint8), (2, 2), np.zeros((3, 2), bool), "base"),
    ],
)
def test_canvas_programming_errors_are_value_errors(rgba, shape, base, fragment):
    with pytest.raises(ValueError, match=fragment):
        canvas_to_mask(rgba, shape, base=base)


# ---------------------------------------------------------------- polygons_to_mask


def centres_in_convex_polygon(vertices: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Pixels whose centre (x = column, y = row) lies inside or on a convex polygon."""
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    x, y = cols.astype(float), rows.astype(float)
    sides = []
    for (x0, y0), (x1, y1) in zip(vertices, np.roll(vertices, -1, axis=0), strict=True):
        sides.append((x1 - x0) * (y - y0) - (y1 - y0) * (x - x0))
    sides = np.array(sides)
    return (sides >= 0).all(axis=0) | (sides <= 0).all(axis=0)


def distance_to_outline(points: np.ndarray, vertices: np.ndarray) -> np.ndarray:
    """Euclidean distance of each (x, y) point to the polygon's edges."""
    out = np.full(len(points), np.inf)
    for a, b in zip(vertices, np.roll(vertices, -1, axis=0), strict=True):
        ab = b - a
        t = np.clip(((points - a) @ ab) / (ab @ ab), 0, 1) if (ab @ ab) else np.zeros(len(points))
        out = np.minimum(out, np.linalg.norm(points - (a + t[:, None] * ab), axis=1))
    return out


SHAPE = (20, 30)


@st.composite
def whole_pixel_convex_polygons(draw):
    """Convex hulls of whole-pixel points (some outside the image)."""
    xs = draw(st.lists(st.integers(-3, SHAPE[1] + 3), min_size=3, max_size=8))
    ys = draw(st.lists(st.integers(-3, SHAPE[0] + 3), min_size=len(xs), max_size=len(xs)))
    points = np.column_stack([xs, ys]).astype(float)
    try:
        return points[ConvexHull(points).vertices]
    except QhullError:  # collinear or repeated points: no area
        assume(False)


@settings(max_examples=80, deadline=None)
@given(whole_pixel_convex_polygons())
@example(np.array([[5.0, 1.0], [0.0, 0.0], [1.0, 0.0]]))  # a sliver
def test_a_polygon_fills_exactly_the_pixel_centres_inside_it_or_on_its_outline(vertices):
    filled = polygons_to_mask([vertices.tolist()], SHAPE)
    inside = centres_in_convex_polygon(vertices, SHAPE)
    assert not (inside & ~filled).any(), "a pixel whose centre is inside was left out"
    assert not (filled & ~inside).any(), "a pixel whose centre is outside was filled"


def centres_inside_even_odd(vertices: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Pixels whose centre a ray crosses the outline an odd number of times from (pnpoly)."""
    rows, cols = np.mgrid[: shape[0], : shape[1]]
    x, y = cols.astype(float), rows.astype(float)
    inside = np.zeros(shape, bool)
    for (x0, y0), (x1, y1) in zip(vertices, np.roll(vertices, -1, axis=0), strict=True):
        if y0 == y1:
            continue
        crosses = (y0 > y) != (y1 > y)
        inside ^= crosses & (x < x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    return inside


@st.composite
def fractional_lassos(draw):
    """Lassos of 3–12 vertices in quarter pixels (exact in binary), possibly self-crossing."""
    n = draw(st.integers(3, 12))
    xs = draw(st.lists(st.integers(-12, 4 * SHAPE[1] + 12), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(-12, 4 * SHAPE[0] + 12), min_size=n, max_size=n))
    return np.column_stack([xs, ys]) / 4.0


@settings(max_examples=40, deadline=None)
@given(fractional_lassos())
def test_a_lasso_fills_the_pixel_centres_inside_it_by_the_even_odd_rule(vertices):
    filled = polygons_to_mask([vertices.tolist()], SHAPE)
    centres = np.argwhere(np.ones(SHAPE, bool))[:, ::-1].astype(float)  # (x, y)
    off_outline = (distance_to_outline(centres, vertices) > 1e-9).reshape(SHAPE)
    inside = centres_inside_even_odd(vertices, SHAPE)
    assert np.array_equal(filled & off_outline, inside & off_outline)
    assert filled[~off_outline].all(), "a pixel centre on the outline was left out"


@settings(max_examples=30, deadline=None)
@given(fractional_lassos())
def test_a_lasso_mirrored_in_the_image_fills_the_mirrored_pixels(vertices):
    mirrored = np.array([SHAPE[1] - 1, SHAPE[0] - 1]) - vertices
    filled = polygons_to_mask([vertices.tolist()], SHAPE)
    assert np.array_equal(polygons_to_mask([mirrored.tolist()], SHAPE), filled[::-1, ::-1])


def test_the_square_of_the_docstring_fills_its_four_pixel_centres():
    square = [(1, 1), (2, 1), (2, 2), (1, 2)]
    assert np.array_equal(polygons_to_mask([square], (4, 4)), grid((4, 4), (1, 1, 3, 3)))


def test_two_points_fill_their_rectangle_and_one_point_its_pixel():
    out = polygons_to_mask([[(4, 1), (2, 3)], [(0, 0)]], (5, 6))
    assert np.array_equal(out, grid((5, 6), (1, 2, 4, 5), (0, 0, 1, 1)))


def test_erase_clears_the_polygon_from_the_base_and_leaves_the_base_alone():
    base = np.ones((4, 4), bool)
    out = polygons_to_mask([[(1, 1), (2, 1), (2, 2), (1, 2)]], (4, 4), base=base, erase=True)
    assert np.array_equal(out, ~grid((4, 4), (1, 1, 3, 3)))
    assert base.all()


def test_no_polygons_return_the_base_or_an_empty_mask():
    base = grid((3, 3), (0, 0, 2, 2))
    assert np.array_equal(polygons_to_mask([], (3, 3), base=base), base)
    assert not polygons_to_mask([], (3, 3)).any()


def test_polygons_outside_the_image_are_clipped():
    out = polygons_to_mask([[(-5, -5), (1, -5), (1, 1), (-5, 1)]], (3, 3))
    assert np.array_equal(out, grid((3, 3), (0, 0, 2, 2)))


@pytest.mark.parametrize("box", [(1.3, 3.7, 0.6, 2.4), (0.8, 4.2, 1.6, 2.4)])
def test_a_selection_mirrored_in_the_image_fills_the_mirrored_pixels(box):
    shape = (5, 6)  # column c mirrors to 5 - c, row r to 4 - r
    x0, x1, y0, y1 = box
    mirrored = (5 - x1, 5 - x0, 4 - y1, 4 - y0)

    def fill(x0, x1, y0, y1):
        event = {"selection": {"box": [{"x": [x0, x1], "y": [y0, y1]}]}}
        return polygons_to_mask(selection_polygons(event), shape)

    assert np.array_equal(fill(*mirrored), fill(*box)[::-1, ::-1])


@settings(max_examples=20, deadline=None)
@given(fractional_lassos())
def test_the_fill_is_the_same_span_by_span_by_steps_and_in_bands_of_one_row(vertices):
    polygon = [vertices.tolist()]
    expected = polygons_to_mask(polygon, SHAPE)
    for constants in (
        {"_PIXELS_PER_SPAN_SLICE": 0},  # every span sliced
        {"_PIXELS_PER_SPAN_SLICE": 10**9},  # every row summed from steps
        {"_CROSSINGS_PER_BAND": 1, "_PIXELS_PER_BAND": 1},  # a band per row
    ):
        with mock.patch.multiple(drawing, **constants):
            assert np.array_equal(polygons_to_mask(polygon, SHAPE), expected), constants


def test_a_fractional_box_selection_fills_the_pixels_whose_centres_it_covers():
    # Plotly's pixel c spans x ∈ [c - 0.5, c + 0.5]: x ∈ [1.3, 3.7] covers the centres 2 and 3.
    event = {"selection": {"box": [{"x": [1.3, 3.7], "y": [0.6, 2.4]}]}}
    out = polygons_to_mask(selection_polygons(event), (5, 6))
    assert np.array_equal(out, grid((5, 6), (1, 2, 3, 4)))


def test_a_polygon_is_filled_on_its_bounding_box_only():
    # A small selection on a large mask touches only the pixels near it.
    base = grid((4000, 5000), (0, 0, 1, 1))
    out = polygons_to_mask([[(4990.2, 3990.2), (4999.9, 3990.2), (4999.9, 3999.9)]], base.shape,
                           base=base)  # fmt: skip
    assert out[0, 0] and out[3999, 4999] and out[3991, 4991] and not out[3999, 4991]
    # The base pixel and the 45 centres (c, r) of 4991–4999 × 3991–3999 with c - r ≥ 1000.
    assert out.sum() == 1 + 45


# ---------------------------------------------------------------- selection_polygons


SELECTIONS = {
    "no event": (None, []),
    "empty event": ({}, []),
    "no selection": ({"selection": None}, []),
    "box": (
        {"selection": {"box": [{"x": [1, 3], "y": [2, 4]}], "lasso": []}},
        [[(1.0, 2.0), (3.0, 2.0), (3.0, 4.0), (1.0, 4.0)]],
    ),
    "box dragged up and left": (
        {"selection": {"box": [{"x": [3, 1], "y": [4, 2]}]}},
        [[(1.0, 2.0), (3.0, 2.0), (3.0, 4.0), (1.0, 4.0)]],
    ),
    "box without its y range": ({"selection": {"box": [{"x": [1, 3]}]}}, []),
    "lasso": (
        {"selection": {"lasso": [{"x": [0, 4, 2], "y": [0, 0, 3]}]}},
        [[(0.0, 0.0), (4.0, 0.0), (2.0, 3.0)]],
    ),
    "lasso of two points": ({"selection": {"lasso": [{"x": [0, 4], "y": [0, 0]}]}}, []),
    "boxes first, then lassos": (
        {
            "selection": {
                "lasso": [{"x": [0, 1, 1], "y": [0, 0, 1]}],
                "box": [{"x": [5, 6], "y": [5, 6]}],
            }
        },
        [[(5.0, 5.0), (6.0, 5.0), (6.0, 6.0), (5.0, 6.0)], [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]],
    ),
}


@pytest.mark.parametrize("case", SELECTIONS, ids=list(SELECTIONS))
def test_selection_polygons_reads_boxes_and_lassos(case):
    event, expected = SELECTIONS[case]
    assert selection_polygons(event) == expected


def test_a_whole_pixel_box_selection_fills_its_rows_and_columns_inclusive():
    event = {"selection": {"box": [{"x": [2, 5], "y": [1, 3]}]}}
    out = polygons_to_mask(selection_polygons(event), (6, 8))
    assert np.array_equal(out, grid((6, 8), (1, 2, 4, 6)))


# ---------------------------------------------------------------- canvas_size


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(st.integers(1, 9000), st.integers(1, 9000)),
    st.integers(50, 1000),
    st.integers(50, 1000),
)
def test_the_canvas_fits_the_box_and_keeps_the_masks_aspect(shape, max_width, max_height):
    rows, cols = shape
    width, height = canvas_size(shape, max_width=max_width, max_height=max_height)
    assert 1 <= width <= max_width and 1 <= height <= max_height
    assert width == max_width or height == max_height  # as large as fits
    # Rounding moves each side by at most half a pixel.
    scale = min(max_width / cols, max_height / rows)
    assert abs(width - cols * scale) <= 0.5 + 1e-9 or width == 1
    assert abs(height - rows * scale) <= 0.5 + 1e-9 or height == 1


def test_canvas_size_of_the_default_box():
    assert canvas_size((480, 640)) == (640, 480)
    assert canvas_size((1000, 500)) == (280, 560)
    assert canvas_size((1, 10_000)) == (640, 1)
