"""Two models on the same cases: wins and losses, the paired interval, Wilcoxon, disagreements."""

from __future__ import annotations

import json
import math
import statistics
import time

import numpy as np
import pytest
from scipy import stats

from maskapp.batch.paired import MIN_WILCOXON, compare_models
from maskapp.batch.summary import bootstrap_mean_interval

INF = math.inf


def names(n: int) -> list[str]:
    return [f"case_{i:03d}" for i in range(n)]


# ---------------------------------------------------------------- wins, ties, losses


def test_wins_follow_the_direction_of_an_overlap():
    a = [0.5, 0.6, 0.7, 0.8, None, 0.4]
    b = [0.6, 0.6, 0.6, 0.9, 0.9, None]
    r = compare_models("dice", names(6), a, b)
    assert (r.wins, r.ties, r.losses) == (2, 1, 1)
    assert (r.n, r.n_excluded, r.n_finite) == (4, 2, 4)
    assert r.higher_is_better is True
    assert r.mean_difference == pytest.approx((0.1 + 0 - 0.1 + 0.1) / 4)


def test_wins_follow_the_direction_of_a_distance_and_a_finite_value_beats_infinity():
    a = [3.0, 2.0, INF, 1.0, INF, 5.0, 4.0]
    b = [1.0, 2.0, 4.0, INF, INF, 6.0, 2.0]
    r = compare_models("hd95", names(7), a, b)
    # B lower (win), equal, finite vs inf (win), inf vs finite (loss), both inf (tie),
    # higher (loss), lower (win)
    assert (r.wins, r.ties, r.losses) == (3, 2, 2)
    assert (r.n, r.n_excluded, r.n_finite) == (7, 0, 4)
    # Mean over the cases finite on both sides: (1-3) + (2-2) + (6-5) + (2-4) over 4.
    assert r.mean_difference == -0.75
    assert r.higher_is_better is False
    # The same numbers as an overlap: every win is a loss.
    overlap = compare_models("iou", names(7), a, b)
    assert (overlap.wins, overlap.ties, overlap.losses) == (2, 2, 3)


def test_the_same_values_swapped_swap_wins_and_losses():
    rng = np.random.default_rng(0)
    a, b = rng.random(30).tolist(), rng.random(30).tolist()
    forward = compare_models("iou", names(30), a, b)
    backward = compare_models("iou", names(30), b, a)
    assert (forward.wins, forward.losses) == (backward.losses, backward.wins)
    assert forward.mean_difference == pytest.approx(-backward.mean_difference, abs=1e-15)
    assert forward.wilcoxon_p == pytest.approx(backward.wilcoxon_p, rel=1e-12)


# ---------------------------------------------------------------- interval


def test_paired_interval_is_the_bootstrap_of_the_differences_and_is_seeded():
    rng = np.random.default_rng(1)
    a = rng.random(200)
    b = a + rng.normal(0.02, 0.05, 200)
    r = compare_models("iou", names(200), a.tolist(), b.tolist(), seed=3)
    assert r.ci95 == bootstrap_mean_interval(b - a, seed=3)
    assert compare_models("iou", names(200), a.tolist(), b.tolist(), seed=3).ci95 == r.ci95
    assert compare_models("iou", names(200), a.tolist(), b.tolist(), seed=4).ci95 != r.ci95
    assert r.ci95[0] < r.mean_difference < r.ci95[1]
    assert r.mean_difference == pytest.approx(statistics.fmean((b - a).tolist()), rel=1e-13)


def test_paired_interval_agrees_with_scipy_paired_percentile_bootstrap():
    rng = np.random.default_rng(2)
    a = rng.random(150)
    b = np.clip(a + rng.normal(0.03, 0.1, 150), 0, 1)
    ours = compare_models("dice", names(150), a.tolist(), b.tolist(), resamples=20_000).ci95
    theirs = stats.bootstrap(
        (a, b),
        lambda x, y, axis=-1: np.mean(y - x, axis=axis),
        paired=True,
        method="percentile",
        n_resamples=20_000,
        rng=np.random.default_rng(5),
    ).confidence_interval
    # Monte Carlo error of each end is ~0.02 standard errors; allow five times that.
    standard_error = np.std(b - a, ddof=1) / math.sqrt(a.size)
    assert ours[0] == pytest.approx(theirs.low, abs=0.1 * standard_error)
    assert ours[1] == pytest.approx(theirs.high, abs=0.1 * standard_error)


