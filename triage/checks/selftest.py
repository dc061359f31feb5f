"""Start-up self-test: before a front end shows results to patients, the golden cases must pass and the
knowledge base must have no check errors that fit the start-up (lint errors, red-flag properties).

The golden cases in the knowledge base's cases/ folder are a clinician's expectations. If the rules
(or the engine, or experta) no longer give those outcomes, or a patient text reads as a diagnosis, or a
red-flag 'yes' does not give the top urgency, every front end (interview, kiosk, `triage run`, batch)
refuses to start rather than give advice nobody has checked. `triage rules test` and `triage rules check`
show the same results in full.
"""

from __future__ import annotations

from triage.checks.cases import run_cases
from triage.checks.lint import startup_errors
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
    """The compiled rules of `kb`, once they have passed every golden case and the start-up checks (lint errors
    and the red-flag properties, `lint.startup_errors`); SelfTestError names each failing case and each error,
    one line each, then a last line. Every front end that shows outcomes gets its rules from here.

    The same compiled rules serve the patients afterwards (each person in a run of their own), so what was tested is
    what runs.
    """
    engine = CompiledRules(kb)
    cases = failures(engine)
    errors = startup_errors(kb)
    if not cases and not errors:
        return engine
    if errors:
        failing = f", and {len(cases)} of {len(kb.cases)} golden cases fail" if cases else ""
        summary = (f"refusing to start: the checks find {len(errors)} error{'s' if len(errors) > 1 else ''} in "
                   f"this knowledge base{failing}; run 'triage rules check' for details")
        last = Problem("check-failed", Place("triage"), summary)
    else:
        summary = (f"refusing to start: {len(cases)} of {len(kb.cases)} golden cases fail on this "
                   "knowledge base; run 'triage rules test' for details")
        last = Problem("self-test-failed", Place("triage"), summary)
    raise SelfTestError([*cases, *errors, last])
