"""A second opinion at run time: every outcome a person is shown is computed again by the reference evaluator.

A bug is planted in the engine (never in the rules): the person must get the safe screen (the emergency signs,
"talk to a doctor"), never the engine's outcome, and the disagreement must be reported, in the interview, the
kiosk, `triage run` (text and JSON), `triage run --batch` and `triage explain`. Without a planted bug, nothing
ever disagrees.
"""

from __future__ import annotations

import io
import json
import random
import textwrap
from dataclasses import replace

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from support.generators import all_no, complete_answers, randomly
from support.paths import REPO
from triage.answers import check_answers, read_answers_file
from triage.checks.second_opinion import SecondOpinionError, confirmed
from triage.endings import Ending
from triage.frontends.kiosk.config import hash_code, load_config
from triage.frontends.kiosk.kiosk import Kiosk
from triage.frontends.kiosk.screen import Screen
from triage.knowledge.reading import load_reading
from triage.outcome import Outcome
from triage.rete.engine import CompiledRules, Run
from triage.session import Session
from triage.texts import emergency_notice

CODE = "6301-8842"
PAST_TB = REPO / "examples" / "past-tb.yaml"  # no golden case has exactly these answers
DISAGREE = "the rule engine and the independent reference evaluator disagree on these answers"


def lower_chest_pain_when_answered_one_by_one(monkeypatch) -> None:
    """The failure the issue quotes, as an engine bug: a chest-pain 'yes' answered in the interview (answers
    added one at a time) gives 'soon'. Fresh evaluations (golden cases, the start-up self-test) stay right."""
    original = Run.outcome

    def outcome(self: Run) -> Outcome:
        found = original(self)
        if self._added and self.answers.get("chest_pain") == "yes":
            return replace(found, referral=replace(found.referral, urgency=self.kb.urgency["soon"]))
        return found

    monkeypatch.setattr(Run, "outcome", outcome)


def past_tb_answers(kb) -> dict:
    return check_answers(kb, read_answers_file(str(PAST_TB))[1], str(PAST_TB))


def drop_sections_for(monkeypatch, answers: dict) -> None:
    """An engine bug that drops every leaflet section, for exactly these answers."""
    original = Run.outcome

    def outcome(self: Run) -> Outcome:
        found = original(self)
        return replace(found, sections=()) if self.answers == answers else found

    monkeypatch.setattr(Run, "outcome", outcome)


def one_line(text: str) -> str:
    return " ".join(text.split())


# --- the comparison itself ---------------------------------------------------------------------------------


def test_a_confirmed_outcome_is_the_engines_own(real_engine, real_kb):
    answers = complete_answers(real_kb, all_no)
    outcome = real_engine.evaluate(answers)
    assert confirmed(real_kb, outcome, answers) is outcome


def test_a_disagreement_names_what_differs_and_stops(real_engine, real_kb):
    answers = {"chest_pain": "yes"}
    wrong = real_engine.evaluate(answers)
    wrong = replace(wrong, referral=replace(wrong.referral, urgency=real_kb.urgency["soon"]))
    with pytest.raises(SecondOpinionError) as info:
        confirmed(real_kb, wrong, answers, "answers.yaml")
    (problem,) = info.value.problems
    assert problem.code == "second-opinion"
    assert str(problem).startswith(f"answers.yaml: {DISAGREE}, so the outcome was not shown")
    assert ("referral: engine ('emergency_services', 'soon'), reference ('emergency_services', 'emergency')"
            in str(problem))
    assert info.value.differing == ("referral",)
    assert info.value.ending is Ending.WENT_WRONG


def test_normal_runs_never_disagree(real_engine, real_kb):
    """Every golden case and 300 generated sessions, evaluated at once and answer by answer as the interview does."""
    rng = random.Random(12)
    answer_sets = [check_answers(real_kb, dict(case.answers), case.id) for case in real_kb.cases]
    answer_sets += [complete_answers(real_kb, randomly(rng)) for _ in range(300)]
    for answers in answer_sets:
        confirmed(real_kb, real_engine.evaluate(answers), answers)
        session = Session(real_engine)
        for question, value in answers.items():
            session.answer(question, value)
            session.outcome()  # raises SecondOpinionError on any disagreement


def test_the_session_confirms_each_outcome_once(real_engine, monkeypatch):
    from triage.checks import oracle

    calls = []
    original = oracle.evaluate
    monkeypatch.setattr(oracle, "evaluate", lambda kb, answers: calls.append(1) or original(kb, answers))
    session = Session(real_engine)
    session.answer("chest_pain", "no")
    session.outcome()
    session.reached_top_urgency()
    session.outcome()
    assert len(calls) == 1  # the same outcome is not checked again until the answers change
    session.answer("vomiting_blood", "no")
    session.outcome()
    assert len(calls) == 2


# --- the interview -----------------------------------------------------------------------------------------


def test_the_interview_shows_the_emergency_advice_not_the_wrong_outcome(cli, monkeypatch, real_kb):
    lower_chest_pain_when_answered_one_by_one(monkeypatch)
    result = cli("interview", "--plain", stdin="1\n1\n")  # start; chest pain: yes
    assert result.code == 1
    assert "WHAT TO DO" not in result.out and "SOON" not in result.out
    assert "Something went wrong and the questions cannot go on." in result.out
    assert one_line(emergency_notice(real_kb.emergency_signs)) in one_line(result.out)
    assert "please talk to a doctor" in result.out
    (line,) = result.err.splitlines()
    assert line.startswith(f"error: second opinion: {DISAGREE}")
    assert "referral: engine ('emergency_services', 'soon'), reference ('emergency_services', 'emergency')" in line
    assert "Traceback" not in result.out + result.err


