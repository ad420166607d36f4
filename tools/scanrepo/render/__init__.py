"""Everything the tools show a person, and the text made inert on the way (``inert``).

A DiffResult as terminal text and ``--stat`` counts (``diff_text``), a Markdown review comment
(``diff_markdown``) or JSON (``diff_json``), from what each change says (``describe``); merge
conflicts as text (``conflicts``); tables of figures as text, Markdown, CSV or JSON (``tables``,
filled by ``figure_tables``); SVG charts (``svg``) and the HTML report (``html_report``).
"""
