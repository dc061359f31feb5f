"""Compile the rules of a knowledge base into an experta engine and run it over a set of answers.

Every medical rule comes from the data; the only rule written here is the bookkeeping one that counts
organ concerns, so that data can say "concerns in two or more organs".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.errors import EngineError, Problem
from triage.experta_compat import (
    AND,
    AS,
    MATCH,
    NOT,
    OR,
    Fact,
    FullRangeDepthStrategy,
    InitialFact,
    KnowledgeEngine,
    P,
)
from triage.experta_compat import Rule as ExpertaRule
from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    Condition,
    ConcernRaised,
    ConsiderWorkup,
    FindingReached,
    GiveAdvice,
    KnowledgeBase,
    OrganConcernsAtLeast,
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)
from triage.outcome import AnswerValue, Firing, Outcome, build_outcome

# Each rule can fire once per combination of facts; with our rule counts this is far above any real run.
FIRING_LIMIT_PER_RULE = 20


class Answer(Fact):
    """question, value: one answer (one fact per chosen option of a multiple-choice question)."""


class Concern(Fact):
    """section, organ: the answers relate to this leaflet section."""


class Reached(Fact):
    """finding: an intermediate conclusion."""


class Consider(Fact):
    """workup: a test a doctor may consider."""


class Referred(Fact):
    """to, urgency: a referral some rule reached."""


class Advised(Fact):
    """advice: a piece of advice to show."""


class OrganConcernCount(Fact):
    """n: how many organ sections have a concern."""


class Counted(Fact):
    """section: this organ concern is already in OrganConcernCount."""


def compile_condition(condition: Condition) -> Any:
    """An experta conditional element equivalent to `condition`."""
    match condition:
        case AnswerIs(question, values) | AnswerIncludes(question, values):
            patterns = [Answer(question=question, value=v) for v in values]
            return patterns[0] if len(patterns) == 1 else OR(*patterns)
        case ConcernRaised(section):
            return Concern(section=section)
        case FindingReached(finding):
            return Reached(finding=finding)
        case OrganConcernsAtLeast(count):
            return OrganConcernCount(n=P(lambda n, k=count: n >= k))
        case AllOf(items):
            # AND(*items), never `a & b`: experta's `&` on two ANDs raises NameError (missing import).
            return AND(*(compile_condition(c) for c in items))
        case AnyOf(items):
            return OR(*(compile_condition(c) for c in items))
        case Always():
            return InitialFact()
    raise TypeError(f"cannot compile condition {condition!r}")


def _conclusion_fact(kb: KnowledgeBase, conclusion: Any) -> Fact:
    match conclusion:
        case RaiseConcern(section):
            return Concern(section=section, organ=kb.section[section].organ)
        case ReachFinding(finding):
            return Reached(finding=finding)
        case ConsiderWorkup(workup, _):
            return Consider(workup=workup)
        case Refer(to, urgency):
            return Referred(to=to, urgency=urgency)
        case GiveAdvice(advice):
            return Advised(advice=advice)
    raise TypeError(f"unknown conclusion {conclusion!r}")


def _compile_rule(kb: KnowledgeBase, rule: Rule) -> ExpertaRule:
    fact = _conclusion_fact(kb, rule.then)

    # One function object per rule: experta keeps rules in a set hashed on (conditions, function,
    # salience), so two rules sharing both would silently collapse into one.
    def conclude(engine: TriageEngine, **_context: Any) -> None:
        engine.declare(fact.copy())

    conclude.__name__ = rule.id
    return ExpertaRule(compile_condition(rule.when))(conclude)


class TriageEngine(KnowledgeEngine):
    """A forward-chaining engine built once from a knowledge base, then reset for every evaluation."""

    __strategy__ = FullRangeDepthStrategy

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._rules = [_compile_rule(kb, rule) for rule in kb.rules]
        self._rules.append(self._count_organ_concern())
        self.firing_limit = FIRING_LIMIT_PER_RULE * len(self._rules) + 100
        self.firings: list[tuple[str, tuple[Fact, ...]]] = []
        super().__init__()

    def get_rules(self) -> list[ExpertaRule]:
        # experta finds rules by inspecting class attributes; ours are built from data instead.
        return self._rules

    @staticmethod
    def _count_organ_concern() -> ExpertaRule:
        def count_organ_concern(engine: TriageEngine, section: str, counter: Fact, n: int) -> None:
            engine.declare(Counted(section=section))
            engine.modify(counter, n=n + 1)

        return ExpertaRule(
            Concern(section=MATCH.section, organ=True),
            NOT(Counted(section=MATCH.section)),
            AS.counter << OrganConcernCount(n=MATCH.n),
        )(count_organ_concern)

    def start(self, answers: Mapping[str, AnswerValue]) -> None:
        """Forget everything and take a new set of answers (without running the rules yet)."""
        self.reset()
        self.firings = []
        self.declare(OrganConcernCount(n=0))
        for question, value in answers.items():
            self.add_answer(question, value)

    def add_answer(self, question: str, value: AnswerValue) -> None:
        for single in value if isinstance(value, tuple) else (value,):
            self.declare(Answer(question=question, value=single))

    def run(self, steps: float = float("inf")) -> None:
        """Fire activations until none is left, recording each; stop with an error past the limit."""
        limit = min(steps, self.firing_limit)
        fired = 0
        self.running = True
        while self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
            activation = self.agenda.get_next()
            if activation is None:
                break
            if fired >= limit:
                self.running = False
                raise EngineError([Problem("engine", f"the rules did not settle after {fired} firings; "
                                                     "check the knowledge base for rules that feed each other")])
            fired += 1
            name = activation.rule.__name__
            if name != "count_organ_concern":
                self.firings.append((name, tuple(activation.facts)))
            activation.rule(self, **{k: v for k, v in activation.context.items() if not k.startswith("__")})
        self.running = False

    def outcome(self, answers: Mapping[str, AnswerValue]) -> Outcome:
        firings = [Firing(rule_id, _answers_in(facts), _conclusions_in(facts)) for rule_id, facts in self.firings]
        return build_outcome(self.kb, answers, firings)

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> Outcome:
        self.start(answers)
        self.run()
        return self.outcome(answers)


def _answers_in(facts: tuple[Fact, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((f["question"], f["value"]) for f in facts if isinstance(f, Answer)))


def _conclusions_in(facts: tuple[Fact, ...]) -> tuple[str, ...]:
    used = []
    for f in facts:
        if isinstance(f, Concern):
            used.append(f"concern:{f['section']}")
        elif isinstance(f, Reached):
            used.append(f"finding:{f['finding']}")
        elif isinstance(f, OrganConcernCount):
            used.append(f"organ_concerns:{f['n']}")
    return tuple(sorted(used))


def evaluate(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Outcome:
    """Evaluate one set of (already checked) answers; builds an engine, so reuse TriageEngine for many."""
    return TriageEngine(kb).evaluate(answers)
