"""The safety properties are product checks for every knowledge base (issue 12, part 1): `triage rules check`
proves them, and every front end refuses a knowledge base with check errors before a patient sees anything."""

from __future__ import annotations

import json

import pytest

from support.kb_copies import rules_copy
from triage.checks import safety, space
from triage.knowledge.load import load_knowledge
from triage.model import KnowledgeBase

RED_FLAG_SOON = {
    "rules/safety.yaml": ("then: {referral: {to: emergency_services, urgency: emergency}}",
                          "then: {referral: {to: emergency_services, urgency: soon}}"),
    "cases/red_flag_chest_pain.yaml": ("urgency: emergency\n  referral_to: emergency_services",
                                       "urgency: soon\n  referral_to: gp"),
}
KIDNEY_STONES = {"advice.yaml": ("text: >-\n    Go to your planned",
                                 "text: >-\n    You have kidney stones. Go to your planned")}
KIDNEY_STONES_ERROR = ("error: advice 'planned_checkups': 'You have' reads as a diagnosis; say which leaflet section "
                       "relates to the answers")
REFUSED = ("error: triage: refusing to start: the checks find 1 error in this knowledge base; "
           "run 'triage rules check' for details")


def findings(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.strip().startswith("error: [")]


# --- rules check proves the properties --------------------------------------------------------------------


def _steps_up_within_blocks(kb: KnowledgeBase) -> int:
    """Every single step up of one answer within each block of questions, over every way to answer the block,
    given each answer to the fixed questions (once only for a block no fixed answer steers)."""
    effects, fixed, steps = space.Effects(kb), space.fixed_questions(kb), 0
    for block in space.blocks(kb):
        ids = frozenset(q.id for q in block)
        bases = space.fixed_values(kb) if effects.reads_fixed(ids, fixed) else space.fixed_values(kb)[:1]
        for base in bases:
            for answers in space.block_answers(block, base):
                steps += len(space.steps_up(kb, {q: v for q, v in answers.items() if q not in base}))
    return steps


def test_the_shipped_rules_are_proved_for_every_answer_set(cli, real_kb):
    result = cli("rules", "check")
    assert result.code == 0
    lines = result.out.splitlines()
    # The numbers, counted here from the block decomposition the proof walks (triage/checks/space.py): one
    # referral class per distinct union of the blocks' effects kept to the labels a referral rule can depend
    # on, and every step up within each block. (15,392 and 117,528 when written; docs/safety.md.)
    classes = len(space.enumerate_outcome_classes(real_kb, safety.BLOCK_LIMIT, keep=space.referral_labels(real_kb)))
    steps = _steps_up_within_blocks(real_kb)
    assert classes > 10_000 and steps > 100_000  # not a vacuous proof
    assert lines[1] == (f"safety: proved for every answer set ({classes:,} referral classes; {steps:,} steps up "
                        "proved block by block)")
    assert lines[2] == "order: the engine gave the same outcome in 3 orders for 200 answer sets"


def test_a_chest_pain_yes_lowered_to_soon_fails_the_check_even_with_its_golden_case_changed(cli, tmp_path):
    # The failure quoted in issue 12: rule and golden case edited together passed `rules check` before.
    rules = rules_copy(tmp_path, RED_FLAG_SOON)
    assert cli("rules", "test", "--rules", rules).code == 0  # the golden cases alone do not see it
    result = cli("rules", "check", "--rules", rules)
    assert result.code == 1
    assert (f"error: [red-flag-not-emergency] rule 'safety.chest_pain_yes' ({rules}/rules/safety.yaml): "
            "a 'yes' to red flag 'chest_pain' gives soon, not emergency, for the answers {chest_pain: yes} "
            "(rules deciding the urgency: referral.heart, safety.chest_pain_yes)") in findings(result.out)
    # Emergency services now come at 'soon' too.
    assert (f"error: [emergency-services-below-top] rule 'safety.chest_pain_yes' ({rules}/rules/safety.yaml): "
            "names emergency services (doctor 'emergency_services') at soon, below emergency, for the answers "
            "{chest_pain: yes} (rules: safety.chest_pain_yes)") in findings(result.out)


def test_not_sure_on_a_red_flag_below_urgent_is_an_error(cli, tiny):
    tiny.replace("rules/x.yaml", "then: {referral: {to: gp, urgency: urgent}}",
                 "then: {referral: {to: gp, urgency: soon}}")
    result = cli("rules", "check", "--rules", tiny.save())
    assert result.code == 1
    assert findings(result.out) == [
        "error: [not-sure-below-urgent] rule 'safety.chest_pain_not_sure' (kb/rules/x.yaml): 'not sure' to red "
        "flag 'chest_pain' gives soon, below urgent, for the answers {chest_pain: not_sure} (rules deciding the "
        "urgency: safety.chest_pain_not_sure)",
    ]


