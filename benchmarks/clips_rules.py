"""The knowledge base's rules written as CLIPS rules (through clipspy), for the whole-session comparison.

Only for benchmarks/bench_session.py: clipspy is not a dependency of calcitriage. The translation mirrors
triage/rete/engine.py: one fact per answer value, conclusions as facts, and the same bookkeeping rule that
counts organ concerns. Each rule also calls (fired ID), a Python function, so the set of rules that fired
can be checked against the engine's, and an Outcome built from it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

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
)
from triage.outcome import AnswerValue, Firing, Outcome, build_outcome

TEMPLATES = """
(deftemplate answer (slot question) (slot value))
(deftemplate concern (slot section) (slot organ))
(deftemplate reached (slot finding))
(deftemplate consider (slot workup))
(deftemplate referred (slot to) (slot urgency))
(deftemplate advised (slot advice))
(deftemplate organ-count (slot n))
(deftemplate counted (slot section))
(deftemplate start)
"""

COUNT_RULE = """
(defrule count-organ-concern
  (concern (section ?s) (organ TRUE))
  (not (counted (section ?s)))
  ?c <- (organ-count (n ?n))
  =>
  (assert (counted (section ?s)))
  (modify ?c (n (+ ?n 1))))
"""


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lhs(condition: Condition, names: itertools.count) -> str:
    match condition:
        case AnswerIs(question, values) | AnswerIncludes(question, values):
            return f"(answer (question {_q(question)}) (value {'|'.join(_q(v) for v in values)}))"
        case ConcernRaised(section):
            return f"(concern (section {_q(section)}))"
        case FindingReached(finding):
            return f"(reached (finding {_q(finding)}))"
        case OrganConcernsAtLeast(count):
            var = f"?n{next(names)}"
            return f"(organ-count (n {var}&:(>= {var} {count})))"
        case AllOf(items):
            return "(and " + " ".join(_lhs(c, names) for c in items) + ")"
        case AnyOf(items):
            return "(or " + " ".join(_lhs(c, names) for c in items) + ")"
        case Always():
            return "(start)"
    raise TypeError(f"cannot translate {condition!r}")


def _rhs(kb: KnowledgeBase, then: object) -> str:
    match then:
        case RaiseConcern(section):
            organ = "TRUE" if kb.section[section].organ else "FALSE"
            return f"(assert (concern (section {_q(section)}) (organ {organ})))"
        case ReachFinding(finding):
            return f"(assert (reached (finding {_q(finding)})))"
        case ConsiderWorkup(workup, _):
            return f"(assert (consider (workup {_q(workup)})))"
        case Refer(to, urgency):
            return f"(assert (referred (to {_q(to)}) (urgency {_q(urgency)})))"
        case GiveAdvice(advice):
            return f"(assert (advised (advice {_q(advice)})))"
    raise TypeError(f"cannot translate {then!r}")


class ClipsEvaluator:
    """An environment built once; `fired(answers)` resets it and runs the rules on one set of answers."""

    def __init__(self, kb: KnowledgeBase):
        import clips

        self.kb = kb
        self.env = clips.Environment()
        self._fired: list[str] = []
        # Reading the rules that fired back from facts leaks in clipspy 1.0.6 too (see `fired`): each rule
        # calls back into Python instead, as the engine's right-hand sides do.
        self.env.define_function(lambda rule_id: self._fired.append(str(rule_id)), "fired")
        for construct in TEMPLATES.strip().split("\n"):
            self.env.build(construct)
        self.env.build(COUNT_RULE)
        names = itertools.count()
        for number, rule in enumerate(kb.rules):
            self.env.build(f"(defrule r{number} {_lhs(rule.when, names)} => {_rhs(kb, rule.then)} "
                           f"(fired {_q(rule.id)}))")

    def fired(self, answers: Mapping[str, AnswerValue]) -> list[str]:
        env = self.env
        env.reset()
        # All facts in one load_facts string. clipspy 1.0.6's per-fact calls (Template.assert_fact,
        # assert_string) leave garbage in CLIPS that is never collected between runs: memory and the time
        # per session grow without end (0.2 ms -> 1 ms after 1,000 sessions). Parsing the text costs more
        # at first but stays flat.
        env.load_facts("(organ-count (n 0)) (start) " + " ".join(
            f"(answer (question {_q(question)}) (value {_q(single)}))"
            for question, value in answers.items()
            for single in (value if isinstance(value, tuple) else (value,))))
        self._fired = []
        env.run()
        return self._fired

    def evaluate(self, answers: Mapping[str, AnswerValue]) -> Outcome:
        """The Outcome from the rules CLIPS fired (without the answers each matched: CLIPS does not say)."""
        return build_outcome(self.kb, answers, [Firing(rule_id) for rule_id in self.fired(answers)])
