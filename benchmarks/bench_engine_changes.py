"""What each speed change in triage/rete/engine.py gains: the engine rebuilt without them, one by one.

Variants, each adding one change to the one before, all timed side by side on the same generated
sessions (whole-session evaluate, rotating order; the figure is the median over runs of each run's
median). The first is the engine as it was before the changes (experta's matcher and defaults); the
last is CompiledRules as it is. Then engine construction, before and after the changes that concern it.
First, every variant is checked to give the same results as the one before (check_same).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from typing import Any

import common
from sessions import SEED, answer_sets, answer_steps

# triage.rete.engine first: triage.rete.compat (which it imports) makes experta importable.
import triage.rete.engine as engine_module
from triage.rete.engine import (Answer, OrganConcernCount, ReteMatcher, CompiledRules, _FastMatcher,
                           _nodes_with_memory)
from triage.rete.compat import KnowledgeEngine as ExpertaEngine
from triage.knowledge.load import load_knowledge
from triage.render.json_format import outcome_data
from triage.render.trace import trace_text
from triage.checks.selftest import failures
from triage.session import Session


class _Stock(ReteMatcher):
    """experta's matcher as it runs with one engine in a process.

    experta caches the list of conflict-set nodes with lru_cache(maxsize=1) on the method, which several
    engines alive in one process (as here) would keep evicting; with one engine it is worked out once.
    """

    def _get_conflict_set_nodes(self) -> Any:
        try:
            return self._csn_cache
        except AttributeError:
            self._csn_cache = super()._get_conflict_set_nodes()
            return self._csn_cache


class _ResetMemoryOnly(_Stock):
    def __init__(self, engine: Any):
        super().__init__(engine)
        self._memory_nodes = _nodes_with_memory(self.root_node)

    def reset(self) -> None:
        for node in self._memory_nodes:
            node._reset()


class _AskTouchedOnly(_FastMatcher):
    """_FastMatcher without the remembered alpha paths: every fact walks experta's network."""

    def _send(self, fact: Any, tag: Any) -> None:
        (self.root_node.add if tag is engine_module.Token.TagType.VALID else self.root_node.remove)(fact)


def _compile_with_copy(kb: Any, rule: Any) -> Any:
    """engine._compile_rule as it was: fact.copy() on firing, signature read by experta each time."""
    fact = engine_module._conclusion_fact(kb, rule.then)

    def conclude(engine: Any, **_context: Any) -> None:
        engine.declare(fact.copy())

    conclude.__name__ = rule.id
    return engine_module.ExpertaRule(engine_module.compile_condition(rule.when))(conclude)


def rules_with_copy(kb: Any) -> list[Any]:
    return [*(_compile_with_copy(kb, rule) for rule in kb.rules), CompiledRules._count_organ_concern()]


def rules_now(kb: Any) -> list[Any]:
    return [*(engine_module._compile_rule(kb, rule) for rule in kb.rules), CompiledRules._count_organ_concern()]


def variant(matcher: type, one_declare: bool, deffacts_once: bool, fields: bool) -> type:
    """CompiledRules with some of the changes, and no alpha paths worked out ahead."""

    class Variant(CompiledRules):
        __matcher__ = matcher

        def __init__(self, kb: Any, rules: list[Any] | None = None):
            self.kb = kb
            # Variants given the same rule objects build the same network, in the same order (experta orders
            # it by the rules' hashes): then even the order of firing can be compared.
            self._rules = rules if rules is not None else (rules_now(kb) if fields else rules_with_copy(kb))
            self.firing_limit = engine_module.FIRING_LIMIT_PER_RULE * len(self._rules) + 100
            self.firings = []
            ExpertaEngine.__init__(self)

        def get_deffacts(self) -> list[Any]:
            return super().get_deffacts() if deffacts_once else ExpertaEngine.get_deffacts(self)

        def start(self, answers: Any) -> None:
            if one_declare:
                super().start(answers)
                return
            self.reset()
            self.firings = []
            self.declare(OrganConcernCount(n=0))
            for question, value in answers.items():
                self.add_answer(question, value)

        def add_answer(self, question: str, value: Any) -> None:
            if one_declare:
                super().add_answer(question, value)
                return
            for single in value if isinstance(value, tuple) else (value,):
                self.declare(Answer(question=question, value=single))

    return Variant


VARIANTS: list[tuple[str, type]] = [
    ("before: experta's matcher, one declare per answer", variant(_Stock, False, False, False)),
    ("+ all answers in one declare", variant(_Stock, True, False, False)),
    ("+ deffacts looked up once, reset wipes only nodes with memory",
     variant(_ResetMemoryOnly, True, True, False)),
    ("+ only conflict-set nodes that were activated are asked", variant(_AskTouchedOnly, True, True, False)),
    ("+ alpha-network paths remembered per fact content", variant(_FastMatcher, True, True, False)),
    ("+ conclusion facts made from their fields (CompiledRules now)", CompiledRules),
]
SAME_RULES = (range(0, 5), range(5, 6))  # variants built from the same kind of compiled rules


