"""`triage rules check`: everything a clinician should fix or look at in a knowledge base.

Errors make the check fail; warnings are listed apart. Pure: a KnowledgeBase in, a list of Problems out
(the same type as load errors; `Problem.as_finding()` is how the check lists one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from triage.checks import safety
from triage.checks.cases import run_cases
from triage.checks.reachability import Reachability
from triage.checks.wording import diagnostic_phrases, patient_texts
from triage.errors import Place, Problem, Severity, TriageError
from triage.logic import questions_read, walk
from triage.model import (
    ConcernRaised,
    ConsiderWorkup,
    FindingReached,
    GiveAdvice,
    KnowledgeBase,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)
from triage.rete.engine import CompiledRules

# Plain-language guidance for patient material asks for about school grade 6-8; short labels and
# single words give meaningless grades, so only texts of this many words or more are scored.
READABILITY_MAX_GRADE = 9.0
READABILITY_MIN_WORDS = 12


def check(kb: KnowledgeBase, engine: CompiledRules | None = None) -> list[Problem]:
    """Every lint finding, errors first; the safety properties (checks.safety) among them."""
    engine = engine or CompiledRules(kb)
    notes = [*_unused(kb), *_never_fires(kb), *_red_flags(kb), *_wording(kb), *_readability_notes(kb),
             *_reading(kb), *_cases(kb, engine), *safety.check(kb, engine).problems]
    return sorted(notes, key=lambda n: n.severity is not Severity.ERROR)


def startup_errors(kb: KnowledgeBase) -> list[Problem]:
    """The errors of `check` that fit a front end's start-up (a few milliseconds): rules that never fire,
    red-flag rules, diagnostic wording, reading pages, and the red-flag properties (a) and (b). The golden
    cases are run by the self-test; the whole proof of the safety properties by `triage rules check`."""
    notes = [*_never_fires(kb), *_red_flags(kb), *_wording(kb), *_reading(kb), *safety.red_flag_problems(kb)]
    return [n for n in notes if n.severity is Severity.ERROR]


def _unused(kb: KnowledgeBase) -> Iterator[Problem]:
    read = set().union(*(questions_read(r.when) for r in kb.rules))
    for q in kb.questions:
        read |= questions_read(q.ask_when)
        for o in q.options:
            read |= questions_read(o.ask_when)
    for q in kb.questions:
        if q.id not in read:
            yield Problem("unused-question", Place(None, item=f"question '{q.id}'"),
                          "no rule and no ask_when uses its answer", Severity.WARNING)
    thens = [r.then for r in kb.rules]
    reached = {
        "section": {t.section for t in thens if isinstance(t, RaiseConcern)},
        "workup": {t.workup for t in thens if isinstance(t, ConsiderWorkup)},
        "urgency level": {t.urgency for t in thens if isinstance(t, Refer)},
        "finding": {t.finding for t in thens if isinstance(t, ReachFinding)},
        "advice item": {t.advice for t in thens if isinstance(t, GiveAdvice)},
    }
    ids = {"section": [s.id for s in kb.sections], "workup": [w.id for w in kb.workups],
           "urgency level": [u.id for u in kb.urgency_levels], "finding": [f.id for f in kb.findings],
           "advice item": [a.id for a in kb.advice]}
    for kind, all_ids in ids.items():
        for ident in all_ids:
            if ident not in reached[kind]:
                yield Problem("unreached", Place(None, item=f"{kind} '{ident}'"), "no rule reaches it",
                              Severity.WARNING)


def _never_fires(kb: KnowledgeBase) -> Iterator[Problem]:
    reach = Reachability(kb)
    for rule in kb.rules:
        if not reach.can_hold(rule.when):
            yield Problem("never-fires", _rule_place(rule),
                          "can never fire: no set of answers the interview can produce satisfies its condition "
                          "(check the questions it needs: are they ever asked together?)")


def _red_flags(kb: KnowledgeBase) -> Iterator[Problem]:
    top = kb.urgency_levels[0].id if kb.urgency_levels else None
    red = {q.id for q in kb.questions if q.red_flag}
    for rule in kb.rules:
        concludes_top = isinstance(rule.then, Refer) and rule.then.urgency == top
        reads_red = isinstance(rule.then, Refer) and bool(questions_read(rule.when) & red)
        if (concludes_top or reads_red) and rule.source != "safety":
            yield Problem("red-flag-source", _rule_place(rule),
                          f"a red-flag rule must have source 'safety', not '{rule.source}'")
        uses_conclusions = any(isinstance(p, ConcernRaised | FindingReached) for p in walk(rule.when))
        if rule.source == "safety" and uses_conclusions:
            yield Problem("red-flag-chain", _rule_place(rule),
                          "a safety rule should rest on answers directly, not on other conclusions", Severity.WARNING)


def _rule_place(rule: Rule) -> Place:
    return Place(rule.file, rule.line, f"rule '{rule.id}'")


def _wording(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from _diagnostic(patient_texts(kb))


def _diagnostic(texts: Iterable[tuple[str, str]]) -> Iterator[Problem]:
    for where, text in texts:
        for phrase in diagnostic_phrases(text):
            yield Problem("diagnostic-wording", Place(None, item=where),
                          f"'{phrase}' reads as a diagnosis; say which leaflet section relates to the answers")


def readability(kb: KnowledgeBase) -> list[tuple[str, float, str]]:
    """(where, school grade, text) for every patient text long enough to score."""
    import textstat  # only `rules check` and the review sheet need it; keep it off the interview's start-up

    return [(where, float(textstat.flesch_kincaid_grade(text)), text) for where, text in patient_texts(kb)
            if len(text.split()) >= READABILITY_MIN_WORDS]


def _readability_notes(kb: KnowledgeBase) -> Iterator[Problem]:
    for where, grade, _ in readability(kb):
        if grade > READABILITY_MAX_GRADE:
            yield Problem("hard-to-read", Place(None, item=where),
                          f"reading grade {grade:.1f} is above {READABILITY_MAX_GRADE:.0f}; use shorter sentences "
                          "and everyday words", Severity.WARNING)


def _reading(kb: KnowledgeBase) -> Iterator[Problem]:
    """The kiosk's reading pages (reading.yaml), if the folder has them: loadable and non-diagnostic."""
    from pathlib import Path

    from triage.knowledge.reading import READING_FILE, load_reading

    if not (Path(kb.directory) / READING_FILE).is_file():
        return
    try:
        reading = load_reading(kb)
    except TriageError as exc:
        for problem in exc.problems:
            yield Problem("reading-page", Place(problem.place.file), str(problem))
        return
    texts = [("reading.yaml: closing", reading.closing)]
    texts += [(f"reading page '{page.id}'", p.text) for page in reading.pages for p in page.paragraphs]
    yield from _diagnostic(texts)


def _cases(kb: KnowledgeBase, engine: CompiledRules) -> Iterator[Problem]:
    for result in run_cases(engine):
        for difference in result.differences:
            yield Problem("case-fails", Place(result.case.file, item=f"case '{result.case.id}'"), difference)
