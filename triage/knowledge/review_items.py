"""What a clinician signs off: every rule with all it makes a person see, and the texts no rule owns.

Each item has a canonical text: plain lines, the same bytes for the same content on every machine. A
rule's text holds its own YAML content and every text it shows or decides with (the questions its
condition reads, the section, workup, advice, urgency level and doctor its conclusion names), so rewording
a question or a timeframe changes every rule that uses it. The opening text, the disclaimer, the emergency
signs, the "several doctors" choice, the kiosk's reading pages and questions no rule reads are items of
their own. The fingerprint is the SHA-256 of the canonical text; `reviews.py` keeps the text that was
signed, so a change can be shown as a diff.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import assert_never

from triage.knowledge.reading import READING_FILE, Reading, load_reading
from triage.logic import questions_read
from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    Conclusion,
    Condition,
    ConsiderWorkup,
    FindingReached,
    GiveAdvice,
    KnowledgeBase,
    OrganConcernsAtLeast,
    Question,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)

RULE, TEXT, READING, QUESTION = "rule", "text", "reading page", "question"


@dataclass(frozen=True)
class Item:
    """One thing a clinician signs off."""

    id: str  # a rule id, or text.about, text.disclaimer, reading.<page>, question.<id>, ...
    kind: str  # RULE, TEXT, READING or QUESTION
    text: str  # the canonical text: what is signed
    reviewers_needed: int  # two for safety items (red flags, emergency), one otherwise
    covers: tuple[str, ...]  # how `triage rules check` names the things in it (its findings' items)

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.text)


def fingerprint_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def review_items(kb: KnowledgeBase, reading: Reading | None = None) -> dict[str, Item]:
    """Every item of `kb` to sign off, rules first (in file order), then the texts no rule owns.

    `reading` defaults to the folder's reading.yaml when there is one (a load error is raised)."""
    if reading is None and (Path(kb.directory) / READING_FILE).is_file():
        reading = load_reading(kb)
    head = f"knowledge base: {kb.name}, version {kb.version}"
    items = [*_rule_items(kb, head), *_text_items(kb, head), *_reading_items(kb, reading, head),
             *_question_items(kb, head)]
    return {item.id: item for item in items}


def is_safety_rule(kb: KnowledgeBase, rule: Rule) -> bool:
    """A rule that decides emergencies: marked `safety`, or a referral at the top urgency or on a red flag
    (the rules `triage rules check` requires to be marked `safety`)."""
    if rule.source == "safety":
        return True
    if not isinstance(rule.then, Refer):
        return False
    top = kb.urgency_levels[0].id if kb.urgency_levels else None
    red = {q.id for q in kb.questions if q.red_flag}
    return rule.then.urgency == top or bool(questions_read(rule.when) & red)


# --- rules ----------------------------------------------------------------------------------------------


def _rule_items(kb: KnowledgeBase, head: str) -> Iterator[Item]:
    for rule in kb.rules:
        source = kb.source.get(rule.source)
        lines = [f"rule {rule.id}", head, f"statement: {_one(rule.statement)}",
                 f"source: {rule.source}" + (f" ({_one(source.title)})" if source else ""),
                 *([f"cites: {', '.join(rule.cites)}"] if rule.cites else []),
                 *([f"reference: {_one(rule.reference)}"] if rule.reference else []),
                 *([f"rationale: {_one(rule.rationale)}"] if rule.rationale else []),
                 "when:", *_condition(rule.when, 1), "then:", *_conclusion(rule.then, 1)]
        covers = [f"rule '{rule.id}'"]
        read = questions_read(rule.when)
        for question in (q for q in kb.questions if q.id in read):
            lines += _question(question)
            covers.append(f"question '{question.id}'")
        more, named = _conclusion_texts(kb, rule)
        lines += more
        covers += named
        yield Item(rule.id, RULE, _text(lines), 2 if is_safety_rule(kb, rule) else 1, tuple(covers))


def _condition(condition: Condition, depth: int) -> list[str]:
    pad = "  " * depth
    match condition:
        case AnswerIs(question, values):
            return [f"{pad}answer to {question} is {_either(values)}"]
        case AnswerIncludes(question, options):
            return [f"{pad}answer to {question} includes {_either(options)}"]
        case ConcernRaised(section):
            return [f"{pad}concern about section {section}"]
        case FindingReached(finding):
            return [f"{pad}finding {finding}"]
        case OrganConcernsAtLeast(count):
            return [f"{pad}concerns about at least {count} organ sections"]
        case AllOf(items):
            return [f"{pad}all of:", *(line for c in items for line in _condition(c, depth + 1))]
        case AnyOf(items):
            return [f"{pad}any of:", *(line for c in items for line in _condition(c, depth + 1))]
        case Always():
            return [f"{pad}always"]
        case _:
            assert_never(condition)


