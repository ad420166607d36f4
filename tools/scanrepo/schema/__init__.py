"""The lifecycle of the scan format's versions: a new version scaffolded (``scaffold``), two
schemas compared change by change where each lands in a scan (``shape``, ``compare``), released
schemas kept frozen (``frozen``), the reference pages and changelog generated (``docs``), the
schema files' layout (``layout``) and where the schemas and migrations are found (``locate``).

Nothing here runs a migration; ``tools/schema check`` (which does) builds on ``compare``.
"""
