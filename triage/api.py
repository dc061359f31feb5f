"""The library's front door: `evaluate(kb, answers)` gives the outcome every front end would show.

Hard to misuse: the first call for a knowledge base compiles its rules and runs the golden cases and start-up
checks (as the interview, the kiosk and batch do, refusing with SelfTestError); later calls reuse those rules
(kept per knowledge-base object, dropped with it). Answers are checked like an answers file (AnswersError on
an unknown question or a value the question does not take, never a silent 'routine'), and the outcome is
confirmed by the independent reference evaluator (SecondOpinionError otherwise).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

from triage.answers import check_answers
from triage.checks.second_opinion import confirmed
from triage.checks.selftest import checked_rules
from triage.frontends import batch
from triage.model import KnowledgeBase
from triage.outcome import Outcome
from triage.rete.engine import CompiledRules

_checked: weakref.WeakKeyDictionary[KnowledgeBase, CompiledRules] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def rules_for(kb: KnowledgeBase) -> CompiledRules:
    """`kb`'s compiled rules once they have passed the golden cases and checks: on the first call for `kb` only."""
    with _lock:  # one compilation and self-test per knowledge base, even with threads calling at once
        rules = _checked.get(kb)
        if rules is None:
            rules = _checked[kb] = checked_rules(kb)
        return rules


def evaluate(kb: KnowledgeBase, answers: Mapping[str, Any], name: str = "answers") -> Outcome:
    """The outcome for `answers` (question id -> answer, as in an answers file; lists for multiple choice).

    Example:
        kb = load_knowledge()
        evaluate(kb, {"chest_pain": "yes"}).referral.urgency.id   # 'emergency'
    """
    rules = rules_for(kb)
    checked = check_answers(kb, answers, name)
    return confirmed(kb, rules.evaluate(checked), checked, name)


def evaluate_jsonl(kb: KnowledgeBase, lines: BinaryIO, name: str = "<lines>") -> Iterator[batch.BatchLine]:
    """`triage run --batch` as a library call: for every line of `lines` (JSON answers objects, read as bytes),
    one BatchLine, in order: `.output` is the JSON line (the outcome with "line": N, or {"line": N, "errors":
    [...]}), `.error` the first error message or None. Never raises for what a line holds, so output line N
    always answers input line N (what lets a cluster split the work by file: examples/dask_batch.py).
    `name` is how messages name the input.
    """
    return batch.evaluate_lines(rules_for(kb), batch.read_lines(lines), name)
