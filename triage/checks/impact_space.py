"""Which outcomes of the whole answer space change between two versions of a knowledge base.

The questions of both versions are put together into one flow; the answer space of that flow is split into
outcome classes (one witness answer set each) by the block enumeration, and every witness is evaluated by
the independent evaluator (`checks.oracle`) on each version, restricted to the questions and options that
version has. When the enumeration's assumptions fail (a question changed its type, the order of the
questions changed, or a block is too large to list), a seeded sample of generated sessions is compared
instead, and the result says so.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from enum import Enum

from triage.checks import oracle, space
from triage.flow import applicable, is_asked, offered_values
from triage.model import (
    NO,
    AnyOf,
    Condition,
    ConsiderWorkup,
    KnowledgeBase,
    Question,
    RaiseConcern,
    Refer,
)
from triage.outcome import AnswerValue, Outcome, concluded_by

Answers = dict[str, AnswerValue]
BLOCK_LIMIT = 50_000  # answer sets of one block of questions; above it the enumeration gives way to a sample
CLASS_LIMIT = 300_000  # outcome classes in all
SAMPLE_SIZE = 4_000  # generated sessions compared when the enumeration cannot be used
SAMPLE_SEED = 12  # fixed, so that the same two folders give the same report


@dataclass(frozen=True, order=True)
class Summary:
    """The parts of an outcome a release may change: urgency, whom to see, sections, workups (ids)."""

    urgency: str
    doctor: str
    also: tuple[str, ...]
    sections: tuple[str, ...]
    workups: tuple[str, ...]


def summary(outcome: Outcome) -> Summary:
    return Summary(outcome.referral.urgency.id, outcome.referral.to.id, tuple(d.id for d in outcome.referral.also),
                   tuple(outcome.section_ids), tuple(outcome.workup_ids))


class Aspect(Enum):
    """What changed in an outcome class; the report lists the groups in this order."""

    URGENCY = "urgency"
    DOCTOR = "referral"
    ALSO = "also named"  # the other doctors the referral names
    SECTIONS = "section"
    WORKUPS = "workup"


class Method(Enum):
    ENUMERATED = "enumerated"  # every outcome class of the union of both versions' questions
    SAMPLED = "sampled"  # a seeded sample of generated sessions
    SAME_RULES = "same rules"  # the knowledge bases' content hashes are equal: nothing to compare


@dataclass(frozen=True)
class ChangeGroup:
    """Outcome classes whose outcome changed in the same way, e.g. urgency routine -> soon."""

    aspect: Aspect
    change: str  # "urgency routine -> soon", "section added: kidneys", "also named removed: gp"
    lower: bool  # the urgency went down
    count: int
    example: tuple[tuple[str, AnswerValue], ...]  # the first witness met, in question order
    before: Summary
    after: Summary


@dataclass(frozen=True)
class SpaceImpact:
    method: Method
    why_sampled: str  # when sampled: which assumption of the enumeration failed
    compared: int  # outcome classes (or distinct sampled answer sets) evaluated on both versions
    changed: int  # of them, those whose summary differs
    only_old: tuple[str, ...]  # questions only the old version has
    only_new: tuple[str, ...]
    groups: tuple[ChangeGroup, ...]


def fit(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> Answers:
    """The answers as `kb` would take them: questions and options it does not have, and follow-ups it
    would not ask, dropped."""
    known = {q: v for q, v in answers.items()
             if q in kb.question and isinstance(v, tuple) == kb.question[q].kind.is_list}
    return applicable(kb, known)


def compare_space(old: KnowledgeBase, new: KnowledgeBase) -> SpaceImpact:
    """Every outcome class (or, failing the enumeration, a sample) evaluated on both versions, grouped by
    what changed."""
    only_old = tuple(q.id for q in old.questions if q.id not in new.question)
    only_new = tuple(q.id for q in new.questions if q.id not in old.question)
    if old.hash == new.hash:
        return SpaceImpact(Method.SAME_RULES, "", 0, 0, only_old, only_new, ())
    try:
        method, why, witnesses = Method.ENUMERATED, "", _enumerate(old, new)
    except _CannotEnumerate as exc:
        method, why, witnesses = Method.SAMPLED, str(exc), _sample(old, new)
    counts: Counter[tuple[Aspect, str]] = Counter()
    first: dict[tuple[Aspect, str], tuple[bool, Answers, Summary, Summary]] = {}  # the example of each group
    changed = 0
    cache: dict[tuple[int, object], Summary] = {}
    for key, witness in witnesses:
        before = _evaluate(old, witness, cache, 0, key)
        after = _evaluate(new, witness, cache, 1, key)
        if before == after:
            continue
        changed += 1
        for aspect, change, lower in _changes(new, old, before, after):
            counts[(aspect, change)] += 1
            first.setdefault((aspect, change), (lower, witness, before, after))
    order = list(Aspect)
    shown = [ChangeGroup(aspect, change, lower, counts[(aspect, change)], _in_order(new, old, example), before,
                         after) for (aspect, change), (lower, example, before, after) in first.items()]
    shown.sort(key=lambda g: (order.index(g.aspect), not g.lower, g.change))
    return SpaceImpact(method, why, len(witnesses), changed, only_old, only_new, tuple(shown))


def _evaluate(kb: KnowledgeBase, witness: Answers, cache: dict[tuple[int, object], Summary], side: int,
              key: frozenset[tuple[int, str]] | None) -> Summary:
    """The oracle's outcome; witnesses with the same effects on this version share it (a cache, not a guess:
    the outcome is a function of the union of the effects)."""
    mine = frozenset(label for label in key if label[0] == side) if key is not None else None
    if mine is not None and (side, mine) in cache:
        return cache[(side, mine)]
    result = summary(oracle.evaluate(kb, fit(kb, witness)))
    if mine is not None:
        cache[(side, mine)] = result
    return result


def _changes(new: KnowledgeBase, old: KnowledgeBase, before: Summary,
             after: Summary) -> Iterator[tuple[Aspect, str, bool]]:
    if before.urgency != after.urgency:
        rank = {**{u.id: u.rank for u in old.urgency_levels}, **{u.id: u.rank for u in new.urgency_levels}}
        lower = rank[after.urgency] < rank[before.urgency]
        yield Aspect.URGENCY, f"urgency {before.urgency} -> {after.urgency}", lower
    if before.doctor != after.doctor:
        yield Aspect.DOCTOR, f"referral to {before.doctor} -> {after.doctor}", False
    for aspect, was, now in ((Aspect.ALSO, before.also, after.also), (Aspect.SECTIONS, before.sections,
                             after.sections), (Aspect.WORKUPS, before.workups, after.workups)):
        yield from ((aspect, f"{aspect.value} added: {x}", False) for x in now if x not in was)
        yield from ((aspect, f"{aspect.value} removed: {x}", False) for x in was if x not in now)


def _in_order(new: KnowledgeBase, old: KnowledgeBase, answers: Answers) -> tuple[tuple[str, AnswerValue], ...]:
    position = {q.id: i for i, q in enumerate(old.questions)} | {q.id: i for i, q in enumerate(new.questions)}
    return tuple(sorted(answers.items(), key=lambda item: (position.get(item[0], 0), item[0])))


# --- the block enumeration, over the questions of both versions -----------------------------------------
# The block enumeration of triage/checks/space.py, run over two versions at once: the questions are merged,
# the blocks are joined by the ask_when and answer-only rules of both, and an effect is a pair (version, label).

class _CannotEnumerate(Exception):
    """An assumption of the block enumeration does not hold; the message says which."""


def _either(a: Condition | None, b: Condition | None) -> Condition | None:
    """Asked when either version asks it."""
    if a is None or b is None:
        return None
    return a if a == b else AnyOf((a, b))


def _merge(old: Question | None, new: Question) -> Question:
    if old is None:
        return new
    if old.type is not new.type:
        raise _CannotEnumerate(f"question '{new.id}' changed its type ({old.type.value} -> {new.type.value})")
    old_options = {o.id: o for o in old.options}
    options = [replace(o, ask_when=_either(old_options[o.id].ask_when, o.ask_when)) if o.id in old_options else o
               for o in new.options]
    options += [o for o in old.options if o.id not in {n.id for n in new.options}]
    return replace(new, ask_when=_either(old.ask_when, new.ask_when), options=tuple(options))


def merged_questions(old: KnowledgeBase, new: KnowledgeBase) -> list[Question]:
    """Both versions' questions in one order that keeps each version's order (old-only questions go where
    they stood), asked when either version asks them, with the options of both."""
    merged: list[Question] = []
    placed: set[str] = set()
    old_position = {q.id: i for i, q in enumerate(old.questions)}
    for question in new.questions:
        for earlier in old.questions[:old_position.get(question.id, 0)]:
            if earlier.id not in new.question and earlier.id not in placed:
                merged.append(earlier)
                placed.add(earlier.id)
        merged.append(_merge(old.question.get(question.id), question))
        placed.add(question.id)
    merged += [q for q in old.questions if q.id not in placed]
    position = {q.id: i for i, q in enumerate(merged)}
    for question in merged:
        later = sorted(r for r in space.asks_read(question) if position.get(r, len(merged)) >= position[question.id])
        if later:
            raise _CannotEnumerate(f"question '{question.id}' depends on '{later[0]}', which the two versions "
                                   "put in a different order")
    return merged


def _effects_of(kb: KnowledgeBase, side: int, keep: set[str] | None) -> Callable[[Answers], frozenset[tuple[int, str]]]:
    """What a block's answers can change in one version's outcome (space.Effects, on the answers that version
    knows), each label tagged with the version (0, 1); with `keep`, only those labels."""
    effects = space.Effects(kb)
    return lambda answers: frozenset((side, label) for label in effects.of(fit(kb, answers))
                                     if keep is None or label in keep)


Witnesses = list[tuple[frozenset[tuple[int, str]] | None, Answers]]

# The parts of a summary, each with the kind of rule that decides it.
_DECIDED_BY = ((Refer,), (RaiseConcern,), (ConsiderWorkup,))


def labels_that_matter(old: KnowledgeBase, new: KnowledgeBase) -> set[str] | None:
    """The labels a changed outcome can depend on: for each part of the summary (referral, sections,
    workups) whose rules, or the rules feeding them, differ between the versions, every label feeding that
    part in either version. Parts whose whole chain is the same are the same on every answer set, so their
    labels need not be told apart (far fewer classes). None (keep every label) when the flow (a question's
    id, type, ask_when or options, not its wording) or the frame differ, since then the same answers can
    reach different rules."""
    if [_flow_shape(q) for q in old.questions] != [_flow_shape(q) for q in new.questions] \
            or old.urgency_levels != new.urgency_levels or old.several_doctors != new.several_doctors:
        return None
    keep: set[str] = set()
    for kinds in _DECIDED_BY:
        feeding = (space.labels_feeding(old, kinds), space.labels_feeding(new, kinds))
        chains = [{(r.id, r.when, r.then) for r in kb.rules if str(concluded_by(r)) in labels}
                  for kb, labels in zip((old, new), feeding, strict=True)]
        if chains[0] != chains[1]:
            keep |= feeding[0] | feeding[1]
    return keep


def _flow_shape(question: Question) -> tuple[object, ...]:
    """What of a question decides which answers a session can hold (its wording and help do not)."""
    return question.id, question.type, question.ask_when, tuple((o.id, o.ask_when) for o in question.options)


def _enumerate(old: KnowledgeBase, new: KnowledgeBase) -> Witnesses:
    """One witness answer set for every distinct union of both versions' block effects (kept to the labels
    that matter), per fixed answer."""
    questions = merged_questions(old, new)
    fixed = space.fixed_among(questions)
    blocks = space.blocks_among(questions, list(old.rules) + list(new.rules), fixed)
    keep = labels_that_matter(old, new)
    of_old, of_new = _effects_of(old, 0, keep), _effects_of(new, 1, keep)
    try:
        witnesses = space.classes(space.bases(questions, fixed), blocks, lambda a: of_old(a) | of_new(a),
                                  BLOCK_LIMIT)
    except space.SpaceTooLarge as exc:
        raise _CannotEnumerate(str(exc)) from exc
    if len(witnesses) > CLASS_LIMIT:
        raise _CannotEnumerate(f"more than {CLASS_LIMIT:,} outcome classes")
    return list(witnesses)


# --- the fallback: a seeded sample of generated sessions --------------------------------------------------


def _session(kb: KnowledgeBase, rng: random.Random) -> Answers:
    """Answers in question order, only to questions asked given the earlier ones; some left out, red flags
    mostly 'no' (a red-flag 'yes' decides the outcome and would hide the rest)."""
    answers: Answers = {}
    for question in kb.questions:
        if not is_asked(question, answers) or rng.random() < 0.125:
            continue
        offered = offered_values(question, answers)
        if question.kind.is_list:
            answers[question.id] = space.ticked(question, offered, rng)
        elif question.red_flag and NO in offered and rng.random() < 0.9:
            answers[question.id] = NO
        elif offered:
            answers[question.id] = rng.choice(offered)
    return answers


def _sample(old: KnowledgeBase, new: KnowledgeBase) -> Witnesses:
    """SAMPLE_SIZE sessions, half walked through each version's questions; distinct answer sets only."""
    rng = random.Random(SAMPLE_SEED)
    seen: dict[tuple[tuple[str, AnswerValue], ...], Answers] = {}
    for i in range(SAMPLE_SIZE):
        answers = _session((old, new)[i % 2], rng)
        seen.setdefault(tuple(sorted(answers.items())), answers)
    return [(None, answers) for answers in seen.values()]
