"""Dataset summaries: per-metric statistics, the bootstrap, pooled overlap, pooled classes."""

from __future__ import annotations

import json
import math
import statistics
import tracemalloc

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import confusion_matrix

from maskapp import compare
from maskapp.batch import summary as summary_module
from maskapp.batch.summary import (
    ClassAccumulator,
    bootstrap_mean_interval,
    higher_is_better,
    pooled_overlap,
    summarize,
)

INF = math.inf


def strict_json(obj) -> str:
    """The way the batch JSON is written: a NaN or Infinity literal raises."""
    return json.dumps(obj, allow_nan=False)


# ---------------------------------------------------------------- directions


@pytest.mark.parametrize(
    ("metric", "higher"),
    [
        ("iou", True),
        ("dice", True),
        ("objects.pq", True),
        ("mean_iou", True),
        ("class_iou.12", True),
        ("hausdorff", False),
        ("hd95", False),
        ("assd", False),
        ("masd", False),
    ],
)
def test_direction_of_each_metric(metric, higher):
    assert higher_is_better(metric) is higher


def test_a_metric_without_direction_is_a_programming_error():
    with pytest.raises(ValueError, match="tp"):
        higher_is_better("tp")


# ---------------------------------------------------------------- summarize


def test_hand_computed_summary_with_an_undefined_and_an_infinite_value():
    s = summarize("hd95", [1.0, 2.0, None, 3.0, INF], n_failed=2)
    # Defined, sorted: 1, 2, 3, inf. Mean and std over 1, 2, 3.
    assert (s.n, s.n_defined, s.n_infinite, s.n_failed) == (5, 4, 1, 2)
    assert (s.n_finite, s.n_undefined) == (3, 1)
    assert s.mean == 2.0
    assert s.std == 1.0
    # Linear positions (n-1)·q over 4 values: 0.75, 1.5, 2.25.
    assert s.q1 == 1.75
    assert s.median == 2.5
    assert s.q3 == INF  # between 3 and inf with weight 0.25
    assert (s.min, s.max) == (1.0, INF)
    d = s.to_dict()
    strict_json(d)
    assert d["q3"] is None and d["max"] is None and d["median"] == 2.5
    assert d["infinite"] == ["q3", "max"]
    assert d["ci95"] == list(s.ci95)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 8, 11, 100, 101])
def test_finite_values_agree_with_numpy_and_statistics(n):
    values = np.random.default_rng(n).gamma(2.0, 3.0, n).tolist()
    s = summarize("assd", values)
    assert s.mean == pytest.approx(statistics.fmean(values), rel=1e-14)
    assert s.std == pytest.approx(statistics.stdev(values), rel=1e-12)  # ddof = 1
    assert s.std == pytest.approx(np.std(values, ddof=1), rel=1e-12)
    assert s.median == pytest.approx(statistics.median(values), rel=1e-14)
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    assert (s.q1, s.median, s.q3) == pytest.approx((q1, median, q3), rel=1e-15)
    # statistics.quantiles' 'inclusive' method is numpy's linear one.
    assert [s.q1, s.median, s.q3] == pytest.approx(
        statistics.quantiles(values, n=4, method="inclusive"), rel=1e-14
    )
    assert (s.min, s.max) == (min(values), max(values))
    assert s.n == s.n_defined == n and s.n_infinite == 0


def test_the_order_of_the_values_changes_nothing():
    # Completion order, worker count: whatever order the values come in.
    values = [*np.random.default_rng(3).random(57).tolist(), INF, None]
    forward = summarize("hd95", values, seed=5)
    assert summarize("hd95", values[::-1], seed=5) == forward
    shuffled = list(values)
    np.random.default_rng(4).shuffle(shuffled)
    assert summarize("hd95", shuffled, seed=5) == forward


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 9, 10, 13])
def test_quantiles_with_infinities_agree_with_a_huge_stand_in(n):
    # +inf stands in as 1e300: where numpy's result reaches the stand-in the
    # interpolation involved an infinite value with non-zero weight.
    rng = np.random.default_rng(n)
    for infinite in range(n + 1):
        values = rng.random(n - infinite).tolist() + [INF] * infinite
        rng.shuffle(values)
        s = summarize("hausdorff", values)
        stand_in = [1e300 if math.isinf(v) else v for v in values]
        for got, q in ((s.q1, 25), (s.median, 50), (s.q3, 75)):
            expected = float(np.percentile(stand_in, q))
            if expected >= 1e290:
                assert got == INF
            else:
                assert got == pytest.approx(expected, rel=1e-15, abs=0)
        assert s.n_infinite == infinite
        assert (s.max == INF) == (infinite > 0)


