"""The interview from start to result, played by a scripted person instead of a terminal.

The ScriptedAsker answers each prompt with the next reply of its script and records what the interview
asked and said, so that a test reads like a person's way through the questions and checks what they saw.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.cli import EXIT_CODES
from triage.endings import Ending
from triage.frontends.asker import GO_BACK, progress_line
from triage.frontends.interview import Interview
from triage.model import KnowledgeBase
from triage.rete.engine import CompiledRules

RED_FLAGS = ["chest_pain", "vomiting_blood", "blue_lips", "severe_breathlessness", "almost_no_urine"]
START, RESULT, FINISH, WHY = "Start the questions", "See my result", "Finish", "Why am I seeing this?"
INPUT_ENDED = "Input ended before the end of the questions. Nothing was saved."
QUIT = "You quit. Nothing was saved."


class ScriptedAsker:
    """A person following a script. Each reply answers the next prompt, in order:

    - at a question: the answer value ('no', 'female', () for nothing ticked) or GO_BACK;
    - at a choice: the label of the line chosen ('Start the questions'), or its start ('11. ');
    - at 'Do you want to quit?': True or False;
    - anywhere: an exception to raise there (KeyboardInterrupt for Ctrl-C, EOFError for end of input).
    """

    def __init__(self, *replies):
        self.replies = list(replies)
        self.asked: list[str] = []  # question ids, in the order they were put
        self.progress: list[str] = []  # the progress line shown with each question
        self.defaults: list = []  # the answer preselected with each question
        self.offered: list[list[str]] = []  # the option ids offered with each question
        self.back_offered: list[bool] = []  # whether 'Go back' was offered with each question
        self.said: list[tuple[str, bool]] = []  # (text, emphasis)
        self.choices: list[tuple[str, list[str]]] = []  # (message, labels)
        self.quit_questions = 0

    def _reply(self, prompt: str):
        assert self.replies, f"the script has no reply left for: {prompt}"
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException) or (isinstance(reply, type) and issubclass(reply, BaseException)):
            raise reply
        return reply

    def ask(self, question, options, progress, can_go_back, default=None):
        self.asked.append(question.id)
        self.progress.append(progress_line(progress))
        self.defaults.append(default)
        self.offered.append([o.id for o in options])
        self.back_offered.append(can_go_back)
        reply = self._reply(question.id)
        assert reply != GO_BACK or can_go_back, f"'Go back' is not offered at {question.id}"
        return reply

    def choose(self, message, choices):
        by_label = {label: value for value, label in choices}
        self.choices.append((message, list(by_label)))
        label = self._reply(message)
        starting = [offered for offered in by_label if offered.startswith(label)]
        assert label in by_label or len(starting) == 1, f"{label!r} is not offered at {message!r}: {list(by_label)}"
        return by_label[label if label in by_label else starting[0]]

    def say(self, text, emphasis=False):
        self.said.append((text, emphasis))

    def screen_size(self):
        return None  # as through a pipe: no paging, 78 columns

    def confirm_quit(self):
        self.quit_questions += 1
        reply = self._reply("Do you want to quit?")
        assert isinstance(reply, bool)
        return reply

    @property
    def screen(self) -> str:
        return "\n".join(text for text, _ in self.said)

    def said_after(self, marker: str) -> list[tuple[str, bool]]:
        """What was said after the last text containing `marker`."""
        last = max(i for i, (text, _) in enumerate(self.said) if marker in text)
        return self.said[last + 1:]


def flat(text: str) -> str:
    return " ".join(text.split())


def change(number: int) -> tuple[str, str]:
    """At the summary: 'Change an answer', then the answer with this number."""
    return "Change an answer", f"{number}. "


FOLLOW_UPS = {  # opened by a 'yes' or 'not sure' (image_seen: by a 'yes' only)
    "image_seen": ["image_where", "image_kind", "image_cause_known"],
    "tb_history": ["tb_where"],
    "breathing_screen": ["fast_shallow_breathing", "finger_clubbing", "blue_hands_feet", "breathing_since",
                         "breathing_course"],
    "urine_less": ["urine_less_since"],
    "belly_screen": ["right_upper_pain", "belly_fluid", "belly_veins"],
    "thyroid_screen": ["always_cold", "weight_gain", "neck_swelling"],
    "heart_pain_returns": ["heart_pain_worse"],
    "heart_screen": ["blue_ears_nose_fingers"],
}
LISTS = {"image_where", "general_signs", "tb_where", "past_illnesses", "swelling_where"}
CHOICES = {"image_kind", "breathing_since", "breathing_course", "urine_less_since", "swollen_legs_look"}


def answers_for(sex: str = "female", **answers) -> list:
    """The replies, in the order asked, of a person who says 'no' and ticks nothing except for `answers`.

    After a screening 'yes' or 'not sure' its follow-ups are asked, as in the real questionnaire; a
    single choice among them has no 'no', so the script must say how to answer it.
    """
    def opened(screen: str) -> list[str]:
        opens = ("yes",) if screen == "image_seen" else ("yes", "not_sure")
        return FOLLOW_UPS[screen] if answers.get(screen) in opens else []

    asked = [*RED_FLAGS, "sex", "image_seen", *opened("image_seen"), "general_signs",
             "tb_history", *opened("tb_history"), "past_illnesses", "breathing_screen", *opened("breathing_screen"),
             "urine_less", *opened("urine_less"), "swelling_where"]
    asked += ["swollen_legs_look"] if "legs" in answers.get("swelling_where", ()) else []
    if answers.get("urine_less") in ("yes", "not_sure") or answers.get("swelling_where"):
        asked += ["breath_smell", "skin_yellow"]
    asked += ["urination_screen", "belly_screen", *opened("belly_screen")]
    if sex == "male":  # the prostate: a weak stream only after trouble passing urine
        asked += ["weak_stream"] if answers.get("urination_screen") in ("yes", "not_sure") else []
        asked += ["erection_trouble", "semen_change"]
    asked += ["thyroid_screen", *opened("thyroid_screen"), "heart_pain_returns", *opened("heart_pain_returns"),
              "irregular_heartbeat", "heart_screen", *opened("heart_screen"), "breast_screen"]

    def reply(question: str):
        if question == "sex":
            return sex
        assert question in answers or question not in CHOICES, f"the script must say how to answer {question}"
        return answers.get(question, () if question in LISTS else "no")

    return [reply(question) for question in asked]


def run(engine: CompiledRules, *replies, save: Path | None = None) -> tuple[Ending, ScriptedAsker]:
    asker = ScriptedAsker(*replies)
    code = Interview(engine, asker, save=save).run()
    assert asker.replies == [], f"the interview ended before the script did: {asker.replies}"
    return code, asker


ALL_FEMALE_QUESTIONS = RED_FLAGS + [
    "sex", "image_seen", "general_signs", "tb_history", "past_illnesses", "breathing_screen", "urine_less",
    "swelling_where", "urination_screen", "belly_screen", "thyroid_screen", "heart_pain_returns",
    "irregular_heartbeat", "heart_screen", "breast_screen"]
LUNG_TIME_COURSE = {"breathing_since": "months", "breathing_course": "about_the_same"}


# --- the opening screen ---------------------------------------------------------------------------------


def test_the_opening_screen_says_what_this_is_and_that_it_is_not_for_emergencies(real_engine):
    code, person = run(real_engine, "Quit")

    assert code is Ending.FINISHED
    opening = flat(person.said[0][0])
    assert "helps you prepare for a talk with a doctor about calcifications" in opening
    assert "It is not a diagnosis" in opening
    assert ("Not for emergencies: if you feel pain or pressure in your chest, you throw up blood, your lips turn "
            "blue, you can hardly breathe or you pass almost no urine, call the emergency number now.") in opening
    assert person.choices == [("Do you want to start?", [START, "Quit"])]
    assert person.asked == []


# --- a routine way to the result --------------------------------------------------------------------------


def test_a_routine_interview_ends_with_the_referral_first_then_sections_tests_and_disclaimer(
        real_engine, real_kb: KnowledgeBase):
    code, person = run(real_engine, START, *answers_for(breast_screen="yes"), RESULT, FINISH)

    assert code is Ending.FINISHED
    assert person.asked == ALL_FEMALE_QUESTIONS
    assert person.progress[0] == "Question 1 of at most 45"
    assert person.progress[-1] == "Question 20, the last one"

    result = person.said_after("Your answers (")
    referral = ("WHAT TO DO: SOON (within two weeks)\n"
                "===================================\n"
                "Make an appointment with a doctor for the next two weeks.\n"
                "Whom to see: a breast specialist (mammologist).", True)
    assert result[0] == referral
    summary = result[1][0].splitlines()
    assert summary[:2] == ["Leaflet sections that relate to your answers: Calcifications in the breast.",
                           "Tests a doctor may consider: X-ray; CT or MRI scan; Ultrasound."]
    assert flat(" ".join(summary[2:])) == flat(real_kb.disclaimer)
    assert "WHY AM I SEEING THIS?" not in person.screen  # details only on request
    assert "What it is:" not in person.screen
    assert person.choices[-1] == ("What next?", ["Read about the leaflet sections", "Read about the tests",
                                                 "Good to know", WHY, FINISH])
    assert person.said[-2:] == [("That was all. Once more, what to do:", False), referral]


@pytest.mark.parametrize(("reading", "shown"), [
    ("Read about the leaflet sections", ["LEAFLET SECTIONS THAT RELATE TO YOUR ANSWERS",
                                         "* Calcifications in the breast", "What it is:"]),
    ("Read about the tests", ["TESTS A DOCTOR MAY CONSIDER", "- X-ray:", "- Ultrasound:"]),
    ("Good to know", ["GOOD TO KNOW", "several causes, and many of them are harmless"]),
])
def test_each_detail_of_the_result_is_shown_on_request(real_engine, reading: str, shown: list[str]):
    code, person = run(real_engine, START, *answers_for(breast_screen="yes"), RESULT, reading, FINISH)

    assert code is Ending.FINISHED
    text = flat(person.said_after("Tests a doctor may consider")[0][0])
    positions = [text.index(s) for s in shown]
    assert positions == sorted(positions)


def test_with_several_sections_each_one_is_read_on_its_own(real_engine):
    code, person = run(real_engine, START, *answers_for(breast_screen="yes", tb_history="yes", tb_where=("lungs",)),
                       RESULT, "Read about the leaflet sections", "Calcifications in the lungs",
                       "Back to my result", FINISH)

    assert code is Ending.FINISHED
    which = [c for c in person.choices if c[0] == "Which section?"][0]
    assert which[1][-1] == "Back to my result"
    assert "Calcifications in the breast" in which[1] and "Calcifications in the lungs" in which[1]
    shown = person.said_after("Tests a doctor may consider")[0][0]
    assert "* Calcifications in the lungs" in shown and "breast" not in shown


def test_the_summary_lists_every_answer_in_words_under_its_question_before_the_result(real_engine):
    code, person = run(real_engine, START, *answers_for(general_signs=("weakness", "fever")), RESULT, FINISH)

    summary = next(text for text, _ in person.said if "Your answers (" in text)
    lines = summary.splitlines()
    assert lines[1] == "Your answers (20):"
    assert lines[2:4] == [" 1. Right now, or in the last few hours, have you felt pain or pressure in",
                          "    your chest or around your heart?"]
    assert lines[4] == "    Your answer: no"
    assert lines[lines.index(" 6. What is your sex?") + 1] == "    Your answer: Female"
    # Labels hold commas, so ticked items are kept apart with a semicolon.
    assert flat("8. Over the last few weeks, have you noticed any of these? Choose all that apply. "
                "Your answer: Feeling weak or tired most of the time; Fever, or often feeling hot and shivery"
                ) in flat(summary)
    assert person.choices[1] == ("What next?", [RESULT, "Change an answer"])


def test_change_an_answer_lists_each_answer_with_its_question_and_the_same_number(real_engine):
    code, person = run(real_engine, START, *answers_for(), "Change an answer", "Back to my answers", RESULT, FINISH)

    assert code is Ending.FINISHED
    message, labels = person.choices[2]
    assert message == "Which answer do you want to change?"
    assert labels[0] == "1. Right now, or in the last few hours, have you felt pain or pressure in your chest or " \
                        "around your heart? (no)"
    assert labels[5] == "6. What is your sex? (Female)"
    assert [label.split(".")[0] for label in labels[:-1]] == [str(n) for n in range(1, 21)]
    assert labels[-1] == "Back to my answers"


def test_why_am_i_seeing_this_shows_the_rules_and_answers_behind_the_result(real_engine):
    code, person = run(real_engine, START, *answers_for(breast_screen="yes"), RESULT, WHY, FINISH)

    assert code is Ending.FINISHED
    why = person.said[-3][0]
    assert why.startswith("WHY AM I SEEING THIS?\n=====================\n")
    assert flat("Rule referral.breast; source: Not from the leaflet: the project's clinical judgement (which "
                "doctor, how soon, what raises urgency).") in flat(why)
    assert flat("You answered 'yes' to: Has a mammogram or a breast check shown changes") in flat(why)


# --- red flags stop the interview at once -----------------------------------------------------------------


@pytest.mark.parametrize("position", range(len(RED_FLAGS)))
def test_a_yes_to_a_red_flag_shows_the_emergency_advice_at_once(real_engine, real_kb, position: int):
    code, person = run(real_engine, START, *["no"] * position, "yes")

    assert code is Ending.FINISHED
    assert person.asked == RED_FLAGS[:position + 1]  # no further question
    assert person.said[-2] == ("WHAT TO DO: EMERGENCY (now)\n"
                               "===========================\n"
                               "Call the emergency number now. Or go to a hospital emergency room at once.\n"
                               "Whom to see: emergency services.", True)
    assert flat(person.said[-1][0]) == flat(real_kb.disclaimer)
    assert "Your answers (" not in person.screen  # no summary, no 'what next?'
    assert len(person.choices) == 1


def test_not_sure_about_a_red_flag_goes_on_and_ends_urgent(real_engine):
    code, person = run(real_engine, START, *answers_for(chest_pain="not_sure"), RESULT, FINISH)

    assert person.asked == ALL_FEMALE_QUESTIONS
    assert person.said_after("Your answers (")[0][0].startswith("WHAT TO DO: URGENT (within 24 hours)")


def test_changing_an_answer_to_a_red_flag_yes_in_the_summary_shows_the_emergency(real_engine):
    code, person = run(real_engine, START, *answers_for(), *change(3), "yes")

    assert code is Ending.FINISHED
    assert person.progress[-1] == "Changing your answer 3"
    assert person.said[-2][0].startswith("WHAT TO DO: EMERGENCY (now)")


# --- going back -----------------------------------------------------------------------------------------


def test_go_back_changes_the_outcome(real_engine):
    before_tb = answers_for()[:8]  # red flags, sex, image_seen, general_signs
    after_tb = answers_for()[9:]
    code, person = run(real_engine, START, *before_tb, "yes", ("lungs",), GO_BACK, GO_BACK, "no", *after_tb,
                       RESULT, FINISH)

    assert code is Ending.FINISHED
    assert person.asked[8:13] == ["tb_history", "tb_where", "past_illnesses", "tb_where", "tb_history"]
    assert person.defaults[11:13] == [("lungs",), "yes"]  # the answer being taken back is preselected
    assert person.progress[12] == "Question 9 of at most 39"
    result = person.said_after("Your answers (")
    assert result[0][0].startswith("WHAT TO DO: ROUTINE")
    assert "Calcifications in the lungs" not in result[1][0]


def test_without_going_back_the_same_yes_leads_to_the_lungs(real_engine):
    code, person = run(real_engine, START, *answers_for(tb_history="yes", tb_where=("lungs",)), RESULT, FINISH)

    result = person.said_after("Your answers (")
    assert result[0][0].startswith("WHAT TO DO: SOON (within two weeks)")
    assert "Calcifications in the lungs" in result[1][0]


def test_go_back_is_offered_from_the_second_question_on(real_engine):
    code, person = run(real_engine, START, "no", "no", "yes")

    assert person.back_offered == [False, True, True]


def test_go_back_is_not_offered_when_changing_an_answer_from_the_summary(real_engine):
    code, person = run(real_engine, START, *answers_for(), *change(12), "no", RESULT, FINISH)

    assert person.progress[-1] == "Changing your answer 12"
    assert person.back_offered[-1] is False


# --- changing an answer from the summary ------------------------------------------------------------------


def test_changing_a_screening_answer_to_yes_asks_its_follow_ups(real_engine):
    code, person = run(real_engine, START, *answers_for(), *change(11), "yes", "yes", "no", "no",
                       "months", "about_the_same", RESULT, FINISH)

    assert code is Ending.FINISHED
    assert person.asked[20:] == ["breathing_screen", *FOLLOW_UPS["breathing_screen"]]
    assert person.progress[20] == "Changing your answer 11"
    assert person.defaults[20] == "no"
    second_summary = [text for text, _ in person.said if "Your answers (" in text][1]
    assert "Is your breathing often fast and shallow? Your answer: yes" in flat(second_summary)
    assert "Calcifications in the lungs" in person.said_after("Your answers (")[1][0]


def test_changing_a_screening_answer_to_no_drops_its_follow_ups(real_engine):
    script = answers_for(breathing_screen="yes", fast_shallow_breathing="yes", finger_clubbing="yes",
                         blue_hands_feet="yes", **LUNG_TIME_COURSE)
    code, person = run(real_engine, START, *script, *change(11), "no", RESULT, FINISH)

    assert code is Ending.FINISHED
    removed = next(text for text, _ in person.said if "no longer apply" in text)
    assert removed.splitlines() == [
        "These answers no longer apply and were removed:",
        "  - Is your breathing often fast and shallow?",
        "  - Have your fingertips become wider, with nails that are rounded like the",
        "    glass of a watch?",
        "  - Do your hands or feet sometimes turn bluish?",
        "  - When did the trouble with your breathing start?",
        "  - How has your breathing changed since then?"]
    second_summary = [text for text, _ in person.said if "Your answers (" in text][1]
    assert "fast and shallow" not in second_summary
    assert "Your answers (20):" in second_summary  # 25 answers became 20
    assert "Calcifications in the lungs" not in person.said_after("Your answers (")[1][0]


def test_changing_sex_to_female_drops_the_mens_answers_and_keeps_what_still_applies(real_engine):
    script = answers_for("male", past_illnesses=("pneumonia_or_abscess", "sti_or_prostatitis"), urination_screen="yes",
                         weak_stream="yes")
    code, person = run(real_engine, START, *script, *change(6), "female", RESULT, FINISH)

    assert code is Ending.FINISHED
    removed = next(text for text, _ in person.said if "no longer apply" in text)
    assert removed.splitlines() == [
        "These answers no longer apply and were removed:",
        "  - Is your urine stream weak, or does it take effort to get it started?",
        "  - Is it harder than before to get or keep an erection?",
        "  - Is there less semen than before, or has it become thicker?"]
    # The list of illnesses offered to a woman is the man's without the prostate: she saw every option,
    # so her ticks stay (without the prostate) and nothing is asked again.
    assert person.asked[len(script):] == ["sex"]
    second_summary = [text for text, _ in person.said if "Your answers (" in text][1]
    assert "Your answer: Pneumonia, or a lung abscess (a pocket of pus in the lung)" in flat(second_summary)
    assert "prostate" not in person.said_after("Your answers (")[1][0].lower()


def test_changing_sex_to_male_asks_the_list_again_with_the_earlier_ticks_chosen(real_engine):
    script = answers_for("female", past_illnesses=("pneumonia_or_abscess",))
    code, person = run(real_engine, START, *script, *change(6), "male",
                       ("pneumonia_or_abscess", "sti_or_prostatitis"), "no", "no", RESULT, FINISH)

    assert code is Ending.FINISHED
    # A man is offered options she never saw: the list is asked again, her answer preselected.
    assert person.asked[len(script):] == ["sex", "past_illnesses", "erection_trouble", "semen_change"]
    assert person.defaults[len(script) + 1] == ("pneumonia_or_abscess",)
    assert "sti_or_prostatitis" in person.offered[len(script) + 1]


def test_go_back_from_a_new_follow_up_returns_to_the_changed_answer(real_engine):
    code, person = run(real_engine, START, *answers_for(), *change(11), "yes", GO_BACK, "no",
                       RESULT, FINISH)

    assert code is Ending.FINISHED
    assert person.asked[20:] == ["breathing_screen", "fast_shallow_breathing", "breathing_screen"]
    assert person.defaults[22] == "yes"
    assert "Calcifications in the lungs" not in person.said_after("Your answers (")[1][0]


# --- saving ---------------------------------------------------------------------------------------------


def test_save_writes_the_answers_and_the_outcome_and_run_replays_them(real_engine, tmp_path, cli):
    saved = tmp_path / "my-answers.json"
    code, person = run(real_engine, START, *answers_for(breast_screen="yes"), RESULT, FINISH, save=saved)

    assert code is Ending.FINISHED
    assert f"Saved your answers and this result to {saved}." in person.screen
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert set(data) == {"answers", "outcome"}
    assert data["answers"]["sex"] == "female" and data["answers"]["general_signs"] == []
    assert list(data["answers"]) == ALL_FEMALE_QUESTIONS
    assert data["outcome"]["referral"]["urgency"] == "soon"
    assert data["outcome"]["sections"] == ["breast"]

    replay = cli("run", "--answers", saved)
    assert replay.code == 0
    assert replay.out.startswith("WHAT TO DO: SOON (within two weeks)\n")
    as_json = json.loads(cli("run", "--answers", saved, "--format", "json").out)
    assert as_json["referral"] == data["outcome"]["referral"]


def test_save_after_an_emergency_keeps_the_red_flag_answer(real_engine, tmp_path):
    saved = tmp_path / "emergency.json"
    run(real_engine, START, "no", "yes", save=saved)

    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["answers"] == {"chest_pain": "no", "vomiting_blood": "yes"}
    assert data["outcome"]["referral"]["urgency"] == "emergency"


def test_nothing_is_written_unless_asked(real_engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    run(real_engine, START, *answers_for(breast_screen="yes"), RESULT, FINISH)

    assert list(tmp_path.iterdir()) == []


# --- Ctrl-C and end of input ----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["opening", "question", "summary"])
def test_ctrl_c_and_yes_quits_with_code_130(real_engine, where: str, tmp_path):
    before = {"opening": [], "question": [START, "no"], "summary": [START, *answers_for()]}[where]
    code, person = run(real_engine, *before, KeyboardInterrupt, True)

    assert code is Ending.QUIT and EXIT_CODES[code] == 130
    assert person.quit_questions == 1
    assert person.said[-1] == (QUIT, False)


def test_ctrl_c_and_no_puts_the_same_question_again(real_engine):
    code, person = run(real_engine, START, "no", KeyboardInterrupt, False, *answers_for()[1:], RESULT, FINISH)

    assert code is Ending.FINISHED
    assert person.asked[:3] == ["chest_pain", "vomiting_blood", "vomiting_blood"]
    assert person.progress[1] == person.progress[2] == "Question 2 of at most 45"
    assert QUIT not in person.screen


def test_end_of_input_at_a_question_exits_with_code_1(real_engine):
    code, person = run(real_engine, START, "no", "no", EOFError)

    assert code is Ending.INPUT_ENDED and EXIT_CODES[code] == 1
    assert person.said[-1] == (INPUT_ENDED, False)
    assert "WHAT TO DO" not in person.screen


def test_end_of_input_at_the_quit_question_exits_with_code_1(real_engine):
    code, person = run(real_engine, START, KeyboardInterrupt, EOFError)

    assert code is Ending.INPUT_ENDED and EXIT_CODES[code] == 1
    assert person.said[-1] == (INPUT_ENDED, False)


# --- one engine, many people -----------------------------------------------------------------------------


def test_the_next_person_starts_from_nothing(real_engine):
    run(real_engine, START, "yes")  # the first person: an emergency

    code, person = run(real_engine, START, *answers_for(), RESULT, FINISH)

    assert person.asked == ALL_FEMALE_QUESTIONS
    assert person.progress[0] == "Question 1 of at most 45"
    assert person.said_after("Your answers (")[0][0].startswith("WHAT TO DO: ROUTINE")
