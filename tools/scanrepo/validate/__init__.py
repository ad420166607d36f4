"""Validation: every check a scan must pass (``checks``), over the scans of the work tree, git's
index or a commit (``sources``), collected into the outcome a command reports (``outcome``).
"""
