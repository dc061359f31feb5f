"""Our fast matcher finds what experta's own RETE matcher finds (issue 11).

FastMatcher remembers alpha paths and asks only the conflict-set nodes that changed. Here stock experta
matching and ours, with the same strategy, evaluate the same sessions on the real knowledge base and on
generated ones: the same rules must fire on the same facts (compared as multisets of fact contents, so
fact numbers play no part), and the outcomes must be equal.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter

import pytest
from experta.matchers import ReteMatcher

from triage.model import (
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
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
from triage.rete.compat import AND, AS, MATCH, NOT, OR, Fact, FactList, KnowledgeEngine
from triage.rete.compat import Rule as ExpertaRule
from triage.rete.engine import Answer, CompiledRules, _FactMaker, _Network, _possible_facts
from triage.rete.ground_matcher import GroundMatcher

REAL_SESSIONS = 300
GENERATED_KBS = 10
SESSIONS_PER_GENERATED_KB = 25


class _StockMatcher(ReteMatcher):
    """experta's matcher as it comes; it has nothing to remember ahead."""

    def remember(self, facts) -> None:  # type: ignore[no-untyped-def]
        pass


class _StockNetwork(_Network):
    """experta's matcher, and experta's own reset and declare instead of the engine's shortcuts."""

    __matcher__ = _StockMatcher

    def reset(self, **kwargs) -> None:  # type: ignore[no-untyped-def]
        KnowledgeEngine.reset(self, **kwargs)

    def declare_made(self, made) -> None:  # type: ignore[no-untyped-def]
        KnowledgeEngine.declare(self, *(maker.kind(**maker.fields) for maker in made))


class _StockRules(CompiledRules):
    network_type = _StockNetwork


def random_answers(kb: KnowledgeBase, rng: random.Random) -> dict:
    """Answers to a random part of the questions (the engine does not need them to follow the flow)."""
    answers: dict = {}
    for question in kb.questions:
        if rng.random() < 0.3:
            continue
        if question.kind.is_list:
            answers[question.id] = tuple(v for v in question.values if rng.random() < 0.4)
        else:
            answers[question.id] = rng.choice(question.values)
    return answers


def random_condition(kb: KnowledgeBase, rng: random.Random, depth: int = 0) -> Condition:
    roll = rng.random()
    if depth < 2 and roll < 0.25:
        items = tuple(random_condition(kb, rng, depth + 1) for _ in range(rng.randint(2, 3)))
        return AllOf(items) if rng.random() < 0.5 else AnyOf(items)
    if roll < 0.6:
        question = rng.choice(kb.questions)
        values = tuple(rng.sample(question.values, rng.randint(1, min(2, len(question.values)))))
        return AnswerIncludes(question.id, values) if question.kind.is_list else AnswerIs(question.id, values)
    if roll < 0.75:
        return ConcernRaised(rng.choice(kb.sections).id)
    if roll < 0.85:
        return FindingReached(rng.choice(kb.findings).id)
    if roll < 0.97:
        return OrganConcernsAtLeast(rng.randint(1, 3))
    return Always()


def generated_kb(kb: KnowledgeBase, seed: int) -> KnowledgeBase:
    """The real questions, sections and texts with 20-80 random rules chained through concerns and findings."""
    rng = random.Random(seed)
    conclusions = [
        *(RaiseConcern(s.id) for s in kb.sections),
        *(ReachFinding(f.id) for f in kb.findings),
        *(ConsiderWorkup(w.id, "generated") for w in kb.workups),
        *(Refer(d.id, u.id) for d in kb.doctors for u in kb.urgency_levels),
        *(GiveAdvice(a.id) for a in kb.advice),
    ]
    rules = [Rule(f"generated.{i}", "generated", kb.sources[0].id, random_condition(kb, rng), rng.choice(conclusions))
             for i in range(rng.randint(20, 80))]
    rules.append(Rule("generated.baseline", "generated", kb.sources[0].id, Always(),
                      Refer(kb.doctors[0].id, kb.urgency_levels[-1].id)))
    return dataclasses.replace(kb, rules=tuple(rules), cases=())


def firings(rules: CompiledRules, answers: dict):  # type: ignore[no-untyped-def]
    run = rules.new_run()
    run.restart(answers)
    fired = Counter((f.rule_id, frozenset((fact.kind, fact.fields) for fact in f.facts)) for f in run.trace().firings)
    return fired, run.outcome()


