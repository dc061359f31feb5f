"""What each speed change in triage/rete/ gains: the network rebuilt without them, one by one.

Variants, each adding one change to the one before, all timed side by side on the same generated
sessions (whole-session `evaluate`, rotating order; the figure is the median over runs of each run's
median). The first is the engine as it was before the changes (experta's matcher and defaults); the
last is `CompiledRules` as it is. Each variant is a `_Network` subclass (triage/rete/engine.py) lent by
a `CompiledRules` subclass that sets `network_type`, so every variant runs through the same `Run`,
pool and outcome code as the product; only the network differs (so "before" is the old network inside
today's Run, with today's PositionalDepthStrategy and today's compiled rules, whose organ count only goes
up: not the old TriageEngine byte for byte). Then
construction (compiling the rules and building a network), before and after the changes that concern
it, and the start-up's engine part (compiled rules and the golden cases run on them). First, every
variant is checked to give the same results as the one before (check_same).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from typing import Any

import common
from sessions import SEED, answer_sets, answer_steps

# triage.rete before experta: its __init__ imports triage.rete.compat, which makes experta importable.
import triage.rete.engine as engine_module
from triage.checks.selftest import failures
from triage.knowledge.load import load_knowledge
from triage.render.json_format import outcome_data
from triage.render.trace import trace_text
from triage.rete.compat import KnowledgeEngine as ExpertaEngine
from triage.rete.engine import Answer, CompiledRules, _counting_rule, _Network
from triage.rete.ground_matcher import GroundMatcher
from triage.rete.matcher import FastMatcher, _nodes_with_memory
from triage.session import Session

# isort: split
from experta.matchers import ReteMatcher
from experta.matchers.rete.token import Token


class _Stock(ReteMatcher):
    """experta's matcher as it runs with one network in a process; it remembers nothing ahead.

    experta caches the list of conflict-set nodes with lru_cache(maxsize=1) on the method, which several
    networks alive in one process (as here) would keep evicting; with one network it is worked out once.
    """

    def _get_conflict_set_nodes(self) -> Any:
        try:
            return self._csn_cache
        except AttributeError:
            self._csn_cache = super()._get_conflict_set_nodes()
            return self._csn_cache

    def remember(self, facts: list[Any]) -> None:
        pass


class _ResetMemoryOnly(_Stock):
    def __init__(self, engine: Any):
        super().__init__(engine)
        self._memory_nodes = _nodes_with_memory(self.root_node)

    def reset(self) -> None:
        for node in self._memory_nodes:
            node._reset()


class _AskTouchedOnly(FastMatcher):
    """FastMatcher without the remembered alpha paths: every fact walks experta's network."""

    def _send(self, fact: Any, tag: Any) -> None:
        (self.root_node.add if tag is Token.TagType.VALID else self.root_node.remove)(fact)

    def remember(self, facts: list[Any]) -> None:
        pass


class _NothingAhead(FastMatcher):
    """FastMatcher whose alpha paths are worked out as facts come, none when the network is built."""

    def remember(self, facts: list[Any]) -> None:
        pass


def _compile_with_copy(kb: Any, rule: Any) -> Any:
    """engine._compile_rule as it was: fact.copy() on firing, signature read by experta each time."""
    fact = engine_module._conclusion_fact(kb, rule.then)

    def conclude(engine: Any, **_context: Any) -> None:
        engine.declare(fact.copy())

    conclude.__name__ = rule.id
    return engine_module.ExpertaRule(engine_module.compile_condition(rule.when))(conclude)


def rules_with_copy(kb: Any) -> list[Any]:
    return [*(_compile_with_copy(kb, rule) for rule in kb.rules), _counting_rule()]


def rules_now(kb: Any) -> list[Any]:
    return [*(engine_module._compile_rule(kb, rule) for rule in kb.rules), _counting_rule()]


class _VariantNetwork(_Network):
    """_Network with some of the changes: `variant` sets the matcher and the flags."""

    one_declare = True
    deffacts_once = True
    made = True  # facts declared through _Network.declare_made, not experta's declare and reset

    def get_deffacts(self) -> list[Any]:
        if self.deffacts_once:
            try:
                return self._deffacts
            except AttributeError:
                self._deffacts: list[Any] = ExpertaEngine.get_deffacts(self)
                return self._deffacts
        return ExpertaEngine.get_deffacts(self)

    def reset(self, **kwargs: Any) -> None:
        if self.made:
            super().reset(**kwargs)
        else:
            ExpertaEngine.reset(self, **kwargs)

    def wipe(self) -> None:
        super().wipe()
        if not self.made:  # experta declares only after a reset (the InitialFact it declares is not declared twice)
            ExpertaEngine.reset(self)

    def declare_made(self, made: Any) -> None:
        if self.made:
            super().declare_made(made)
        else:
            self.declare(*(maker.kind(**maker.fields) for maker in made))

    def begin(self, answers: Any, owner: object | None) -> None:
        if self.one_declare:
            super().begin(answers, owner)
            return
        self.owner = None
        self.reset()
        self.firings = []
        for question, value in answers.items():
            self.add_answer(question, value)
        self.owner = owner

    def add_answer(self, question: str, value: Any) -> None:
        if self.one_declare:
            super().add_answer(question, value)
            return
        for single in value if isinstance(value, tuple) else (value,):
            self.declare(Answer(question=question, value=single))