def test_the_paired_interval_is_narrower_than_the_unpaired_one():
    # Shared difficulty per case: the reason to pair.
    rng = np.random.default_rng(6)
    difficulty = rng.random(100)
    a = difficulty
    b = difficulty + 0.02 + rng.normal(0, 0.01, 100)
    paired = compare_models("iou", names(100), a.tolist(), b.tolist()).ci95
    separate = bootstrap_mean_interval(b, seed=0)
    assert paired[1] - paired[0] < (separate[1] - separate[0]) / 5
    assert paired[0] > 0  # B is better and the paired interval says so


def test_one_finite_pair_has_a_mean_and_no_interval():
    r = compare_models("hd95", names(3), [1.0, INF, None], [3.0, 2.0, 1.0])
    assert r.mean_difference == 2.0 and r.ci95 is None
    assert "one case" in r.undefined["ci95"]


def test_no_finite_pair():
    r = compare_models("hd95", names(2), [INF, None], [INF, 1.0])
    assert (r.n, r.n_excluded, r.ties, r.n_finite) == (1, 1, 1, 0)
    assert r.mean_difference is None and r.ci95 is None and r.wilcoxon_p is None
    assert r.undefined["wilcoxon_p"] == "no case has finite values from both models"
    json.dumps(r.to_dict(), allow_nan=False)


# ---------------------------------------------------------------- Wilcoxon


def test_wilcoxon_hand_case():
    # Differences 1..5 and -6: W+ = 15, W- = 6. Of the 2**6 sign patterns, 14
    # give W- <= 6 ({}, {1}, {2}, {3}, {1,2}, {4}, {1,3}, {5}, {1,4}, {2,3},
    # {6}, {1,5}, {2,4}, {1,2,3}), so the exact two-sided p is 2 · 14 / 64.
    a = [0.0] * 6
    b = [0.01, 0.02, 0.03, 0.04, 0.05, -0.06]
    r = compare_models("iou", names(6), a, b)
    assert r.wilcoxon_p == pytest.approx(28 / 64, rel=1e-12)
    assert r.wilcoxon_p == pytest.approx(stats.wilcoxon(b, a).pvalue, rel=1e-15)
    unanimous = compare_models("iou", names(6), a, [0.01, 0.02, 0.03, 0.04, 0.05, 0.06])
    assert unanimous.wilcoxon_p == pytest.approx(2 / 64, rel=1e-12)


@pytest.mark.parametrize(
    ("n", "zeros"),
    [(7, True), (8, False), (9, True), (10, False), (11, True), (13, True), (14, True), (60, True)],
)
def test_wilcoxon_equals_scipys_default_with_zeros_and_ties(n, zeros):
    # Up to 13 differences with ties or zeros, scipy runs an exact permutation
    # test that compare_models runs vectorised; above, scipy itself is called.
    rng = np.random.default_rng(n)
    a = rng.integers(0, 6, n) / 5  # coarse values: tied differences
    steps = rng.choice([-2, -1, 1, 2] + [0] * zeros, n)
    steps[:6] = [1, -1, 2, 1, -2, 1]  # enough non-zero differences, and ties
    if zeros:
        steps[-1] = 0
    b = a + steps / 5
    differences = b - a
    assert (differences == 0).any() == zeros
    r = compare_models("recall", names(n), a.tolist(), b.tolist())
    # scipy's defaults: zero_method='wilcox' drops the zero differences.
    expected = stats.wilcoxon(differences).pvalue
    assert r.wilcoxon_p == pytest.approx(expected, rel=1e-12)
    assert r.n_nonzero == int(np.count_nonzero(differences))


def test_wilcoxon_equals_scipy_on_random_small_cases():
    rng = np.random.default_rng(8)
    for _ in range(20):
        n = int(rng.integers(6, 10))
        a = rng.integers(0, 4, n) / 3
        b = a + rng.integers(-2, 3, n) / 3
        if np.count_nonzero(b - a) < MIN_WILCOXON:
            continue
        r = compare_models("iou", names(n), a.tolist(), b.tolist())
        assert r.wilcoxon_p == pytest.approx(stats.wilcoxon(b - a).pvalue, rel=1e-12)


