"""Plotly figures: light JSON at any size, pixel-exact placement, plain-text labels; assets."""

import ast
import base64
import hashlib
import io
import json
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from maskapp import MaskError, confusion_map
from maskapp.figures import (
    PALETTE,
    STATE_NAMES,
    class_overlay_figure,
    confusion_matrix_figure,
    display_step,
    downsample_max,
    error_distance_figure,
    overlay_figure,
    overlay_png,
    side_by_side_figure,
    with_overlay_opacity,
)
from maskapp.overlap import FN, FP, TN, TP

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
ONE_MB = 1_000_000


def rgb(name: str) -> tuple[int, int, int]:
    h = PALETTE[name].lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def json_size(fig: go.Figure) -> int:
    text = fig.to_json()
    json.loads(text)  # valid JSON
    return len(text.encode("utf-8"))


def images(fig: go.Figure) -> list[go.Image]:
    return [t for t in fig.data if t.type == "image"]


def overlay_trace(fig: go.Figure) -> go.Image:
    return next(t for t in images(fig) if t.name == "overlay")


def decode(trace: go.Image) -> np.ndarray:
    """RGBA pixels of an image trace's data URI."""
    header, payload = trace.source.split(",", 1)
    assert header.startswith("data:image/")
    with Image.open(io.BytesIO(base64.b64decode(payload))) as im:
        return np.asarray(im.convert("RGBA"))


def has_colour(pixels: np.ndarray, name: str) -> np.ndarray:
    """Where the RGBA pixels show the state's colour (opaque or translucent)."""
    return np.all(pixels[..., :3] == rgb(name), axis=-1) & (pixels[..., 3] > 0)


def legend_names(fig: go.Figure) -> list[str]:
    return [t.name for t in fig.data if t.type == "scatter" and t.showlegend]


