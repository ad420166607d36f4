"""The semantic diff: the change model (``changes``), the comparison of two scans of one paper
(``compare``), which two states of the repository are compared (``revisions``), the diff of two
trees paired by paper key (``tree``), the comparisons kept by blob pair (``comparisons``),
word-level differences (``worddiff``) and the stable text git's textconv shows (``textconv``).
"""