def test_wilcoxon_with_ties_among_thirteen_cases_is_fast():
    differences = [0.2, 0.2, -0.2, 0.4, 0.4, 0.1, 0.3, 0.6, -0.4, 0.2, 0.2, 0.6, 0.0]
    start = time.perf_counter()
    r = compare_models("iou", names(13), [0.0] * 13, differences)
    # scipy.stats.wilcoxon takes ~1 s here (one statistic call per sign pattern).
    assert time.perf_counter() - start < 0.5
    assert r.wilcoxon_p == 178 / 4096  # exact: 2 · 89 of the 2**12 sign patterns (scipy)


def test_wilcoxon_needs_enough_non_zero_differences():
    a = [0.5] * 10
    few = compare_models(
        "iou", names(10), a, [0.6] * (MIN_WILCOXON - 1) + [0.5] * (11 - MIN_WILCOXON)
    )
    assert few.wilcoxon_p is None
    assert few.undefined["wilcoxon_p"] == (
        f"only {MIN_WILCOXON - 1} non-zero differences; at least {MIN_WILCOXON} needed"
    )
    enough = compare_models("iou", names(10), a, [0.6] * MIN_WILCOXON + [0.5] * (10 - MIN_WILCOXON))
    assert enough.wilcoxon_p is not None and enough.wilcoxon_p < 0.05
    same = compare_models("iou", names(10), a, a)
    assert same.wilcoxon_p is None and same.undefined["wilcoxon_p"] == (
        "every finite difference is zero"
    )
    assert (same.ties, same.mean_difference, same.ci95) == (10, 0.0, (0.0, 0.0))
    assert same.disagreements == ()


# ---------------------------------------------------------------- disagreements


def test_disagreements_put_infinite_differences_first_then_size_then_name():
    case_names = ["e", "d", "c", "b", "a", "f", "g"]
    a = [1.0, 2.0, INF, 5.0, 1.0, INF, 4.0]
    b = [1.5, INF, 3.0, 1.0, 1.5, INF, 4.0]
    r = compare_models("hausdorff", case_names, a, b)
    assert r.disagreements == (
        ("c", INF, 3.0),  # one side infinite, sorted by name
        ("d", 2.0, INF),
        ("b", 5.0, 1.0),  # |B - A| = 4
        ("a", 1.0, 1.5),  # 0.5 twice: by name
        ("e", 1.0, 1.5),
    )  # f (both inf) and g (equal) are ties, not disagreements
    assert (
        compare_models("hausdorff", case_names, a, b, top=2).disagreements == (r.disagreements[:2])
    )
    assert compare_models("hausdorff", case_names, a, b, top=0).disagreements == ()
    rows = r.to_dict()["disagreements"]
    assert rows[0] == {"name": "c", "a": None, "b": 3.0, "difference": None, "infinite": ["a"]}
    assert rows[2] == {"name": "b", "a": 5.0, "b": 1.0, "difference": -4.0, "infinite": []}


def test_disagreements_skip_excluded_cases():
    r = compare_models("iou", ["x", "y"], [None, 0.2], [0.9, 0.3])
    assert [name for name, _, _ in r.disagreements] == ["y"]


# ---------------------------------------------------------------- output and errors


def test_to_dict_is_strict_json():
    rng = np.random.default_rng(7)
    a = [*rng.random(20).tolist(), INF, None]
    b = [*rng.random(20).tolist(), 2.0, 1.0]
    d = compare_models("hd95", names(22), a, b).to_dict()
    json.dumps(d, allow_nan=False)
    assert d["ci95"] == list(compare_models("hd95", names(22), a, b).ci95)
    assert {"wins", "ties", "losses", "mean_difference", "wilcoxon_p", "undefined"} <= set(d)
    assert "zero_method='wilcox'" in d["conventions"]["wilcoxon"]


@pytest.mark.parametrize(
    ("arguments", "options", "fragment"),
    [
        (("iou", ["a"], [0.1, 0.2], [0.3, 0.4]), {}, "one entry per case"),
        (("tp", ["a"], [1.0], [2.0]), {}, "direction"),
        (("hd95", ["a"], [-INF], [2.0]), {}, "-inf"),
        (("iou", ["a"], [0.1], [0.2]), {"top": -1}, "top"),
        (("iou", ["a", "b"], [0.1, 0.2], [0.2, 0.3]), {"resamples": 0}, "resamples"),
    ],
)
def test_bad_arguments_are_programming_errors(arguments, options, fragment):
    with pytest.raises(ValueError, match=fragment):
        compare_models(*arguments, **options)
