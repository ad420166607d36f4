"""Text from scans is data: made inert before it reaches a terminal or a Markdown page."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """Escape control characters, ANSI escapes and bidi overrides (tab and newline stay)."""
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


# Made into numeric character references: they never start Markdown or HTML syntax, and they
# mean the same inside an HTML block (such as a <summary> line), where backslash escapes do not.
_MARKDOWN_SPECIAL = re.compile(r"""[\\`*_{}\[\]<>()#|~!&$@:"']""")
# What makes a block when it starts a line: list markers, setext underlines, indentation.
_LINE_START_SPECIAL = re.compile(r"[-+=]|\d{1,9}[.)](?!\S)|\s")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_WORD_JOINER = "\u2060"
# Where GitHub would link on its own: @mentions, #123 issues, GH-123, URLs, emails, www. hosts,
# and commit hashes (runs of 7+ hex digits). An invisible word joiner breaks each pattern.
_AUTOLINK_BREAK = re.compile(r"(?<=[@#])|(?<=:)(?=//)|(?i:(?<=\bwww)(?=\.)|(?<=\bgh)(?=-\d))")
_HEX_RUN = re.compile(r"[0-9A-Fa-f]{7,}")


def _split_hex(match: re.Match[str]) -> str:
    run = match[0]
    return _WORD_JOINER.join(run[i : i + 6] for i in range(0, len(run), 6))


def markdown_inline(text: str) -> str:
    """``text`` as inert inline GitHub Markdown: it renders as the same characters and nothing
    else (no HTML, formatting, links, images, mentions, issue references, math or line breaks).

    Control characters and bidi overrides are escaped as ``terminal_safe`` does; line breaks
    become ``↵``; Markdown and HTML punctuation becomes numeric character references; a word
    joiner (U+2060) breaks what GitHub would autolink. Safe in a table cell, a list item, a
    heading, a link text or a ``<summary>``.
    """
    text = terminal_safe(_NEWLINE.sub(" ↵ ", text).replace("\t", " "))
    text = _HEX_RUN.sub(_split_hex, text)
    text = _AUTOLINK_BREAK.sub(_WORD_JOINER, text)
    text = _MARKDOWN_SPECIAL.sub(lambda m: f"&#{ord(m[0])};", text)
    if _LINE_START_SPECIAL.match(text):
        text = f"&#{ord(text[0])};{text[1:]}"
    return text


def json_safe(text: str) -> str:
    """JSON text with the characters ``terminal_safe`` escapes written as ``\\uXXXX``.

    In JSON they can only stand inside strings, where that escape means the same character, so
    the document is unchanged while a terminal shows it safely.
    """
    return _CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