def test_a_quantile_exactly_on_a_finite_value_next_to_infinity_is_that_value():
    # numpy gives NaN here: 4 + (inf - 4)·0.
    with np.errstate(invalid="ignore"):
        assert math.isnan(np.percentile([1, 2, 3, 4, INF], 75))
    s = summarize("hd95", [4.0, INF, 2.0, 1.0, 3.0])
    assert (s.q1, s.median, s.q3, s.max) == (2.0, 3.0, 4.0, INF)
    assert s.mean == 2.5
    assert s.to_dict()["infinite"] == ["max"]


def test_every_value_infinite():
    s = summarize("hausdorff", [INF, None, INF])
    assert (s.n, s.n_defined, s.n_infinite) == (3, 2, 2)
    assert s.mean is None and s.std is None and s.ci95 is None
    assert "infinite" in s.undefined["mean"]
    assert (s.median, s.q1, s.q3, s.min, s.max) == (INF,) * 5
    d = s.to_dict()
    strict_json(d)
    assert d["infinite"] == ["median", "q1", "q3", "min", "max"]


@pytest.mark.parametrize("undefined", [None, math.nan, np.float64("nan")])
def test_every_value_undefined_is_counted_not_dropped(undefined):
    s = summarize("dice", [undefined, undefined, undefined], n_failed=1)
    assert (s.n, s.n_defined, s.n_undefined, s.n_infinite, s.n_failed) == (3, 0, 3, 0, 1)
    for name in ("mean", "std", "median", "q1", "q3", "min", "max", "ci95"):
        assert getattr(s, name) is None
        assert s.undefined[name] == "no case has a defined value (3 undefined)"
    d = s.to_dict()
    strict_json(d)
    assert d["infinite"] == [] and d["n_undefined"] == 3


def test_nan_is_an_undefined_value_beside_defined_ones():
    s = summarize("precision", [0.5, math.nan, 1.0, None])
    assert (s.n, s.n_defined, s.n_undefined) == (4, 2, 2)
    assert s.mean == 0.75 and s.median == 0.75


def test_one_value():
    s = summarize("iou", [0.7])
    assert (s.mean, s.median, s.q1, s.q3, s.min, s.max) == (0.7,) * 6
    assert s.std is None and s.ci95 is None
    assert s.undefined == {"std": "only one finite value", "ci95": "only one finite value"}


def test_no_case():
    s = summarize("iou", [], n_failed=4)
    assert (s.n, s.n_failed, s.mean, s.median) == (0, 4, None, None)
    assert s.undefined["median"] == "no case was evaluated"
    strict_json(s.to_dict())


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"values": [1.0, -INF]}, "-inf"),
        ({"n_failed": -1}, "n_failed"),
        ({"resamples": 0}, "resamples"),
        ({"resamples": 2.5}, "resamples"),
        ({"confidence": 1.0}, "confidence"),
        ({"confidence": 0.0}, "confidence"),
    ],
)
def test_bad_arguments_are_programming_errors(kwargs, fragment):
    arguments = {"values": [1.0, 2.0]} | kwargs
    with pytest.raises(ValueError, match=fragment):
        summarize("hd95", **arguments)


# ---------------------------------------------------------------- bootstrap


def test_bootstrap_is_reproducible_for_a_seed_and_changes_with_it():
    values = np.random.default_rng(0).normal(size=300).tolist()
    a = summarize("iou", values, seed=7).ci95
    assert summarize("iou", values, seed=7).ci95 == a
    assert summarize("iou", values, seed=8).ci95 != a
    assert a[0] < statistics.fmean(values) < a[1]


def test_bootstrap_does_not_depend_on_the_chunk_size(monkeypatch):
    values = np.random.default_rng(1).random(1001)
    whole = bootstrap_mean_interval(values, seed=3, resamples=37)
    for elements in (1, 1001, 5000, 3 * 1001 + 7):
        monkeypatch.setattr(summary_module, "_CHUNK_ELEMENTS", elements)
        assert bootstrap_mean_interval(values, seed=3, resamples=37) == whole


