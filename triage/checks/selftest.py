"""Start-up self-test: before a front end shows results to patients, the golden cases must pass.

The golden cases in the knowledge base's cases/ folder are a clinician's expectations. If the rules
(or the engine, or experta) no longer give those outcomes, the interview and the kiosk refuse to start
rather than give advice nobody has checked. `triage rules test` shows the same results in full.
"""

from __future__ import annotations

from triage.checks.cases import run_cases
from triage.errors import Place, Problem, TriageError
from triage.model import KnowledgeBase
from triage.rete.engine import CompiledRules


class SelfTestError(TriageError):
    """One or more golden cases fail on the loaded knowledge base; nothing may be shown to patients."""


def failures(engine: CompiledRules) -> list[Problem]:
    """One problem per failing golden case, each on one line; empty when every case passes."""
    problems = []
    for result in run_cases(engine):
        if not result.passed:
            problems.append(Problem("self-test-failed", Place(result.case.file, item=f"case '{result.case.id}'"),
                                    f"self-test failed: {'; '.join(result.differences)}"))
    return problems


def checked_rules(kb: KnowledgeBase) -> CompiledRules:
    """The compiled rules of `kb`, once they have passed every golden case; SelfTestError names each case that fails.

    The same compiled rules serve the patients afterwards (each person in a run of their own), so what was tested is
    what runs.
    """
    engine = CompiledRules(kb)
    problems = failures(engine)
    if problems:
        summary = (f"refusing to start: {len(problems)} of {len(kb.cases)} golden cases fail on this "
                   "knowledge base; run 'triage rules test' for details")
        problems.append(Problem("self-test-failed", Place("triage"), summary))
        raise SelfTestError(problems)
    return engine