def agree(kb: KnowledgeBase, sessions: list[dict]) -> int:
    ours, stock = CompiledRules(kb), _StockRules(kb)
    for answers in sessions:
        our_firings, our_outcome = firings(ours, answers)
        stock_firings, stock_outcome = firings(stock, answers)
        assert our_firings == stock_firings, answers
        assert our_outcome == stock_outcome, answers
    return len(sessions)


def test_the_networks_really_use_different_matchers(real_kb):
    assert type(_StockNetwork(CompiledRules(real_kb)).matcher) is _StockMatcher
    ours = _Network(CompiledRules(real_kb)).matcher
    assert type(ours) is GroundMatcher
    # Every compiled rule, the organ-counting one included, is a plain pattern match: none needs the network.
    assert ours._network is None
    assert len({id(branch.rule) for branch in ours._branches}) == len(real_kb.rules) + 1


class _Item(Fact):
    pass


class _Mixed(KnowledgeEngine):
    """Plain rules beside rules with variables, NOT and a fact binding, which GroundMatcher hands to the network."""

    fired: list

    @ExpertaRule(_Item(kind="a"))
    def plain(self):  # type: ignore[no-untyped-def]
        self.fired.append(("plain", ()))
        self.declare(_Item(kind="b", n=1))

    @ExpertaRule(_Item(kind="b", n=MATCH.n), NOT(_Item(kind="c", n=MATCH.n)))
    def bound(self, n):  # type: ignore[no-untyped-def]
        self.fired.append(("bound", (n,)))
        if n < 4:
            self.declare(_Item(kind="b", n=n + 1))

    @ExpertaRule(AS.item << _Item(kind="b", n=3))
    def captured(self, item):  # type: ignore[no-untyped-def]
        self.fired.append(("captured", (item["n"],)))
        self.declare(_Item(kind="c", n=4))

    @ExpertaRule(OR(_Item(kind="c"), AND(_Item(kind="b", n=2), _Item(kind="a"))))
    def either(self):  # type: ignore[no-untyped-def]
        self.fired.append(("either", ()))


def _run_from_a(monkeypatch, engine_class: type, matcher: type):  # type: ignore[no-untyped-def]
    """An engine of `engine_class` matching with `matcher`, given _Item(kind="a") and run to the end."""
    monkeypatch.setattr(engine_class, "__matcher__", matcher)
    engine = engine_class()
    engine.fired = []
    engine.reset()
    engine.declare(_Item(kind="a"))
    engine.run()
    return engine


def test_rules_with_variables_or_absences_are_matched_by_the_network_as_experta_would(monkeypatch):
    def fired(matcher: type) -> Counter:  # type: ignore[type-arg]
        return Counter(_run_from_a(monkeypatch, _Mixed, matcher).fired)

    ground = fired(GroundMatcher)
    assert ground == fired(_StockMatcher)
    assert {name for name, _ in ground} == {"plain", "bound", "captured", "either"}


class _Retracting(KnowledgeEngine):
    """Plain rules only (GroundMatcher matches them all), some of which retract or change facts: an activation
    whose fact goes before it fires must go too, and a changed fact must match as new."""

    fired: list
    fleeting = False

    def _held(self, **fields):  # type: ignore[no-untyped-def]
        return next(f for f in self.facts.values() if all(f.get(k) == v for k, v in fields.items()))

    @ExpertaRule(_Item(kind="a"))
    def start(self):  # type: ignore[no-untyped-def]
        self.fired.append("start")
        self.declare(_Item(kind="b", n=1), _Item(kind="c"), _Item(kind="b", n=2), _Item(kind="b", n=3))
        if self.fleeting:
            self.retract(self.declare(_Item(kind="e")))  # gone before the matcher hears of either

    @ExpertaRule(_Item(kind="e"))
    def fleeting_fired(self):  # type: ignore[no-untyped-def]
        self.fired.append("fleeting")

    @ExpertaRule(_Item(kind="b", n=1), _Item(kind="c"))
    def pair(self):  # type: ignore[no-untyped-def]
        self.fired.append("pair")  # must not fire: b n=1 is retracted first

    @ExpertaRule(_Item(kind="b", n=3), _Item(kind="c"))
    def other_pair(self):  # type: ignore[no-untyped-def]
        self.fired.append("other_pair")

    @ExpertaRule(_Item(kind="b", n=2), salience=10)
    def drop(self):  # type: ignore[no-untyped-def]
        self.fired.append("drop")
        self.retract(self._held(kind="b", n=1))

    @ExpertaRule(_Item(kind="c"), salience=-10)
    def change(self):  # type: ignore[no-untyped-def]
        self.fired.append("change")
        self.modify(self._held(kind="c"), kind="d")

    @ExpertaRule(OR(_Item(kind="d"), _Item(kind="b", n=1)))
    def changed(self):  # type: ignore[no-untyped-def]
        self.fired.append("changed")