def test_bootstrap_agrees_with_scipy_percentile_bootstrap():
    data = np.random.default_rng(11).lognormal(size=120)
    resamples = 20_000
    ours = bootstrap_mean_interval(data, seed=0, resamples=resamples)
    theirs = stats.bootstrap(
        (data,),
        np.mean,
        method="percentile",
        n_resamples=resamples,
        rng=np.random.default_rng(1),
    ).confidence_interval
    # Each end's Monte Carlo error is ~0.02 standard errors of the mean here;
    # 0.1 is five of those and still far below the interval's width (~4).
    standard_error = np.std(data, ddof=1) / math.sqrt(data.size)
    assert ours[0] == pytest.approx(theirs.low, abs=0.1 * standard_error)
    assert ours[1] == pytest.approx(theirs.high, abs=0.1 * standard_error)


def test_confidence_level_widens_the_interval():
    values = np.random.default_rng(2).random(80)
    narrow = bootstrap_mean_interval(values, confidence=0.5)
    wide = bootstrap_mean_interval(values, confidence=0.99)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]
    # summarize resamples the values in ascending order.
    assert summarize("iou", values, confidence=0.5).ci95 == bootstrap_mean_interval(
        np.sort(values), confidence=0.5
    )


def test_bootstrap_of_equal_values_is_that_value():
    assert bootstrap_mean_interval([0.1] * 1000) == (0.1, 0.1)
    assert bootstrap_mean_interval([0.3]) is None


def test_bootstrap_memory_stays_bounded_for_many_values():
    values = np.random.default_rng(5).random(100_000)
    tracemalloc.start()
    try:
        bootstrap_mean_interval(values, resamples=200)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # One 200 × 100,000 index matrix alone would be 160 MB.
    assert peak < 3 * summary_module._CHUNK_ELEMENTS * 8


# ---------------------------------------------------------------- pooled overlap


def test_pooled_overlap_against_a_hand_count_and_the_concatenated_masks():
    rng = np.random.default_rng(6)
    references = [rng.random((9, w)) < 0.3 for w in (5, 12, 7)]
    candidates = [rng.random((9, w)) < 0.4 for w in (5, 12, 7)]
    references.append(np.zeros((9, 4), bool))  # an empty case
    candidates.append(np.zeros((9, 4), bool))
    tp = sum(int((r & c).sum()) for r, c in zip(references, candidates, strict=True))
    fp = sum(int((~r & c).sum()) for r, c in zip(references, candidates, strict=True))
    fn = sum(int((r & ~c).sum()) for r, c in zip(references, candidates, strict=True))
    pooled = pooled_overlap(tp, fp, fn)
    assert pooled["iou"] == tp / (tp + fp + fn)
    assert pooled["dice"] == 2 * tp / (2 * tp + fp + fn)
    assert pooled["precision"] == tp / (tp + fp)
    assert pooled["recall"] == tp / (tp + fn)
    assert pooled["undefined"] == {}
    # Pooling is comparing the cases side by side as one pair.
    whole = compare(np.hstack(references), np.hstack(candidates), distances=False, objects=False)
    assert pooled["iou"] == pytest.approx(whole.iou, rel=1e-15)
    assert pooled["dice"] == pytest.approx(whole.dice, rel=1e-15)
    assert pooled["precision"] == pytest.approx(whole.overlap.precision, rel=1e-15)
    assert pooled["recall"] == pytest.approx(whole.overlap.recall, rel=1e-15)
    assert (pooled["tp"], pooled["fp"], pooled["fn"]) == (tp, fp, fn)


def test_pooled_overlap_edge_cases_follow_the_single_pair_conventions():
    empty = pooled_overlap(0, 0, 0)
    assert (empty["iou"], empty["dice"], empty["precision"], empty["recall"]) == (
        1.0,
        1.0,
        None,
        None,
    )
    assert set(empty["undefined"]) == {"precision", "recall"}
    strict_json(empty)
    missed = pooled_overlap(0, 0, 5)
    assert (missed["iou"], missed["recall"], missed["precision"]) == (0.0, 0.0, None)
    with pytest.raises(ValueError, match="0 or more"):
        pooled_overlap(1, -1, 0)


# ---------------------------------------------------------------- classes

VOID = 255


