"""The guided interview: opening screen, questions (red flags first), summary, result.

Works with any Asker (questionary or plain lines); the decisions all come from the Session and the rules.
"""

from __future__ import annotations

import json
from pathlib import Path

from triage.endings import Ending
from triage.frontends.asker import GO_BACK, Asker
from triage.frontends.opening_screen import Quit, ended_early, guarded, opening_screen
from triage.knowledge.opening import Opening
from triage.model import Question
from triage.outcome import AnswerValue, Outcome
from triage.render.describe import answer_words
from triage.render.json_format import outcome_data
from triage.render.layout import hang, use_columns, wrap
from triage.render.text import (
    advice_text,
    explanation_text,
    referral_text,
    result_summary,
    sections_text,
    tests_text,
)
from triage.rete.engine import CompiledRules
from triage.session import Session
from triage.texts import emergency_notice, ui


class Interview:
    def __init__(self, engine: CompiledRules, asker: Asker, save: Path | None = None, notices: tuple[str, ...] = ()):
        self.session = Session(engine)
        self.kb = engine.kb
        self.asker = asker
        self.save_path = save
        self.notices = notices
        self.defaults: dict[str, AnswerValue] = {}
        self.saved = False

    def run(self, opened: bool = False) -> Ending:
        """The whole interview (after the opening screen, if `opened`): FINISHED, QUIT or INPUT_ENDED."""
        try:
            if not opened and not self._opening():
                return Ending.FINISHED
            while True:
                if self._questions():
                    break  # top urgency reached: the result is shown at once
                if self._summary():
                    break
            self._result()
            return Ending.FINISHED
        except (Quit, EOFError) as exc:
            return ended_early(self.asker, exc, self.saved)

    def _opening(self) -> bool:
        return opening_screen(self.asker, Opening(self.kb.about, emergency_notice(self.kb.emergency_signs),
                                                   self.notices))

    def _ask(self, question: Question, can_go_back: bool) -> AnswerValue:
        s = self.session
        self._fit()
        return guarded(self.asker, lambda: self.asker.ask(
            question, s.options(question), s.progress(question), can_go_back, self.defaults.get(question.id)))

    def _questions(self) -> bool:
        """Ask until every relevant question has an answer; True if the top urgency was reached."""
        s = self.session
        while (question := s.current()) is not None:
            value = self._ask(question, can_go_back=bool(s.history))
            if value == GO_BACK:
                previous = s.history[-1]
                self.defaults[previous] = s.answers[previous]
                s.go_back()
                continue
            s.answer(question.id, value)
            if s.reached_top_urgency():
                return True
        return False

    def _summary(self) -> bool:
        """Show every answer with the chance to change one; True when the person wants the result."""
        s = self.session
        numbered = list(s.answers.items())
        self._fit()
        lines = ["", ui("interview.summary_heading", count=len(numbered))]
        for n, (qid, value) in enumerate(numbered, start=1):
            lines.append(hang(self.kb.question[qid].text, f"{n:>2}. ", "    "))
            lines.append(hang(ui("interview.summary_answer", answer=answer_words(self.kb, qid, value)),
                              "    ", "      "))
        self._page("\n".join(lines))
        while True:
            choice = self._choose(ui("interview.what_next"), [("result", ui("interview.see_result")),
                                                              ("change", ui("interview.change_an_answer"))])
            if choice == "result":
                return True
            # The same numbers as in the list above, so that "3" means the third answer in plain mode too.
            choice = self._choose(ui("interview.which_answer"), [
                (qid, ui("interview.change_answer", number=n, question=self.kb.question[qid].text,
                         answer=answer_words(self.kb, qid, value)))
                for n, (qid, value) in enumerate(numbered, start=1)] + [("back", ui("interview.back_to_answers"))])
            if choice != "back":
                break
        question = self.kb.question[choice]
        self.defaults[choice] = s.answers[choice]
        value = self._ask(question, can_go_back=False)
        dropped = s.change(choice, value)
        before = dict(numbered)
        for qid in dropped:  # asked again with the old answer chosen, where it can still be given
            self.defaults.setdefault(qid, before[qid])
        if dropped:
            self._fit()
            self.asker.say("\n".join([wrap(ui("interview.removed"))] + [
                hang(self.kb.question[q].text, "  - ", "    ") for q in dropped]))
        return s.reached_top_urgency()

    def _result(self) -> None:
        outcome = self.session.outcome()
        self._fit()
        self.asker.say(referral_text(outcome), emphasis=True)
        if self.session.reached_top_urgency():
            self.asker.say(wrap(self.kb.disclaimer))
            self._save(outcome)
            return
        self.asker.say(result_summary(self.kb, outcome))
        self._save(outcome)
        details = ([("sections", ui("interview.read_sections"))] if outcome.sections else []) + (
            [("tests", ui("interview.read_tests"))] if outcome.workups else []) + (
            [("advice", ui("interview.read_advice"))] if outcome.advice else []) + [("why", ui("interview.why"))]
        while True:
            choice = self._choose(ui("interview.what_next"), details + [("done", ui("interview.finish"))])
            self._fit()
            if choice == "done":
                # The last thing on the screen is what to do, however much was read before.
                self.asker.say(ui("interview.finished"))
                self.asker.say(referral_text(outcome), emphasis=True)
                return
            if choice == "sections":
                self._read_sections(outcome)
            elif choice == "tests":
                self._page(tests_text(outcome))
            elif choice == "advice":
                self._page(advice_text(outcome))
            else:
                self._page(explanation_text(self.kb, outcome) + "\n\n" + ui(
                    "result.version", version=outcome.kb_version, hash=outcome.kb_hash[:12]))

    def _read_sections(self, outcome: Outcome) -> None:
        sections = outcome.sections
        if len(sections) == 1:
            self._page(sections_text(self.kb, sections))
            return
        while True:
            choice = self._choose(ui("interview.which_section"), [(s.id, s.title) for s in sections] + [
                ("back", ui("interview.back_to_result"))])
            if choice == "back":
                return
            self._fit()
            self._page(sections_text(self.kb, [s for s in sections if s.id == choice]))

    # --- the screen -------------------------------------------------------------------------------------

    def _fit(self) -> None:
        """Lay the next text out for the terminal as it is now (it may have been resized)."""
        size = self.asker.screen_size()
        use_columns(size[0] if size else None)

    def _choose(self, message: str, choices: list[tuple[str, str]]) -> str:
        return guarded(self.asker, lambda: self.asker.choose(message, choices))

    def _page(self, text: str) -> None:
        """Long text a screenful at a time, with the choice to stop; at once where there is no terminal."""
        size = self.asker.screen_size()
        lines = text.split("\n")
        # Room under each page for the "more?" question: its line and two choices (four lines in plain mode).
        page = max((size[1] if size else 0) - 5, 5)
        if size is None or self.asker.pages_itself or len(lines) <= page + 3:
            self.asker.say(text)
            return
        for start in range(0, len(lines), page):
            self.asker.say("\n".join(lines[start:start + page]))
            shown = min(start + page, len(lines))
            if shown < len(lines) and self._choose(ui("interview.more", shown=shown, total=len(lines)), [
                    ("more", ui("interview.more_yes")), ("stop", ui("interview.more_no"))]) == "stop":
                return

    def _save(self, outcome: Outcome) -> None:
        if self.save_path is None:
            return
        answers = {q: list(v) if isinstance(v, tuple) else v for q, v in outcome.answers}
        data = {"answers": answers, "outcome": outcome_data(outcome)}
        self.save_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.saved = True
        self.asker.say(ui("interview.saved", path=self.save_path))
