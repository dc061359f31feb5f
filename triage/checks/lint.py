"""`triage rules check`: everything a clinician should fix or look at in a knowledge base.

Errors make the check fail; warnings are listed apart. Pure: a KnowledgeBase in, a list of Problems out
(the same type as load errors; `Problem.as_finding()` is how the check lists one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from triage.checks import safety
from triage.checks.cases import run_cases
from triage.checks.reachability import Reachability
from triage.checks.wording import diagnostic_phrases, hidden_characters, normalised, patient_texts
from triage.errors import Place, Problem, Severity, TriageError
from triage.knowledge.leaflet import Leaflet, well_formed
from triage.logic import questions_read, walk
from triage.model import (
    REQUIRED_FIELD,
    Always,
    ConcernRaised,
    ConsiderWorkup,
    FindingReached,
    GiveAdvice,
    Grounds,
    KnowledgeBase,
    Question,
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


def check(kb: KnowledgeBase, engine: CompiledRules | None = None, leaflet: Leaflet | None = None) -> list[Problem]:
    """Every lint finding, errors first; the safety properties (checks.safety) among them. With the leaflet,
    every locator a rule or text cites must name one of its paragraphs; without it, only their form is checked."""
    engine = engine or CompiledRules(kb)
    notes = [*_unused(kb), *_never_fires(kb), *_frame(kb), *_red_flags(kb), *_sources(kb, leaflet), *_wording(kb),
             *_readability_notes(kb), *_reading(kb, leaflet), *_cases(kb, engine),
             *safety.check(kb, engine).problems]
    return sorted(notes, key=lambda n: n.severity is not Severity.ERROR)


def startup_errors(kb: KnowledgeBase) -> list[Problem]:
    """The errors of `check` that fit a front end's start-up (a few milliseconds): rules that never fire, the
    disclaimer and the top urgency's advice, red-flag questions and rules, what the rules rest on (sources, the
    form of leaflet locators), diagnostic wording and hidden text, reading pages, and the red-flag properties (a)
    and (b). The golden cases are run by the self-test; the whole proof of
    the safety properties by `triage rules check`."""
    notes = [*_never_fires(kb), *_frame(kb), *_red_flags(kb), *_sources(kb, None), *_wording(kb), *_reading(kb),
             *safety.red_flag_problems(kb)]
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


def _frame(kb: KnowledgeBase) -> Iterator[Problem]:
    """The two texts that carry the tool's promises, whatever the rest says: the disclaimer closing every result
    says it is not a diagnosis and sends the person to a doctor, and the top urgency sends them to emergency care.
    Only the words are checked; that they are right is the clinicians' review."""
    knowledge = f"{kb.label}/knowledge.yaml"
    disclaimer = normalised(kb.disclaimer).lower()
    if "not a diagnosis" not in disclaimer or "doctor" not in disclaimer:
        yield Problem("disclaimer-unsaid", Place(knowledge, None, None, "disclaimer"),
                      "must say that this is not a diagnosis (in those words) and point to a doctor")
    if kb.urgency_levels:
        top = kb.urgency_levels[0]
        if "emergency" not in normalised(top.advice).lower():
            yield Problem("top-urgency-not-emergency", Place(knowledge, None, f"urgency '{top.id}'", "advice"),
                          "the highest urgency is what a red flag gives: its advice must send people to emergency "
                          "care (the emergency number or an emergency room)")


