"""Migration: the chain of one-step migrations (``chain``), a run planned in memory (``plan``),
applied to the work tree so no interruption loses a scan (``apply``) and recorded in git
(``staging``).
"""