def variant(matcher: type, one_declare: bool, deffacts_once: bool, fields: bool,
            made: bool = False) -> type[CompiledRules]:
    """CompiledRules whose networks have some of the changes (and no alpha paths worked out ahead)."""
    network = type("Network", (_VariantNetwork,), {"__matcher__": matcher, "one_declare": one_declare,
                                                   "deffacts_once": deffacts_once, "made": made})

    class Variant(CompiledRules):
        network_type = network

        def __init__(self, kb: Any, rules: list[Any] | None = None):
            super().__init__(kb)
            # Given rule objects (compiled once, shared by variants) or the variant's own kind of them.
            if rules is not None:
                self.rules = tuple(rules)
            elif not fields:
                self.rules = tuple(rules_with_copy(kb))

    return Variant


VARIANTS: list[tuple[str, type[CompiledRules]]] = [
    ("before: experta's matcher, one declare per answer", variant(_Stock, False, False, False)),
    ("+ all answers in one declare", variant(_Stock, True, False, False)),
    ("+ deffacts looked up once, reset wipes only nodes with memory",
     variant(_ResetMemoryOnly, True, True, False)),
    ("+ only conflict-set nodes that were activated are asked", variant(_AskTouchedOnly, True, True, False)),
    ("+ alpha-network paths remembered per fact content", variant(_NothingAhead, True, True, False)),
    ("+ conclusion facts made from their fields", variant(FastMatcher, True, True, True)),
    ("+ ground rules matched without a RETE network (GroundMatcher)", variant(GroundMatcher, True, True, True)),
    ("+ own facts declared without experta's checks; less work per fact and firing (CompiledRules now)", CompiledRules),
]


def _built(make: Callable[[Any], list[Any]], cls: type[CompiledRules], kb: Any) -> float:
    """Seconds to compile the rule objects with `make` and build one network of `cls` from exactly those.

    The CompiledRules object around them (rule positions, the list of possible facts) is made between the
    two, untimed: for the variants it compiles rules of its own first, which are then replaced.
    """
    gc.collect()
    started = time.perf_counter()
    rules = make(kb)
    compiled = time.perf_counter() - started
    holder = cls(kb) if cls is CompiledRules else cls(kb, rules)  # type: ignore[call-arg]
    holder.rules = tuple(rules)
    gc.collect()
    started = time.perf_counter()
    holder.prepare()
    return compiled + time.perf_counter() - started


def build_times(kb: Any, count: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median construction time (rules compiled and one network built: before, with the shared signature,
    as it is now), and the start-up's engine part: new compiled rules, then the golden cases run on them (the
    self-test, which builds the first network), as `checked_rules` does."""
    makers: dict[str, tuple[Callable[[Any], list[Any]], type[CompiledRules]]] = {
        "before (experta reads each rule's signature again and again)":
            (rules_with_copy, variant(_Stock, False, False, False)),
        "+ one shared signature for every rule's right-hand side":
            (rules_now, variant(_NothingAhead, True, True, True)),
        "+ alpha paths of every possible fact worked out (CompiledRules now)": (rules_now, CompiledRules),
    }
    times: dict[str, list[float]] = {name: [] for name in makers}
    startup: dict[str, list[float]] = {"before": [], "CompiledRules now": []}
    for _ in range(count):
        for name, (make, cls) in makers.items():
            times[name].append(_built(make, cls, kb))
        for name, cls in (("before", VARIANTS[0][1]), ("CompiledRules now", CompiledRules)):
            gc.collect()
            started = time.perf_counter()
            assert failures(cls(kb)) == []
            startup[name].append(time.perf_counter() - started)
    return ({name: common.ms(common.median(values)) for name, values in times.items()},
            {name: common.ms(common.median(values)) for name, values in startup.items()})


def _trace(rules: CompiledRules, answers: Any) -> str:
    run = rules.new_run()
    run.restart(answers)
    text = trace_text(rules.kb, run.trace(), run.outcome())
    run.forget()
    return text


def _session_traces(rules: CompiledRules, steps: list[tuple[str, Any]]) -> list[str]:
    """The trace after every answer of an interview (Session.answer -> Run.add), with a go-back."""
    session, traces = Session(rules), []
    for number, (question, value) in enumerate(steps):
        session.answer(question, value)
        if number == 3:
            session.go_back()
            session.answer(question, value)
        traces.append(trace_text(rules.kb, session.run.trace(), session.outcome()))
    session.forget()
    return traces


def check_same(kb: Any, sessions: list[Any], interviews: list[list[tuple[str, Any]]]) -> None:
    """Every change leaves the engine's results as they were.

    The whole `triage explain` trace (facts with their ids, rules in the order they fired, the facts each
    matched) must be identical for every variant, after evaluating complete answer sets and after every
    answer of an interview (with a go-back, so both Run.add and Run.restart are used). Activations that tie
    on salience and facts fire in the rules' knowledge-base order (PositionalDepthStrategy), so the order
    no longer depends on the rule objects: variants compiled separately are compared whole. The outcomes
    are compared too.
    """
    engines = [cls(kb) for _, cls in VARIANTS]
    now = engines[-1]
    for answers in sessions:
        expected = _trace(now, answers)
        for (name, _), rules in zip(VARIANTS, engines, strict=True):
            assert _trace(rules, answers) == expected, f"{name}: another trace for {answers}"
        assert outcome_data(engines[0].evaluate(answers)) == outcome_data(now.evaluate(answers)), \
            f"another outcome for {answers}"
    for steps in interviews:
        expected_traces = _session_traces(now, steps)
        for (name, _), rules in zip(VARIANTS, engines, strict=True):
            assert _session_traces(rules, steps) == expected_traces, f"{name}: another interview for {steps}"


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
