"""A second opinion at run time: every outcome shown to a person is computed again by the reference evaluator.

The engine (experta, our matcher, the rule compiler) and `checks.oracle` (a plain fixed-point loop) share
only the data model. If they ever disagree on a person's answers, the outcome is withheld: the caller shows
the safe screen (the emergency signs, "talk to a doctor") and reports the disagreement; it is never
resolved by picking one of the two.
"""

from __future__ import annotations

from collections.abc import Mapping

from triage.checks import oracle
from triage.endings import Ending
from triage.errors import Place, Problem, TriageError
from triage.model import KnowledgeBase
from triage.outcome import AnswerValue, Outcome


class SecondOpinionError(TriageError):
    """The engine and the reference evaluator disagree: the outcome must not be shown."""

    ending = Ending.WENT_WRONG  # the person is shown the emergency advice instead

    def __init__(self, problems: list[Problem], differing: tuple[str, ...]):
        super().__init__(problems)
        self.differing = differing  # what differed ("referral", "sections", ...), without the person's answers


def confirmed(kb: KnowledgeBase, outcome: Outcome, answers: Mapping[str, AnswerValue],
              where: str | None = None) -> Outcome:
    """`outcome` itself when the reference evaluator reaches the same on `answers`; else SecondOpinionError.

    `where` names the answers (a file, a batch line) in the message.
    """
    differences = oracle.differences(outcome, oracle.evaluate(kb, answers))
    if not differences:
        return outcome
    message = (f"the rule engine and the independent reference evaluator disagree on these answers, so the "
               f"outcome was not shown (knowledge base {kb.name} {kb.version}, {kb.hash[:12]}); report it to "
               f"whoever maintains the rules: " + "; ".join(differences))
    differing = tuple(d.split(":", 1)[0] for d in differences)
    raise SecondOpinionError([Problem("second-opinion", Place(where or "second opinion"), message)], differing)
