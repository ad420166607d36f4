"""Synthetic data for the tests and the benchmark, never for the product: a seeded generator of
realistic scans (``generate``) and git histories of them (``synthetic_history``).
"""
