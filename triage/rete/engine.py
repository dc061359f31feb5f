"""Compile a knowledge base's rules once, then evaluate each person's answers in a run of their own.

`compile_rules(kb)` gives `CompiledRules`: immutable and shared by everybody (the interview, the kiosk's
visitors one after another, a web server's threads). `rules.new_run()` gives one person's `Run`: their
answers, the facts declared for them and the rules that fired, in order. A run borrows an experta network
from its compiled rules only while it evaluates, so two people never meet in one object, whatever the order
or the thread they are evaluated in.

Every medical rule comes from the data; the only rule written here is the bookkeeping one that counts
organ concerns, so that data can say "concerns in two or more organs".
"""

from __future__ import annotations

import inspect
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any, assert_never

from triage.errors import EngineError, Place, Problem
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
    RaiseConcern,
    ReachFinding,
    Refer,
    Rule,
)
from triage.outcome import (
    AnswerValue,
    Concluded,
    ConclusionKind,
    Firing,
    Outcome,
    Step,
    Trace,
    TraceFact,
    TraceFiring,
    build_outcome,
    step_of,
)
from triage.rete.compat import AND, OR, Agenda, Fact, FactList, InitialFact, KnowledgeEngine
from triage.rete.compat import Rule as ExpertaRule
from triage.rete.ground_matcher import GroundMatcher, content_key
from triage.rete.strategy import PositionalDepthStrategy

# Each rule can fire once per combination of facts; with our rule counts this is far above any real run.
FIRING_LIMIT_PER_RULE = 20
_COUNTING_RULE = "count_organ_concern"


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
    """n: at least n organ sections have a concern (declared for every n from 1 to the count so far)."""


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
            # One fact per count reached, so "at least k" is the one fact n=k: a plain pattern, met once.
            return OrganConcernCount(n=count)
        case AllOf(items):
            # AND(*items), never `a & b`: experta's `&` on two ANDs raises NameError (missing import).
            return AND(*(compile_condition(c) for c in items))
        case AnyOf(items):
            return OR(*(compile_condition(c) for c in items))
        case Always():
            return InitialFact()
        case unknown:
            assert_never(unknown)


def _conclusion_fact(kb: KnowledgeBase, conclusion: Conclusion) -> Fact:
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
        case unknown:
            assert_never(unknown)


def _conclude_shape(engine: _Network, **_context: Any) -> None:
    """The signature shared by every rule's right-hand side (see _compile_rule)."""


_CONCLUDE_SIGNATURE = inspect.signature(_conclude_shape)


def _compile_rule(kb: KnowledgeBase, rule: Rule) -> ExpertaRule:
    fact = _conclusion_fact(kb, rule.then)

    made = _FactMaker(type(fact), dict(fact))

    # One function object per rule: experta keeps rules in a set hashed on (conditions, function,
    # salience), so two rules sharing both would silently collapse into one.
    def conclude(engine: _Network, **_context: Any) -> None:
        engine.declare_made((made,))

    conclude.__name__ = rule.id
    # experta reads the function's signature each time it copies the rule while building the network
    # (about ten times a rule); every `conclude` has the same one, so it is worked out once.
    conclude.__signature__ = _CONCLUDE_SIGNATURE  # type: ignore[attr-defined]
    return ExpertaRule(compile_condition(rule.when))(conclude)


def _counting_rule() -> ExpertaRule:
    # Counts only go up: each new organ concern adds the counts not yet reached, and nothing is retracted,
    # so every rule stays a plain pattern match (no variables, no NOT) that GroundMatcher handles alone.
    def count_organ_concern(engine: _Network) -> None:
        # Looked up by identity in the fact list's index rather than by going through every fact held.
        makers, held = engine.makers, engine.facts.reference_counter
        organs = sum(1 for identity in makers.organ_concerns if identity in held)
        counted = 0
        while counted < organs and makers.count(counted + 1).identity in held:  # counts are declared 1, 2, ...
            counted += 1
        if organs > counted:
            engine.declare_made([engine.makers.count(n) for n in range(counted + 1, organs + 1)])

    return ExpertaRule(Concern(organ=True))(count_organ_concern)


