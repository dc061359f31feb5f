"""Clinician sign-off: who approved, rejected or revoked which item, when, and whether it changed since.

An item is a rule with every text it shows or decides with, or a text no rule owns (review_items.py).
A record keeps the fingerprint of the item's canonical text at review time and the knowledge base version;
the text itself is kept once in reviews.yaml under `signed_texts`, so a changed item shows what changed.
Safety items count as reviewed only with two approvals by reviewers of different names. Records of items
that no longer exist are reported as orphaned. Records may carry an SSH signature (signatures.py).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from triage.errors import KnowledgeBaseError, Place, Problem, Severity, TriageError, shown
from triage.knowledge import signatures
from triage.knowledge.fields import Reader
from triage.knowledge.opening import REVIEWS_FILE, unreviewed_notice
from triage.knowledge.review_items import RULE, Item, fingerprint_of, review_items
from triage.knowledge.yamlfile import parse_text
from triage.model import KnowledgeBase

# Decisions a record holds.
APPROVED, REJECTED, REVOKED = "approved", "rejected", "revoked"
DECISIONS = (APPROVED, REJECTED, REVOKED)
# States of an item, in the order status counts them.
REVIEWED, CHANGED, NEVER = "reviewed", "changed since review", "never reviewed"
SECOND = "needs a second reviewer"
REJECTED_STATE = "rejected"
REVOKED_STATE = "sign-off revoked"
STATES = (REVIEWED, SECOND, CHANGED, REJECTED_STATE, REVOKED_STATE, NEVER)

_FIELDS = ("item", "decision", "reviewer", "role", "date", "version", "fingerprint", "comment", "signature")
_HEADER = """\
# Sign-off records, written by `triage rules approve`, `reject` and `revoke` (see rules/README.md).
# Each record: the item (a rule id, or text.*, reading.*, question.*), the decision, who and in what
# role, the date, the knowledge base version and the fingerprint of what was reviewed; `signed_texts`
# keeps each reviewed text once, so `triage rules status` can show what changed since. Do not edit by
# hand: a changed record no longer matches its fingerprint or its signature.
"""


@dataclass(frozen=True)
class Review:
    """One record of reviews.yaml."""

    item: str
    decision: str
    reviewer: str
    role: str  # may be empty for a revocation
    date: str  # ISO date
    version: str  # the knowledge base version reviewed
    fingerprint: str
    comment: str = ""
    signature: str | None = None
    number: int = 0  # its place in reviews.yaml, from 1

    @property
    def rule(self) -> str:
        return self.item


@dataclass(frozen=True)
class Reviews:
    """The records of a reviews.yaml, in file order, and the reviewed texts by fingerprint."""

    records: tuple[Review, ...]
    texts: dict[str, str]


@dataclass(frozen=True)
class ItemStatus:
    """Where one item stands, for `triage rules status` and the review sheet."""

    item: Item
    state: str
    standing: tuple[Review, ...]  # the decisions that count now: the latest of each reviewer, unrevoked
    history: tuple[Review, ...]  # every record of the item, in file order
    diff: tuple[str, ...]  # changed since review: a unified diff of the reviewed text and the text now


@dataclass(frozen=True)
class ReviewStatus:
    items: tuple[ItemStatus, ...]
    orphans: tuple[Review, ...]  # records of items that no longer exist (renamed or removed)
    signatures: dict[int, str]  # record number -> signatures.GOOD / BAD / UNSIGNED / NOT_CHECKED

    @property
    def by_id(self) -> dict[str, ItemStatus]:
        return {s.item.id: s for s in self.items}

    def count(self, state: str) -> int:
        return sum(1 for s in self.items if s.state == state)


def reviews_path(kb: KnowledgeBase) -> Path:
    return Path(kb.directory) / REVIEWS_FILE


def _label(kb: KnowledgeBase) -> str:
    return f"{kb.label}/{REVIEWS_FILE}"


# --- reading --------------------------------------------------------------------------------------------


def read_reviews(kb: KnowledgeBase, today: date | None = None) -> Reviews:
    """The sign-off records of this knowledge base (none if the file does not exist); every problem raised."""
    path, label = reviews_path(kb), _label(kb)
    if not path.is_file():
        return Reviews((), {})
    raw = parse_text(path.read_text(encoding="utf-8"), label)
    if raw is not None and not isinstance(raw, dict):
        raise KnowledgeBaseError([Problem("wrong-shape", Place(label), "must be a mapping with a list 'reviews'")])
    raw = raw or {}
    problems: list[Problem] = []
    Reader(label, None, raw, problems).unknown_fields({"reviews", "signed_texts"})
    items = raw.get("reviews") or []
    if not isinstance(items, list):
        problems.append(Problem("wrong-shape", Place(label), "'reviews' must be a list of records"))
        items = []
    records: list[Review] = []
    today = today or date.today()
    for number, item in enumerate(items, start=1):
        name = item.get("item") if isinstance(item, dict) else None
        where = f"review #{number}" + (f" ('{name}')" if isinstance(name, str) else "")
        record = _record(Reader(label, where, item, problems), number, today)
        if record is not None:
            records.append(record)
    texts = _texts(raw.get("signed_texts"), label, problems)
    if problems:
        raise KnowledgeBaseError(problems)
    return Reviews(tuple(records), texts)


def _record(r: Reader, number: int, today: date) -> Review | None:
    if not isinstance(r.raw, dict) or not r.raw:
        r.problem(None, "must be a record with item, decision, reviewer, role, date, version and fingerprint",
                  "wrong-shape")
        return None
    r.unknown_fields(set(_FIELDS))
    decision = r.text("decision")
    if decision is not None and decision not in DECISIONS:
        r.problem("decision", f"must be one of {', '.join(DECISIONS)}, not {shown(decision)}")
        decision = None
    item, fingerprint = r.text("item"), r.text("fingerprint")
    reviewer = _line(r, "reviewer", required=True)
    role = _line(r, "role", required=decision in (APPROVED, REJECTED))
    comment = _line(r, "comment", required=decision in (REJECTED, REVOKED))
    day = _day(r, today)
    version = r.raw.get("version")
    if version is None:
        r.problem("version", "is missing: the knowledge base version that was reviewed", "missing-field")
    elif not isinstance(version, str | int | float) or isinstance(version, bool) or not str(version).strip():
        r.problem("version", f"must be a version like 0.1.0, not {shown(version)}")
        version = None
    signature = r.raw.get("signature")
    if signature is not None and not (isinstance(signature, str) and "BEGIN SSH SIGNATURE" in signature):
        r.problem("signature", "must be an SSH signature (-----BEGIN SSH SIGNATURE----- ...)")
        signature = None
    if None in (item, decision, reviewer, role, comment, day, version, fingerprint):
        return None
    assert item and decision and reviewer is not None and fingerprint and day  # for mypy: checked just above
    return Review(item, decision, reviewer, role or "", day, str(version).strip(), fingerprint, comment or "",
                  signature, number)


def _line(r: Reader, field: str, required: bool) -> str | None:
    """A name, role or comment: one non-empty line ('' when not required and absent)."""
    if not required and r.raw.get(field) is None:
        return ""
    value = r.text(field)
    if value is not None and any(c in value for c in "\n\r\t\x0b\x0c"):
        r.problem(field, f"must be a single line, not {shown(value)}")
        return None
    return value


def _day(r: Reader, today: date) -> str | None:
    value = r.raw.get("date")
    if value is None:
        r.problem("date", "is missing", "missing-field")
        return None
    try:
        day = value if isinstance(value, date) and not hasattr(value, "hour") else date.fromisoformat(str(value))
    except ValueError:
        r.problem("date", f"must be a real date written YYYY-MM-DD, not {shown(value)}")
        return None
    if day > today:
        r.problem("date", f"{day.isoformat()} is in the future (today is {today.isoformat()})")
        return None
    return day.isoformat()


def _texts(raw: Any, label: str, problems: list[Problem]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem("wrong-shape", Place(label, field="signed_texts"),
                                "must map fingerprints to the texts that were reviewed"))
        return {}
    texts: dict[str, str] = {}
    for key, text in raw.items():
        if not isinstance(text, str) or fingerprint_of(text) != key:
            problems.append(Problem("bad-value", Place(label, item=f"signed text '{key}'", field="signed_texts"),
                                    "does not match its fingerprint: the reviewed text was changed by hand"))
        else:
            texts[key] = text
    return texts


# --- where things stand ---------------------------------------------------------------------------------


def review_status(kb: KnowledgeBase, reviews: Reviews | None = None, allowed_signers: Path | None = None,
                  items: dict[str, Item] | None = None) -> ReviewStatus:
    """Every item's state, its standing records and, when changed, the diff; orphaned records; and each
    record's signature state (checked against `allowed_signers` when given)."""
    reviews = read_reviews(kb) if reviews is None else reviews
    items = review_items(kb) if items is None else items
    history: dict[str, list[Review]] = {}
    for record in reviews.records:
        history.setdefault(record.item, []).append(record)
    result = tuple(_item_status(item, history.get(item.id, []), reviews.texts, kb.version)
                   for item in items.values())
    orphans = tuple(r for r in reviews.records if r.item not in items)
    checked = {r.number: _signature_state(r, allowed_signers) for r in reviews.records}
    return ReviewStatus(result, orphans, checked)


