"""The headline cards: IoU, Dice, precision, recall and HD95 of the pair shown."""

from __future__ import annotations

import streamlit as st

from maskapp import report
from maskapp.compare import Comparison

_CARDS = [
    ("IoU", "iou", "|A∩B| / |A∪B|"),
    ("Dice", "dice", "2|A∩B| / (|A|+|B|)"),
    ("Precision", "precision", "|A∩B| / |B|"),
    ("Recall", "recall", "|A∩B| / |A|"),
    ("HD95", "hd95", "95th-percentile boundary distance"),
]


# Card values scale with the card (container query units): five cards share a
# row, and "undefined" must show in full rather than as "undefi…".
_CARD_STYLE = """<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetricValue"] { font-size: min(2.25rem, 15cqi); }
</style>"""


def headline(result: Comparison, *, classes_table: str = "the classes view") -> None:
    """Five cards; an undefined value says so in full, with its reason beneath."""
    st.html(_CARD_STYLE)
    undefined = result.undefined
    for col, (label, key, formula) in zip(st.columns(5), _CARDS, strict=True):
        text = report.format_value(getattr(result, key), undefined.get(key), digits=4)
        short, _, reason = text.partition(" — ")
        col.metric(label, short, help=formula + (f" — {reason}" if reason else ""), border=True)
        if reason:
            col.caption(reason)
    if result.classes is not None:
        classes = result.classes
        st.caption(
            "Label-map mode: IoU, Dice, precision and recall above are foreground (any class) "
            f"vs background; per class, mean IoU {report.format_value(classes.mean_iou)} · "
            f"mean Dice {report.format_value(classes.mean_dice)} ({classes_table} has the table)."
        )
    sentence = report.edge_case_sentence(result)
    if sentence:
        st.info(sentence, icon="ℹ️")
