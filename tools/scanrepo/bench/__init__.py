"""tools/bench: our tools and the tools a user would otherwise use, timed side by side.

``corpora`` builds (and caches) seeded repositories, ``floors`` holds the least-work passes run
as subprocesses, ``measure`` times one command and its peak memory, ``suite`` says what is
compared with what, and ``results`` prints the table and writes the JSON file.
"""
