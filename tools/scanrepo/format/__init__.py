"""The scan format: what a scan file is, independent of any tool.

Strict JSON reading (``strictjson``), JSON paths located in the text (``jsonpath``), the
canonical form (``canonical``), paper keys and shards (``keys``), the schema registry
(``schemas``), the rules a schema cannot state (``rules``) and the one model of a scan's
structure (``model``) that diff, merge, stats and export read instead of knowing it themselves.
"""