def test_the_same_interview_without_the_bug_ends_in_the_emergency(cli):
    result = cli("interview", "--plain", stdin="1\n1\n")
    assert result.code == 0 and "WHAT TO DO: EMERGENCY (now)" in result.out and result.err == ""


# --- the kiosk ---------------------------------------------------------------------------------------------


def test_the_kiosk_shows_the_safe_screen_and_counts_it_for_staff(real_kb, tmp_path, monkeypatch, capsys):
    lower_chest_pain_when_answered_one_by_one(monkeypatch)
    engine = CompiledRules(real_kb)
    path = tmp_path / "kiosk.toml"
    path.write_text(textwrap.dedent(f"""\
        emergency_number = "112"
        staff_code_hash = "{hash_code(CODE)}"
        """), encoding="utf-8")
    path.chmod(0o600)
    config = load_config(path)
    enter, any_key = "\r", " "
    visitor = enter + enter + enter  # answer the questions, start, chest pain: yes
    staff = "\x18\x05" + CODE + enter + any_key  # the staff chord and code at the welcome screen
    out = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(visitor + any_key + staff)  # a key on the safe screen, back to the start
        screen = Screen(stream=out, pt_input=pipe, pt_output=DummyOutput())
        kiosk = Kiosk(engine, load_reading(real_kb), config, screen)
        assert kiosk.run() is Ending.FINISHED
    shown = one_line(out.getvalue())
    assert "Sorry, something went wrong" in shown
    assert "If you feel pain or pressure in your chest" in shown and "call 112 now" in shown
    assert "Please talk to a doctor about what you notice." in shown
    assert "WHAT TO DO" not in shown and "SOON" not in shown
    assert ("Safe screen shown 1 time(s) because the rule engine and the reference evaluator disagreed on a "
            "result; nothing was shown to the visitor.") in shown
    err = capsys.readouterr().err
    assert err == ("calcitriage kiosk: the rule engine and the reference evaluator disagreed on a result "
                   "(referral differed); the visitor was shown the safe screen (1 since the kiosk started)\n")


# --- triage run, run --batch, explain ----------------------------------------------------------------------


def test_run_shows_the_emergency_advice_and_reports_on_stderr(cli, monkeypatch, real_kb):
    drop_sections_for(monkeypatch, past_tb_answers(real_kb))
    result = cli("run", "--answers", PAST_TB)
    assert result.code == 1
    assert "WHAT TO DO" not in result.out
    assert "Something went wrong and the questions cannot go on." in one_line(result.out)
    assert one_line(emergency_notice(real_kb.emergency_signs)) in one_line(result.out)
    (line,) = result.err.splitlines()
    assert line.startswith(f"error: {PAST_TB}: {DISAGREE}")
    assert line.endswith("sections: engine (), reference ('general', 'lungs')")


def test_run_json_gives_an_error_object_not_an_outcome(cli, monkeypatch, real_kb):
    drop_sections_for(monkeypatch, past_tb_answers(real_kb))
    result = cli("run", "--answers", PAST_TB, "--format", "json")
    assert result.code == 1
    data = json.loads(result.out)
    assert set(data) == {"errors", "advice"}
    assert data["errors"][0].startswith(f"{PAST_TB}: {DISAGREE}")
    assert data["advice"].startswith("Something went wrong")
    assert result.err.startswith(f"error: {PAST_TB}: {DISAGREE}")


def test_batch_gives_an_error_object_on_that_line_and_the_others_go_on(cli, monkeypatch, tmp_path, real_kb):
    drop_sections_for(monkeypatch, past_tb_answers(real_kb))
    past_tb = dict(past_tb_answers(real_kb))
    lines = tmp_path / "sessions.jsonl"
    lines.write_text(json.dumps({"chest_pain": "yes"}) + "\n" + json.dumps(past_tb) + "\n", encoding="utf-8")
    result = cli("run", "--batch", lines)
    assert result.code == 2
    first, second = (json.loads(line) for line in result.out.splitlines())
    assert first["referral"]["urgency"] == "emergency"
    assert second["line"] == 2 and "referral" not in second
    assert second["errors"][0].startswith(f"{lines}:2: {DISAGREE}")
    assert result.err.splitlines() == [
        f"error: {second['errors'][0]}",
        "error: 1 of 2 lines could not be evaluated (see the 'errors' lines)",
    ]


def test_explain_shows_no_trace_of_an_unconfirmed_outcome(cli, monkeypatch, real_kb):
    drop_sections_for(monkeypatch, past_tb_answers(real_kb))
    result = cli("explain", "--answers", PAST_TB)
    assert result.code == 1
    assert "Something went wrong" in result.out
    assert result.err.startswith(f"error: {PAST_TB}: {DISAGREE}")


def test_without_a_bug_run_and_explain_agree_and_succeed(cli):
    assert cli("run", "--answers", PAST_TB).code == 0
    assert cli("explain", "--answers", PAST_TB).code == 0
