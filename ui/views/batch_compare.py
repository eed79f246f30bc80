"""Two models on the same cases: wins, ties and losses, the mean difference, Wilcoxon p.

Every figure is from the second set's point of view (B = second candidates,
A = candidates): the difference is B − A and a win is a case where B is
better in the statistic's direction.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maskapp.batch import BatchResult
from maskapp.figures.batch import metric_label
from maskapp.report import display_name
from ui.views.batch_summary import number


def _p(value: float | None) -> str:
    return "—" if value is None else f"{value:.3g}"


def comparison(result: BatchResult) -> None:
    """The per-statistic comparison table, then the cases the two disagree on most."""
    if result.paired is None or result.against is None:
        return
    a = display_name(result.pairing.candidates.label)
    b = display_name(result.pairing.against.label)
    st.subheader("Two models")
    st.caption(
        f"A = {a}, B = {b}. Differences are B − A over the cases where both are finite; "
        "a win is a case where B is better (higher overlap, lower distance). The 95 % CI is a "
        "paired bootstrap over cases; Wilcoxon's signed-rank test needs 6 non-zero differences."
    )
    rows = []
    for metric, paired in result.paired.items():
        low, high = paired.ci95 if paired.ci95 is not None else (None, None)
        rows.append({
            "statistic": metric_label(metric),
            "mean A": number(result.candidates.summary[metric].mean),
            "mean B": number(result.against.summary[metric].mean),
            "mean B − A": number(paired.mean_difference),
            "95 % CI": "—" if low is None else f"[{number(low)}, {number(high)}]",
            "B wins": paired.wins, "ties": paired.ties, "B losses": paired.losses,
            "Wilcoxon p": _p(paired.wilcoxon_p), "cases": paired.n,
            "left out": paired.n_excluded,
        })  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="batch_paired_table")
    paired = result.paired.get(result.sort)
    if paired is None or not paired.disagreements:
        return
    st.markdown(f"**Where A and B disagree most on {metric_label(result.sort)}**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "case": name,
                    "A": number(a_value),
                    "B": number(b_value),
                    "B − A": number(b_value - a_value),
                }
                for name, a_value, b_value in paired.disagreements
            ]
        ),
        hide_index=True,
        key="batch_disagreements",
    )