def _item_status(item: Item, history: list[Review], texts: dict[str, str], version: str) -> ItemStatus:
    latest: dict[str, Review] = {}  # per reviewer (names compared without case and extra spaces)
    for record in history:
        who = " ".join(record.reviewer.casefold().split())
        if record.decision == REVOKED:
            latest.pop(who, None)
        else:
            latest[who] = record
    standing = tuple(sorted(latest.values(), key=lambda r: r.number))
    current = [r for r in standing if r.fingerprint == item.fingerprint and r.version == version]
    stale = [r for r in standing if r not in current]
    diff: tuple[str, ...] = ()
    if any(r.decision == REJECTED for r in current):
        state = REJECTED_STATE
    elif sum(r.decision == APPROVED for r in current) >= item.reviewers_needed:
        state = REVIEWED
    elif any(r.decision == APPROVED for r in current):
        state = SECOND
    elif stale:
        state = CHANGED
        diff = _diff(texts.get(stale[-1].fingerprint), item.text, stale[-1])
    elif history:
        state = REVOKED_STATE
    else:
        state = NEVER
    return ItemStatus(item, state, standing, tuple(history), diff)


def _diff(old: str | None, new: str, record: Review) -> tuple[str, ...]:
    if old is None:
        return ("(the reviewed text is not in reviews.yaml, only its fingerprint)",)
    before = old.splitlines()
    lines = []
    for line in difflib.unified_diff(before, new.splitlines(), f"reviewed by {record.reviewer} on {record.date}",
                                     "now", n=0, lineterm=""):
        if line.startswith("@@ "):  # name the part the change is in, as git does: "@@ -10 +10 @@ question x:"
            start = int(line.split()[1][1:].split(",")[0])
            heads = [text for text in before[:max(start, 1)] if text and not text.startswith(" ")]
            line = f"{line} {heads[-1]}" if heads else line
        lines.append(line)
    return tuple(lines)