def _either(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else "one of " + ", ".join(values)


def _conclusion(then: Conclusion, depth: int) -> list[str]:
    pad = "  " * depth
    match then:
        case RaiseConcern(section):
            return [f"{pad}concern: {section}"]
        case ReachFinding(finding):
            return [f"{pad}finding: {finding}"]
        case ConsiderWorkup(workup, reason):
            return [f"{pad}workup: {workup}", f"{pad}reason: {_one(reason)}"]
        case Refer(to, urgency):
            return [f"{pad}referral to: {to}", f"{pad}urgency: {urgency}"]
        case GiveAdvice(advice):
            return [f"{pad}advice: {advice}"]
        case _:
            assert_never(then)


def _conclusion_texts(kb: KnowledgeBase, rule: Rule) -> tuple[list[str], list[str]]:
    """The texts the conclusion shows a person, and how the check names them."""
    then = rule.then
    match then:
        case RaiseConcern(section):
            s = kb.section.get(section)
            if s is None:
                return [], []
            edu = s.education
            return ([f"section {s.id}:", f"  title: {_one(s.title)}", f"  doctor: {s.doctor}",
                     *(f"  education.{f}: {_one(getattr(edu, f))}"
                       for f in ("what", "causes", "signs", "examination", "next"))],
                    [f"section '{s.id}'"])
        case ReachFinding(finding):
            found = next((f for f in kb.findings if f.id == finding), None)
            return ([f"finding {finding}:", f"  description: {_one(found.description)}"] if found else []), []
        case ConsiderWorkup(workup, _):
            w = kb.workup.get(workup)
            return ([f"workup {w.id}:", f"  name: {_one(w.name)}", f"  purpose: {_one(w.purpose)}"] if w else [],
                    [f"workup '{workup}'"])
        case Refer(to, urgency):
            lines: list[str] = []
            u = kb.urgency.get(urgency)
            if u is not None:
                place = [level.id for level in kb.urgency_levels].index(u.id) + 1
                lines += [f"urgency {u.id} (level {place} of {len(kb.urgency_levels)}, highest first):",
                          f"  label: {_one(u.label)}", f"  timeframe: {_one(u.timeframe)}",
                          f"  advice: {_one(u.advice)}"]
            d = kb.doctor.get(to)
            if d is not None:
                lines += [f"doctor {d.id}:", f"  name: {_one(d.name)}"]
            return lines, [f"urgency '{urgency}'", f"doctor '{to}'"]
        case GiveAdvice(advice):
            a = kb.advice_by_id.get(advice)
            return ([f"advice {advice}:", f"  text: {_one(a.text)}"] if a else []), [f"advice '{advice}'"]
        case _:
            assert_never(then)


def _question(q: Question) -> list[str]:
    lines = [f"question {q.id}:", f"  text: {_one(q.text)}", f"  type: {q.type.value}"]
    if q.help:
        lines.append(f"  help: {_one(q.help)}")
    if q.ask_when is not None:
        lines += ["  asked when:", *_condition(q.ask_when, 2)]
    if q.red_flag:
        lines.append(f"  red flag, emergency sign: {_one(q.emergency_sign or '')}")
    if q.choose_at_least_one:
        lines.append("  at least one option must be ticked")
    for o in q.options:
        lines.append(f"  option {o.id}: {_one(o.label)}")
        if o.ask_when is not None:
            lines += ["    offered when:", *_condition(o.ask_when, 3)]
    return lines


# --- texts no rule owns ---------------------------------------------------------------------------------


def _text_items(kb: KnowledgeBase, head: str) -> Iterator[Item]:
    yield Item("text.about", TEXT, _text(["opening text (about)", head, _one(kb.about)]), 1,
               ("knowledge.yaml: about",))
    yield Item("text.disclaimer", TEXT, _text(["disclaimer", head, _one(kb.disclaimer)]), 1,
               ("knowledge.yaml: disclaimer",))
    red = [q for q in kb.questions if q.red_flag]
    yield Item("text.emergency_signs", TEXT,
               _text(["emergency signs (the emergency notice lists them in this order)", head,
                      *(f"{q.id}: {_one(q.emergency_sign or '')}" for q in red)]),
               2, tuple(f"question '{q.id}': emergency_sign" for q in red))
    chosen = kb.doctor.get(kb.several_doctors)
    name = f" ({_one(chosen.name)})" if chosen else ""
    yield Item("text.several_doctors", TEXT,
               _text(["when rules at the highest urgency name several doctors, refer to", head,
                      f"{kb.several_doctors}{name}"]), 1, (f"doctor '{kb.several_doctors}'",))


def _reading_items(kb: KnowledgeBase, reading: Reading | None, head: str) -> Iterator[Item]:
    if reading is None:
        return
    yield Item("text.reading_closing", TEXT, _text(["closing of every reading page", head, _one(reading.closing)]),
               1, ("reading.yaml: closing",))
    for page in reading.pages:
        lines = [f"reading page {page.id}", head, f"title: {_one(page.title)}", f"source: {page.source}"]
        lines += [f"{p.label}: {_one(p.text)}" if p.label else _one(p.text) for p in page.paragraphs]
        yield Item(f"reading.{page.id}", READING, _text(lines), 1, (f"reading page '{page.id}'",))


def _question_items(kb: KnowledgeBase, head: str) -> Iterator[Item]:
    read = set().union(*(questions_read(r.when) for r in kb.rules))
    for q in kb.questions:
        if q.id not in read:
            yield Item(f"question.{q.id}", QUESTION, _text([f"question no rule reads: {q.id}", head, *_question(q)]),
                       2 if q.red_flag else 1, (f"question '{q.id}'",))


def _one(text: str) -> str:
    """A text on one line, its spacing made plain (the YAML folding is not content)."""
    return " ".join(text.split())


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"