def test_emergency_services_at_urgent_is_an_error(cli, tiny):
    tiny.replace("rules/x.yaml", "then: {referral: {to: gp, urgency: urgent}}",
                 "then: {referral: {to: emergency_services, urgency: urgent}}")
    result = cli("rules", "check", "--rules", tiny.save())
    assert result.code == 1
    assert findings(result.out) == [
        "error: [emergency-services-below-top] rule 'safety.chest_pain_not_sure' (kb/rules/x.yaml): names "
        "emergency services (doctor 'emergency_services') at urgent, below emergency, for the answers "
        "{chest_pain: not_sure} (rules: safety.chest_pain_not_sure)",
    ]


def test_a_follow_up_dropped_by_a_stronger_answer_is_not_monotone(cli, tiny):
    # Blood when coughing is asked only after 'not sure': turning the cough up to 'yes' drops that answer,
    # and with it the urgent referral.
    tiny.replace("questions.yaml", "ask_when: {question: cough, is: [yes, not_sure]}",
                 "ask_when: {question: cough, is: not_sure}")
    result = cli("rules", "check", "--rules", tiny.save())
    assert result.code == 1
    assert findings(result.out) == [
        "error: [not-monotone] rule 'lungs.cough_blood' (kb/rules/x.yaml): turning 'cough' from not_sure to yes "
        "lowers the urgency from urgent to soon, for the answers {cough: not_sure, cough_blood: yes} (rules that "
        "no longer fire: lungs.cough_blood)",
    ]


def test_a_concern_only_for_not_sure_is_lost_on_yes(tiny):
    tiny.replace("rules/x.yaml", "when: {question: cough, is: yes}", "when: {question: cough, is: not_sure}")
    report = safety.check(tiny.load())
    assert [p.as_finding() for p in report.problems] == [
        "error: [not-monotone] rule 'lungs.cough' (kb/rules/x.yaml): turning 'cough' from not_sure to yes lowers "
        "the urgency from soon to routine; removes section 'lungs', for the answers {cough: not_sure} (rules that "
        "no longer fire: lungs.cough, referral.lungs, suspected, workups.xray)",
    ]
    assert report.exhaustive


def test_a_space_too_large_to_enumerate_is_checked_on_generated_sessions_and_says_so(cli, tiny, monkeypatch):
    # A rule reading the cough and the past illnesses joins their blocks; with a small limit that block is
    # too large to enumerate.
    tiny.append("rules/x.yaml", """
        - id: lungs.cough_and_past
          statement: A cough after a kidney infection relates to the lungs section.
          source: leaflet
          when: {all: [{question: cough, is: not_sure}, {question: past, includes: kidney_infection}]}
          then: {concern: lungs}
          cites: [intro.1]
        """)
    monkeypatch.setattr(safety, "BLOCK_LIMIT", 20)
    result = cli("rules", "check", "--rules", tiny.save())
    assert result.code == 0, result.out
    assert result.out.splitlines()[1] == (
        "safety: checked on 3,000 generated sessions, steps up checked on 500 of them (not exhaustive: questions "
        "sex, cough, cough_blood, past (4) have more than 20 answer sets together; joined by rule "
        "lungs.cough_and_past)")


def test_a_violation_is_found_on_generated_sessions_too(tiny, monkeypatch):
    tiny.replace("rules/x.yaml", "then: {referral: {to: emergency_services, urgency: emergency}}",
                 "then: {referral: {to: emergency_services, urgency: urgent}}")
    monkeypatch.setattr(safety, "BLOCK_LIMIT", 2)
    report = safety.check(tiny.load())
    assert not report.exhaustive
    assert "red-flag-not-emergency" in {p.code for p in report.problems}
    first = next(p for p in report.problems if p.code == "red-flag-not-emergency")
    assert "for the answers {chest_pain: yes} " in first.message  # shrunk to the one answer that shows it


# --- every front end refuses a knowledge base with check errors ------------------------------------------


@pytest.fixture
def kidney_stones(tmp_path):
    """The second failure quoted in issue 12: a diagnosis added to an advice text."""
    return rules_copy(tmp_path, KIDNEY_STONES)


def test_rules_check_finds_the_diagnosis(cli, kidney_stones):
    result = cli("rules", "check", "--rules", kidney_stones)
    assert result.code == 1
    assert ("error: [diagnostic-wording] advice 'planned_checkups': 'You have' reads as a diagnosis; say which "
            "leaflet section relates to the answers") in findings(result.out)


