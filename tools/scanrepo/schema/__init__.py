"""The lifecycle of the scan format's versions.

A schema walked into what it asks of each place in a scan (``shape``); two schemas compared
change by change, each located in a scan and saying what it asks of the migration
(``compare``); which schemas are compared, of one state or of two revisions (``revisions``);
schema files read as data from a folder or a commit (``stored``); released versions frozen
(``frozen``); the next version scaffolded (``scaffold``) with its editor settings
(``editors``); the reference pages and the changelog (``docs``); the schema files' layout
(``layout``). Where the schemas and migrations are found is ``toolkit``'s.

Nothing here runs a migration except ``docs``, which carries its example scan to each version
with the checkout's own chain; ``tools/schema check`` builds on ``compare``.
"""