def _signature_state(record: Review, allowed_signers: Path | None) -> str:
    if record.signature is None:
        return signatures.UNSIGNED
    if allowed_signers is None:
        return signatures.NOT_CHECKED
    good = signatures.verify(record_text(record), record.signature, record.reviewer, allowed_signers)
    return signatures.GOOD if good else signatures.BAD


def all_reviewed(kb: KnowledgeBase) -> bool:
    return all(s.state == REVIEWED for s in review_status(kb).items)


def review_notices(kb: KnowledgeBase) -> tuple[str, ...]:
    """What the interview and the kiosk must say about review: the notice, until every item is reviewed."""
    try:
        reviewed = all_reviewed(kb)
    except TriageError:  # reviews.yaml or the reading pages do not load (`rules status` says why): then
        # nothing counts as reviewed, and people are told so; the interview itself is not stopped by it
        reviewed = False
    return () if reviewed else (unreviewed_notice(),)


# --- recording decisions --------------------------------------------------------------------------------


def record_text(record: Review) -> str:
    """The canonical text of a record: what a signature covers."""
    return "".join(f"{name}: {value}\n" for name, value in (
        ("calcitriage sign-off record", "1"), ("item", record.item), ("decision", record.decision),
        ("reviewer", record.reviewer), ("role", record.role), ("date", record.date),
        ("knowledge base version", record.version), ("fingerprint", record.fingerprint),
        ("comment", record.comment)))