def _red_flags(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from _red_flags_asked_first(kb)
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


def _red_flags_asked_first(kb: KnowledgeBase) -> Iterator[Problem]:
    """Every person is asked every red flag, before anything else: the red-flag properties are proved for those who
    answer, and nothing else would notice a red flag that some people never reach, or reach after thirty
    questions (the golden cases list answers, not the order they were asked in)."""
    first_other: Question | None = None
    for question in kb.questions:
        if not question.red_flag:
            first_other = first_other or question
            continue
        place = Place(f"{kb.label}/questions.yaml", None, f"question '{question.id}'")
        if question.ask_when is not None and not isinstance(question.ask_when, Always):
            yield Problem("red-flag-conditional", replace(place, field="ask_when"),
                          "a red-flag question is asked of everyone; remove its ask_when")
        if first_other is not None:
            yield Problem("red-flag-late", place,
                          "red-flag questions come first, so that an emergency is found before anything else; "
                          f"move it above question '{first_other.id}'")


_FIELD_WORDS = {
    "cites": "the leaflet paragraph(s) it rests on, e.g. cites: [lungs.2]",
    "reference": "the widely accepted emergency practice it rests on, e.g. reference: chest pain is an emergency sign",
    "rationale": "in one line why the project chose it, e.g. rationale: the leaflet gives no timeframe",
}


def _sources(kb: KnowledgeBase, leaflet: Leaflet | None) -> Iterator[Problem]:
    """Each rule says what it rests on, in the field its kind of source requires; every locator is well formed
    (and, given the leaflet, names one of its paragraphs). Texts no rule owns should say it too (a warning)."""
    for rule in kb.rules:
        source = kb.source.get(rule.source)
        if source is None:
            continue  # an unknown source is a load error
        field = REQUIRED_FIELD[source.kind]
        if not getattr(rule, field):
            yield Problem("source-unsaid", _at_line(rule, field),
                          f"is missing: a rule with source '{rule.source}' ({source.kind}) must give "
                          + _FIELD_WORDS[field])
        yield from _locators(rule.cites, _at_line(rule, "cites"), leaflet)
    texts: list[tuple[str, str, Grounds]] = [
        *(("sections.yaml", f"section '{s.id}'", s.grounds) for s in kb.sections),
        *(("workups.yaml", f"workup '{w.id}'", w.grounds) for w in kb.workups),
        *(("advice.yaml", f"advice item '{a.id}'", a.grounds) for a in kb.advice),
    ]
    for file, item, grounds in texts:
        yield from _grounds(Place(f"{kb.label}/{file}", None, item, "cites"), grounds.cites, grounds.rationale,
                            leaflet)


def _at_line(rule: Rule, field: str) -> Place:
    """The rule's file with its line (`rules/rules/lungs.yaml:3`): `rules check` lists findings item first and
    leaves the line out, but a citation is fixed in one line of one file, so these findings name it."""
    return Place(_file_at(rule.file, rule.line), None, f"rule '{rule.id}'", field)


def _grounds(place: Place, cites: tuple[str, ...], rationale: str | None,
             leaflet: Leaflet | None) -> Iterator[Problem]:
    if not cites and not rationale:
        yield Problem("text-unsourced", place,
                      "says nothing of what it rests on: add cites: [SECTION.N] (the leaflet paragraphs), or "
                      "rationale: ... for the project's own choice", Severity.WARNING)
    yield from _locators(cites, place, leaflet)


def _locators(cites: tuple[str, ...], place: Place, leaflet: Leaflet | None) -> Iterator[Problem]:
    for locator in cites:
        if not well_formed(locator):
            yield Problem("bad-locator", place,
                          f"'{locator}' is not a leaflet locator; write SECTION.N, e.g. lungs.2")
        elif leaflet is not None and leaflet.paragraph(locator) is None:
            section = locator.split(".")[0]
            count = len(leaflet.sections.get(section, ()))
            why = (f"section '{section}' has {count} paragraph{'s' if count != 1 else ''}" if count
                   else f"it has no section '{section}' (sections: {', '.join(leaflet.sections)})")
            yield Problem("locator-unresolved", place, f"'{locator}' is not a paragraph of {leaflet.name}: {why}")


def _rule_place(rule: Rule) -> Place:
    return Place(rule.file, rule.line, f"rule '{rule.id}'")


def _file_at(file: str | None, line: int | None) -> str | None:
    """`file:line` where the line is known: a finding lists its item first and its file after it, where
    Place.item_first leaves the line out, so the check's findings carry it in the file."""
    return f"{file}:{line}" if file and line else file


def _wording(kb: KnowledgeBase) -> Iterator[Problem]:
    yield from _text_problems(patient_texts(kb))


def _text_problems(texts: Iterable[tuple[str, str]]) -> Iterator[Problem]:
    """Patient texts that hide letters, or read as a diagnosis."""
    for where, text in texts:
        for hidden in hidden_characters(text):
            yield Problem("hidden-text", Place(None, item=where),
                          f"has {hidden}: it looks like plain text but hides words from the wording check "
                          "and from reviewers; type it again in plain letters")
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


def _reading(kb: KnowledgeBase, leaflet: Leaflet | None = None) -> Iterator[Problem]:
    """The kiosk's reading pages (reading.yaml), if the folder has them: loadable and non-diagnostic."""
    from pathlib import Path

    from triage.knowledge.reading import READING_FILE, load_reading

    if not (Path(kb.directory) / READING_FILE).is_file():
        return
    try:
        reading = load_reading(kb)
    except TriageError as exc:
        for problem in exc.problems:
            place = problem.place
            yield Problem("reading-page", Place(_file_at(place.file, place.line), None, place.item, place.field),
                          problem.message)
        return
    for page in reading.pages:
        if page.section is None or page.cites or page.rationale:  # a section's texts carry its own cites
            where = _file_at(f"{kb.label}/{READING_FILE}", page.line)
            yield from _grounds(Place(where, None, f"page '{page.id}'", "cites"),
                                page.cites, page.rationale, leaflet)
    texts = [("reading.yaml: closing", reading.closing)]
    texts += [(f"reading page '{page.id}'", p.text) for page in reading.pages for p in page.paragraphs]
    yield from _text_problems(texts)


def _cases(kb: KnowledgeBase, engine: CompiledRules) -> Iterator[Problem]:
    for result in run_cases(engine):
        for difference in result.differences:
            yield Problem("case-fails", Place(result.case.file, item=f"case '{result.case.id}'"), difference)