def label_cases(seed: int = 7) -> list[tuple[np.ndarray, np.ndarray]]:
    """Small label maps of different sizes and label sets, with void 255 on both sides."""
    rng = np.random.default_rng(seed)
    palettes = [([0, 1, 2], [0, 1, 2]), ([0, 3], [0, 3, 1]), ([1, 2, 3], [1, 2]), ([0, 5], [7])]
    cases = []
    for (ref_labels, cand_labels), shape in zip(
        palettes, [(6, 7), (5, 9), (8, 4), (3, 5)], strict=True
    ):
        reference = rng.choice(ref_labels, shape).astype(np.uint8)
        candidate = np.where(
            rng.random(shape) < 0.6, reference, rng.choice(cand_labels, shape)
        ).astype(np.uint8)
        candidate[~np.isin(candidate, cand_labels)] = cand_labels[0]
        reference[rng.random(shape) < 0.1] = VOID
        candidate[rng.random(shape) < 0.1] = VOID
        cases.append((reference, candidate))
    return cases


def accumulate(cases, **options) -> tuple[ClassAccumulator, list]:
    accumulator = ClassAccumulator()
    comparisons = []
    for reference, candidate in cases:
        result = compare(
            reference, candidate, kind="labels", distances=False, objects=False, **options
        ).classes
        comparisons.append(result)
        accumulator.add(
            result.labels,
            result.confusion,
            {c.label: c.iou for c in result.classes},
            candidate_void=result.candidate_void,
        )
    return accumulator, comparisons


def concatenated(cases) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.concatenate([r.ravel() for r, _ in cases]),
        np.concatenate([c.ravel() for _, c in cases]),
    )


def test_summed_confusion_equals_one_confusion_of_the_concatenated_maps():
    cases = label_cases()
    accumulator, comparisons = accumulate(cases)
    assert len({result.labels for result in comparisons}) == len(cases)  # label sets differ
    reference, candidate = concatenated(cases)
    counted = reference != VOID
    labels = sorted(set(np.unique(reference[counted])) | set(np.unique(candidate)) - {VOID})
    assert accumulator.labels == tuple(labels)
    # scikit-learn drops samples whose label is not in `labels`: here the
    # candidate's void pixels, which are also outside ClassComparison.confusion.
    expected = confusion_matrix(reference[counted], candidate[counted], labels=labels)
    np.testing.assert_array_equal(accumulator.confusion, expected)
    # The same matrix with one np.bincount of a combined index.
    index = {v: i for i, v in enumerate(labels)}
    kept = counted & (candidate != VOID)
    rows = np.array([index[v] for v in reference[kept]])
    cols = np.array([index[v] for v in candidate[kept]])
    k = len(labels)
    by_bincount = np.bincount(rows * k + cols, minlength=k * k).reshape(k, k)
    np.testing.assert_array_equal(accumulator.confusion, by_bincount)


@pytest.mark.parametrize("void_policy", ["reference", "either"])
def test_pooled_class_iou_is_the_iou_of_the_concatenated_maps(void_policy):
    cases = label_cases(seed=9)
    accumulator, _ = accumulate(cases, void_policy=void_policy)
    reference, candidate = concatenated(cases)
    counted = reference != VOID
    if void_policy == "either":
        counted &= candidate != VOID
    rows = accumulator.table()
    assert [row["label"] for row in rows[:-1]] == list(accumulator.labels)
    for row in rows[:-1]:
        a = (reference == row["label"]) & counted
        b = (candidate == row["label"]) & counted
        tp = int((a & b).sum())
        # Under 'reference' a candidate void pixel on a counted pixel is a miss (FN).
        assert (row["tp"], row["fn"], row["fp"]) == (tp, int(a.sum()) - tp, int(b.sum()) - tp)
        assert row["reference_pixels"] == int(a.sum())
        assert row["candidate_pixels"] == int(b.sum())
        union = int((a | b).sum())
        assert row["pooled_iou"] == (tp / union if union else None)
        assert row["pooled_dice"] == (2 * tp / (a.sum() + b.sum()) if union else None)
    # The concatenated maps compared as one pair give the same per-class figures.
    whole = compare(
        reference[None, :],
        candidate[None, :],
        kind="labels",
        distances=False,
        objects=False,
        void_policy=void_policy,
    ).classes
    assert [c.label for c in whole.classes] == [row["label"] for row in rows[:-1]]
    for c, row in zip(whole.classes, rows, strict=False):
        assert row["pooled_iou"] == pytest.approx(c.iou, rel=1e-15)
    assert rows[-1]["pooled_iou"] == pytest.approx(whole.mean_iou, rel=1e-14)
    assert rows[-1]["pooled_dice"] == pytest.approx(whole.mean_dice, rel=1e-14)
    means = accumulator.means()
    assert means["mean_iou"] == rows[-1]["pooled_iou"]
    assert means["averaged_labels"] == list(whole.averaged_labels)
    assert means["micro_iou"] == pytest.approx(whole.micro_iou, rel=1e-14)
    assert means["weighted_iou"] == pytest.approx(whole.weighted_iou, rel=1e-14)


