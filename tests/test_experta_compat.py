"""experta 1.9.4 on Python 3.11, and regression tests for its known bugs (../shared/guide/TECH.md).

Each bug test first shows that the scenario does trip plain experta, so that it can tell a fix from a
scenario that never exercised the bug.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from triage.model import AllOf, AnswerIs
from triage.rete.compat import AND, NOT, Fact, KnowledgeEngine, Rule
from triage.rete.engine import CompiledRules, _Network, compile_condition
from triage.rete.strategy import PositionalDepthStrategy


def run_python(code: str) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter (nothing of experta imported yet)."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=60)


# --- importing -------------------------------------------------------------------------------------------


def test_experta_alone_fails_to_import_on_this_python_which_is_why_the_compat_module_exists():
    result = run_python("import experta.engine")
    assert result.returncode != 0
    assert "AttributeError: module 'collections' has no attribute 'Mapping'" in result.stderr


def test_importing_the_compat_module_first_lets_experta_import_and_fire_a_rule():
    result = run_python("""
        import triage.rete.compat
        import experta
        from experta import Fact, KnowledgeEngine, Rule

        class Light(Fact):
            pass

        class Crossing(KnowledgeEngine):
            @Rule(Light(color="red"))
            def stop(self):
                print("fired: stop")

        engine = Crossing()
        engine.reset()
        engine.declare(Light(color="red"))
        engine.run()
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "fired: stop\n"


@pytest.mark.parametrize("module", ["triage.rete.strategy", "triage.rete.matcher", "triage.rete.engine",
                                    "triage.rete.compat", "triage.session"])
def test_any_module_of_the_engine_can_be_the_first_import_whatever_order_its_import_lines_are_in(module):
    # experta needs the compat fix before it loads; the package triage.rete applies it before any of its
    # modules runs, so sorted import lines (experta before triage) never break start-up.
    result = run_python(f"import {module}; import experta.engine; print('ok')")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


def test_a_tiny_engine_built_from_the_compat_names_fires_its_rule():
    fired = []

    class Light(Fact):
        pass

    class Crossing(KnowledgeEngine):
        @Rule(Light(color="red"))
        def stop(self):
            fired.append("stop")

        @Rule(Light(color="green"))
        def go(self):
            fired.append("go")

    engine = Crossing()
    engine.reset()
    engine.declare(Light(color="red"))
    engine.run()
    assert fired == ["stop"]


# --- bug 4: logging.basicConfig at import ----------------------------------------------------------------


