"""What patient-facing text must never say, and where that text lives in a knowledge base.

The tool is non-diagnostic: it may say which leaflet sections relate to answers, never that a person
has a disease or a calcification.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from triage.model import ConsiderWorkup, KnowledgeBase

DIAGNOSTIC_PHRASES = [
    # "you have" states a fact about the person, unless it asks or supposes ("Do you have", "If you have")
    # or is about the answers ("you have answered").
    r"(?<!\bif )(?<!whether )(?<!\bwhen )(?<!\bdo )(?<!\bthat )\byou(?: have(?: got)?|'ve(?: got)?)\b"
    r"(?! (?:answered|said|told|noticed|had|been|ever|seen|felt|passed"
    r"|thrown|lived|become|any|chosen|picked|a question|questions|time))",
    r"\byou(?:'re| are) (?:suffering|ill|sick|diagnosed|affected)\b",
    r"\bsuffering from\b",
    r"\bdiagnos(?:is|ed)\s*:",
    r"\byour diagnosis\b",
    r"\byou (?:are|were) diagnosed\b",
    r"\b(?:this|that|it) (?:is|means) (?:cancer|tuberculosis|a calcification)\b",
    r"(?<!\bif )\byou (?:do not|don't) have\b",  # reassurance is a diagnosis too
    r"\bnothing (?:is )?wrong with you\b",
]
_PATTERN = re.compile("|".join(f"(?:{p})" for p in DIAGNOSTIC_PHRASES), re.IGNORECASE)


def diagnostic_phrases(text: str) -> list[str]:
    """The diagnostic phrases found in `text` (empty when it is fine)."""
    return [m.group(0) for m in _PATTERN.finditer(text)]


def patient_texts(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    """Every text of the knowledge base a patient may read, as (where, text)."""
    yield "knowledge.yaml: disclaimer", kb.disclaimer
    yield "knowledge.yaml: about", kb.about
    for u in kb.urgency_levels:
        yield f"urgency '{u.id}'", f"{u.label}. {u.timeframe}. {u.advice}"
    for d in kb.doctors:
        yield f"doctor '{d.id}'", d.name
    yield from _question_texts(kb)
    for s in kb.sections:
        yield f"section '{s.id}': title", s.title
        for field in ("what", "causes", "signs", "examination", "next"):
            yield f"section '{s.id}': education.{field}", getattr(s.education, field)
    for w in kb.workups:
        yield f"workup '{w.id}'", f"{w.name}. {w.purpose}"
    for a in kb.advice:
        yield f"advice '{a.id}'", a.text
    for r in kb.rules:
        yield f"rule '{r.id}': statement", r.statement
        if isinstance(r.then, ConsiderWorkup):
            yield f"rule '{r.id}': reason", r.then.reason


def _question_texts(kb: KnowledgeBase) -> Iterator[tuple[str, str]]:
    for q in kb.questions:
        yield f"question '{q.id}'", q.text
        if q.emergency_sign:
            yield f"question '{q.id}': emergency_sign", q.emergency_sign
        if q.help:
            yield f"question '{q.id}': help", q.help
        for o in q.options:
            yield f"question '{q.id}': option '{o.id}'", o.label
