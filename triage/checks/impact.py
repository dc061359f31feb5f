"""What changed between two versions of a knowledge base, for the person who releases the new one.

`compare(old, new)` gives a typed `DiffReport`: rules added, removed and changed; texts a person reads that
changed (and questions whose asking changed); golden cases whose outcome changed (every case of either
version, run on both where its answers still fit); and the outcome classes of the whole answer space whose
urgency, referral, sections or workups changed (`impact_space`). Rendering is in `render/diff_report.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from triage.checks.cases import run_case
from triage.checks.impact_space import SpaceImpact, Summary, compare_space, summary
from triage.errors import TriageError
from triage.knowledge.reading import load_reading
from triage.model import Condition, ConsiderWorkup, GoldenCase, KnowledgeBase, Rule
from triage.rete.engine import CompiledRules


class Change(Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class RuleChange:
    id: str
    change: Change
    old: Rule | None  # None when added
    new: Rule | None  # None when removed


@dataclass(frozen=True)
class TextChange:
    """One text a person reads, e.g. item "question 'blue_lips'", field "text"; None where there is none."""

    item: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class AskingChange:
    """A question both versions have, asked in other circumstances (None: always asked)."""

    question: str
    old: Condition | None
    new: Condition | None


@dataclass(frozen=True)
class CaseRun:
    """A golden case on one version: its outcome, or why its answers do not fit that version."""

    outcome: Summary | None
    problem: str  # empty when the answers fit
    passed: bool  # against the case's own expectation


@dataclass(frozen=True)
class CaseChange:
    id: str
    title: str
    origin: str  # whose case it is: "OLD", "NEW" or "OLD and NEW" (the same case in both)
    old: CaseRun
    new: CaseRun


@dataclass(frozen=True)
class DiffReport:
    old: KnowledgeBase
    new: KnowledgeBase
    rules: tuple[RuleChange, ...]
    texts: tuple[TextChange, ...]
    asking: tuple[AskingChange, ...]
    cases: tuple[CaseChange, ...]
    cases_compared: int
    space: SpaceImpact

    @property
    def no_changes(self) -> bool:
        return not (self.rules or self.texts or self.asking or self.cases or self.space.groups)


def compare(old: KnowledgeBase, new: KnowledgeBase) -> DiffReport:
    """Everything the release from `old` to `new` changes; pure, deterministic (ordered as in the files)."""
    cases, compared = compare_cases(old, new)
    return DiffReport(old, new, compare_rules(old, new), compare_texts(old, new), compare_asking(old, new), cases,
                      compared, compare_space(old, new))


def compare_rules(old: KnowledgeBase, new: KnowledgeBase) -> tuple[RuleChange, ...]:
    """Changed and added rules in NEW's order, then removed ones in OLD's; a rule changed when its condition,
    conclusion, statement or source did."""
    out = []
    for rule in new.rules:
        before = old.rule.get(rule.id)
        if before is None:
            out.append(RuleChange(rule.id, Change.ADDED, None, rule))
        elif (before.when, before.then, before.statement, before.source) != (rule.when, rule.then, rule.statement,
                                                                            rule.source):
            out.append(RuleChange(rule.id, Change.CHANGED, before, rule))
    out += [RuleChange(r.id, Change.REMOVED, r, None) for r in old.rules if r.id not in new.rule]
    return tuple(out)


def patient_texts(kb: KnowledgeBase) -> dict[tuple[str, str], str]:
    """Every text a person reads (and the names behind them), keyed by (item, field), in file order."""
    texts: dict[tuple[str, str], str] = {("knowledge base", "disclaimer"): kb.disclaimer,
                                         ("knowledge base", "about"): kb.about}
    if kb.several_doctors:
        texts[("referral", "several doctors")] = kb.doctor[kb.several_doctors].name
    for u in kb.urgency_levels:
        texts |= {(f"urgency '{u.id}'", "label"): u.label, (f"urgency '{u.id}'", "timeframe"): u.timeframe,
                  (f"urgency '{u.id}'", "advice"): u.advice}
    texts |= {(f"doctor '{d.id}'", "name"): d.name for d in kb.doctors}
    for q in kb.questions:
        item = f"question '{q.id}'"
        texts[(item, "text")] = q.text
        texts |= {(item, "type"): q.type.value} | ({(item, "help"): q.help} if q.help else {})
        texts |= {(item, "emergency sign"): q.emergency_sign} if q.emergency_sign else {}
        texts |= {(item, f"option '{o.id}'"): o.label for o in q.options}
    for s in kb.sections:
        item = f"section '{s.id}'"
        texts |= {(item, "title"): s.title, (item, "doctor"): kb.doctor[s.doctor].name,
                  (item, "what it is"): s.education.what, (item, "causes"): s.education.causes,
                  (item, "signs"): s.education.signs, (item, "examination"): s.education.examination,
                  (item, "next"): s.education.next}
    for w in kb.workups:
        texts |= {(f"workup '{w.id}'", "name"): w.name, (f"workup '{w.id}'", "purpose"): w.purpose}
    texts |= {(f"advice '{a.id}'", "text"): a.text for a in kb.advice}
    texts |= {(f"finding '{f.id}'", "description"): f.description for f in kb.findings}
    texts |= {(f"source '{s.id}'", "title"): s.title for s in kb.sources}
    texts |= {(f"rule '{r.id}'", "workup reason"): r.then.reason for r in kb.rules
              if isinstance(r.then, ConsiderWorkup)}
    return texts | _reading_texts(kb)


def _reading_texts(kb: KnowledgeBase) -> dict[tuple[str, str], str]:
    try:
        reading = load_reading(kb)
    except TriageError as exc:
        # The messages without the folder's name: two folders that both lack the pages are no change.
        return {("reading pages", "problem"): "; ".join(f"{p.place.item or ''} {p.message}".strip()
                                                        for p in exc.problems)}
    texts = {("reading pages", "closing"): reading.closing}
    for page in reading.pages:
        item = f"reading page '{page.id}'"
        texts[(item, "title")] = page.title
        texts |= {(item, f"paragraph {n}"): f"{p.label}: {p.text}" if p.label else p.text
                  for n, p in enumerate(page.paragraphs, start=1)}
    return texts


def compare_texts(old: KnowledgeBase, new: KnowledgeBase) -> tuple[TextChange, ...]:
    """Texts changed or added in NEW's order, then those removed in OLD's."""
    before, after = patient_texts(old), patient_texts(new)
    out = [TextChange(item, field, before.get((item, field)), text) for (item, field), text in after.items()
           if before.get((item, field)) != text]
    out += [TextChange(item, field, text, None) for (item, field), text in before.items() if (item, field) not in after]
    return tuple(out)


def compare_asking(old: KnowledgeBase, new: KnowledgeBase) -> tuple[AskingChange, ...]:
    return tuple(AskingChange(q.id, old.question[q.id].ask_when, q.ask_when) for q in new.questions
                 if q.id in old.question and old.question[q.id].ask_when != q.ask_when)


def compare_cases(old: KnowledgeBase, new: KnowledgeBase) -> tuple[tuple[CaseChange, ...], int]:
    """Every golden case of either version on both versions; those whose result differs, and how many ran.

    A case both versions hold unchanged runs once ("OLD and NEW"); a case that differs runs in each version.
    """
    engines = CompiledRules(old), CompiledRules(new)
    runs: list[tuple[GoldenCase, str]] = []
    for case in new.cases:
        same = next((c for c in old.cases if c.id == case.id), None)
        unchanged = same is not None and (same.answers, same.expect, same.title) == (case.answers, case.expect,
                                                                                    case.title)
        runs.append((case, "OLD and NEW" if unchanged else "NEW"))
    runs += [(c, "OLD") for c in old.cases
             if not any(case.id == c.id and origin == "OLD and NEW" for case, origin in runs)]
    changes = []
    for case, origin in runs:
        before, after = (_run(engine, case) for engine in engines)
        if (before.outcome, before.problem) != (after.outcome, after.problem):
            changes.append(CaseChange(case.id, case.title, origin, before, after))
    return tuple(changes), len(runs)


def _run(engine: CompiledRules, case: GoldenCase) -> CaseRun:
    result = run_case(engine, case)
    if result.outcome is None:
        return CaseRun(None, "; ".join(result.differences), False)
    return CaseRun(summary(result.outcome), "", result.passed)
