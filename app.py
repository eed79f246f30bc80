"""maskapp — compare segmentation masks in the browser (``streamlit run app.py``).

The entry point only: page settings and navigation. The pages live in ``ui/``
(the only package that imports streamlit); the numbers come from ``maskapp``.
"""

from __future__ import annotations

import streamlit as st

from ui import batch_page, pair_page

st.set_page_config(
    page_title="maskapp — compare segmentation masks",
    page_icon="◐",
    layout="wide",
)

# Later pages (a dataset, a volume) join this list.
pages = [
    st.Page(pair_page.render, title="Compare a pair", icon="🔍", default=True),
    st.Page(
        batch_page.render,
        title="Evaluate a dataset",
        icon=":material/table_chart:",
        url_path="dataset",
    ),
]
st.navigation(pages, position="hidden" if len(pages) == 1 else "sidebar").run()
