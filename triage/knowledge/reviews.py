"""Clinician sign-off: who reviewed which rule, when, and whether the rule has changed since.

A record keeps a fingerprint of the rule's content at review time; a rule whose content differs now is
'changed since review', so a sign-off never silently covers an edited rule.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from triage.errors import KnowledgeBaseError, Place, Problem
from triage.knowledge.fields import Reader
from triage.knowledge.opening import REVIEWS_FILE, unreviewed_notice
from triage.knowledge.yamlfile import parse_text
from triage.model import KnowledgeBase, Rule

REVIEWED, CHANGED, NEVER = "reviewed", "changed since review", "never reviewed"
_HEADER = ("# Sign-off records, one per review of a rule. Added by `triage rules approve`; the fingerprint\n"
           "# is the rule's content at review time, so editing a rule shows it as 'changed since review'.\n")


@dataclass(frozen=True)
class Review:
    rule: str
    reviewer: str
    role: str
    date: str
    fingerprint: str


def _canonical(value: Any) -> Any:
    """A JSON-ready form that keeps the kind of every condition (all/any, is/includes...)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {"kind": type(value).__name__, **{f.name: _canonical(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    return value


def fingerprint(rule: Rule) -> str:
    """SHA-256 of what the rule says (id, statement, source, condition, conclusion), not where it is."""
    content = {"id": rule.id, "statement": rule.statement, "source": rule.source,
               "when": _canonical(rule.when), "then": _canonical(rule.then)}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"sha256:{digest}"


def reviews_path(kb: KnowledgeBase) -> Path:
    return Path(kb.directory) / REVIEWS_FILE


def read_reviews(kb: KnowledgeBase) -> list[Review]:
    """The sign-off records of this knowledge base (none if the file does not exist)."""
    path = reviews_path(kb)
    label = f"{kb.label}/{REVIEWS_FILE}"
    if not path.is_file():
        return []
    raw = parse_text(path.read_text(encoding="utf-8"), label)
    if raw is not None and not isinstance(raw, dict):
        raise KnowledgeBaseError([Problem("wrong-shape", Place(label), "must be a mapping with a list 'reviews'")])
    items = (raw or {}).get("reviews") or []
    if not isinstance(items, list):
        raise KnowledgeBaseError([Problem("wrong-shape", Place(label), "'reviews' must be a list of records")])
    problems: list[Problem] = []
    records = [r for index, item in enumerate(items, start=1)
               if (r := _record(Reader(label, f"review #{index}", item, problems))) is not None]
    for record in records:
        if record.rule not in kb.rule:
            problems.append(Problem("unknown-id", Place(label, item=f"review of '{record.rule}'", field="rule"),
                                    f"names rule '{record.rule}', which does not exist"))
    if problems:
        raise KnowledgeBaseError(problems)
    return records


def _record(r: Reader) -> Review | None:
    if not isinstance(r.raw, dict) or not r.raw:
        r.problem(None, "must be a record with rule, reviewer, role, date and fingerprint", "wrong-shape")
        return None
    r.unknown_fields({"rule", "reviewer", "role", "date", "fingerprint"})
    rule, reviewer, role, recorded = (r.text(name) for name in ("rule", "reviewer", "role", "fingerprint"))
    day = r.raw.get("date")
    if day is None:
        r.problem("date", "is missing", "missing-field")
    if rule is None or reviewer is None or role is None or recorded is None or day is None:
        return None
    return Review(rule, reviewer, role, str(day), recorded)


def status(kb: KnowledgeBase, records: list[Review]) -> dict[str, tuple[str, Review | None]]:
    """For every rule: reviewed / changed since review / never reviewed, with its latest record."""
    latest: dict[str, Review] = {}
    for record in records:
        latest[record.rule] = record
    result: dict[str, tuple[str, Review | None]] = {}
    for rule in kb.rules:
        found = latest.get(rule.id)
        if found is None:
            result[rule.id] = (NEVER, None)
        else:
            result[rule.id] = (REVIEWED if found.fingerprint == fingerprint(rule) else CHANGED, found)
    return result


def all_reviewed(kb: KnowledgeBase) -> bool:
    return all(state == REVIEWED for state, _ in status(kb, read_reviews(kb)).values())


def review_notices(kb: KnowledgeBase) -> tuple[str, ...]:
    """What the interview and the kiosk must say about review: the notice, until every rule is reviewed."""
    return () if all_reviewed(kb) else (unreviewed_notice(),)


def approve(kb: KnowledgeBase, rule_ids: list[str], reviewer: str, role: str, day: date | None = None) -> list[Review]:
    """Add sign-off records for these rules to the knowledge base's reviews file; returns the new records."""
    label = f"{kb.label}/{REVIEWS_FILE}"
    problems = [Problem("unknown-id", Place(label, item=f"rule '{r}'"),
                        f"there is no rule '{r}' (see `triage rules status`)") for r in rule_ids if r not in kb.rule]
    for name, value in (("reviewer", reviewer), ("role", role)):
        if not value.strip():
            problems.append(Problem("bad-value", Place(label), f"--{name} must not be empty"))
    if problems:
        raise KnowledgeBaseError(problems)
    existing = read_reviews(kb)
    day_text = (day or date.today()).isoformat()
    new = [Review(r, reviewer.strip(), role.strip(), day_text, fingerprint(kb.rule[r])) for r in rule_ids]
    records = [dict(rule=x.rule, reviewer=x.reviewer, role=x.role, date=x.date, fingerprint=x.fingerprint)
               for x in existing + new]
    body = yaml.safe_dump({"reviews": records}, sort_keys=False, allow_unicode=True, width=110)
    reviews_path(kb).write_text(_HEADER + body, encoding="utf-8")
    return new
