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
from triage.render.layout import hang, wrap
from triage.render.text import explanation_text, outcome_text, referral_text
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
        lines = ["", ui("interview.summary_heading")]
        numbered = list(s.answers.items())
        for n, (qid, value) in enumerate(numbered, start=1):
            lines.append(hang(ui("interview.summary_line", question=self.kb.question[qid].text,
                                 answer=answer_words(self.kb, qid, value)), f"{n:>2}. ", "    "))
        self.asker.say("\n".join(lines))
        choices = [("result", ui("interview.see_result"))] + [
            (qid, ui("interview.change_answer", number=n)) for n, (qid, _) in enumerate(numbered, start=1)]
        choice = guarded(self.asker, lambda: self.asker.choose(ui("interview.what_next"), choices))
        if choice == "result":
            return True
        question = self.kb.question[choice]
        self.defaults[choice] = s.answers[choice]
        value = self._ask(question, can_go_back=False)
        dropped = s.change(choice, value)
        if dropped:
            self.asker.say(wrap(ui("interview.removed", questions="; ".join(self.kb.question[q].text
                                                                          for q in dropped))))
        return s.reached_top_urgency()

    def _result(self) -> None:
        outcome = self.session.outcome()
        if self.session.reached_top_urgency():
            self.asker.say(referral_text(outcome), emphasis=True)
            self.asker.say(wrap(self.kb.disclaimer))
            self._save(outcome)
            return
        text = outcome_text(self.kb, outcome, explain=False)
        referral = referral_text(outcome)
        self.asker.say(referral, emphasis=True)
        self.asker.say(text[len(referral):].lstrip("\n"))
        self._save(outcome)
        while True:
            choice = guarded(self.asker, lambda: self.asker.choose(
                ui("interview.what_next"), [("why", ui("interview.why")), ("done", ui("interview.finish"))]))
            if choice == "done":
                return
            self.asker.say(explanation_text(self.kb, outcome))

    def _save(self, outcome: Outcome) -> None:
        if self.save_path is None:
            return
        answers = {q: list(v) if isinstance(v, tuple) else v for q, v in outcome.answers}
        data = {"answers": answers, "outcome": outcome_data(outcome)}
        self.save_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.saved = True
        self.asker.say(ui("interview.saved", path=self.save_path))