def test_a_retracted_or_changed_fact_takes_its_activations_with_it_as_in_experta(monkeypatch):
    def fired(matcher: type) -> list:  # type: ignore[type-arg]
        engine = _run_from_a(monkeypatch, _Retracting, matcher)
        assert matcher is not GroundMatcher or engine.matcher._network is None  # every rule here is plain
        return engine.fired

    ours = fired(GroundMatcher)
    assert ours == fired(_StockMatcher)
    assert "pair" not in ours and {"drop", "other_pair", "change", "changed"} <= set(ours)
    # A fact declared and retracted before the matcher hears of it matches nothing (experta's own matcher
    # fails with a KeyError here, so there is nothing to compare with).
    monkeypatch.setattr(_Retracting, "fleeting", True)
    assert fired(GroundMatcher) == ours


def test_facts_made_by_the_engine_are_the_facts_experta_would_make(real_kb):
    for fact in _possible_facts(real_kb):
        maker = _FactMaker(type(fact), {k: v for k, v in fact.items() if k != "__factid__"})
        made, experta_made = maker.new(), type(fact)(**maker.fields)
        assert made == experta_made and hash(made) == hash(experta_made) and type(made) is type(experta_made)
        assert made.copy() == experta_made.copy() and made.__factid__ is None
        assert maker.identity == FactList._get_fact_id(experta_made)


def test_the_engine_refuses_to_make_a_fact_experta_would_not_declare():
    with pytest.raises(TypeError):
        _FactMaker(Answer, {"question": "q", "value": MATCH.v})
    with pytest.raises(TypeError):
        _FactMaker(Answer, {"question__nested": "q"})


def test_stock_and_fast_matching_fire_the_same_rules_on_the_same_facts_in_the_real_knowledge_base(real_kb):
    rng = random.Random(11)
    sessions = [random_answers(real_kb, rng) for _ in range(REAL_SESSIONS)]
    sessions += [{}, {"chest_pain": "yes"}, {q.id: q.values[0] for q in real_kb.questions if not q.kind.is_list}]
    assert agree(real_kb, sessions) >= REAL_SESSIONS


@pytest.mark.parametrize("seed", range(GENERATED_KBS))
def test_stock_and_fast_matching_fire_the_same_rules_on_the_same_facts_in_generated_knowledge_bases(real_kb, seed):
    kb = generated_kb(real_kb, seed)
    rng = random.Random(seed)
    assert agree(kb, [random_answers(kb, rng) for _ in range(SESSIONS_PER_GENERATED_KB)]) == SESSIONS_PER_GENERATED_KB


def test_together_at_least_500_generated_sessions_are_compared():
    assert REAL_SESSIONS + GENERATED_KBS * SESSIONS_PER_GENERATED_KB >= 500


def alpha_tests_per_fact(kb: KnowledgeBase, monkeypatch) -> float:
    """How many one-fact tests working out the alpha paths of every possible fact takes, per fact."""
    from experta.matchers.rete.check import FeatureCheck, TypeCheck

    network = _Network(CompiledRules(kb))
    calls = Counter()
    for check in (FeatureCheck, TypeCheck):
        def counted(self, *args, _test=check.__call__, **kwargs):  # type: ignore[no-untyped-def]
            calls["tests"] += 1
            return _test(self, *args, **kwargs)
        monkeypatch.setattr(check, "__call__", counted)
    facts = _possible_facts(kb)
    network.matcher._routes.clear()
    network.matcher.remember(facts)
    return calls["tests"] / len(facts)


def test_building_a_network_tests_each_fact_only_on_its_own_path_however_many_rules_there_are(real_kb, monkeypatch):
    # Looking up a fact's next tests in an index (not trying every test of every question) is what keeps
    # the network's build linear in the number of rules (benchmarks/bench_scaling.py: x1 to x16).
    small = alpha_tests_per_fact(real_kb, monkeypatch)
    bigger = dataclasses.replace(generated_kb(real_kb, 3), rules=(*real_kb.rules, *generated_kb(real_kb, 3).rules[:-1]))
    assert small < 3 and alpha_tests_per_fact(bigger, monkeypatch) < 3
