"""Checklist items by name: the one name every tool prints, and the spellings a user may type.

An item's name is its JSON path, dotted (``item_name``): ``checklist.<section>.<item>`` or
``type_checklist.<paper type>.<section>.<item>``. Statistics, export, the report, the semantic
diff, tools/log and the merge's conflicts print it so. An option that names an item
(``tools/stats --evidence``, ``tools/log --item``, ``tools/resolve --item``) takes:

* the full name (``checklist.conflicts_of_interest.funding_disclosed``);
* any dotted tail of it where one item has it: ``conflicts_of_interest.funding_disclosed``, the
  bare ``funding_disclosed``, ``empirical.artifacts.code_released``;
* for a type item, its section named under ``checklist`` as in v3, where one checklist held
  every section (``checklist.artifacts.code_released``), or under ``type_checklist`` without
  the paper type;
* ``/`` for a dot (``empirical/artifacts.code_released``, as tools/stats once printed it).

``resolve_name`` finds the one item a spelling names among those that exist (in the corpus, in
a paper's history, among a merge's conflicts); a spelling that names none is refused with the
closest names (or, for a section, its items), one that names several with the list of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanrepo.errors import ScanRepoError, UnknownNameError, closest
from scanrepo.format import model

_SCOPES = frozenset({model.CHECKLIST, model.TYPE_CHECKLIST})


def item_name(path: model.ItemPath) -> str:
    """The name the tools print for the item at this JSON path."""
    return ".".join(path)


def item_path(name: str) -> model.ItemPath:
    """The JSON path of the item of this (full) name."""
    return tuple(name.split("."))


def _parts(text: str) -> tuple[str, ...]:
    return tuple(text.replace("/", ".").split("."))


def names(spelling: str, name: str) -> bool:
    """Whether ``spelling`` is one of the spellings of the item (or other dotted name) ``name``."""
    if spelling == name:
        return True
    want, have = _parts(spelling), _parts(name)
    if not all(want) or len(want) > len(have):
        return False
    if have[-len(want) :] == want:
        return True
    return (
        len(want) == 3
        and want[0] in _SCOPES
        and len(have) == 4
        and have[0] == model.TYPE_CHECKLIST
        and have[2:] == want[1:]
    )


def _closest(spelling: str, known: list[str]) -> list[str]:
    """The items of the section ``spelling`` names, or else the names most like it, each
    compared in as many parts as ``spelling`` has."""
    section = [name for name in known if names(spelling, name.rpartition(".")[0])]
    if section:
        return section
    size = len(_parts(spelling))
    forms: dict[str, list[str]] = {}
    for name in known:
        forms.setdefault(".".join(_parts(name)[-size:]), []).append(name)
    found = closest(".".join(_parts(spelling)), forms)
    return [name for form in found for name in forms[form]][:3]


def resolve_name(
    spelling: str, known: Iterable[str], *, option: str, where: str, what: str = "checklist item"
) -> str:
    """The one name of ``known`` that ``spelling`` names. ``option`` (``--item``) and ``where``
    (``in the corpus``) say in the messages what was asked and where it was looked for."""
    candidates = list(dict.fromkeys(known))
    if spelling in candidates:
        return spelling
    found = [name for name in candidates if names(spelling, name)]
    if len(found) == 1:
        return found[0]
    if found:
        listing = ", ".join(sorted(found))
        raise ScanRepoError(
            f"{option} {spelling!r} names several {what}s {where} ({listing}); name one in full"
        )
    raise UnknownNameError(
        f"{option} {spelling!r}: no {what} of that name {where}", _closest(spelling, candidates)
    )
