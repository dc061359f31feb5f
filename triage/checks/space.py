"""The answer space of a knowledge base: every answer set the flow can produce, counted, split into blocks
and enumerated one outcome class at a time; and, where that is too large, sessions generated at random.

Pure functions over a KnowledgeBase. An *answer set* is what `triage run` accepts: answers in question order,
each to a question that would be asked given the earlier answers, any asked question possibly left out.

The decomposition (docs/safety.md): a few unconditionally asked questions whose answers steer the questions
of several topics (`fixed_questions`, `sex` in the shipped rules) are held fixed, each answer and left out in
turn; the other questions fall into *blocks* that no `ask_when` and no rule reading only answers crosses.
What a block's answers can change in an outcome is its `Effects` label set; since rules only add conclusions
and no condition tests an absence, referral, urgency, sections, workups, advice and findings are a function
of the union of the blocks' labels. One witness answer set per distinct union is an *outcome class*.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import combinations, product
from typing import Any

from triage.flow import is_asked, offered_values
from triage.logic import holds, questions_read, walk
from triage.model import (
    NO,
    NOT_SURE,
    YES,
    AllOf,
    Always,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    FindingReached,
    KnowledgeBase,
    OrganConcernsAtLeast,
    Question,
    RaiseConcern,
    Refer,
    Rule,
)
from triage.outcome import AnswerValue, concluded_by

Answers = dict[str, AnswerValue]
Label = Any  # what an effect holds: a conclusion label, or (version, label) when two versions are compared

# Held fixed: at most this many answer combinations of the fixed questions (each one multiplies the work).
MAX_FIXED_COMBINATIONS = 16


class SpaceTooLarge(ValueError):
    """The enumeration would exceed its limit; the message says which part of the space is too large."""


# --- counting ---------------------------------------------------------------------------------------------


def list_values(question: Question, answers: Mapping[str, AnswerValue]) -> list[AnswerValue]:
    """Every answer the person can give here: each offered value, or each subset of the offered options."""
    offered = offered_values(question, answers)
    if question.kind.is_list:
        fewest = 0 if question.takes(()) else 1
        return [tuple(c) for n in range(fewest, len(offered) + 1) for c in combinations(offered, n)]
    return list(offered)


def count_answer_sets(kb: KnowledgeBase, leave_out: bool) -> int:
    """How many answer sets the flow can produce: complete sessions (every asked question answered), or,
    with `leave_out`, every answers file `triage run` accepts (any asked question may be left out)."""
    later_reads = []
    for i in range(len(kb.questions) + 1):
        reads: set[str] = set()
        for q in kb.questions[i:]:
            reads |= questions_read(q.ask_when)
            for o in q.options:
                reads |= questions_read(o.ask_when)
        later_reads.append(reads)
    memo: dict[object, int] = {}

    def count(i: int, answers: Answers) -> int:
        key = (i, tuple(sorted((q, v) for q, v in answers.items() if q in later_reads[i])))
        if key not in memo and i == len(kb.questions):
            memo[key] = 1  # the answers so far: one answer set
        elif key not in memo:
            question = kb.questions[i]
            total = count(i + 1, answers) if leave_out or not is_asked(question, answers) else 0
            if is_asked(question, answers):
                values = list_values(question, answers)
                total += sum(count(i + 1, {**answers, question.id: v}) for v in values)
            memo[key] = total
        return memo[key]

    return count(0, {})


# --- blocks -----------------------------------------------------------------------------------------------


def reads_only_answers(rule: Rule) -> bool:
    return all(isinstance(p, AnswerIs | AnswerIncludes | AllOf | AnyOf | Always) for p in walk(rule.when))


def asks_read(question: Question) -> set[str]:
    """The questions whose answers decide whether this question, or one of its options, is asked."""
    return questions_read(question.ask_when) | {r for o in question.options for r in questions_read(o.ask_when)}


def fixed_questions(kb: KnowledgeBase) -> tuple[str, ...]:
    """The questions held fixed: asked unconditionally, with a fixed set of options (not a list), and read by
    the `ask_when` of questions of at least two other topics (in the shipped rules: `sex`)."""
    return fixed_among(kb.questions)


def fixed_among(questions: Sequence[Question]) -> tuple[str, ...]:
    """`fixed_questions` for any list of questions (two versions' questions merged, for `rules diff`)."""
    chosen: list[str] = []
    combos = 1
    read_by = {q.id: asks_read(q) for q in questions}
    for question in questions:
        if question.ask_when is not None or question.kind.is_list \
                or any(o.ask_when is not None for o in question.options):
            continue
        topics = {q.topic for q in questions if question.id in read_by[q.id]} - {question.topic}
        if len(topics) >= 2 and combos * (len(question.values) + 1) <= MAX_FIXED_COMBINATIONS:
            chosen.append(question.id)
            combos *= len(question.values) + 1
    return tuple(chosen)


def fixed_values(kb: KnowledgeBase) -> list[Answers]:
    """Every answer (and left out) to the fixed questions: the bases the blocks are answered on."""
    return bases(kb.questions, fixed_questions(kb))


def bases(questions: Sequence[Question], fixed: Sequence[str]) -> list[Answers]:
    """Every answer (and left out) to the `fixed` questions among `questions`."""
    by_id = {q.id: q for q in questions}
    choices = [[None, *by_id[q].values] for q in fixed]
    return [{q: v for q, v in zip(fixed, values, strict=True) if v is not None} for values in product(*choices)]


def _components(questions: Sequence[Question], rules: Sequence[Rule],
                fixed: set[str]) -> tuple[dict[str, str], list[Rule]]:
    """Union-find over the non-fixed questions; also the answer-only rules that joined two ask_when groups."""
    parent = {q.id: q.id for q in questions}

    def root(q: str) -> str:
        while parent[q] != q:
            q = parent[q]
        return q

    def join(ids: set[str]) -> bool:
        ordered = sorted((ids - fixed) & set(parent))
        joined = False
        for other in ordered[1:]:
            if root(other) != root(ordered[0]):
                parent[root(other)] = root(ordered[0])
                joined = True
        return joined

    for q in questions:
        join({q.id} | asks_read(q))
    joining = [rule for rule in rules if reads_only_answers(rule) and join(questions_read(rule.when))]
    return {q.id: root(q.id) for q in questions if q.id not in fixed}, joining


def blocks(kb: KnowledgeBase) -> list[list[Question]]:
    """The questions, split into groups that no ask_when and no answer-only rule crosses (fixed ones aside)."""
    return blocks_among(kb.questions, kb.rules, fixed_questions(kb))


def blocks_among(questions: Sequence[Question], rules: Sequence[Rule], fixed: Sequence[str]) -> list[list[Question]]:
    """`blocks` for any questions and rules (two versions' together, for `rules diff`)."""
    roots, _ = _components(questions, rules, set(fixed))
    groups: dict[str, list[Question]] = {}
    for q in questions:
        if q.id in roots:
            groups.setdefault(roots[q.id], []).append(q)
    return list(groups.values())


def joining_rules(kb: KnowledgeBase) -> list[Rule]:
    """The rules reading only answers that read questions of two blocks otherwise apart (they join them)."""
    return _components(kb.questions, kb.rules, set(fixed_questions(kb)))[1]


def block_answers(block: list[Question], base: Answers, i: int = 0) -> Iterator[Answers]:
    """Every way to answer one block (any asked question may be left out), given the fixed answers."""
    if i == len(block):
        yield dict(base)
        return
    question = block[i]
    yield from block_answers(block, base, i + 1)
    if is_asked(question, base):
        for value in list_values(question, base):
            yield from block_answers(block, {**base, question.id: value}, i + 1)


def block_answer_list(block: list[Question], base: Answers, limit: int | None = None) -> list[Answers]:
    """`block_answers` as a list; SpaceTooLarge past `limit` answer sets."""
    out = []
    for answers in block_answers(block, base):
        out.append(answers)
        if limit is not None and len(out) > limit:
            raise SpaceTooLarge(f"{_block_name(block)} {'has' if len(block) == 1 else 'have'} more than "
                                f"{limit:,} answer sets together")
    return out


def _block_name(block: list[Question]) -> str:
    ids = [q.id for q in block]
    return f"question {ids[0]}" if len(ids) == 1 else \
        f"questions {', '.join(ids[:4])}{', ...' if len(ids) > 4 else ''} ({len(ids)})"


class Effects:
    """What a block's answers can change in an outcome: the conclusions of the rules that read only answers,
    plus the given answers that other rules read. The outcome's referral, urgency, sections, workups, advice
    and findings are a function of the union of the blocks' effects (derived rules read only conclusions
    and those answers, and conditions never test an absence)."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.answer_rules = [r for r in kb.rules if reads_only_answers(r)]
        self.read_by_others: set[str] = set()
        for rule in kb.rules:
            if not reads_only_answers(rule):
                self.read_by_others |= questions_read(rule.when)
        # A rule reading only answers can hold only when one of the questions it reads is answered.
        self._by_question: dict[str, list[Rule]] = {}
        self._unconditional = [r for r in self.answer_rules if not questions_read(r.when)]
        for rule in self.answer_rules:
            for question in questions_read(rule.when):
                self._by_question.setdefault(question, []).append(rule)
        self._label = {r.id: str(concluded_by(r)) for r in self.answer_rules}
        # Steps up land on answer sets met before: each is worked out once per check.
        self._seen: dict[frozenset[tuple[str, AnswerValue]], frozenset[str]] = {}

    def of(self, answers: Mapping[str, AnswerValue]) -> frozenset[str]:
        key = frozenset(answers.items())
        if key not in self._seen:
            self._seen[key] = self._of(answers)
        return self._seen[key]

    def _of(self, answers: Mapping[str, AnswerValue]) -> frozenset[str]:
        candidates = {r.id: r for q in answers for r in self._by_question.get(q, ())}  # a set of labels: order is free
        labels = {self._label[r.id] for r in [*self._unconditional, *candidates.values()] if holds(r.when, answers)}
        for question in self.read_by_others & set(answers):
            value = answers[question]
            labels |= {f"answer:{question}={v}" for v in (value if isinstance(value, tuple) else (value,))}
        return frozenset(labels)

    def reads_fixed(self, questions: frozenset[str], fixed: Sequence[str]) -> bool:
        """Whether the fixed questions can change what these questions are asked or conclude."""
        rules = [r for r in self.answer_rules if questions_read(r.when) & questions]
        asks = {r for q in questions for r in asks_read(self.kb.question[q])}
        return bool(set(fixed) & (asks | {q for r in rules for q in questions_read(r.when)}))


def enumerate_outcome_classes(kb: KnowledgeBase, limit: int | None = None,
                              keep: set[str] | None = None) -> list[Answers]:
    """One witness answer set for every distinct union of block effects, for every fixed answer.

    Every answer set the flow can produce has the referral, urgency, sections, workups, advice and findings
    of one witness. With `keep`, only those labels count (`referral_labels`: every answer set then has the
    referral rules, so the urgency and doctors, of one witness; far fewer classes). With `limit`,
    SpaceTooLarge when a block has more answer sets than that, or the classes of one fixed answer grow past
    it (the message says which).
    """
    effects: Callable[[Answers], frozenset[str]] = Effects(kb).of
    if keep is not None:
        effects = _kept(effects, frozenset(keep))
    return [witness for _, witness in classes(fixed_values(kb), blocks(kb), effects, limit)]


def _kept(effects_of: Callable[[Answers], frozenset[str]],
          keep: frozenset[str]) -> Callable[[Answers], frozenset[str]]:
    return lambda answers: effects_of(answers) & keep


def classes(bases: list[Answers], blocks: list[list[Question]], effects_of: Callable[[Answers], frozenset[Label]],
            limit: int | None = None) -> list[tuple[frozenset[Label], Answers]]:
    """For each base answer set, one witness per distinct union of block effects, with that union (the engine
    of `enumerate_outcome_classes`, and of `rules diff`, whose effects carry the version they belong to)."""
    witnesses: list[tuple[frozenset[Label], Answers]] = []
    for base in bases:
        reach: dict[frozenset[Label], Answers] = {frozenset(): dict(base)}
        for block in blocks:
            options: dict[frozenset[Label], Answers] = {}
            for answers in block_answer_list(block, base, limit):
                options.setdefault(effects_of(answers), answers)
            combined: dict[frozenset[Label], Answers] = {}
            for union, witness in reach.items():
                for effect, answers in options.items():
                    combined.setdefault(union | effect, {**witness, **answers})
            if limit is not None and len(combined) > limit:
                raise SpaceTooLarge(f"the blocks combine into more than {limit:,} outcome classes")
            reach = combined
        witnesses += reach.items()
    return witnesses


def relevant_labels(kb: KnowledgeBase) -> set[str]:
    """Labels that can change urgency or sections: concerns, referrals, and findings or answers that feed a
    rule concluding one of them (transitively)."""
    return labels_feeding(kb, (RaiseConcern, Refer))


def referral_labels(kb: KnowledgeBase) -> set[str]:
    """Labels that can change which referral rules fire (and so the urgency and the doctors named): the
    referrals, and every concern, finding or answer that feeds a referral rule (transitively)."""
    return labels_feeding(kb, (Refer,))


def labels_feeding(kb: KnowledgeBase, kinds: tuple[type, ...]) -> set[str]:
    """The labels of the rules concluding one of `kinds`, and of everything their conditions read, followed
    back through the rules that conclude what they read, until nothing new is added."""
    concerns = {f"concern:{s.id}" for s in kb.sections}
    relevant = {str(concluded_by(r)) for r in kb.rules if isinstance(r.then, kinds)}
    changed = True
    while changed:
        changed = False
        for rule in kb.rules:
            if str(concluded_by(rule)) not in relevant:
                continue
            new: set[str] = set()
            for part in walk(rule.when):
                if isinstance(part, FindingReached):
                    new.add(f"finding:{part.finding}")
                elif isinstance(part, ConcernRaised):
                    new.add(f"concern:{part.section}")
                elif isinstance(part, OrganConcernsAtLeast):
                    new |= concerns
                elif isinstance(part, AnswerIs | AnswerIncludes) and not reads_only_answers(rule):
                    values = part.values if isinstance(part, AnswerIs) else part.options
                    new |= {f"answer:{part.question}={v}" for v in values}
            new -= relevant
            relevant |= new
            changed |= bool(new)
    return relevant


def steps_up(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> list[tuple[str, AnswerValue]]:
    """Every single change of one answer towards 'more': no -> yes, no -> not sure, not sure -> yes, and
    ticking one more offered option of a list."""
    out: list[tuple[str, AnswerValue]] = []
    for question_id, value in answers.items():
        question = kb.question[question_id]
        if question.kind.fixed_values:  # yes / no (/ not sure)
            ladder = [v for v in (NO, NOT_SURE, YES) if v in question.values]
            if value in ladder:
                out += [(question_id, higher) for higher in ladder[ladder.index(value) + 1:]]
        elif question.kind.is_list and isinstance(value, tuple):
            out += [(question_id, value + (o,)) for o in offered_values(question, answers) if o not in value]
    return out


# --- generated sessions -----------------------------------------------------------------------------------


def ticked(question: Question, offered: Sequence[str], rng: random.Random, chance: float = 0.5) -> tuple[str, ...]:
    """A random answer to a multiple-choice question: each offered option ticked with `chance`, and one of
    them where nothing ticked is not an answer (the generators of the tests and benchmarks use it too)."""
    ticks = tuple(o for o in offered if rng.random() < chance)
    return ticks if question.takes(ticks) or not offered else (rng.choice(offered),)


def generated_sessions(kb: KnowledgeBase, count: int, seed: int = 12) -> list[Answers]:
    """`count` answer sets the flow can produce, drawn with a seeded generator (the same every time): each
    asked question answered, or now and then left out, and sometimes the session stops early. One session
    in two answers every red flag 'no', so the rest of the rules are reached too."""
    rng = random.Random(seed)
    sessions = []
    for _ in range(count):
        calm = rng.random() < 0.5
        answers: Answers = {}
        for question in kb.questions:
            if not is_asked(question, answers):
                continue
            if rng.random() < 1 / 60:
                break
            if rng.random() < 1 / 30:
                continue
            offered = offered_values(question, answers)
            if question.red_flag and calm and NO in offered:
                answers[question.id] = NO
            elif question.kind.is_list:
                answers[question.id] = ticked(question, offered, rng)
            else:
                answers[question.id] = rng.choice(offered)
        sessions.append(answers)
    return sessions