def approve(kb: KnowledgeBase, item_ids: Sequence[str], reviewer: str, role: str, *, findings: Sequence[Problem],
            comment: str = "", day: date | None = None, sign_with: Path | None = None) -> list[Review]:
    """Record approvals of these items; refuses (raising, writing nothing) an unknown item or one in which
    `findings` (`triage.checks.lint.check` of this knowledge base) holds an error."""
    items = review_items(kb)
    problems = _unknown(kb, item_ids, items) + _people(kb, reviewer, role, comment, role_needed=True)
    blocked = blocking(items, findings)
    for ident in item_ids:
        if blocked.get(ident):
            first = blocked[ident][0]
            more = f" (and {len(blocked[ident]) - 1} more)" if len(blocked[ident]) > 1 else ""
            problems.append(Problem("review-refused", Place(_label(kb), item=f"item '{ident}'"),
                                    f"cannot be approved while `triage rules check` finds an error in it: "
                                    f"{first.as_finding()}{more}"))
    return _add(kb, items, problems, item_ids, APPROVED, reviewer, role, comment, day, sign_with)


def reject(kb: KnowledgeBase, item_ids: Sequence[str], reviewer: str, role: str, comment: str, *,
           day: date | None = None, sign_with: Path | None = None) -> list[Review]:
    """Record that a reviewer does not accept these items as they stand, and why."""
    items = review_items(kb)
    problems = _unknown(kb, item_ids, items) + _people(kb, reviewer, role, comment, role_needed=True,
                                                         comment_needed=True)
    return _add(kb, items, problems, item_ids, REJECTED, reviewer, role, comment, day, sign_with)


def revoke(kb: KnowledgeBase, item_ids: Sequence[str], reviewer: str, comment: str, *, day: date | None = None,
           sign_with: Path | None = None) -> list[Review]:
    """Withdraw a reviewer's own earlier approval or rejection of these items, and say why."""
    items = review_items(kb)
    reviews = read_reviews(kb)
    problems = _people(kb, reviewer, "", comment, role_needed=False, comment_needed=True)
    standing = review_status(kb, reviews, items=items)
    who = " ".join(reviewer.casefold().split())
    known = {r.item for r in reviews.records}
    for ident in item_ids:
        if ident not in items and ident not in known:
            problems += _unknown(kb, [ident], items)
            continue
        mine = [r for r in _standing_of(standing, reviews, ident) if " ".join(r.reviewer.casefold().split()) == who]
        if not mine:
            problems.append(Problem("nothing-to-revoke", Place(_label(kb), item=f"item '{ident}'"),
                                    f"{reviewer.strip()} has no approval or rejection of it to revoke"))
    return _add(kb, items, problems, item_ids, REVOKED, reviewer, "", comment, day, sign_with, reviews)


def _standing_of(status_: ReviewStatus, reviews: Reviews, ident: str) -> tuple[Review, ...]:
    if ident in status_.by_id:
        return status_.by_id[ident].standing
    orphan = Item(ident, RULE, "", 1, ())  # an orphaned item: its records still stand until revoked
    return _item_status(orphan, [r for r in reviews.records if r.item == ident], {}, "").standing


