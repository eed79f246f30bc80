"""The dataset's summary: cards (mean, 95 % CI and the counts), distributions, the full table."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from maskapp.batch import BatchResult
from maskapp.batch.summary import MetricSummary
from maskapp.figures.batch import distribution_figure, metric_label
from maskapp.report import format_value
from ui.views.common import CHART_CONFIG

CARDS = ("iou", "dice", "hd95", "mean_iou")


def number(value: float | None) -> str:
    """A summary number: four decimals, ∞, or — when there is none."""
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return format_value(float(value))


def interval(summary: MetricSummary) -> str:
    if summary.ci95 is None:
        return "no 95 % CI (fewer than 2 finite values)"
    low, high = summary.ci95
    return f"95 % CI [{number(low)}, {number(high)}]"


def counts(summary: MetricSummary) -> str:
    """Every case the mean leaves out, in words: undefined, infinite, failed."""
    return (
        f"{summary.n_defined} of {summary.n} defined · {summary.n_infinite} infinite · "
        f"{summary.n_failed} failed"
    )


def cards(result: BatchResult) -> None:
    """Mean ± CI of the headline statistics; the counts always beside the mean."""
    shown = [m for m in CARDS if m in result.summary]
    for column, metric in zip(st.columns(len(shown)), shown, strict=True):
        summary = result.summary[metric]
        finite = f"mean of the {summary.n_finite} finite values"
        column.metric(
            metric_label(metric), number(summary.mean), border=True,
            help=f"{finite}; {interval(summary)} (percentile bootstrap, seeded).",
        )  # fmt: skip
        column.caption(f"{interval(summary)} · {counts(summary)}")
    pooled = result.pooled
    st.caption(
        "Pooled over every pixel of the summarised cases (micro): "
        + " · ".join(f"{metric_label(k)} {number(pooled.get(k))}" for k in ("iou", "dice"))
        + f". {result.sentence()}"
    )
    other_libraries(result)


#: The statistics the other libraries' table shows (all of them are in the JSON and CSV).
COMPAT_KEYS = ("dice", "iou", "hausdorff", "hd95", "assd", "surface_dice")


def other_libraries(result: BatchResult) -> None:
    """When the run used them: each library's dataset mean beside maskapp's, kept compact."""
    means = result.candidates.compat
    if not means:
        return
    from maskapp.compat.aggregate import RULES

    total = len(result.values(result.sort))
    rows = []
    for key in COMPAT_KEYS:
        row = {"statistic": metric_label(key)}
        for library, by_key in means.items():
            mean = by_key.get(key)
            row[library] = "—" if mean is None else _mean_cell(mean, total)
        rows.append(row)
    st.markdown("**Dataset means as other libraries would report them**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="batch_compat_table")
    st.caption(
        "Each library averaged its own way; a cell with (n/N) is a mean over n of the N cases "
        "(the rest dropped as NaN, raised, or — for maskapp — infinite)."
    )
    with st.expander("How each library averages"):
        st.markdown("\n".join(f"- **{library}**: {RULES[library]}" for library in means))


def _mean_cell(mean, total: int) -> str:
    value = mean.mean
    if not isinstance(value, str):
        value = "NaN" if math.isnan(value) else number(value)
    whole = mean.n == total or isinstance(mean.mean, str)
    return value if whole else f"{value} ({mean.n}/{total})"


def distributions(result: BatchResult) -> None:
    """One statistic's distribution at a time, the values not drawn said in words."""
    metric = st.selectbox(
        "Distribution of",
        result.metrics,
        index=result.metrics.index(result.sort),
        format_func=metric_label,
        key="batch_distribution",
    )
    values = result.values(metric)
    against = None
    if result.against is not None:
        against = result.values(metric, against=True)
    names = (_label(result, "candidates"), _label(result, "against"))
    figure = distribution_figure(metric, values, against=against, names=names)
    st.plotly_chart(figure, key="batch_distribution_chart", config=CHART_CONFIG)
    summary = result.summary[metric]
    st.caption(
        f"Not drawn: {summary.n_infinite} infinite value(s) (a structure missing on one side), "
        f"{summary.n - summary.n_defined} undefined value(s); {summary.n_failed} case(s) failed "
        "and are in no statistic."
    )


def _label(result: BatchResult, which: str) -> str:
    files = result.pairing.candidates if which == "candidates" else result.pairing.against
    return files.label if files is not None else which


def table(result: BatchResult) -> None:
    """Every statistic's summary in one table."""
    rows = []
    for metric, s in result.summary.items():
        low, high = s.ci95 if s.ci95 is not None else (None, None)
        rows.append({
            "statistic": metric_label(metric), "mean": number(s.mean),
            "95 % CI low": number(low), "95 % CI high": number(high),
            "median": number(s.median), "q1": number(s.q1), "q3": number(s.q3),
            "min": number(s.min), "max": number(s.max), "cases": s.n, "defined": s.n_defined,
            "infinite": s.n_infinite, "failed": s.n_failed,
        })  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="batch_summary_table")


def classes(result: BatchResult) -> None:
    """Label mode: per class over the dataset (pooled from the summed confusion matrices)."""
    if not result.classes:
        return
    st.subheader("Per class over the dataset")
    st.caption(
        "Pooled IoU and Dice come from the confusion matrix summed over every case (PASCAL "
        "VOC / Cityscapes); mean IoU is the mean of the per-case IoU where the class is defined."
    )
    frame = pd.DataFrame(result.classes)
    shown = [c for c in ("label", "name", "pooled_iou", "pooled_dice", "mean_iou", "n_cases",
                         "reference_pixels", "candidate_pixels", "tp", "fp", "fn", "note")
             if c in frame]  # fmt: skip
    st.dataframe(frame[shown], hide_index=True, key="batch_class_table")
