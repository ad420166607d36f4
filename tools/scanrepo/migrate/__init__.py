"""Migration: the chain of one-step migrations (``chain``), bound to the schemas and a target
version (``migrator``), a run planned in memory (``plan``), applied to the work tree so no
interruption loses a scan (``apply``) and recorded in git (``staging``).
"""
