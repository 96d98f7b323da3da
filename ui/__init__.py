"""Small UI helpers shared by the pages: context, formatting, charts, the board.

Streamlit lives here and in ``pages/``; ``data/`` and ``planner/`` stay free of it.
"""
