"""The file system: all-or-nothing writes (``atomic``, ``outfile``), the lock that keeps one
writer at a time (``lock``) and worker pools that end with their run (``workers``).
"""
