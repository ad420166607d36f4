"""Walks of git history: which commits changed which scans, the one definition every history
tool counts by, from one ``git log --raw`` (``gitlog``), one paper's history
(``paper_history``), the whole history with each revision's readings (``walk``), the blob cache
behind it (``cache``) and the most recently changed papers (``recent``).
"""