def build_times(kb: Any, count: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median construction time of the engine (before, with the shared signature, as it is now), and the
    start-up's engine part: a new engine built, then the golden cases run on it (the self-test)."""
    makers = {"before (experta reads each rule's signature again and again)": variant(_Stock, False, False, False),
              "+ one shared signature for every rule's right-hand side": variant(_FastMatcher, True, True, True),
              "+ alpha paths of every possible fact worked out (CompiledRules now)": CompiledRules}
    times: dict[str, list[float]] = {name: [] for name in makers}
    startup: dict[str, list[float]] = {"before": [], "CompiledRules now": []}
    for _ in range(count):
        for name, make in makers.items():
            gc.collect()
            started = time.perf_counter()
            make(kb)
            times[name].append(time.perf_counter() - started)
        for name, make in (("before", VARIANTS[0][1]), ("CompiledRules now", CompiledRules)):
            gc.collect()
            started = time.perf_counter()
            assert failures(make(kb)) == []
            startup[name].append(time.perf_counter() - started)
    return ({name: common.ms(common.median(values)) for name, values in times.items()},
            {name: common.ms(common.median(values)) for name, values in startup.items()})


def _trace(engine: Any, answers: Any) -> str:
    return trace_text(engine.kb, engine.facts.values(), engine.firings, engine.evaluate(answers))


def _session_traces(engine: Any, steps: list[tuple[str, Any]]) -> list[str]:
    """The trace after every answer of an interview (the engine running incrementally), with a go-back."""
    session, traces = Session(engine), []
    for number, (question, value) in enumerate(steps):
        session.answer(question, value)
        if number == 3:
            session.go_back()
            session.answer(question, value)
        traces.append(trace_text(engine.kb, engine.facts.values(), engine.firings, session.outcome()))
    return traces


def check_same(kb: Any, sessions: list[Any], interviews: list[list[tuple[str, Any]]]) -> None:
    """Every change leaves the engine's results as they were.

    Variants built from the same rule objects build the same network, in the same order: for them the
    whole `triage explain` trace (facts with their ids, rules in the order they fired, the facts each
    matched) must be identical, after evaluating complete answer sets and after every answer of an
    interview (with a go-back). Across the two kinds of compiled rules (`fact.copy()` or fields), other
    rule objects give another order among rules that tie, so there the outcomes are compared.
    """
    now = CompiledRules(kb)
    shared = {0: rules_with_copy(kb)}
    engines = []
    for index, (_, cls) in enumerate(VARIANTS):
        first = next(group[0] for group in SAME_RULES if index in group)
        engines.append(now if cls is CompiledRules else cls(kb, shared[first]))
    for answers in sessions:
        for group in SAME_RULES:
            expected = _trace(engines[group[0]], answers)
            for index in group[1:]:
                assert _trace(engines[index], answers) == expected, f"{VARIANTS[index][0]}: another trace"
        assert outcome_data(engines[0].evaluate(answers)) == outcome_data(now.evaluate(answers)), \
            f"another outcome for {answers}"
    for steps in interviews:
        for group in SAME_RULES:
            expected_traces = _session_traces(engines[group[0]], steps)
            for index in group[1:]:
                assert _session_traces(engines[index], steps) == expected_traces, \
                    f"{VARIANTS[index][0]}: another interview for {steps}"


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = common.arguments(__doc__.splitlines()[0], runs=5, argv=argv,
                            extra=[("--sessions", {"type": int, "default": 1000})])
    count = 20 if args.smoke else args.sessions
    runs = 1 if args.smoke else args.runs
    kb = load_knowledge()
    sessions = answer_sets(kb, count)
    check_same(kb, sessions[:200], answer_steps(kb, 5 if args.smoke else 50, seed=SEED + 2))
    engines: list[tuple[str, Callable[[Any], Any]]] = [(name, cls(kb).evaluate) for name, cls in VARIANTS]
    per_run: dict[str, list[float]] = {name: [] for name, _ in engines}
    for run in range(runs):
        shift = run % len(engines)
        for name, evaluate in engines[shift:] + engines[:shift]:
            gc.collect()
            times = []
            for answers in sessions:
                started = time.perf_counter()
                evaluate(answers)
                times.append(time.perf_counter() - started)
            per_run[name].append(common.median(times))
    medians = {name: common.ms(common.median(values)) for name, values in per_run.items()}
    build, startup = build_times(kb, 3 if args.smoke else 15)
    result = {"benchmark": "engine_changes", "runs": runs, "sessions": count, "session_median_ms": medians,
              "build_ms": build, "build_and_selftest_ms": startup}
    for name, value in medians.items():
        print(f"{value:8.3f} ms  {name}")
    for name, value in result["build_ms"].items():
        print(f"{value:8.1f} ms  build: {name}")
    for name, value in result["build_and_selftest_ms"].items():
        print(f"{value:8.1f} ms  build and self-test: {name}")
    common.write(result, args.json)
    return result


if __name__ == "__main__":
    main()
