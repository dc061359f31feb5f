"""The opening screen's texts, read from two small files without loading the whole knowledge base.

The interview shows its opening screen (what the tool is, the emergency notice, and the notice that no
clinician has reviewed the content yet) while the knowledge base is loaded, compiled and self-tested
behind it (triage/frontends/startup.py). Whenever these texts cannot be read simply, or the answer to
"has every rule been reviewed?" needs the rules themselves, `read_opening` returns None and the
interview loads and checks everything first, as it always did; the full load also reports any error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from triage.errors import YamlSyntaxError
from triage.knowledge.yamlfile import parse_text

KNOWLEDGE_FILE = "knowledge.yaml"
REVIEWS_FILE = "reviews.yaml"
UNREVIEWED_NOTICE = ("Please note: a clinician has not yet reviewed all of this content. "
                     "Use it only to prepare for a talk with your doctor.")


@dataclass(frozen=True)
class Opening:
    about: str
    emergency_notice: str
    notices: tuple[str, ...]


def read_opening(folder: Path) -> Opening | None:
    """The opening texts of the knowledge base in `folder`, or None when only a full load can tell."""
    try:
        top = parse_text((folder / KNOWLEDGE_FILE).read_text(encoding="utf-8"), KNOWLEDGE_FILE)
        reviews_file = folder / REVIEWS_FILE
        reviews = parse_text(reviews_file.read_text(encoding="utf-8"), REVIEWS_FILE) if reviews_file.is_file() else {}
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        return None
    if not isinstance(top, dict) or not isinstance(reviews, dict | None):
        return None
    about, emergency = top.get("about"), top.get("emergency_notice")
    if not (isinstance(about, str) and about.strip() and isinstance(emergency, str) and emergency.strip()):
        return None
    # With no sign-off at all, some rule is unreviewed whatever the rules are; with any sign-off, only the
    # fingerprints of the loaded rules can tell whether every rule is covered.
    if (reviews or {}).get("reviews") not in (None, []):
        return None
    return Opening(about.strip(), emergency.strip(), (UNREVIEWED_NOTICE,))
