"""scanrepo: the tooling of a git repository of structured paper scans."""

__version__ = "0.1.0"
