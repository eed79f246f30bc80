"""The table view: every statistic with its group and its value in words."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maskapp import report
from ui.state import Shown


def render(shown: Shown) -> None:
    rows = pd.DataFrame(report.statistic_rows(shown.result))[["group", "statistic", "value"]]
    st.dataframe(rows, hide_index=True)
