"""The patient leaflet as sections of numbered paragraphs, so that a rule's locator (`lungs.2`) can be resolved.

The leaflet is plain text, paragraphs separated by blank lines. The paragraphs before the first heading are
`intro`; a heading (one short line that does not end a sentence) starts a named section; two or more blank
lines in a row start an unheaded section (`diagnosis`, then `treatment`). Paragraphs are numbered from 1 within
each section. `parse` is pure; `read_leaflet` reads a file and raises a TriageError it cannot be read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from triage.errors import Place, Problem, TriageError

INTRO = "intro"
# The leaflet's headings and the section ids locators use for them.
HEADINGS = {
    "lung calcifications": "lungs",
    "kidney calcifications": "kidneys",
    "calcifications in the liver": "liver",
    "calcifications in the prostate": "prostate",
    "calcifications in the other organs": "other_organs",
    "calcifications in other organs": "other_organs",
}
# The sections that start after a double blank line, in order.
UNHEADED = ("diagnosis", "treatment")
LOCATOR = re.compile(r"^([a-z][a-z0-9_]*)\.([1-9][0-9]*)$")
_HEADING_MAX_CHARS = 60


@dataclass(frozen=True)
class Leaflet:
    name: str  # the file as given, for messages
    sections: dict[str, tuple[str, ...]]  # section id -> its paragraphs, in order

    def paragraph(self, locator: str) -> str | None:
        """The paragraph a locator names, or None when the leaflet has no such section or paragraph."""
        match = LOCATOR.match(locator)
        if match is None:
            return None
        paragraphs = self.sections.get(match.group(1), ())
        number = int(match.group(2))
        return paragraphs[number - 1] if number <= len(paragraphs) else None

    def locators(self) -> list[str]:
        """Every paragraph's locator, in leaflet order."""
        return [f"{section}.{n}" for section, paragraphs in self.sections.items()
                for n in range(1, len(paragraphs) + 1)]


def well_formed(locator: object) -> bool:
    """`SECTION.N`: a lower-case section id, a dot and a paragraph number from 1."""
    return isinstance(locator, str) and LOCATOR.match(locator) is not None


def _is_heading(block: list[str]) -> bool:
    text = block[0].strip()
    return len(block) == 1 and len(text) <= _HEADING_MAX_CHARS and not text.endswith((".", "!", "?", ":"))


def _heading_id(text: str) -> str:
    words = text.strip().lower()
    return HEADINGS.get(words) or re.sub(r"[^a-z0-9]+", "_", words).strip("_")


def parse(text: str, name: str = "leaflet") -> Leaflet:
    """Split the leaflet's text into sections of paragraphs."""
    sections: dict[str, list[str]] = {INTRO: []}
    current, unheaded, blanks = INTRO, 0, 0
    block: list[str] = []

    def close() -> None:
        nonlocal current
        if not block:
            return
        if _is_heading(block):
            current = _heading_id(block[0])
            sections.setdefault(current, [])
        else:
            sections[current].append(" ".join(line.strip() for line in block))
        block.clear()

    for line in text.splitlines():
        if line.strip():
            if blanks >= 2 and sections[current]:  # a double blank line starts an unheaded section
                close()
                current = UNHEADED[unheaded] if unheaded < len(UNHEADED) else f"part_{unheaded + 1}"
                unheaded += 1
                sections.setdefault(current, [])
            blanks = 0
            block.append(line)
        else:
            close()
            blanks += 1
    close()
    return Leaflet(name, {ident: tuple(paragraphs) for ident, paragraphs in sections.items() if paragraphs})


def read_leaflet(path: str | Path) -> Leaflet:
    """Read and parse a leaflet file; a TriageError names a file that is missing or cannot be read as text."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise TriageError([Problem("no-such-file", Place(name),
                                   "does not exist (the leaflet given with --leaflet)")]) from None
    except OSError as exc:
        raise TriageError([Problem("unreadable", Place(name), f"cannot be read: {exc.strerror}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TriageError([Problem("not-utf8", Place(name), "is not UTF-8 text")]) from None
    leaflet = parse(text, name)
    if not any(leaflet.sections.values()):
        raise TriageError([Problem("empty-file", Place(name), "holds no paragraphs")])
    return leaflet