def _possible_facts(kb: KnowledgeBase) -> list[Fact]:
    """Every fact an evaluation of `kb` can declare: each answer value, each conclusion, the counters."""
    organs = [section.id for section in kb.sections if section.organ]
    return [
        InitialFact(),
        *(Answer(question=q.id, value=value) for q in kb.questions for value in q.values),
        *(_conclusion_fact(kb, rule.then) for rule in kb.rules),
        *(OrganConcernCount(n=n) for n in range(1, len(organs) + 1)),
    ]


class _Makers:
    """The fact makers of every answer and organ count a knowledge base allows (from its possible facts), made
    when its rules are compiled: what they hold is the same whoever is evaluated (a maker for anything else is
    made, used and dropped)."""

    def __init__(self, possible: Iterable[Fact]):
        self._answers: dict[tuple[str, str], _FactMaker] = {}
        self._counts: dict[int, _FactMaker] = {}
        organ_concerns = set()
        for fact in possible:
            if type(fact) is Answer:
                self._answers[(fact["question"], fact["value"])] = _FactMaker(Answer, dict(fact))
            elif type(fact) is OrganConcernCount:
                self._counts[fact["n"]] = _FactMaker(OrganConcernCount, dict(fact))
            elif type(fact) is Concern and fact.get("organ") is True:
                organ_concerns.add(content_key(fact))
        # The identities of the concerns about an organ section (what the counting rule counts)
        self.organ_concerns = frozenset(organ_concerns)

    def answer(self, question: str, value: str) -> _FactMaker:
        return self._answers.get((question, value)) or _FactMaker(Answer, {"question": question, "value": value})

    def count(self, n: int) -> _FactMaker:
        return self._counts.get(n) or _FactMaker(OrganConcernCount, {"n": n})


class CompiledRules:
    """A knowledge base's rules compiled for experta: built once, never changed, shared by every run.

    Networks (experta engines holding one person's facts while they evaluate) are made from these rules as
    runs need them and kept for reuse; a network is lent to one run at a time.
    """

    network_type: type[_Network]  # set below, once _Network is defined (a test replaces it)

    def __init__(self, kb: KnowledgeBase, firing_limit: int | None = None):
        self.kb = kb
        self.rules: tuple[ExpertaRule, ...] = (*(_compile_rule(kb, rule) for rule in kb.rules), _counting_rule())
        self.positions: Mapping[str, int] = {rule.id: index for index, rule in enumerate(kb.rules)}
        self.firing_limit = firing_limit if firing_limit is not None else \
            FIRING_LIMIT_PER_RULE * len(self.rules) + 100
        self._possible_facts = tuple(_possible_facts(kb))
        self.makers = _Makers(self._possible_facts)
        # (rule id, a possible fact's identity) -> the explanation's step when the rule fired once, on that fact
        # alone; worked out with the first network, from what its matcher knows of every possible fact.
        self.single_steps: Mapping[tuple[str, frozenset[Any] | None], Step] = {}
        self._single_steps_known = False
        self._idle: list[_Network] = []
        self._lock = threading.Lock()

    def new_run(self) -> Run:
        """A run for one person, with no answers yet."""
        return Run(self)

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> Outcome:
        """The outcome of one set of (already checked) answers."""
        run = self.new_run()
        run.restart(answers)
        outcome = run.outcome()
        run.forget()
        return outcome

    def facts_held(self) -> list[TraceFact]:
        """Every fact the idle networks still hold: what privacy checks look at between two people."""
        with self._lock:
            return [_trace_fact(fact) for network in self._idle for fact in network.facts.values()]

    def prepare(self) -> None:
        """Build the first network now (start-up), so that the first person does not wait for it."""
        self._give_back(self._borrow(None))

    def _borrow(self, owner: object | None) -> _Network:
        with self._lock:
            for index, network in enumerate(self._idle):
                if owner is not None and network.owner is owner:
                    return self._idle.pop(index)
            if self._idle:
                return self._idle.pop()
        network = self.network_type(self)
        if not self._single_steps_known:  # two threads may both work it out: the same table
            self.single_steps = _single_steps(self.kb, network.matcher, self._possible_facts)
            self._single_steps_known = True
        return network

    def _give_back(self, network: _Network) -> None:
        with self._lock:
            self._idle.append(network)


