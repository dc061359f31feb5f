"""The knowledge model: frozen, typed objects built from the files in rules/.

Names follow the domain (Question, Section, Workup, Referral, Urgency), not the storage format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# Defined apart (the interview's opening screen needs them without the model); re-exported here.
from triage.vocabulary import NO as NO
from triage.vocabulary import NOT_SURE as NOT_SURE
from triage.vocabulary import YES as YES
from triage.vocabulary import QuestionKind
from triage.vocabulary import QuestionType as QuestionType

# --- conditions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerIs:
    """The answer to `question` is one of `values`."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class AnswerIncludes:
    """The multiple-choice answer to `question` contains one of `options`."""

    question: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class ConcernRaised:
    section: str


@dataclass(frozen=True)
class FindingReached:
    finding: str


@dataclass(frozen=True)
class OrganConcernsAtLeast:
    count: int


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Always:
    pass


Condition = AnswerIs | AnswerIncludes | ConcernRaised | FindingReached | OrganConcernsAtLeast | AllOf | AnyOf | Always

# --- conclusions ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaiseConcern:
    """The person's answers relate to a leaflet section."""

    section: str


@dataclass(frozen=True)
class ReachFinding:
    finding: str


@dataclass(frozen=True)
class ConsiderWorkup:
    workup: str
    reason: str


@dataclass(frozen=True)
class Refer:
    to: str
    urgency: str


@dataclass(frozen=True)
class GiveAdvice:
    advice: str


Conclusion = RaiseConcern | ReachFinding | ConsiderWorkup | Refer | GiveAdvice

# --- the knowledge ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    ask_when: Condition | None = None


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    text: str
    type: QuestionType
    help: str | None = None
    options: tuple[Option, ...] = ()
    ask_when: Condition | None = None
    red_flag: bool = False
    emergency_sign: str | None = None  # red flags only: the sign in plain words, for the emergency notice
    # Multiple choice only: nothing ticked is not an answer. For a follow-up whose options cover every case
    # ("I do not know where" included), where an empty list would quietly undo the 'yes' that opened it.
    choose_at_least_one: bool = False

    @property
    def kind(self) -> QuestionKind:
        return self.type.kind

    @property
    def values(self) -> tuple[str, ...]:
        """Every value an answer may hold (for multiple choice: every option)."""
        if self.kind.takes_options:
            return tuple(o.id for o in self.options)
        return self.kind.fixed_values

    def takes(self, value: object) -> bool:
        """Whether `value` can stand as this question's answer as far as the question alone says: not nothing
        ticked where at least one tick is needed. (Which values are offered depends on the other answers.)"""
        return not (self.choose_at_least_one and value == ())


@dataclass(frozen=True)
class Grounds:
    """What a patient text no rule owns rests on: leaflet paragraphs (`cites`, locators such as `lungs.2`),
    or the project's own choice (`rationale`). Both empty: not said (a `rules check` warning)."""

    cites: tuple[str, ...] = ()
    rationale: str | None = None


@dataclass(frozen=True)
class Education:
    what: str
    causes: str
    signs: str
    examination: str
    next: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    organ: bool
    doctor: str
    education: Education
    grounds: Grounds = Grounds()


@dataclass(frozen=True)
class Workup:
    id: str
    name: str
    purpose: str
    grounds: Grounds = Grounds()


@dataclass(frozen=True)
class Finding:
    id: str
    description: str


@dataclass(frozen=True)
class Advice:
    id: str
    text: str
    grounds: Grounds = Grounds()


@dataclass(frozen=True)
class Urgency:
    id: str
    label: str
    timeframe: str
    advice: str
    rank: int  # higher is more urgent


@dataclass(frozen=True)
class Doctor:
    id: str
    name: str


# The kinds of source a rule can rest on, and the field each kind requires on the rule.
LEAFLET, SAFETY, JUDGEMENT = "leaflet", "safety", "judgement"
SOURCE_KINDS = (LEAFLET, SAFETY, JUDGEMENT)
REQUIRED_FIELD = {LEAFLET: "cites", SAFETY: "reference", JUDGEMENT: "rationale"}


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str = LEAFLET  # leaflet (cites paragraphs), safety (emergency practice) or judgement (the project's choice)


@dataclass(frozen=True)
class Rule:
    id: str
    statement: str
    source: str
    when: Condition
    then: Conclusion
    file: str = ""
    line: int | None = None
    cites: tuple[str, ...] = ()  # leaflet locators, e.g. ("lungs.1",); required when the source is a leaflet
    reference: str | None = None  # safety: the widely accepted practice it rests on
    rationale: str | None = None  # judgement: why the project chose it, in one line


@dataclass(frozen=True)
class Expectation:
    urgency: str
    sections: frozenset[str]
    workups: frozenset[str]
    referral_to: str | None = None
    not_sections: frozenset[str] = frozenset()
    not_workups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class GoldenCase:
    id: str
    file: str
    title: str
    story: str
    answers: dict[str, Any] = field(hash=False)  # as written; checked like an answers file
    expect: Expectation


@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    name: str
    version: str
    hash: str
    disclaimer: str
    about: str
    several_doctors: str
    urgency_levels: tuple[Urgency, ...]  # highest first
    doctors: tuple[Doctor, ...]
    sources: tuple[Source, ...]
    questions: tuple[Question, ...]
    sections: tuple[Section, ...]
    workups: tuple[Workup, ...]
    findings: tuple[Finding, ...]
    advice: tuple[Advice, ...]
    rules: tuple[Rule, ...]
    cases: tuple[GoldenCase, ...] = ()
    directory: str = ""  # the folder on disk
    label: str = "rules"  # how the folder is named in messages

    @cached_property
    def emergency_signs(self) -> tuple[str, ...]:
        """The red-flag questions' signs, in question order: what the emergency notice lists."""
        return tuple(q.emergency_sign for q in self.questions if q.red_flag and q.emergency_sign)

    @cached_property
    def question(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def section(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    @cached_property
    def workup(self) -> dict[str, Workup]:
        return {w.id: w for w in self.workups}

    @cached_property
    def finding(self) -> dict[str, Finding]:
        return {f.id: f for f in self.findings}

    @cached_property
    def urgency(self) -> dict[str, Urgency]:
        return {u.id: u for u in self.urgency_levels}

    @cached_property
    def doctor(self) -> dict[str, Doctor]:
        return {d.id: d for d in self.doctors}

    @cached_property
    def source(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}

    @cached_property
    def advice_by_id(self) -> dict[str, Advice]:
        return {a.id: a for a in self.advice}

    @cached_property
    def rule(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}
