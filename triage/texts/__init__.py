"""Every interface string a patient, a kiosk visitor or kiosk staff read: looked up by key in en.yaml.

Medical knowledge lives in rules/; the words around it (prompts, buttons, headings, progress, notices)
live in the catalogue here, so that a clinician can review them and a second language is data only.

    >>> ui("interview.progress", number=6, left="about 9 left")
    'Question 6 - about 9 left'

Keys are dotted paths into the catalogue, grouped by screen. A missing key, a missing value for a
placeholder or a value no placeholder uses raises KeyError naming the key. The catalogue is read once,
on the first lookup (about 1 ms with libyaml); importing this module reads nothing.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

CATALOGUE = Path(__file__).with_name("en.yaml")


def ui(key: str, **values: Any) -> str:
    """The text for `key`, its {placeholders} filled from `values`."""
    template = _catalogue().get(key)
    if template is None:
        raise KeyError(f"no interface text {key!r} in {CATALOGUE.name}")
    wanted = placeholders(template)
    if wanted != set(values):
        missing, unused = sorted(wanted - set(values)), sorted(set(values) - wanted)
        raise KeyError(f"interface text {key!r} needs the values {sorted(wanted)}; "
                       f"missing {missing}, not used {unused}")
    return template.format(**values)


def plain_list(items: Sequence[str]) -> str:
    """'a', 'a or b', 'a, b or c': items joined in plain English (the word 'or' from the catalogue)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ui("words.list_or", items=", ".join(items[:-1]), last=items[-1])


def emergency_notice(signs: Sequence[str]) -> str:
    """'Not for emergencies: if <signs>, call the emergency number now.', from the red flags' signs."""
    return ui("emergency.notice", signs=plain_list(signs)) if signs else ui("emergency.notice_without_signs")


def catalogue() -> Mapping[str, str]:
    """Every key of the catalogue and its text as written, placeholders unfilled (for tests and checks)."""
    return MappingProxyType(_catalogue())


@cache
def placeholders(template: str) -> set[str]:
    """The names of the {placeholders} in `template`."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@cache
def _catalogue() -> dict[str, str]:
    import yaml  # imported already by the time anything is drawn (the opening texts are YAML too)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with CATALOGUE.open(encoding="utf-8") as stream:
        tree = yaml.load(stream, Loader=loader)  # noqa: S506 - a safe loader
    flat: dict[str, str] = {}
    _flatten(tree, "", flat)
    return flat


def _flatten(tree: Any, prefix: str, flat: dict[str, str]) -> None:
    if not isinstance(tree, dict):
        raise TypeError(f"{CATALOGUE.name}: {prefix or 'the file'} must be a mapping of keys to texts")
    for key, value in tree.items():
        if not isinstance(key, str):  # e.g. an unquoted yes or no, which YAML reads as true or false
            raise TypeError(f"{CATALOGUE.name}: key {key!r} under {prefix or 'the top'} must be a word; quote it")
        path = f"{prefix}{key}"
        if isinstance(value, str):
            flat[path] = value
        else:
            _flatten(value, path + ".", flat)