class Run:
    """One person's evaluation: their answers, the facts declared for them and the rules fired, in order.

    Answers can be added one at a time (the interview) or all at once; taking an answer back means
    `restart` with what remains, since rules only ever add conclusions.
    """

    def __init__(self, rules: CompiledRules):
        self.rules = rules
        self.kb = rules.kb
        self.answers: dict[str, AnswerValue] = {}
        self._owner = object()  # marks the network this run last used, so it can carry on from there
        # What this run was told since its last restart: the answers it started with, then each one added.
        # A network lent to somebody else in between is brought back to the same state by replaying them in
        # the same steps, so the facts and firings never depend on who else was evaluated meanwhile.
        self._started: dict[str, AnswerValue] = {}
        self._added: list[tuple[str, AnswerValue]] = []
        self._facts: tuple[Fact, ...] = ()
        self._firings: tuple[tuple[str, tuple[Fact, ...]], ...] = ()
        self._outcome: Outcome | None = None

    def restart(self, answers: Mapping[str, AnswerValue]) -> None:
        """Forget this run's answers and evaluate these instead."""
        self._started, self._added = dict(answers), []
        network = self.rules._borrow(self._owner)
        try:
            network.begin(answers, self._owner)
            network.run()
            self._keep(network)
        finally:
            self.rules._give_back(network)

    def add(self, question: str, value: AnswerValue) -> None:
        """Add one answer and evaluate again, carrying on from what the rules concluded so far.

        Rules only ever add conclusions, so a new answer needs no start over. Changing an answer does:
        that is `restart` with the changed answers.
        """
        if question in self.answers:
            self.restart({**self.answers, question: value})
            return
        self._added.append((question, value))
        network = self.rules._borrow(self._owner)
        try:
            if network.owner is self._owner:
                network.add_answer(question, value)
                network.run()
            else:
                network.begin(self._started, self._owner)
                network.run()
                for earlier, earlier_value in self._added:
                    network.add_answer(earlier, earlier_value)
                    network.run()
            self._keep(network)
        finally:
            self.rules._give_back(network)

    def forget(self) -> None:
        """Drop everything of this person, here and in the network they last used (a kiosk's next visitor)."""
        network = self.rules._borrow(self._owner)
        try:
            if network.owner is self._owner:
                network.wipe()
        finally:
            self.rules._give_back(network)
        self.answers, self._started, self._added = {}, {}, []
        self._facts, self._firings, self._outcome = (), (), None

    def outcome(self) -> Outcome:
        if not self._firings:  # never evaluated (every evaluation fires the unconditional referral)
            self.restart(self.answers)
        if self._outcome is None:
            # Most rules fire once, on one fact: their step of the explanation was worked out ahead.
            known = self.rules.single_steps
            ready: dict[str, Step] = {}
            firings: list[Firing] = []
            organs = -1
            for rule_id, facts in self._firings:
                step = known.get((rule_id, getattr(facts[0], "content_key", None))) if len(facts) == 1 else None
                if step is not None and rule_id not in ready:
                    ready[rule_id] = step
                    continue
                if organs < 0:
                    # A rule on "at least k organs" matched the fact n=k; the person is told how many organs it
                    # is in all.
                    organs = max((f["n"] for f in self._facts if type(f) is OrganConcernCount), default=0)
                firings.append(Firing(rule_id, _answers_in(facts), _conclusions_in(facts, organs)))
            for rule_id in ready.keys() & {firing.rule_id for firing in firings}:  # fired more than once
                step = ready.pop(rule_id)
                firings.append(Firing(rule_id, step.answers, step.conclusions_used))
            self._outcome = build_outcome(self.kb, self.answers, firings, ready)
        return self._outcome

    def trace(self) -> Trace:
        """Every fact declared and every rule fired (with the facts it matched), in order, as plain values."""
        if not self._firings:
            self.restart(self.answers)
        facts = {id(fact): _trace_fact(fact) for fact in sorted(self._facts, key=lambda f: f["__factid__"])}
        return Trace(
            tuple(facts.values()),
            tuple(TraceFiring(rule_id, tuple(facts.get(id(f)) or _trace_fact(f)
                                             for f in sorted(matched, key=lambda f: f["__factid__"])))
                  for rule_id, matched in self._firings),
        )

    def _keep(self, network: _Network) -> None:
        self.answers = {**self._started, **dict(self._added)}
        self._facts = tuple(network.facts.values())
        self._firings = tuple(network.firings)
        self._outcome = None


