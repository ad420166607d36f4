"""The file system: all-or-nothing writes of scans and of output files (``atomic``), the lock
that keeps one writer at a time (``lock``), and worker pools that end with their run, with the
one chunked parallel map the tools run per-file work through, and its streamed form
(``workers``).
"""
