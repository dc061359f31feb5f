"""One person's way through the questions: answers so far, going back, and the outcome after each answer.

Shared by every front end (terminal interview, kiosk). Pure: no prompts, no printing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from triage.checks.second_opinion import confirmed
from triage.flow import applicable, next_question, offered_options, offered_values, questions_at_most
from triage.model import Option, Question
from triage.outcome import AnswerValue, Outcome
from triage.rete.engine import CompiledRules


@dataclass(frozen=True)
class Progress:
    number: int  # the number of the current question, from 1
    at_most: int  # the most questions the interview can ask in all, whatever the answers to come
    changing: bool = False  # re-asked from the summary


class Session:
    """The state of one interview. Create a new one for every person; nothing carries over."""

    def __init__(self, rules: CompiledRules, answers: Sequence[tuple[str, AnswerValue]] = (),
                 history: Sequence[str] = ()):
        """A new person; or, with `answers` (in the order listed) and `history` (the same questions, in the order
        they were last given), a person's way so far: a browser page carries both from one request to the next,
        since the web front end keeps nothing between requests. Check the answers first (answers.check_answers).
        """
        if sorted(history) != sorted(q for q, _ in answers):
            raise ValueError("a session's history must hold the same questions as its answers")
        self.rules = rules
        self.kb = rules.kb
        self.answers: dict[str, AnswerValue] = dict(answers)
        self.history: list[str] = list(history)  # question ids in the order they were answered
        self.run = rules.new_run()  # this person's own evaluation; nothing in it is shared
        self.run.restart(self.answers)
        self._confirmed: Outcome | None = None  # the last outcome the reference evaluator agreed with

    # --- where we are --------------------------------------------------------------------------------

    def current(self) -> Question | None:
        """The next question to ask; None when every relevant question has an answer."""
        return next_question(self.kb, self.answers)

    def options(self, question: Question) -> tuple[Option, ...]:
        """The options offered to this person (some depend on earlier answers)."""
        return offered_options(question, self.answers)

    def progress(self, question: Question | None = None) -> Progress:
        """Where the person is; for a question already answered, its place in the list of answers."""
        if question is not None and question.id in self.answers:
            number = list(self.answers).index(question.id) + 1
            return Progress(number, number, changing=True)
        return Progress(len(self.answers) + 1, max(questions_at_most(self.kb, self.answers), len(self.answers) + 1))

    def outcome(self) -> Outcome:
        """The outcome of the answers so far, confirmed by the reference evaluator (checks/second_opinion.py).

        Raises SecondOpinionError when the two disagree: the front end then shows its safe screen.
        """
        outcome = self.run.outcome()
        if outcome is not self._confirmed:  # the run keeps its outcome until the answers change
            self._confirmed = confirmed(self.kb, outcome, self.run.answers)
        return outcome

    def reached_top_urgency(self) -> bool:
        """Whether the answers already reach the highest urgency (the interview stops there)."""
        return self.outcome().referral.urgency.rank == max(u.rank for u in self.kb.urgency_levels)

    # --- changing the answers ------------------------------------------------------------------------

    def answer(self, question_id: str, value: AnswerValue) -> None:
        """Record an answer; the rules run at once, so the outcome is always up to date."""
        _refuse_nothing_ticked(self.kb.question[question_id], value)
        if question_id in self.answers:
            self.change(question_id, value)
            return
        self.answers[question_id] = value
        self.history.append(question_id)
        # Rules only ever add conclusions, so a new answer is added to what the run already concluded.
        self.run.add(question_id, value)

    def change(self, question_id: str, value: AnswerValue) -> list[str]:
        """Change an earlier answer; returns the ids of later answers dropped because they no longer apply."""
        _refuse_nothing_ticked(self.kb.question[question_id], value)
        changed = dict(self.answers)
        changed[question_id] = value
        kept = applicable(self.kb, changed)
        # An answer still applies when its question is still asked and the person saw every option now
        # offered: ticks of options no longer offered fall away, the others stay. Where an option was
        # added (a man's list after sex is changed to male), the person never saw it: ask again.
        question = self.kb.question
        dropped = [q for q in self.answers if q not in kept or not
                   set(offered_values(question[q], kept)) <= set(offered_values(question[q], self.answers))]
        self.answers = {q: kept[q] for q in [*self.answers, question_id]
                        if q in kept and (q == question_id or q not in dropped)}
        # The changed answer is now the latest one: 'go back' from a follow-up it opened returns to it.
        self.history = [q for q in self.history if q in self.answers and q != question_id]
        if question_id in self.answers:
            self.history.append(question_id)
        self._replay()
        return [q for q in dropped if q != question_id]

    def go_back(self) -> Question | None:
        """Undo the last answer; returns that question, to be asked again (None at the start)."""
        if not self.history:
            return None
        last = self.history.pop()
        del self.answers[last]
        self.answers = applicable(self.kb, self.answers)
        self.history = [q for q in self.history if q in self.answers]
        self._replay()
        return self.kb.question[last]

    def forget(self) -> None:
        """Drop every answer and conclusion of this person (the kiosk, before the next visitor)."""
        self.answers, self.history = {}, []
        self._confirmed = None
        self.run.forget()

    def _replay(self) -> None:
        # Taking an answer back is not monotone, so the run starts over with what remains.
        self.run.restart(self.answers)


def _refuse_nothing_ticked(question: Question, value: AnswerValue) -> None:
    # Every front end asks for a tick before it gets here; this keeps one that forgot from recording an
    # answer that would quietly undo the yes which opened the question.
    if not question.takes(value):
        raise ValueError(f"question '{question.id}' needs at least one option ticked")
