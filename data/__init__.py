"""Persistence layer: models, engine, typed queries, demo practice, importers.

Imports no streamlit, so scripts, workers and tests share it with the pages.
"""
