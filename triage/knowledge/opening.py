"""The opening screen's texts, read from three small files without loading the whole knowledge base.

The interview shows its opening screen (what the tool is, the emergency notice, and the notice that no
clinician has reviewed the content yet) while the knowledge base is loaded, compiled and self-tested
behind it (triage/frontends/startup.py). The emergency notice lists the red-flag questions' signs, read
from questions.yaml (about 2 ms). Whenever these texts cannot be read simply, or the answer to "has every
rule been reviewed?" needs the rules themselves, `read_opening` returns None and the interview loads and
checks everything first, as it always did; the full load also reports any error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.errors import YamlSyntaxError
from triage.knowledge.yamlfile import parse_text
from triage.texts import emergency_notice, ui

KNOWLEDGE_FILE = "knowledge.yaml"
QUESTIONS_FILE = "questions.yaml"
REVIEWS_FILE = "reviews.yaml"
_ITEM = re.compile(r"^- ", re.MULTILINE)  # a question of questions.yaml
# Anchors, aliases and merge keys; a line at the left edge that is neither an item, a comment nor blank.
_ODD = re.compile(r"<<|[&*][\w-]|^(?:[^\s#-]|-(?! ))", re.MULTILINE)


@dataclass(frozen=True)
class Opening:
    about: str
    emergency_notice: str
    notices: tuple[str, ...]


def read_opening(folder: Path) -> Opening | None:
    """The opening texts of the knowledge base in `folder`, or None when only a full load can tell."""
    try:
        top = _read(folder / KNOWLEDGE_FILE)
        reviews_file = folder / REVIEWS_FILE
        reviews = _read(reviews_file) if reviews_file.is_file() else {}
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        return None
    if not isinstance(top, dict) or not isinstance(reviews, dict | None):
        return None
    about = top.get("about")
    if not (isinstance(about, str) and about.strip()):
        return None
    # With no sign-off at all, some item is unreviewed whatever the rules are; with any sign-off, only the
    # fingerprints of the loaded items (rules with the texts they show, and the texts no rule owns) can
    # tell whether every one is covered: reviews.review_notices decides after the full load.
    if (reviews or {}).get("reviews") not in (None, []):
        return None
    signs = read_emergency_signs(folder)
    if signs is None:
        return None
    return Opening(about.strip(), emergency_notice(signs), (unreviewed_notice(),))


def unreviewed_notice() -> str:
    """Shown on the opening screen until clinicians have reviewed every rule and text (reviews.py)."""
    return ui("opening.unreviewed")


def read_emergency_signs(folder: Path) -> tuple[str, ...] | None:
    """The red-flag questions' signs from `folder`'s questions.yaml, in order; None unless every red flag
    plainly has one: then only a full load can tell, and report what is wrong.

    Only the questions that mention red_flag are parsed (a tenth of the file): the file must be a plain
    list, one `- ` item per question at the start of a line, with no anchors or merge keys that could
    bring a red_flag in from elsewhere.
    """
    try:
        text = (folder / QUESTIONS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    starts = [m.start() for m in _ITEM.finditer(text)]
    if not starts or _ODD.search(text):
        return None
    items = [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
    try:
        questions = parse_text("".join(i if i.endswith("\n") else i + "\n" for i in items if "red_flag" in i),
                               QUESTIONS_FILE)
    except YamlSyntaxError:
        return None
    signs: list[str] = []
    for question in questions or []:
        if not isinstance(question, dict):
            return None
        if question.get("red_flag") is True:
            sign = question.get("emergency_sign")
            if not (isinstance(sign, str) and sign.strip()):
                return None
            signs.append(sign.strip())
    return tuple(signs)


def _read(path: Path) -> Any:
    return parse_text(path.read_text(encoding="utf-8"), path.name)