def test_importing_experta_the_plain_way_puts_a_handler_on_the_root_logger():
    # The scenario the compat module guards against: experta's import-time logging.basicConfig().
    result = run_python("""
        import collections, collections.abc, logging
        collections.Mapping = collections.abc.Mapping
        import experta
        print(len(logging.getLogger().handlers))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_importing_the_compat_module_leaves_no_handler_on_the_root_logger():
    result = run_python("""
        import logging
        import triage.rete.compat
        import experta
        import triage.rete.engine
        root = logging.getLogger()
        print(len(root.handlers), logging.getLevelName(root.level))
        logging.getLogger("experta").warning("this must not reach a patient's screen")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 WARNING"
    # With no handler configured, Python's last-resort handler prints only the bare message for
    # WARNING and above; what matters is that experta did not install a formatted handler of its own.
    assert "WARNING:experta" not in result.stderr


# --- bug 1: stale activations ------------------------------------------------------------------------------


class Answer(Fact):
    pass


class Concern(Fact):
    pass


def eight_rules_on_one_fact(strategy, guarded: int) -> list:
    """Eight equal-salience rules on one Answer; rule `guarded` also needs NOT(Concern(lungs)), which a
    higher-salience rule on the same Answer makes false before any of the eight can fire."""
    fired: list = []

    def rhs(name):
        def fire(engine):
            fired.append(name)

        fire.__name__ = name
        return fire

    attributes = {"__strategy__": strategy}
    for i in range(8):
        if i == guarded:
            rule = Rule(Answer(question="cough"), NOT(Concern(section="lungs")))
            attributes[f"r{i}"] = rule(rhs("guarded"))
        else:
            attributes[f"r{i}"] = Rule(Answer(question="cough"))(rhs(f"r{i}"))

    def raise_concern(engine):
        fired.append("raise_concern")
        engine.declare(Concern(section="lungs"))

    attributes["raise_concern"] = Rule(Answer(question="cough"), salience=10)(raise_concern)
    engine = type("EightRules", (KnowledgeEngine,), attributes)()
    engine.reset()
    engine.declare(Answer(question="cough"))
    engine.run()
    return fired


def test_plain_experta_depth_strategy_fires_a_rule_whose_not_condition_became_false():
    # The order of equal activations on the agenda varies between builds (rules are kept in a set),
    # so try every position for the guarded rule, several times; the bug shows in most of them.
    from experta.strategies import DepthStrategy

    runs = [eight_rules_on_one_fact(DepthStrategy, guarded) for _ in range(5) for guarded in range(8)]
    assert all(run[0] == "raise_concern" for run in runs)
    assert any("guarded" in run for run in runs), "the scenario never tripped experta's stale-activation bug"


def test_with_the_full_range_strategy_a_rule_whose_not_condition_became_false_never_fires():
    for _ in range(5):
        for guarded in range(8):
            fired = eight_rules_on_one_fact(PositionalDepthStrategy, guarded)
            assert fired[0] == "raise_concern"
            assert "guarded" not in fired
            assert sorted(fired[1:]) == sorted(f"r{i}" for i in range(8) if i != guarded)


class _Act:
    """A stand-in activation: equal keys, told apart only by name (as experta's Activation.__eq__ does)."""

    def __init__(self, name: str):
        self.name, self.key = name, None

    def __eq__(self, other):
        return self.name == other.name

    def __lt__(self, other):
        return self.key < other.key

    __hash__ = None


@pytest.mark.parametrize("position", range(7))
def test_removing_one_of_seven_equal_activations_removes_exactly_that_one(position):
    from experta.strategies import DepthStrategy

    class Fixed:
        """Both strategies with a constant key, so that all seven activations tie."""

        def get_key(self, act):
            return (0, [1])

    names = [f"a{i}" for i in range(7)]

    def agenda_after_removing(strategy_class):
        strategy = type("S", (Fixed, strategy_class), {})()
        agenda = type("Agenda", (), {})()
        agenda.activations = []
        strategy._update_agenda(agenda, [_Act(n) for n in names], [])
        strategy._update_agenda(agenda, [], [_Act(names[position])])
        return [a.name for a in agenda.activations]

    expected = [n for n in names if n != names[position]]
    assert agenda_after_removing(PositionalDepthStrategy) == expected
    plain = agenda_after_removing(DepthStrategy)
    # experta looks only at bisect_left (0) and the neighbours +1 and -1 (the last one).
    if position in (0, 1, 6):
        assert plain == expected
    else:
        assert names[position] in plain


def test_the_triage_engine_uses_the_full_range_strategy():
    from experta.strategies import DepthStrategy

    assert _Network.__strategy__ is PositionalDepthStrategy
    assert issubclass(PositionalDepthStrategy, DepthStrategy)


# --- bug 2: `&` between ANDs -------------------------------------------------------------------------------


def test_experta_ampersand_between_two_ands_raises_name_error():
    class A(Fact):
        pass

    with pytest.raises(NameError, match="chain"):
        (A(x=1) & A(x=2)) & (A(x=3) & A(x=4))


def test_nested_all_conditions_compile_to_one_and_and_fire():
    condition = AllOf((
        AllOf((AnswerIs("a", ("yes",)), AnswerIs("b", ("yes",)))),
        AllOf((AnswerIs("c", ("yes",)), AnswerIs("d", ("yes",)))),
    ))
    compiled = compile_condition(condition)
    assert isinstance(compiled, AND)
    fired = []

    def both_pairs(engine):
        fired.append("both_pairs")

    class Nested(KnowledgeEngine):
        def get_rules(self):
            return [Rule(compiled)(both_pairs)]

    engine = Nested()
    for answers in ({"a", "b", "c"}, {"a", "b", "c", "d"}):
        engine.reset()
        for question in sorted(answers):
            engine.declare(_answer_fact(question))
        engine.run()
    assert fired == ["both_pairs"]


def _answer_fact(question: str):
    from triage.rete.engine import Answer as EngineAnswer

    return EngineAnswer(question=question, value="yes")


# --- rules collapsing in experta's rule set -----------------------------------------------------------------


def test_plain_experta_collapses_two_rules_with_the_same_conditions_and_function():
    fired = []

    def conclude(engine):
        fired.append("fired")

    class Twins(KnowledgeEngine):
        def get_rules(self):
            return [Rule(Answer(question="cough"))(conclude), Rule(Answer(question="cough"))(conclude)]

    engine = Twins()
    engine.reset()
    engine.declare(Answer(question="cough"))
    engine.run()
    assert fired == ["fired"]  # one of the two rules silently disappeared


def test_two_data_rules_with_identical_conditions_both_fire(tiny):
    tiny.append("rules/x.yaml", """
        - id: lungs.cough_again
          statement: A frequent cough relates to the lungs section (said twice, by two rules).
          source: leaflet
          when: {question: cough, is: yes}
          then: {concern: lungs}

        - id: kidneys.cough
          statement: A frequent cough is also shown beside the kidneys section, for this test.
          source: leaflet
          when: {question: cough, is: yes}
          then: {concern: kidneys}
        """)
    outcome = CompiledRules(tiny.load()).evaluate({"cough": "yes"})
    fired = [step.rule.id for step in outcome.explanation]
    assert {"lungs.cough", "lungs.cough_again", "kidneys.cough"} <= set(fired)
    assert outcome.section_ids == ("lungs", "kidneys")