def test_run_refuses_it(cli, kidney_stones):
    result = cli("run", "--rules", kidney_stones, "--answers", "-", stdin="chest_pain: no\n")
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [KIDNEY_STONES_ERROR, REFUSED]


def test_batch_refuses_it(cli, kidney_stones):
    result = cli("run", "--rules", kidney_stones, "--batch", "-", stdin=json.dumps({"chest_pain": "no"}) + "\n")
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [KIDNEY_STONES_ERROR, REFUSED]


def test_the_interview_refuses_it(cli, kidney_stones):
    result = cli("interview", "--rules", kidney_stones, "--plain", stdin="1\n" * 80)
    assert result.code == 2
    assert result.out == ""  # not even the opening screen
    assert result.err.splitlines() == [KIDNEY_STONES_ERROR, REFUSED]


def test_the_kiosk_refuses_it(cli, kidney_stones, tmp_path):
    result = cli("kiosk", "--rules", kidney_stones, "--config", tmp_path / "no-such-kiosk.toml")
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [KIDNEY_STONES_ERROR, REFUSED]


def test_a_red_flag_lowered_with_its_golden_case_is_refused_at_start_up(cli, tmp_path):
    rules = rules_copy(tmp_path, RED_FLAG_SOON)
    result = cli("run", "--rules", rules, "--answers", "-", stdin="chest_pain: yes\n")
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines() == [
        f"error: {rules}/rules/safety.yaml:4, rule 'safety.chest_pain_yes': a 'yes' to red flag 'chest_pain' gives "
        "soon, not emergency, for the answers {chest_pain: yes} (rules deciding the urgency: referral.heart, "
        "safety.chest_pain_yes)",
        REFUSED,
    ]


def test_a_red_flag_asked_only_of_some_people_is_refused_with_its_golden_cases_passing(cli, tmp_path):
    # Asked only after a "no" to chest pain, almost no urine is never asked of someone with chest pain; the
    # golden cases all answer chest pain "no" (or stop at it), so they pass, and the properties are proved only
    # for people who are asked.
    rules = rules_copy(tmp_path, {"questions.yaml": (
        "  emergency_sign: you pass almost no urine\n",
        "  emergency_sign: you pass almost no urine\n  ask_when: {question: chest_pain, is: [no, not_sure]}\n")})
    checked = cli("rules", "check", "--rules", rules)
    assert checked.code == 1
    assert (f"error: [red-flag-conditional] question 'almost_no_urine' ({rules}/questions.yaml), field 'ask_when': "
            "a red-flag question is asked of everyone; remove its ask_when") in findings(checked.out)
    run = cli("run", "--rules", rules, "--answers", "-", stdin="chest_pain: no\n")
    assert (run.code, run.out) == (2, "")
    assert (f"error: {rules}/questions.yaml, question 'almost_no_urine', field 'ask_when': a red-flag question is "
            "asked of everyone; remove its ask_when") in run.err.splitlines()


def test_a_red_flag_moved_after_other_questions_is_refused(cli, tmp_path):
    rules = rules_copy(tmp_path, {})
    questions = (rules / "questions.yaml").read_text(encoding="utf-8")
    start, end = questions.index("- id: almost_no_urine"), questions.index("# --- About you")
    (rules / "questions.yaml").write_text(questions[:start] + questions[end:] + "\n" + questions[start:end],
                                          encoding="utf-8")
    message = ("red-flag questions come first, so that an emergency is found before anything else; move it above "
               "question 'sex'")
    checked = cli("rules", "check", "--rules", rules)
    assert checked.code == 1
    assert findings(checked.out) == [
        f"error: [red-flag-late] question 'almost_no_urine' ({rules}/questions.yaml): {message}"]
    interview = cli("interview", "--rules", rules, "--plain", stdin="1\n" * 80)
    assert (interview.code, interview.out) == (2, "")
    assert interview.err.splitlines() == [f"error: {rules}/questions.yaml, question 'almost_no_urine': {message}",
                                          REFUSED]