class _Network(KnowledgeEngine):
    """An experta engine built from compiled rules; lent to one run at a time, which `begin`s it afresh."""

    __strategy__ = PositionalDepthStrategy
    __matcher__ = GroundMatcher

    def __init__(self, rules: CompiledRules):
        self._rules = list(rules.rules)
        self.firing_limit = rules.firing_limit
        self.firings: list[tuple[str, tuple[Fact, ...]]] = []
        self.owner: object | None = None
        self.wiped = False
        self.makers = rules.makers
        super().__init__()
        self.strategy.positions = rules.positions
        # Worked out now for every fact the knowledge base allows, so that what the matcher remembers
        # says nothing about anybody's answers (and the first sessions are as fast as the others).
        self.matcher.remember(list(rules._possible_facts))

    def get_rules(self) -> list[ExpertaRule]:
        # experta finds rules by inspecting class attributes; ours are built from data instead.
        return self._rules

    def reset(self, **_deffacts_arguments: Any) -> None:
        """experta's reset (a new agenda and fact list, the matcher wiped, InitialFact declared), without looking
        for DefFacts on the class each time: ours has none."""
        self.wipe()
        self.declare_made((_INITIAL_FACT,))
        self.running = False

    def wipe(self) -> None:
        """Hold nothing at all (the next `begin` resets as usual): what `Run.forget` leaves between two people."""
        self.wiped = True  # so that `begin` need not wipe again
        self.owner = None
        self.agenda = Agenda()
        self.facts = FactList()
        self.matcher.reset()
        self.firings = []

    def declare_made(self, made: Iterable[_FactMaker]) -> None:
        """Declare new facts of the engine's own kinds: what experta's `declare` does, for less.

        experta checks every fact for patterns and nested names and works out its identity (a frozenset of its
        class and fields) on each declare; ours are made from knowledge-base values checked when it loaded, so
        their identity is worked out once per fact content (`_FactMaker`). As in experta, a fact already held
        is not declared again, and the agenda is updated at once unless the rules are running.
        """
        facts = self.facts
        held = facts.reference_counter
        added = facts.added
        for maker in made:
            identity = maker.identity
            if identity in held:
                continue
            number = facts.last_index
            fact = maker.new()
            dict.__setitem__(fact, "__factid__", number)
            facts[number] = fact
            facts.last_index = number + 1
            added.append(fact)
            held[identity] = 1  # not held before (experta's Counter would call __missing__ for the 0 first)
        if not self.running:
            self._update_agenda()

    def _update_agenda(self) -> None:
        """What experta's engine does after a declare and before each firing: the matcher told of the facts
        added and removed since, the agenda told of the activations that came and went (skipped when none)."""
        facts = self.facts
        adding, deleting = facts.added, facts.removed
        facts.added, facts.removed = [], []
        added, removed = self.matcher.changes(adding, deleting)
        if added or removed:
            self.strategy.update_agenda(self.agenda, added, removed)

    def begin(self, answers: Mapping[str, AnswerValue], owner: object | None) -> None:
        """Forget everything and take a new set of answers (without running the rules yet)."""
        if not self.wiped or self.facts:  # Run.forget may have wiped it just now
            self.wipe()  # and owner None until the rules have run without error
        self.wiped = False
        self.running = False
        # One declare for InitialFact (what reset declares) and all the answers: the same facts with the same
        # ids as one declare each, and the same agenda (activations are ordered by salience, fact ids and rule
        # position), but the matcher is asked for new activations once instead of per fact.
        self.declare_made([_INITIAL_FACT, *(self.makers.answer(question, single)
                                            for question, value in answers.items() for single in _values(value))])
        self.owner = owner

    def add_answer(self, question: str, value: AnswerValue) -> None:
        made = [self.makers.answer(question, single) for single in _values(value)]
        if made:  # nothing ticked: no fact
            self.declare_made(made)

    def run(self, steps: float = float("inf")) -> None:
        """Fire activations until none is left, recording each; stop with an error past the limit."""
        limit = min(steps, self.firing_limit)
        fired = 0
        self.running = True
        owner, self.owner = self.owner, None  # a run that fails leaves nothing to carry on from
        while self.running:
            self._update_agenda()
            activation = self.agenda.get_next()
            if activation is None:
                break
            if fired >= limit:
                self.running = False
                raise EngineError([Problem("did-not-settle", Place("engine"), f"the rules did not settle after {fired} "
                                           "firings; check the knowledge base for rules that feed each other")])
            fired += 1
            rule = activation.rule
            name = rule.__name__
            if name != _COUNTING_RULE:
                self.firings.append((name, tuple(activation.facts)))
            context = activation.context
            if context or rule._wrapped_self is not None:
                rule(self, **{k: v for k, v in context.items() if not k.startswith("__")})
            else:  # a ground rule (no variables): what experta's Rule.__call__ ends in, without its filtering
                rule._wrapped(self)
        self.running = False
        self.owner = owner