def blocking(items: dict[str, Item], findings: Sequence[Problem]) -> dict[str, list[Problem]]:
    """The check errors that stand in the way of approving each item. An error names the things it is
    about (`question 'blue_lips'`, `rule 'x'`, ...); it blocks every item whose text covers one of them,
    a failing golden case blocks every rule, and an error that names nothing known blocks everything."""
    blocked: dict[str, list[Problem]] = {}
    for problem in (f for f in findings if f.severity is Severity.ERROR):
        about = problem.place.item or ""
        hit = [i.id for i in items.values()
               if any(about == c or about.startswith(c + ":") for c in i.covers)
               or (problem.code == "case-fails" and i.kind == RULE)]
        for ident in hit or list(items):
            blocked.setdefault(ident, []).append(problem)
    return blocked


def _unknown(kb: KnowledgeBase, item_ids: Sequence[str], items: dict[str, Item]) -> list[Problem]:
    return [Problem("unknown-id", Place(_label(kb), item=f"item '{i}'"),
                    f"there is no rule or text '{i}' (see `triage rules status`)") for i in item_ids if i not in items]


def _people(kb: KnowledgeBase, reviewer: str, role: str, comment: str, role_needed: bool,
            comment_needed: bool = False) -> list[Problem]:
    problems = []
    for name, value, needed in (("reviewer", reviewer, True), ("role", role, role_needed),
                                ("comment", comment, comment_needed)):
        if needed and not value.strip():
            problems.append(Problem("bad-value", Place(_label(kb)), f"--{name} must not be empty"))
        elif any(c in value.strip() for c in "\n\r\t\x0b\x0c"):
            problems.append(Problem("bad-value", Place(_label(kb)), f"--{name} must be a single line"))
    return problems


def _add(kb: KnowledgeBase, items: dict[str, Item], problems: list[Problem], item_ids: Sequence[str], decision: str,
         reviewer: str, role: str, comment: str, day: date | None, sign_with: Path | None,
         reviews: Reviews | None = None) -> list[Review]:
    if problems:
        raise KnowledgeBaseError(problems)
    reviews = read_reviews(kb) if reviews is None else reviews
    day_text = (day or date.today()).isoformat()
    start = len(reviews.records) + 1
    texts = dict(reviews.texts)
    new = []
    for offset, ident in enumerate(item_ids):
        item = items.get(ident)
        fingerprint = item.fingerprint if item is not None else _last_fingerprint(reviews, ident)
        record = Review(ident, decision, reviewer.strip(), role.strip(), day_text, kb.version, fingerprint,
                        comment.strip(), None, start + offset)
        if sign_with is not None:
            record = replace(record, signature=signatures.sign(record_text(record), sign_with))
        if item is not None:
            texts[fingerprint] = item.text
        new.append(record)
    _write(kb, Reviews(reviews.records + tuple(new), texts))
    return new


def _last_fingerprint(reviews: Reviews, ident: str) -> str:
    return [r for r in reviews.records if r.item == ident][-1].fingerprint


def _write(kb: KnowledgeBase, reviews: Reviews) -> None:
    used = {r.fingerprint for r in reviews.records}
    records = [{name: value for name, value in (
        ("item", r.item), ("decision", r.decision), ("reviewer", r.reviewer), ("role", r.role or None),
        ("date", date.fromisoformat(r.date)), ("version", r.version), ("fingerprint", r.fingerprint),
        ("comment", r.comment or None), ("signature", r.signature)) if value is not None}
        for r in reviews.records]
    texts = {key: text for key, text in reviews.texts.items() if key in used}
    body = yaml.dump({"reviews": records, "signed_texts": texts}, Dumper=_Dumper, sort_keys=False,
                     allow_unicode=True, width=110)
    path = reviews_path(kb)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(_HEADER + body, encoding="utf-8")
    temporary.replace(path)


class _Dumper(yaml.SafeDumper):
    """Texts of several lines (signed texts, signatures) as literal blocks, readable as they are."""


def _text_block(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text_block)