def test_per_case_mean_column_is_over_the_cases_where_the_class_is_defined():
    cases = label_cases(seed=10)
    accumulator, comparisons = accumulate(cases)
    for row in accumulator.table()[:-1]:
        ious = [
            c.iou
            for result in comparisons
            for c in result.classes
            if c.label == row["label"] and not math.isnan(c.iou)
        ]
        assert row["n_cases"] == len(ious)
        assert row["mean_iou"] == pytest.approx(statistics.fmean(ious), rel=1e-15)


def test_background_rule_of_the_mean_row():
    cases = label_cases(seed=12)
    accumulator, _ = accumulate(cases)
    table = accumulator.table()
    classes, mean = table[:-1], table[-1]
    averaged = [row for row in classes if row["label"] != 0 and row["pooled_iou"] is not None]
    assert [row["averaged"] for row in classes] == [
        row["label"] != 0 and row["pooled_iou"] is not None for row in classes
    ]
    assert mean["label"] is None and mean["name"] == "mean"
    assert mean["pooled_iou"] == pytest.approx(
        statistics.fmean(row["pooled_iou"] for row in averaged), rel=1e-15
    )
    assert mean["tp"] == sum(row["tp"] for row in averaged)
    assert mean["n_cases"] == len(cases)
    assert mean["mean_iou"] == pytest.approx(
        statistics.fmean(row["mean_iou"] for row in averaged), rel=1e-15
    )
    included = accumulator.table(include_background=True)
    assert included[0]["averaged"] is True
    assert included[-1]["pooled_iou"] == pytest.approx(
        statistics.fmean(row["pooled_iou"] for row in classes if row["pooled_iou"] is not None),
        rel=1e-15,
    )
    assert accumulator.table(background=None)[-1]["pooled_iou"] == included[-1]["pooled_iou"]
    assert "background 0 excluded" in mean["note"]
    strict_json(table)


def test_adding_order_does_not_change_the_table():
    cases = label_cases(seed=13)
    forward, _ = accumulate(cases)
    backward, _ = accumulate(cases[::-1])
    assert forward.table() == backward.table()


def test_a_class_seen_only_on_ignored_pixels_is_listed_and_not_averaged():
    reference = np.array([[1, 1, VOID, 0]], np.uint8)
    candidate = np.array([[1, 0, 4, 0]], np.uint8)  # 4 only under the reference's void
    accumulator, _ = accumulate([(reference, candidate)])
    rows = {row["label"]: row for row in accumulator.table()}
    assert rows[4]["pooled_iou"] is None and rows[4]["averaged"] is False
    assert rows[4]["mean_iou"] is None and rows[4]["n_cases"] == 0
    assert "absent" in rows[4]["note"]
    assert accumulator.means()["averaged_labels"] == [1]


def test_add_comparison_is_add_with_the_comparisons_fields():
    cases = label_cases(seed=14)
    by_add, comparisons = accumulate(cases)
    by_comparison = ClassAccumulator()
    for result in comparisons:
        by_comparison.add_comparison(result)
    assert by_comparison.table(class_names={1: "road"}) == by_add.table(class_names={1: "road"})
    assert by_add.table(class_names={1: "road"})[1]["name"] == "road"


def test_empty_accumulator():
    accumulator = ClassAccumulator()
    assert accumulator.table() == []
    means = accumulator.means()
    assert means["mean_iou"] is None and means["undefined"]["mean_iou"] == "no case was added"


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (([1, 1], np.zeros((2, 2), int), {}), "distinct"),
        (([1, 2], np.zeros((3, 3), int), {}), "2×2"),
        (([1, 2], -np.ones((2, 2), int), {}), "0 or more"),
        (([1, 2], np.zeros((2, 2), int), {3: 0.5}), r"\[3\]"),
    ],
)
def test_add_refuses_inconsistent_cases(arguments, fragment):
    with pytest.raises(ValueError, match=fragment):
        ClassAccumulator().add(*arguments)