def blocky_pair(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random blocky masks of n × n (fast at 8192²) that disagree in places."""
    rng = np.random.default_rng(seed)
    cell = n // 64
    small_a = rng.random((64, 64)) > 0.6
    small_b = small_a ^ (rng.random((64, 64)) > 0.85)
    a = small_a.repeat(cell, 0).repeat(cell, 1)
    b = small_b.repeat(cell, 0).repeat(cell, 1)
    return a, b


# ----------------------------------------------------------------------------
# Downsampling
# ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "max_side", "step"),
    [
        ((512, 512), 1024, 1),
        ((1024, 1024), 1024, 1),
        ((1025, 10), 1024, 2),
        ((4096, 4096), 1024, 4),
        ((8192, 8192), 1024, 8),
        ((300, 2050), 1024, 3),
        ((10, 10), 3, 4),
    ],
)
def test_display_step_fits_max_side(shape, max_side, step):
    assert display_step(shape, max_side) == step
    assert -(-max(shape) // step) <= max_side


@pytest.mark.parametrize("shape", [(7, 9), (8, 8), (1, 13), (13, 1)])
@pytest.mark.parametrize("step", [1, 2, 3, 5])
def test_downsample_max_equals_padded_block_maximum(shape, step):
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 4, shape, dtype=np.uint8)
    out = downsample_max(codes, step)
    rows, cols = -(-shape[0] // step), -(-shape[1] // step)
    padded = np.zeros((rows * step, cols * step), np.uint8)
    padded[: shape[0], : shape[1]] = codes
    expected = padded.reshape(rows, step, cols, step).max(axis=(1, 3))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, expected)


def test_downsample_max_ignores_nan():
    values = np.array([[np.nan, 1.0], [np.nan, np.nan]])
    assert downsample_max(values, 2).tolist() == [[1.0]]


def test_downsample_max_keeps_a_one_pixel_line():
    codes = np.zeros((4096, 4096), np.uint8)
    codes[1234, :] = FP
    out = downsample_max(codes, 4)
    assert np.all(out[1234 // 4] == FP)
    assert np.count_nonzero(out) == 1024


# ----------------------------------------------------------------------------
# Size and thin structures at 4096² and 8192²
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [4096, pytest.param(8192, marks=pytest.mark.slow)])
def test_overlay_json_under_1mb_and_thin_lines_survive(n):
    reference, candidate = blocky_pair(n)
    line_row, line_col = n // 3 + 1, n // 5 + 2
    candidate[line_row, :] = True  # 1-pixel horizontal FP line
    candidate[:, line_col] = True  # and a vertical one
    reference[line_row, :] = False
    reference[:, line_col] = False
    confusion = confusion_map(reference, candidate)
    fig = overlay_figure(confusion)
    assert json_size(fig) <= ONE_MB
    trace = overlay_trace(fig)
    step = trace.dx
    assert step == n // 1024
    pixels = decode(trace)
    assert pixels.shape[:2] == (1024, 1024)
    # Every block on the lines shows an error: FP, or FN where the block
    # also holds a missed pixel (FN outranks FP in the block maximum).
    expected = downsample_max(confusion, step)
    for line in (np.s_[line_row // step, :], np.s_[:, line_col // step]):
        assert set(np.unique(expected[line]).tolist()) <= {FP, FN}
        np.testing.assert_array_equal(has_colour(pixels[line], "FP"), expected[line] == FP)
        np.testing.assert_array_equal(has_colour(pixels[line], "FN"), expected[line] == FN)
    assert np.count_nonzero(expected[line_row // step] == FP) > 100


@pytest.mark.slow
def test_overlay_with_background_json_under_1mb_at_8192():
    n = 8192
    reference, candidate = blocky_pair(n, seed=3)
    background = (np.arange(n, dtype=np.uint16)[None, :] // 7 % 256).astype(np.uint8)
    background = np.broadcast_to(background, (n, n))
    fig = overlay_figure(confusion_map(reference, candidate), background=background)
    assert json_size(fig) <= ONE_MB
    assert [t.name for t in images(fig)] == ["background", "overlay"]


def _figure_arrays(fig: go.Figure) -> list[np.ndarray]:
    arrays = []
    for trace in fig.data:
        for name in trace._props:
            value = trace._props[name]
            if isinstance(value, np.ndarray):
                arrays.append(value)
    return arrays


@pytest.mark.slow
def test_serialising_a_figure_as_streamlit_does_keeps_no_memory():
    # st.plotly_chart serialises with plotly.io.to_json, which uses orjson when
    # it is installed. orjson 3.8.x kept a reference to every numpy object
    # array (the hover text) on each call: ~7 MB of server memory per visit.
    import gc
    import tracemalloc

    import plotly.io as pio

    rng = np.random.default_rng(1)
    labels_a = rng.integers(0, 4, (300, 380)).astype(np.uint8)
    labels_b = rng.integers(0, 4, (300, 380)).astype(np.uint8)
    codes = confusion_map(labels_a > 1, labels_b > 1)
    figures = [
        overlay_figure(codes),
        overlay_figure(codes, reference_labels=labels_a, candidate_labels=labels_b, void=3),
        class_overlay_figure(labels_a, labels_b, label=1, void=3),
        side_by_side_figure(labels_a > 1, labels_b > 1, codes),
    ]
    for fig in figures:
        # Plotly stores the hover text as an object array, which orjson
        # cannot serialise natively: the case that leaked.
        assert any(a.dtype.kind == "O" for a in _figure_arrays(fig))
        pio.to_json(fig, validate=False)  # warm any one-time caches
        gc.collect()
        tracemalloc.start()
        try:
            start = tracemalloc.get_traced_memory()[0]
            for _ in range(5):
                pio.to_json(fig, validate=False)
            gc.collect()
            kept = tracemalloc.get_traced_memory()[0] - start
        finally:
            tracemalloc.stop()
        assert kept < 50_000, f"{kept} bytes kept by 5 serialisations"


@pytest.mark.slow
def test_noise_worst_case_stays_under_1mb():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, (4096, 4096), dtype=np.uint8)
    background = rng.integers(0, 256, (4096, 4096, 3), dtype=np.uint8)
    labels = rng.integers(0, 6, (4096, 4096), dtype=np.int32)
    fig = overlay_figure(
        codes, background=background, reference_labels=labels, candidate_labels=labels
    )
    assert json_size(fig) <= ONE_MB
    fig = side_by_side_figure(codes > 1, codes % 2 == 1, codes, background=background)
    assert json_size(fig) <= ONE_MB


# ----------------------------------------------------------------------------
# Placement, hover, legend
# ----------------------------------------------------------------------------


def test_image_is_placed_in_full_resolution_pixel_coordinates():
    codes = np.zeros((4096, 2048), np.uint8)
    fig = overlay_figure(codes)
    trace = overlay_trace(fig)
    assert (trace.dx, trace.dy) == (4, 4)
    assert (trace.x0, trace.y0) == (1.5, 1.5)  # centre of the first 4 × 4 block
    assert tuple(fig.layout.xaxis.range) == (-0.5, 2047.5)
    assert tuple(fig.layout.yaxis.range) == (4095.5, -0.5)  # row 0 at the top
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.yaxis.scaleratio == 1


def test_small_masks_are_shown_pixel_for_pixel():
    codes = np.array([[TN, TP, FP], [FN, TN, TP]], np.uint8)
    fig = overlay_figure(codes)
    trace = overlay_trace(fig)
    assert (trace.x0, trace.y0, trace.dx, trace.dy) == (0, 0, 1, 1)
    pixels = decode(trace)
    assert pixels.shape == (2, 3, 4)
    assert pixels[0, 0, 3] == 0  # TN transparent
    assert has_colour(pixels, "TP").tolist() == [[False, True, False], [False, False, True]]
    assert has_colour(pixels, "FP")[0, 2]
    assert has_colour(pixels, "FN")[1, 0]


@pytest.mark.parametrize("shape", [(500, 300), (3000, 1500)])
def test_non_square_inputs_keep_their_orientation(shape):
    codes = np.zeros(shape, np.uint8)
    codes[10, 200] = FP
    fig = overlay_figure(codes)
    trace = overlay_trace(fig)
    pixels = decode(trace)
    rows, cols = shape
    step = trace.dx
    assert pixels.shape[:2] == (-(-rows // step), -(-cols // step))  # tall stays tall
    found = np.argwhere(has_colour(pixels, "FP"))
    assert len(found) == 1
    i, j = found[0]
    x, y = trace.x0 + j * trace.dx, trace.y0 + i * trace.dy
    assert abs(x - 200) <= (step - 1) / 2 and abs(y - 10) <= (step - 1) / 2
    hover = next(t for t in fig.data if t.type == "heatmap")
    z = np.asarray(hover.z)
    assert z.shape[0] > z.shape[1]


def test_hover_heatmap_names_states_in_pixel_coordinates():
    codes = np.zeros((40, 60), np.uint8)
    codes[5:10, 5:10] = TP
    codes[20, 30] = FN
    fig = overlay_figure(codes)
    hover = next(t for t in fig.data if t.type == "heatmap")
    assert "row %{y" in hover.hovertemplate and "column %{x" in hover.hovertemplate
    assert "%{text}" in hover.hovertemplate
    text = np.array(hover.text)
    assert text.shape == (40, 60)
    assert text[20, 30] == "FN" and text[7, 7] == "TP" and text[0, 0] == "TN"
    assert set(text.ravel()) <= set(STATE_NAMES)
    assert (hover.x0, hover.dx) == (0, 1)


def test_hover_grid_is_coarse_for_big_masks_and_reports_the_worst_state():
    codes = np.zeros((4096, 4096), np.uint8)
    codes[100, 100] = FN
    fig = overlay_figure(codes)
    hover = next(t for t in fig.data if t.type == "heatmap")
    text = np.array(hover.text)
    assert max(text.shape) <= 256
    step = hover.dx
    assert text[100 // step, 100 // step] == "FN"
    assert hover.x0 == (step - 1) / 2
    assert "worst" in hover.hovertemplate


def test_hover_names_both_classes_in_label_mode():
    reference = np.array([[0, 1], [2, 255]])
    candidate = np.array([[0, 1], [1, 0]])
    codes = confusion_map(reference == 1, candidate == 1)
    fig = overlay_figure(codes, reference_labels=reference, candidate_labels=candidate)
    hover = next(t for t in fig.data if t.type == "heatmap")
    data = np.asarray(hover.customdata)
    assert data.shape == (2, 2, 2)
    assert data[1, 0].tolist() == [2, 1]
    assert np.array(hover.text)[1, 1] == "void"
    assert "reference class %{customdata[0]}" in hover.hovertemplate


def test_legend_shows_pixel_counts():
    codes = np.zeros((100, 100), np.uint8)
    codes[:30, :50] = TP  # 1,500
    codes[50:, :] = FN  # 5,000
    codes[40, :12] = FP  # 12
    assert legend_names(overlay_figure(codes)) == [
        "TP (in both) 1,500 px",
        "FP (candidate only) 12 px",
        "FN (reference only) 5,000 px",
    ]


def test_legend_counts_can_come_from_a_mapping_or_a_result_object():
    codes = np.zeros((4, 4), np.uint8)
    names = legend_names(overlay_figure(codes, counts={"TP": 12345, "FP": 0, "FN": 7}))
    assert names[0] == "TP (in both) 12,345 px"

    class Stats:
        tp, fp, fn, tn = 1, 2, 3000, 4

    assert legend_names(overlay_figure(codes, counts=Stats()))[2] == "FN (reference only) 3,000 px"


def test_legend_clicks_do_not_hide_entries():
    fig = overlay_figure(np.zeros((3, 3), np.uint8))
    assert fig.layout.legend.itemclick is False


def test_corner_points_keep_box_and_lasso_tools():
    fig = overlay_figure(np.zeros((30, 50), np.uint8))
    corners = next(t for t in fig.data if t.name == "corners")
    assert corners.type == "scatter" and corners.mode == "markers"
    assert tuple(corners.x) == (-0.5, 49.5) and tuple(corners.y) == (-0.5, 29.5)
    assert corners.marker.opacity == 0


# ----------------------------------------------------------------------------
# Options
# ----------------------------------------------------------------------------


def test_layers_choose_the_drawn_states():
    codes = np.array([[TP, FP, FN, TN]], np.uint8)
    fig = overlay_figure(codes, layers=("FN",))
    pixels = decode(overlay_trace(fig))
    assert pixels[0, :, 3].tolist()[:2] == [0, 0]  # TP and FP not drawn
    assert has_colour(pixels, "FN")[0, 2]
    assert legend_names(fig) == ["FN (reference only) 1 px"]


def test_hidden_layer_does_not_mask_a_shown_state_in_the_same_block():
    codes = np.zeros((2048, 2048), np.uint8)
    codes[0, 0] = TP
    codes[0, 1] = FN  # same 2 × 2 block, higher code
    pixels = decode(overlay_trace(overlay_figure(codes, layers=("TP",))))
    assert has_colour(pixels, "TP")[0, 0]


def test_contour_only_draws_outlines():
    codes = np.zeros((60, 60), np.uint8)
    codes[10:30, 10:30] = TP
    filled = decode(overlay_trace(overlay_figure(codes)))
    outline = decode(overlay_trace(overlay_figure(codes, contour_only=True)))
    assert has_colour(filled, "TP")[20, 20]
    assert not has_colour(outline, "TP")[20, 20]  # interior empty
    assert has_colour(outline, "TP")[10, 20] and has_colour(outline, "TP")[29, 20]
    assert np.count_nonzero(has_colour(outline, "TP")) == 4 * 19


def test_contour_lines_survive_downsampling():
    codes = np.zeros((4096, 4096), np.uint8)
    codes[1000:3000, 1000:3000] = TP
    pixels = decode(overlay_trace(overlay_figure(codes, contour_only=True)))
    tp = has_colour(pixels, "TP")
    assert tp[250, 400] and tp[400, 250] and not tp[500, 500]


def test_big_images_are_smoothed_so_the_browser_keeps_thin_lines():
    # A browser shrinking a pixelated 1024-px image into a ~700-px plot drops
    # rows and columns; smoothing keeps them visible. Small images stay crisp.
    assert overlay_trace(overlay_figure(np.zeros((4096, 4096), np.uint8))).zsmooth == "fast"
    assert overlay_trace(overlay_figure(np.zeros((300, 451), np.uint8))).zsmooth is False
    crisp = overlay_figure(np.zeros((4096, 4096), np.uint8), smooth=False)
    assert overlay_trace(crisp).zsmooth is False


def test_codes_outside_the_confusion_range_are_refused():
    with pytest.raises(ValueError, match="code 255"):
        overlay_figure(np.full((3, 3), 255, np.uint8))


def test_region_is_shown_at_full_detail():
    codes = np.zeros((4096, 4096), np.uint8)
    codes[1100, 2100] = FP
    fig = overlay_figure(codes, region=(1000, 1200, 2000, 2300))
    trace = overlay_trace(fig)
    assert (trace.dx, trace.x0, trace.y0) == (1, 2000, 1000)
    pixels = decode(trace)
    assert pixels.shape[:2] == (200, 300)
    assert has_colour(pixels, "FP")[100, 100]
    assert tuple(fig.layout.xaxis.range) == (1999.5, 2299.5)
    assert tuple(fig.layout.yaxis.range) == (1199.5, 999.5)
    assert legend_names(fig)[1] == "FP (candidate only) 1 px"  # counted in the region


def test_region_contour_does_not_outline_the_cut():
    codes = np.full((100, 100), TP, np.uint8)
    pixels = decode(
        overlay_trace(overlay_figure(codes, region=(40, 60, 40, 60), contour_only=True))
    )
    assert not has_colour(pixels, "TP").any()


def test_region_outside_the_image_is_an_error():
    with pytest.raises(ValueError, match="no pixel"):
        overlay_figure(np.zeros((10, 10), np.uint8), region=(20, 30, 0, 5))


def test_hausdorff_pair_is_a_line_with_two_markers():
    fig = overlay_figure(np.zeros((100, 100), np.uint8), hausdorff_pair=((10, 20), (13, 24)))
    pair = next(
        t for t in fig.data if t.type == "scatter" and t.showlegend and t.mode == "lines+markers"
    )
    assert tuple(pair.x) == (20, 24) and tuple(pair.y) == (10, 13)  # x = column, y = row
    assert "5.0 px" in pair.name


def test_highlight_bbox_is_a_half_open_rectangle():
    fig = overlay_figure(np.zeros((100, 100), np.uint8), highlight_bbox=(10, 20, 30, 50))
    rect = fig.layout.shapes[-1]
    assert (rect.x0, rect.x1, rect.y0, rect.y1) == (19.5, 49.5, 9.5, 29.5)


def test_background_is_drawn_underneath():
    background = np.full((20, 30, 3), (200, 10, 10), np.uint8)
    fig = overlay_figure(np.zeros((20, 30), np.uint8), background=background)
    first = images(fig)[0]
    assert first.name == "background" and first.source.startswith("data:image/jpeg")
    pixels = decode(first)
    assert pixels.shape[:2] == (20, 30)
    assert abs(int(pixels[5, 5, 0]) - 200) < 12


def test_background_of_another_size_is_a_mask_error():
    with pytest.raises(MaskError, match="30×20"):
        overlay_figure(np.zeros((10, 10), np.uint8), background=np.zeros((20, 30), np.uint8))


def test_user_text_is_escaped():
    name = "<b>bold</b> & <img src=x onerror=alert(1)>.png"
    fig = overlay_figure(np.zeros((4, 4), np.uint8), title=name)
    assert fig.layout.title.text == (
        "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;.png"
    )
    side = side_by_side_figure(
        np.zeros((4, 4), bool),
        np.zeros((4, 4), bool),
        np.zeros((4, 4), np.uint8),
        names=(name, "b<i>", "c"),
        title=name,
    )
    texts = [a.text for a in side.layout.annotations] + [side.layout.title.text]
    assert not any(re.search(r"<(?!br>)", t) for t in texts)
    assert "b&lt;i&gt;" in texts


# ----------------------------------------------------------------------------
# Other figures
# ----------------------------------------------------------------------------


def test_side_by_side_links_three_panels_and_stays_small():
    reference, candidate = blocky_pair(4096, seed=5)
    fig = side_by_side_figure(reference, candidate, confusion_map(reference, candidate))
    assert json_size(fig) <= ONE_MB
    assert len(images(fig)) == 3
    assert fig.layout.xaxis2.matches == "x" and fig.layout.xaxis3.matches == "x"
    assert fig.layout.yaxis2.matches == "y" and fig.layout.yaxis3.matches == "y"
    assert fig.layout.yaxis.scaleanchor == "x"
    for trace in images(fig):
        assert trace.dx == display_step((4096, 4096), 768)
        assert trace.x0 == (trace.dx - 1) / 2


def test_side_by_side_label_maps_use_class_colours():
    reference = np.zeros((50, 80), np.int32)
    reference[10:20, 10:20] = 1
    reference[30:40, 50:70] = 2
    reference[20, :] = 255
    candidate = np.where(reference == 255, 0, reference)
    codes = confusion_map(reference == 1, candidate == 1)
    fig = side_by_side_figure(reference, candidate, codes, kind="labels")
    ref_pixels = decode(images(fig)[0])
    assert ref_pixels[0, 0, 3] == 0  # background transparent
    assert tuple(ref_pixels[15, 15, :3]) != tuple(ref_pixels[35, 60, :3])  # two classes
    assert tuple(ref_pixels[20, 5, :3]) == rgb("void")
    hover = next(t for t in fig.data if t.type == "heatmap")
    assert hover.customdata is not None


def test_class_overlay_highlights_one_class_and_ignores_void():
    reference = np.array([[1, 1, 255, 2], [0, 2, 1, 1]])
    candidate = np.array([[1, 2, 1, 2], [1, 2, 0, 1]])
    fig = class_overlay_figure(reference, candidate, label=1, class_name="<cat>")
    assert legend_names(fig) == [
        "TP (in both) 2 px",
        "FP (candidate only) 1 px",
        "FN (reference only) 2 px",
        "void (ignored) 1 px",
    ]
    assert fig.layout.title.text == "Class 1 (&lt;cat&gt;)"
    pixels = decode(overlay_trace(fig))
    assert tuple(pixels[0, 2, :3]) == rgb("void")  # void wins over the candidate's 1


def test_error_distance_colours_errors_and_says_when_infinite():
    distance = np.zeros((4096, 4096), np.float32)
    distance[10, 10] = 3.0
    distance[2000, :] = 12.5  # a thin line of far errors
    fig = error_distance_figure(distance)
    assert json_size(fig) <= ONE_MB
    bar = next(t for t in fig.data if t.name == "colour bar")
    assert bar.marker.cmax == 12.5 and bar.marker.showscale
    pixels = decode(next(t for t in images(fig) if t.name == "distance"))
    assert (pixels[2000 // 4, :, 3] > 0).all()
    assert pixels[100, 100, 3] == 0

    infinite = np.zeros((50, 40))
    infinite[5:10, 5:10] = np.inf
    fig = error_distance_figure(infinite, title="a<b")
    assert "infinite" in fig.layout.title.text and "a&lt;b" in fig.layout.title.text
    assert not any(t.name == "colour bar" for t in fig.data)
    json_size(fig)


def test_confusion_matrix_shows_counts_and_normalises_rows():
    matrix = np.array([[90, 10, 0], [5, 45, 0], [0, 0, 0]])
    fig = confusion_matrix_figure(
        matrix, [0, 1, 2], names={1: "road<", 2: "sky"}, normalize="reference"
    )
    heatmap = fig.data[0]
    assert heatmap.text[0][0] == "90" and heatmap.text[1][0] == "5"
    assert np.allclose(np.asarray(heatmap.z)[0], [0.9, 0.1, 0.0])
    assert np.asarray(heatmap.z)[2].tolist() == [0, 0, 0]  # empty class: zeros, no NaN
    assert list(heatmap.y) == ["0", "1 road&lt;", "2 sky"]
    assert fig.layout.yaxis.autorange == "reversed"
    json_size(fig)


def test_side_by_side_panel_titles_sit_clear_above_the_panel_frames():
    # make_subplots puts each panel title's baseline on the top edge of its
    # panel, where the panel's frame line runs through the text.
    names = ("reference.png", "candidate.png", "Overlay")
    for title in (None, "Side by side"):
        fig = side_by_side_figure(
            np.zeros((40, 30), bool),
            np.zeros((40, 30), bool),
            np.zeros((40, 30), np.uint8),
            names=names,
            title=title,
        )
        panel_titles = [a for a in fig.layout.annotations if a.text in names]
        assert len(panel_titles) == 3
        room = fig.layout.margin.t - (24 if title else 0)
        for annotation in panel_titles:
            assert annotation.yanchor == "bottom" and annotation.y == 1.0
            assert annotation.yshift >= 6
            # The shifted line of text still fits inside the top margin.
            assert annotation.yshift + 1.5 * annotation.font.size <= room


def test_confusion_matrix_axes_name_every_class_with_room_for_the_names():
    n = 30
    names = {i: f"class name {i}" for i in range(n)}
    fig = confusion_matrix_figure(np.eye(n, dtype=int) * 10, list(range(n)), names=names)
    expected = [f"{i} class name {i}" for i in range(n)]
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        # Every class is labelled (Plotly would skip labels of a crowded
        # category axis) and the margin grows to fit the names (a fixed
        # margin cut long names off and put the axis title over them).
        assert list(axis.tickvals) == expected and list(axis.ticktext) == expected
        assert axis.automargin is True
    # The old call, without names, still labels the axes with the class ids.
    plain = confusion_matrix_figure(np.eye(3, dtype=int), [0, 4, 7])
    assert list(plain.layout.xaxis.ticktext) == ["0", "4", "7"]


@pytest.mark.parametrize(
    "build",
    [
        lambda: overlay_figure(np.zeros((30, 40), np.uint8), title="a.png"),
        lambda: overlay_figure(np.zeros((30, 40), np.uint8)),
        lambda: class_overlay_figure(np.zeros((30, 40), int), np.ones((30, 40), int), label=1),
        lambda: side_by_side_figure(
            np.zeros((30, 40), bool), np.zeros((30, 40), bool), np.zeros((30, 40), np.uint8)
        ),
    ],
)
def test_legend_sits_below_the_plot_out_of_the_toolbars_way(build):
    # Plotly's modebar (toolbar) floats over the top right corner of a figure:
    # a legend above the plot ran under it once it wrapped to a second line.
    legend = build().layout.legend
    assert legend.orientation == "h"
    assert (legend.yref, legend.yanchor, legend.y) == ("container", "bottom", 0)


def test_confusion_matrix_with_many_classes_keeps_the_largest():
    n = 300
    matrix = np.diag(np.arange(1, n + 1))
    fig = confusion_matrix_figure(matrix, list(range(n)), max_classes=40)
    assert len(fig.data[0].x) == 40
    assert "40 largest of 300" in fig.layout.title.text
    assert json_size(fig) < 200_000


# ----------------------------------------------------------------------------
# Full-size PNG
# ----------------------------------------------------------------------------


def test_overlay_png_without_background_is_full_size_with_exact_colours():
    codes = np.zeros((300, 451), np.uint8)
    codes[10, 200] = FP
    codes[100:110, 50:60] = TP
    codes[299, 450] = FN
    with Image.open(io.BytesIO(overlay_png(codes))) as im:
        assert im.size == (451, 300)
        pixels = np.asarray(im.convert("RGBA"))
    assert tuple(pixels[10, 200]) == (*rgb("FP"), 255)
    assert tuple(pixels[105, 55]) == (*rgb("TP"), 255)
    assert tuple(pixels[299, 450]) == (*rgb("FN"), 255)
    assert pixels[0, 0, 3] == 0


def test_overlay_png_blends_over_the_background():
    codes = np.zeros((20, 30), np.uint8)
    codes[5, 5] = TP
    codes[6, 6] = FN
    background = np.full((20, 30), 100, np.uint8)
    png = overlay_png(codes, background=background, opacity=0.6, layers=("TP",))
    with Image.open(io.BytesIO(png)) as im:
        assert im.size == (30, 20) and im.mode == "RGB"
        pixels = np.asarray(im)
    a = round(255 * 0.6)
    expected = tuple((100 * (255 - a) + c * a + 127) // 255 for c in rgb("TP"))
    assert tuple(pixels[5, 5]) == expected
    assert tuple(pixels[6, 6]) == (100, 100, 100)  # FN hidden
    assert tuple(pixels[0, 0]) == (100, 100, 100)

    colour = np.zeros((20, 30, 3), np.uint8)
    colour[...] = (10, 20, 30)
    with Image.open(io.BytesIO(overlay_png(codes, background=colour, opacity=1.0))) as im:
        pixels = np.asarray(im)
    assert tuple(pixels[6, 6]) == rgb("FN") and tuple(pixels[0, 0]) == (10, 20, 30)


def test_overlay_png_contour_mode():
    codes = np.zeros((40, 40), np.uint8)
    codes[10:30, 10:30] = FP
    with Image.open(io.BytesIO(overlay_png(codes, contour_only=True))) as im:
        pixels = np.asarray(im.convert("RGBA"))
    assert pixels[20, 20, 3] == 0 and tuple(pixels[10, 20]) == (*rgb("FP"), 255)


# ----------------------------------------------------------------------------
# Purity and assets
# ----------------------------------------------------------------------------


def test_drawing_backdrop_shows_photo_mask_and_traced_outline():
    from maskapp.figures import MASK_COLOR, TRACE_COLOR, drawing_backdrop

    photo = np.full((400, 600), 200, np.uint8)
    base = np.zeros((400, 600), bool)
    base[100:200, 100:300] = True
    other = np.zeros((400, 600), bool)
    other[200:300, 300:500] = True
    image = drawing_backdrop((400, 600), size=(300, 200), background=photo, base=base, other=other)
    assert image.size == (300, 200) and image.mode == "RGB"
    pixels = np.asarray(image).astype(int)
    assert tuple(pixels[10, 10]) == (200, 200, 200)  # the photo
    mask_rgb = np.array([int(MASK_COLOR[i : i + 2], 16) for i in (1, 3, 5)])
    assert np.allclose(pixels[75, 100], (200 + mask_rgb) / 2, atol=1)  # half-opaque fill
    trace_rgb = [int(TRACE_COLOR[i : i + 2], 16) for i in (1, 3, 5)]
    assert tuple(pixels[100, 200]) == tuple(trace_rgb)  # outline of the other mask
    with pytest.raises(MaskError):
        drawing_backdrop((400, 600), size=(30, 20), base=np.zeros((10, 10), bool))


def test_confusion_palette_matches_the_overlay_colours():
    from maskapp.figures import CONFUSION_PALETTE

    assert CONFUSION_PALETTE == ((0, 0, 0), rgb("TP"), rgb("FP"), rgb("FN"))


def test_figures_never_import_pillow_directly():
    # maskapp.encode is the one place that encodes images with Pillow.
    modules = sorted((ROOT / "maskapp" / "figures").glob("*.py"))
    assert {m.name for m in modules} >= {"__init__.py", "overlay.py", "backdrop.py"}
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = [
            name
            for node in ast.walk(tree)
            for name in (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
        ]
        assert not [n for n in imported if n.split(".")[0] == "PIL"], module.name


def readme_checksums() -> dict[str, str]:
    text = (ASSETS / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", text, flags=re.M))


def test_every_asset_exists_decodes_and_matches_its_checksum():
    cases = json.loads((ASSETS / "cases.json").read_text(encoding="utf-8"))["cases"]
    sums = readme_checksums()
    assert list(cases) == ["typical", "labels", "empty", "nonsquare"]
    for key, case in cases.items():
        assert case["key"] == key
        assert case["kind"] in ("binary", "labels")
        assert set(case["files"]) == {"background", "reference", "candidate"}
        sizes = set()
        for role, name in case["files"].items():
            path = ASSETS / name
            content = path.read_bytes()
            assert len(content) < 300_000, name
            assert hashlib.sha256(content).hexdigest() == sums[name], name
            with Image.open(path) as im:
                im.load()
                sizes.add(im.size)
                if role != "background":
                    assert im.format == "PNG"
                    assert im.mode == ("P" if case["kind"] == "labels" else "L"), name
        assert len(sizes) == 1, case["key"]  # photo and masks align
    assert set(sums) == {n for c in cases.values() for n in c["files"].values()}


def test_assets_cover_the_demo_edge_cases():
    cases = json.loads((ASSETS / "cases.json").read_text(encoding="utf-8"))["cases"]
    with Image.open(ASSETS / cases["empty"]["files"]["candidate"]) as im:
        assert not np.asarray(im).any()
    with Image.open(ASSETS / cases["nonsquare"]["files"]["reference"]) as im:
        assert im.width != im.height
    with Image.open(ASSETS / cases["labels"]["files"]["reference"]) as im:
        values = set(np.unique(np.asarray(im)).tolist())
    assert cases["labels"]["void"] == 255 and 255 in values and 4 <= len(values - {255}) <= 5
    with Image.open(ASSETS / cases["labels"]["files"]["candidate"]) as im:
        assert 255 not in set(np.unique(np.asarray(im)).tolist())


def test_changing_opacity_afterwards_gives_the_same_figure_as_building_it_at_that_opacity():
    rng = np.random.default_rng(5)
    a, b = rng.random((120, 90)) > 0.5, rng.random((120, 90)) > 0.4
    codes = confusion_map(a, b)
    background = (rng.random((120, 90)) * 255).astype(np.uint8)
    built = overlay_figure(codes, background=background, opacity=0.35)
    changed = with_overlay_opacity(overlay_figure(codes, background=background, opacity=1.0), 0.35)
    assert json.loads(changed.to_json()) == json.loads(built.to_json())
    # Without a background the colours stay opaque whatever the opacity.
    plain = overlay_figure(codes, opacity=1.0)
    unchanged = with_overlay_opacity(plain, 0.2)
    expected = overlay_figure(codes, opacity=0.2)
    assert json.loads(unchanged.to_json()) == json.loads(expected.to_json())
