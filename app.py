"""maskapp — compare segmentation masks in the browser (``streamlit run app.py``).

The entry point only: page settings and navigation. The pages live in ``ui/``
(the only package that imports streamlit); the numbers come from ``maskapp``.
"""

from __future__ import annotations

import streamlit as st

from ui.pages import all_pages

st.set_page_config(
    page_title="maskapp — compare segmentation masks",
    page_icon="◐",
    layout="wide",
)

pages = all_pages()
st.navigation(pages, position="hidden" if len(pages) == 1 else "sidebar").run()
