"""Golden cases (rules/cases/): what a clinician expects for a short story, checked against the engine.

One test per case file; a test that fails when a rule is exercised by no case; checks that the case set
covers every section, every red flag and the all-'no' answers; and `triage rules test` itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.paths import real_case_files
from triage.checks.cases import rules_not_exercised, run_case, run_cases
from triage.knowledge.load import builtin_rules_dir

CASE_FILES = real_case_files()


def test_there_are_golden_cases():
    assert len(CASE_FILES) >= 10


@pytest.mark.parametrize("case_file", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_golden_case(real_engine, real_kb, case_file: Path):
    [case] = [c for c in real_kb.cases if c.id == case_file.stem]
    result = run_case(real_engine, case)
    assert result.differences == (), f"{case.title}: " + "; ".join(result.differences)
    assert result.passed


def test_every_rule_is_exercised_by_some_golden_case(real_engine):
    assert rules_not_exercised(real_engine, run_cases(real_engine)) == []


def test_every_section_has_a_golden_case(real_kb):
    covered = set().union(*(case.expect.sections for case in real_kb.cases))
    assert covered == {s.id for s in real_kb.sections}


def test_every_red_flag_has_a_golden_case_where_yes_gives_emergency(real_kb):
    for flag in (q.id for q in real_kb.questions if q.red_flag):
        cases = [c for c in real_kb.cases if c.answers.get(flag) in ("yes", True)
                 and c.expect.urgency == "emergency"]
        assert cases, f"no golden case answers yes to the red flag '{flag}'"


def test_there_is_a_golden_case_where_every_answer_is_no(real_kb):
    def all_no(case):
        values = [v for q, v in case.answers.items() if q != "sex"]
        return values and all(v in ("no", False, []) for v in values)

    cases = [c for c in real_kb.cases if all_no(c)]
    assert cases, "no golden case answers no to everything"
    for case in cases:
        expect = case.expect
        assert (expect.urgency, expect.referral_to, expect.sections, expect.workups) == (
            "routine", "gp", frozenset(), frozenset())
        red_flags = {q.id for q in real_kb.questions if q.red_flag}
        assert red_flags <= set(case.answers), "the all-no case answers every red flag"


def test_a_case_with_a_wrong_expectation_fails_and_says_how(tiny):
    tiny.write("cases/cough.yaml", """
        title: A cough
        story: Someone coughs often.
        answers: {cough: yes}
        expect: {urgency: urgent, referral_to: gp, sections: [lungs, kidneys], workups: []}
        """)
    from triage.rete.engine import CompiledRules

    [result] = run_cases(CompiledRules(tiny.load()))
    assert not result.passed
    assert result.differences == (
        "urgency expected urgent, got soon",
        "referral expected to gp, got lung_doctor",
        "sections expected but missing: kidneys",
        "workups not expected but present: xray",
    )


def test_a_case_fails_when_a_section_or_workup_it_rules_out_appears(tiny):
    tiny.write("cases/cough.yaml", """
        title: A cough
        story: Someone coughs often; the lungs must appear and nothing may send them to the kidneys.
        answers: {cough: yes}
        expect: {urgency: soon, sections: [lungs], workups: [xray], not_sections: [kidneys],
                 not_workups: [xray]}
        """)
    assert tiny.messages() == ["kb/cases/cough.yaml:4, case 'cough', field 'expect.not_workups': "
                               "also listed in expect.workups: xray"]
    tiny.write("cases/cough.yaml", """
        title: A cough
        story: Someone coughs often.
        answers: {cough: yes}
        expect: {urgency: soon, sections: [], workups: [xray], not_sections: [lungs, kidneys]}
        """)
    from triage.rete.engine import CompiledRules

    [result] = run_cases(CompiledRules(tiny.load()))
    assert result.differences == ("sections not expected but present: lungs",
                                  "sections that must not appear but do: lungs")


def test_a_must_not_that_names_an_unknown_section_is_an_error(tiny):
    tiny.write("cases/cough.yaml", """
        title: A cough
        story: Someone coughs often.
        answers: {cough: yes}
        expect: {urgency: soon, sections: [lungs], workups: [xray], not_sections: [livers]}
        """)
    assert any("unknown section 'livers'" in m for m in tiny.messages())


def test_a_case_with_answers_that_do_not_fit_fails_and_names_the_question(tiny):
    tiny.write("cases/bad.yaml", """
        title: Bad answers
        story: A typing mistake.
        answers: {cough: maybe}
        expect: {urgency: soon, sections: [lungs], workups: [xray]}
        """)
    from triage.rete.engine import CompiledRules

    [result] = run_cases(CompiledRules(tiny.load()))
    assert result.outcome is None
    assert result.differences == ("answers: 'maybe' is not an answer here; it takes yes, no, not_sure "
                                  "(question 'cough')",)


# --- `triage rules test` ------------------------------------------------------------------------------------


def test_triage_rules_test_passes_every_case_and_exits_0(cli):
    result = cli("rules", "test")
    assert result.code == 0, result.out
    lines = result.out.splitlines()
    assert lines[-1] == f"{len(CASE_FILES)} passed, 0 failed"
    assert sum(line.startswith("pass  ") for line in lines) == len(CASE_FILES)
    assert "pass  lungs_past_tb: Past TB, no symptoms now" in lines
    assert result.err == ""


def test_triage_rules_test_exits_1_and_shows_the_difference_when_a_case_is_wrong(cli, tmp_path):
    folder = tmp_path / "my-rules"
    shutil.copytree(builtin_rules_dir(), folder)
    case = folder / "cases" / "lungs_past_tb.yaml"
    text = case.read_text()
    assert "  urgency: soon\n" in text and "  sections: [lungs]\n" in text
    case.write_text(text.replace("  urgency: soon\n", "  urgency: urgent\n")
                    .replace("  sections: [lungs]\n", "  sections: [lungs, heart]\n"))
    result = cli("rules", "test", "--rules", folder)
    assert result.code == 1
    lines = result.out.splitlines()
    at = lines.index("FAIL  lungs_past_tb: Past TB, no symptoms now")
    assert lines[at + 1:at + 3] == ["      urgency expected urgent, got soon",
                                    "      sections expected but missing: heart"]
    assert lines[-1] == f"{len(CASE_FILES) - 1} passed, 1 failed"


def test_triage_rules_test_names_rules_that_no_case_exercises(cli, tiny):
    tiny.write("cases/all_no.yaml", """
        title: Every answer is no
        story: Someone answers no to everything.
        answers: {chest_pain: no, sex: female, cough: no, past: []}
        expect: {urgency: routine, referral_to: gp, sections: [], workups: []}
        """)
    result = cli("rules", "test", "--rules", tiny.save())
    assert result.code == 0
    assert result.out.splitlines() == [
        "pass  all_no: Every answer is no",
        "1 passed, 0 failed",
        "rules no case exercises (10): safety.chest_pain_yes, safety.chest_pain_not_sure, lungs.cough, "
        "lungs.cough_blood, kidneys.past_infection, referral.lungs, referral.kidneys, suspected, "
        "workups.xray, workups.calcium",
    ]
