"""The start-up self-test: the interview and the kiosk refuse to start when a golden case fails (issue 6)."""

from __future__ import annotations

import pytest

from support.kb_copies import REFUSAL, case_count, rules_copy
from triage.checks.selftest import SelfTestError, checked_rules, failures
from triage.cli import EXIT_CODES
from triage.knowledge.load import load_knowledge


def test_the_built_in_knowledge_base_passes_its_self_test(real_kb):
    engine = checked_rules(real_kb)
    assert failures(engine) == []
    assert engine.kb is real_kb


def test_interview_refuses_to_start_when_a_golden_case_fails(tmp_path, cli):
    rules = rules_copy(tmp_path, {"cases/lungs_past_tb.yaml": ("urgency: soon", "urgency: routine")})
    result = cli("interview", "--rules", rules, "--plain", stdin="1\n" * 80)
    assert result.code == 2
    assert result.out == ""  # not even the opening screen: nothing is shown to a patient
    assert result.err.splitlines() == [
        f"error: {rules}/cases/lungs_past_tb.yaml, case 'lungs_past_tb': self-test failed: "
        "urgency expected routine, got soon",
        REFUSAL.format(n=1, total=case_count()),
    ]


def test_bare_triage_command_runs_the_self_test_too(tmp_path, cli):
    change = ("sections: [lungs]", "sections: [heart, lungs]")
    rules = rules_copy(tmp_path, {"cases/lungs_past_tb.yaml": change})
    result = cli("--rules", rules, "--plain", stdin="1\n" * 80)
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines()[0] == (
        f"error: {rules}/cases/lungs_past_tb.yaml, case 'lungs_past_tb': self-test failed: "
        "sections expected but missing: heart")


def test_every_failing_case_gets_one_line(tmp_path, cli):
    # A changed rule (not a changed case): past TB now gives 'routine', so two cases fail at once.
    rules = rules_copy(tmp_path, {
        "rules/referral.yaml": ("then: {referral: {to: pulmonologist, urgency: soon}}",
                                "then: {referral: {to: pulmonologist, urgency: routine}}"),
    })
    result = cli("interview", "--rules", rules, "--plain", stdin="")
    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    failing = [line for line in lines if "self-test failed" in line]
    assert len(failing) >= 2
    assert all(line.startswith(f"error: {rules}/cases/") and line.count("\n") == 0 for line in failing)
    assert (f"error: {rules}/cases/lungs_past_tb.yaml, case 'lungs_past_tb': self-test failed: "
            "urgency expected soon, got routine; referral expected to pulmonologist, got gp") in lines
    assert lines[-1] == REFUSAL.format(n=len(failing), total=case_count())


def test_a_case_whose_answers_no_longer_fit_stops_the_interview(tmp_path, cli):
    rules = rules_copy(tmp_path, {"cases/lungs_past_tb.yaml": ("tb_history: yes", "tb_history: maybe")})
    result = cli("interview", "--rules", rules, "--plain", stdin="")
    assert result.code == 2
    assert result.err.splitlines()[0] == (
        f"error: {rules}/cases/lungs_past_tb.yaml, case 'lungs_past_tb': self-test failed: "
        "answers: 'maybe' is not an answer here; it takes yes, no, not_sure (question 'tb_history'); "
        # without a TB answer, where the TB was is not asked either
        "answers: would not have been asked, given the other answers; remove it (question 'tb_where')")


def test_kiosk_refuses_to_start_when_a_golden_case_fails(tmp_path, cli):
    rules = rules_copy(tmp_path, {"cases/lungs_past_tb.yaml": ("urgency: soon", "urgency: urgent")})
    result = cli("kiosk", "--rules", rules, "--config", tmp_path / "no-such-kiosk.toml")
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [
        f"error: {rules}/cases/lungs_past_tb.yaml, case 'lungs_past_tb': self-test failed: "
        "urgency expected urgent, got soon",
        REFUSAL.format(n=1, total=case_count()),
    ]


def test_interview_starts_when_every_case_passes(cli):
    result = cli("interview", "--plain", stdin="")
    assert "self-test" not in result.err
    about = " ".join(load_knowledge().about.split()[:12])
    assert about in " ".join(result.out.split())  # the opening screen was shown


def test_selftest_error_lists_one_problem_per_case(tmp_path):
    rules = rules_copy(tmp_path, {"cases/all_no.yaml": ("urgency: routine", "urgency: soon")})
    with pytest.raises(SelfTestError) as info:
        checked_rules(load_knowledge(rules))
    assert [p.place.item for p in info.value.problems] == ["case 'all_no'", None]
    assert EXIT_CODES[info.value.ending] == 2


def test_the_checked_rules_carries_nothing_of_the_golden_cases_into_the_first_session(real_kb):
    # The self-test runs every case (emergencies among them) on the engine that then serves patients.
    from triage.session import Session

    session = Session(checked_rules(real_kb))
    outcome = session.outcome()
    assert (outcome.referral.urgency.id, outcome.referral.to.id) == ("routine", "gp")
    assert outcome.sections == () and outcome.answers == ()
