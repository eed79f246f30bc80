"""maskapp — Streamlit front end (minimal page until the app work lands)."""

import streamlit as st

import maskapp

st.set_page_config(page_title="maskapp", layout="wide")
st.title("maskapp")
st.write(f"Compare segmentation masks — core library {maskapp.__version__}.")