CompiledRules.network_type = _Network


class _FactMaker:
    """Makes new facts of one content, and knows their identity in experta's fact list."""

    __slots__ = ("kind", "fields", "identity")

    def __init__(self, kind: type[Fact], fields: Mapping[str, Any]):
        if any(not isinstance(value, (str, int, bool)) for value in fields.values()) or \
                any("__" in name for name in fields):
            raise TypeError(f"not a plain fact: {kind.__name__}{dict(fields)}")  # what experta's declare refuses
        self.kind, self.fields = kind, dict(fields)
        # FactList._get_fact_id of such a fact; also the key GroundMatcher files a content's patterns under
        self.identity = frozenset([kind, *self.fields.items()])

    def new(self) -> Fact:
        # What Fact(**fields) makes (its fields are plain values, which freeze() leaves as they are), at a
        # fraction of the cost: Fact.__init__ sets every field through a single-dispatch freeze.
        fact = dict.__new__(self.kind)
        dict.update(fact, self.fields)
        fact._Fact__defaults = {}  # type: ignore[attr-defined]
        fact.content_key = self.identity  # type: ignore[attr-defined]  # spares GroundMatcher working it out
        return fact


_INITIAL_FACT = _FactMaker(InitialFact, {})


def _values(value: AnswerValue) -> tuple[str, ...]:
    """One fact per chosen option of a multiple-choice answer; one for any other answer."""
    if isinstance(value, tuple):
        return value
    if not isinstance(value, str):  # a list straight from an answers file, say: check_answers makes it a tuple
        raise TypeError(f"an answer given to the engine must be checked first (answers.check_answers), not {value!r}")
    return (value,)


def _answers_in(facts: tuple[Fact, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((f["question"], f["value"]) for f in facts if isinstance(f, Answer)))


def _conclusions_in(facts: tuple[Fact, ...], organs: int) -> tuple[Concluded, ...]:
    used = []
    for f in facts:
        if isinstance(f, Concern):
            used.append(Concluded(ConclusionKind.CONCERN, f["section"]))
        elif isinstance(f, Reached):
            used.append(Concluded(ConclusionKind.FINDING, f["finding"]))
        elif isinstance(f, OrganConcernCount):
            used.append(Concluded(ConclusionKind.ORGAN_CONCERNS, str(organs)))
    return tuple(sorted(used))


def _single_steps(kb: KnowledgeBase, matcher: Any,
                  possible: Iterable[Fact]) -> dict[tuple[str, frozenset[Any] | None], Step]:
    """For each possible fact and each rule it satisfies alone: the step a single firing of that rule on it
    gives. Organ counts are left out (a step shows the count reached at the end); a matcher that cannot say
    (experta's own, in tests) leaves the table empty, and every firing goes the general way."""
    alone = getattr(matcher, "rules_matching_alone", None)
    if alone is None:
        return {}
    table: dict[tuple[str, frozenset[Any] | None], Step] = {}
    for fact in possible:
        if type(fact) is OrganConcernCount:
            continue
        for rule_id in alone(fact):
            if rule_id in kb.rule:  # not the counting rule, which is not part of the explanation
                firing = Firing(rule_id, _answers_in((fact,)), _conclusions_in((fact,), 0))
                table[(rule_id, content_key(fact))] = step_of(kb, firing)
    return table


def _trace_fact(fact: Fact) -> TraceFact:
    fields = tuple((str(k), v) for k, v in fact.items() if not str(k).startswith("__"))
    return TraceFact(fact["__factid__"], type(fact).__name__, fields)


_compiled: weakref.WeakKeyDictionary[KnowledgeBase, CompiledRules] = weakref.WeakKeyDictionary()
_compiled_lock = threading.Lock()


def compile_rules(kb: KnowledgeBase) -> CompiledRules:
    """The compiled rules of `kb`, compiled on first use and then shared (a knowledge base never changes)."""
    with _compiled_lock:
        rules = _compiled.get(kb)
        if rules is None:
            rules = _compiled[kb] = CompiledRules(kb)
        return rules