@pytest.mark.parametrize(("change", "where", "message"), [
    (("This is not a diagnosis and does not replace a doctor.", "Read this first."),
     "knowledge.yaml, field 'disclaimer'",
     "must say that this is not a diagnosis (in those words) and point to a doctor"),
    (("advice: Call the emergency number now. Or go to a hospital emergency room at once.",
      "advice: Rest at home and see how you feel tomorrow."),
     "knowledge.yaml, urgency 'emergency', field 'advice'",
     "the highest urgency is what a red flag gives: its advice must send people to emergency care (the emergency "
     "number or an emergency room)"),
])
def test_a_disclaimer_or_emergency_advice_emptied_of_its_promise_is_refused(cli, tmp_path, change, where, message):
    rules = rules_copy(tmp_path, {"knowledge.yaml": change})
    run = cli("run", "--rules", rules, "--answers", "-", stdin="chest_pain: yes\n")
    assert (run.code, run.out) == (2, "")
    assert run.err.splitlines() == [f"error: {rules}/{where}: {message}", REFUSED]


def test_failing_cases_and_check_errors_are_listed_together(cli, tmp_path):
    rules = rules_copy(tmp_path, {**KIDNEY_STONES,
                                  "cases/lungs_past_tb.yaml": ("urgency: soon", "urgency: routine")})
    result = cli("run", "--rules", rules, "--answers", "-", stdin="{}\n")
    assert result.code == 2
    assert result.err.splitlines() == [
        f"error: {rules}/cases/lungs_past_tb.yaml, case 'lungs_past_tb': self-test failed: "
        "urgency expected routine, got soon",
        KIDNEY_STONES_ERROR,
        f"error: triage: refusing to start: the checks find 1 error in this knowledge base, and 1 of "
        f"{len(load_knowledge().cases)} golden cases fail; run 'triage rules check' for details",
    ]


def test_the_shipped_rules_still_run(cli):
    result = cli("run", "--answers", "-", "--format", "json", stdin="chest_pain: yes\n")
    assert result.code == 0
    assert json.loads(result.out)["referral"]["urgency"] == "emergency"


def test_a_loss_that_shows_only_with_another_block_is_found_with_it(tiny):
    # 'not sure' about the cough (only) is a finding; with a past kidney infection it means urgent. Turning
    # the cough up to 'yes' loses the finding, which shows only when the other block's answer is there too.
    tiny.append("findings.yaml", "- {id: cough_unclear, description: The cough is unclear.}\n")
    tiny.append("rules/x.yaml", """
        - id: lungs.cough_unclear
          statement: Being unsure about a cough is worth noting.
          source: leaflet
          when: {question: cough, is: not_sure}
          then: {finding: cough_unclear}

        - id: referral.unclear_after_infection
          statement: An unclear cough after a kidney infection means a family doctor within 24 hours.
          source: leaflet
          when: {all: [{finding: cough_unclear}, {concern: kidneys}]}
          then: {referral: {to: gp, urgency: urgent}}
        """)
    report = safety.check(tiny.load())
    assert report.exhaustive
    assert [p.as_finding() for p in report.problems] == [
        "error: [not-monotone] rule 'lungs.cough_unclear' (kb/rules/x.yaml): turning 'cough' from not_sure to yes "
        "lowers the urgency from urgent to soon, for the answers {cough: not_sure, past: [kidney_infection]} "
        "(rules that no longer fire: lungs.cough_unclear, referral.unclear_after_infection)",
    ]


def test_a_citation_that_is_not_a_locator_is_refused_by_run_too(cli, tmp_path):
    # What a rule rests on is part of the check; a front end refuses the knowledge base as it would for any
    # other check error (the leaflet itself is needed only to resolve locators, with `rules check --leaflet`).
    rules = rules_copy(tmp_path, {"rules/lungs.yaml": ("cites: [lungs.1]", "cites: lungs one")})
    result = cli("run", "--rules", str(rules), "--answers", "-", stdin="chest_pain: no\n")
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines()[0].endswith(
        "rule 'lungs.tb_history', field 'cites': 'lungs one' is not a leaflet locator; write SECTION.N, e.g. lungs.2")
    assert result.err.splitlines()[-1] == REFUSED


def test_the_checks_try_every_answer_a_person_can_give_and_no_other_where_a_tick_is_needed(real_kb):
    # Nothing ticked is not an answer to 'where was the TB': the proof and the generated sessions leave it out,
    # and try every non-empty set of ticks instead; lists without the field still include 'none of these'.
    tb_where, signs = real_kb.question["tb_where"], real_kb.question["general_signs"]
    answers = {"tb_history": "yes"}
    tried = space.list_values(tb_where, answers)
    assert () not in tried
    assert len(tried) == 2 ** len(tb_where.values) - 1
    assert () in space.list_values(signs, answers)
    sessions = space.generated_sessions(real_kb, 1_000)
    where = [s["tb_where"] for s in sessions if "tb_where" in s]
    assert len(where) > 100 and () not in where
