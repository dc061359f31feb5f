"""The safety properties, checked for any knowledge base: what `triage rules check` proves, and what every
front end checks (the red flags) before it shows anything to a person.

For every answer set the flow can produce:
  (a) a red-flag 'yes' gives the top urgency, whatever else is answered;
  (b) 'not sure' on a red flag gives at least the second-highest urgency;
  (c) emergency services (the doctors the rules name at the top urgency) are named only at the top urgency;
  (d) exactly one referral (some referral rule fires);
  (e) turning one answer up (no -> not sure -> yes, or one more box ticked) never lowers the urgency or
      removes a section;
  (f) the order of the answers does not change the outcome (checked with the engine).

Evaluated with the oracle (`checks.oracle`, no experta). Exhaustive where the answer space decomposes into
blocks small enough to enumerate (`checks.space`); otherwise on sessions from a seeded generator, and the
report says which. Each violation is one error Problem naming the rules involved and one smallest answer set
that shows it (answers dropped while the violation remains).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from triage.checks import oracle
from triage.checks.space import (
    Answers,
    Effects,
    SpaceTooLarge,
    block_answer_list,
    blocks,
    enumerate_outcome_classes,
    fixed_questions,
    fixed_values,
    generated_sessions,
    joining_rules,
    referral_labels,
    relevant_labels,
    steps_up,
)
from triage.errors import Place, Problem
from triage.flow import applicable
from triage.logic import walk
from triage.model import NOT_SURE, YES, AnswerIs, KnowledgeBase, Question, RaiseConcern, Refer, Urgency
from triage.outcome import AnswerValue
from triage.rete.engine import CompiledRules

# Past these sizes the space is not enumerated but sampled (docs/safety.md).
BLOCK_LIMIT = 100_000  # answer sets of one block, and outcome classes
GENERATED = 3_000  # generated sessions when the space is too large
GENERATED_STEPS = 500  # of which this many are also turned up answer by answer
ORDER_SAMPLE = 200  # answer sets the engine evaluates in three orders
SEED = 12


@dataclass(frozen=True)
class SafetyReport:
    """The violations found (errors), and in words what was covered: every answer set, or a sample."""

    problems: tuple[Problem, ...]
    coverage: str  # "proved for every answer set (15,392 referral classes; ...)" or "checked on 3,000 generated ..."
    exhaustive: bool
    order: str | None = None  # how the order of answers was checked (None without an engine)


# --- evaluating one answer set ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Result:
    """What the properties look at in one outcome, from the rules the oracle fired."""

    urgency: Urgency | None  # None: no referral rule fired
    named: frozenset[str]  # the doctors the referral names (to and also)
    sections: frozenset[str]
    deciding: tuple[str, ...]  # the referral rules at the outcome's urgency
    fired: frozenset[str]


def _result(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> _Result:
    fired = [kb.rule[f.rule_id] for f in oracle.fire_all(kb, answers)]
    referrals = [r for r in fired if isinstance(r.then, Refer)]
    sections = frozenset(r.then.section for r in fired if isinstance(r.then, RaiseConcern))
    ids = frozenset(r.id for r in fired)
    if not referrals:
        return _Result(None, frozenset(), sections, (), ids)
    top = max((kb.urgency[r.then.urgency] for r in referrals), key=lambda u: u.rank)  # type: ignore[union-attr]
    deciding = [r for r in referrals if r.then.urgency == top.id]  # type: ignore[union-attr]
    doctors = {r.then.to for r in deciding}  # type: ignore[union-attr]
    named = doctors | ({kb.several_doctors} if len(doctors) > 1 else set())
    return _Result(top, frozenset(named), sections, tuple(r.id for r in deciding), ids)


def emergency_doctors(kb: KnowledgeBase) -> frozenset[str]:
    """The doctors a rule names at the top urgency (emergency services), the coordinating doctor aside."""
    top = kb.urgency_levels[0].id
    return frozenset(r.then.to for r in kb.rules if isinstance(r.then, Refer) and r.then.urgency == top) \
        - {kb.several_doctors}


def answer_set(kb: KnowledgeBase, answers: Mapping[str, AnswerValue]) -> str:
    """`{chest_pain: yes, past: [tb]}`, in question order."""
    def value(v: AnswerValue) -> str:
        return f"[{', '.join(v)}]" if isinstance(v, tuple) else v

    return "{" + ", ".join(f"{q.id}: {value(answers[q.id])}" for q in kb.questions if q.id in answers) + "}"


def smallest(kb: KnowledgeBase, answers: Mapping[str, AnswerValue],
             shows: Callable[[Answers], bool]) -> Answers:
    """Drop answers (and ticked options) while `shows` still holds; follow-ups no longer asked go too."""
    current = dict(answers)
    shrunk = True
    while shrunk:
        shrunk = False
        for question in reversed([q.id for q in kb.questions if q.id in current]):
            value = current[question]
            candidates = [{k: v for k, v in current.items() if k != question}]
            if isinstance(value, tuple):
                candidates += [{**current, question: tuple(o for o in value if o != drop)} for drop in value]
            for candidate in candidates:
                candidate = applicable(kb, candidate)
                if candidate != current and shows(candidate):
                    current, shrunk = candidate, True
                    break
            if shrunk:
                break
    return current


# --- the properties on one answer set ---------------------------------------------------------------------


class _Found:
    """Violations collected, one per kind and cause (the first witness found, made smallest)."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.problems: dict[tuple[str, ...], Problem] = {}
        self.seen: set[tuple[str, ...]] = set()
        # Steps up that lose something no witness shows: reported unless the same step is shown elsewhere.
        self.pending: dict[tuple[str, ...], Problem] = {}

    def add(self, key: tuple[str, ...], answers: Mapping[str, AnswerValue], shows: Callable[[Answers], bool],
            problem: Callable[[Answers], Problem]) -> None:
        if key not in self.seen:
            self.seen.add(key)
            found = problem(smallest(self.kb, answers, shows))
            if found not in self.problems.values():  # two witnesses may shrink to the same smallest one
                self.problems[key] = found


def _rule_place(kb: KnowledgeBase, rule_ids: Iterable[str], fallback: str) -> Place:
    for rule_id in rule_ids:
        rule = kb.rule[rule_id]
        return Place(rule.file, rule.line, f"rule '{rule.id}'")
    return Place(None, item=fallback)


def _reading(kb: KnowledgeBase, question: str, value: str) -> list[str]:
    """The referral rules that test this answer to this question."""
    return [r.id for r in kb.rules if isinstance(r.then, Refer) and any(
        isinstance(p, AnswerIs) and p.question == question and value in p.values for p in walk(r.when))]


def _check_red_flags(found: _Found, answers: Answers, result: _Result) -> None:
    """(a) and (b) on one answer set."""
    kb = found.kb
    levels = kb.urgency_levels
    for question in (q for q in kb.questions if q.red_flag and answers.get(q.id) in (YES, NOT_SURE)):
        value = answers[question.id]
        floor = levels[0] if value == YES else levels[min(1, len(levels) - 1)]
        rank = result.urgency.rank if result.urgency else -1
        if rank >= floor.rank:
            continue
        q_id = question.id

        def shows(a: Answers, q_id: str = q_id, value: str = str(value), floor: Urgency = floor) -> bool:
            got = _result(kb, a).urgency
            return a.get(q_id) == value and (got.rank if got else -1) < floor.rank

        def problem(a: Answers, q_id: str = q_id, value: str = str(value), floor: Urgency = floor) -> Problem:
            got = _result(kb, a)
            rules = list(dict.fromkeys(_reading(kb, q_id, value) + list(got.deciding)))
            gives = got.urgency.id if got.urgency else "no referral"
            place = _rule_place(kb, rules, f"question '{q_id}'")
            rest = f", for the answers {answer_set(kb, a)} (rules deciding the urgency: " \
                   f"{', '.join(got.deciding) or 'none'})"
            if value == YES:
                return Problem("red-flag-not-emergency", place,
                               f"a 'yes' to red flag '{q_id}' gives {gives}, not {floor.id}{rest}")
            return Problem("not-sure-below-urgent", place,
                           f"'not sure' to red flag '{q_id}' gives {gives}, below {floor.id}{rest}")

        found.add((str(value), q_id), answers, shows, problem)


def _check_referral(found: _Found, answers: Answers, result: _Result, emergency: frozenset[str]) -> None:
    """(c) and (d) on one answer set."""
    kb = found.kb
    if result.urgency is None:
        found.add(("no-referral",), answers, lambda a: _result(kb, a).urgency is None,
                  lambda a: Problem("not-one-referral", Place(None, item="referral"),
                                    f"no referral rule fires for the answers {answer_set(kb, a)}; add a rule "
                                    "{always: true} -> referral"))
        return
    top = kb.urgency_levels[0]
    named = result.named & emergency
    if result.urgency.id == top.id or not named:
        return
    for doctor in sorted(named):
        naming = tuple(r for r in result.deciding if kb.rule[r].then.to == doctor)  # type: ignore[union-attr]

        def shows(a: Answers, doctor: str = doctor) -> bool:
            got = _result(kb, a)
            return got.urgency is not None and got.urgency.id != top.id and doctor in got.named

        def problem(a: Answers, doctor: str = doctor) -> Problem:
            got = _result(kb, a)
            rules = [r for r in got.deciding if kb.rule[r].then.to == doctor]  # type: ignore[union-attr]
            return Problem("emergency-services-below-top", _rule_place(kb, rules, f"doctor '{doctor}'"),
                           f"names {kb.doctor[doctor].name} (doctor '{doctor}') at "
                           f"{got.urgency.id if got.urgency else '-'}, below {top.id}, for the answers "
                           f"{answer_set(kb, a)} (rules: {', '.join(rules)})")

        found.add(("emergency", doctor, *naming), answers, shows, problem)


def _lowered(kb: KnowledgeBase, before: _Result, after: _Result) -> list[str]:
    """What a step up made worse: the urgency, or sections gone."""
    out = []
    if before.urgency and (after.urgency is None or after.urgency.rank < before.urgency.rank):
        out.append(f"lowers the urgency from {before.urgency.id} to {after.urgency.id if after.urgency else '-'}")
    out += [f"removes section '{s}'" for s in sorted(before.sections - after.sections)]
    return out


def _check_step(found: _Found, answers: Answers, step: tuple[str, AnswerValue],
                before: _Result | None = None) -> bool:
    """(e) for one step up from one answer set; True when it made something worse."""
    kb = found.kb
    question, value = step
    after_answers = applicable(kb, {**answers, question: value})
    before = before or _result(kb, answers)
    worse = _lowered(kb, before, _result(kb, after_answers))
    if not worse:
        return False

    def shows(a: Answers) -> bool:
        return question in a and (question, value) in steps_up(kb, a) and bool(
            _lowered(kb, _result(kb, a), _result(kb, applicable(kb, {**a, question: value}))))

    def problem(a: Answers) -> Problem:
        b, c = _result(kb, a), _result(kb, applicable(kb, {**a, question: value}))
        lost = sorted(b.fired - c.fired)
        what = "; ".join(_lowered(kb, b, c))
        return Problem("not-monotone", _rule_place(kb, lost, f"question '{question}'"),
                       f"turning '{question}' from {_show(a[question])} to {_show(value)} {what}, for the answers "
                       f"{answer_set(kb, a)} (rules that no longer fire: {', '.join(lost) or 'none'})")

    found.add(("monotone", question, worse[0].split(" from")[0]), answers, shows, problem)
    return True


def _show(value: AnswerValue) -> str:
    return f"[{', '.join(value)}]" if isinstance(value, tuple) else value


# --- the checks -------------------------------------------------------------------------------------------


def red_flag_problems(kb: KnowledgeBase) -> list[Problem]:
    """(a) and (b), fast enough for start-up: each red flag's block answered alone (the other questions
    left out, which can only lower the urgency: no condition tests an absence), for every fixed answer.
    A red flag whose block is too large is checked on generated sessions instead."""
    found = _Found(kb)
    _red_flags_into(found)
    return list(found.problems.values())


def _red_flags_into(found: _Found) -> bool:
    """(a) and (b) into `found`; True when every red flag's block was enumerated (False: some sampled)."""
    kb = found.kb
    flags = {q.id for q in kb.questions if q.red_flag}
    if not flags:
        return True
    sampled = False
    flag_blocks = [b for b in blocks(kb) if flags & {q.id for q in b}] or [[]]
    for base in fixed_values(kb):
        for block in flag_blocks:
            try:
                sets = block_answer_list(block, base, BLOCK_LIMIT)
            except SpaceTooLarge:
                sampled = True
                continue
            for answers in sets:
                if any(answers.get(flag) in (YES, NOT_SURE) for flag in flags):
                    _check_red_flags(found, answers, _result(kb, answers))
    if sampled:
        for answers in generated_sessions(kb, GENERATED // 6, SEED):
            _check_red_flags(found, answers, _result(kb, answers))
    return not sampled


def _monotone_by_blocks(found: _Found) -> int:
    """(e) for every answer set: within each block, every step up keeps every concern (and every finding or
    answer that feeds a concern or referral) and does not lower the block's own highest referral; rules
    never test an absence, so whatever the other blocks hold, sections and urgency are kept. A block whose
    step loses something is shown on the block's answers alone, or with one other block's answers. A step
    that drops one of the block's own referrals is also safe when the stepped answers alone, through every
    rule, reach that urgency (say, a family doctor 'soon' for belly pain without liver signs, replaced by
    the liver specialist 'soon' a 'not sure' to a liver sign brings)."""
    kb = found.kb
    effects = Effects(kb)
    relevant = {label for label in relevant_labels(kb) if not label.startswith("referral:")}

    def block_urgency(labels: frozenset[str]) -> int:
        ranks = [kb.urgency[label.rsplit(":", 1)[1]].rank for label in labels if label.startswith("referral:")]
        return max(ranks, default=-1)

    all_blocks = blocks(kb)
    fixed = fixed_questions(kb)
    checked = 0
    for index, block in enumerate(all_blocks):
        ids = frozenset(q.id for q in block)
        # A block that no fixed answer steers is the same on every base: checked once, on the first.
        block_bases = fixed_values(kb) if effects.reads_fixed(ids, fixed) else fixed_values(kb)[:1]
        for base in block_bases:
            for answers in block_answer_list(block, base, BLOCK_LIMIT):
                before = effects.of(answers)
                for question, value in steps_up(kb, {q: v for q, v in answers.items() if q not in base}):
                    checked += 1
                    stepped = applicable(kb, {**answers, question: value})
                    after = effects.of(stepped)
                    if not (before & relevant) - after and (
                            block_urgency(after) >= block_urgency(before)
                            or _urgency_rank(kb, stepped) >= block_urgency(before)):
                        # The referral a step drops feeds no rule (nothing reads a referral), so it is enough
                        # that the stepped answers alone, through every rule, reach as high.
                        continue
                    if _check_step(found, answers, (question, value)):
                        continue
                    others = all_blocks[:index] + all_blocks[index + 1:]
                    _show_step_with_others(found, effects, others, base, answers, (question, value),
                                           sorted((before & relevant) - after))
    shown = {key[1] for key in found.problems if key[0] == "monotone"}
    found.problems.update({key: p for key, p in found.pending.items() if key[1] not in shown})
    return checked


def _urgency_rank(kb: KnowledgeBase, answers: Answers) -> int:
    urgency = _result(kb, answers).urgency
    return urgency.rank if urgency else -1


def _show_step_with_others(found: _Found, effects: Effects, others: list[list[Question]], base: Answers,
                           answers: Answers, step: tuple[str, AnswerValue], lost: list[str]) -> None:
    """A step up that loses something within its block: shown with one other block's answers, or else
    reported with what it loses (the proof does not hold)."""
    kb = found.kb
    for other in others:
        witnesses = {effects.of(a): a for a in block_answer_list(other, base, BLOCK_LIMIT)}
        if any(_check_step(found, {**w, **answers}, step) for w in witnesses.values()):
            return
    question, value = step
    lost = lost or ["the block's highest referral"]
    key = ("monotone", question, "lost", *lost)
    if key not in found.seen:
        found.seen.add(key)
        found.pending[key] = Problem(
            "not-monotone", Place(None, item=f"question '{question}'"),
            f"turning '{question}' from {_show(answers[question])} to {_show(value)} loses {', '.join(lost)}, "
            f"which other rules build on, for the answers {answer_set(kb, answers)} (with other answers this "
            "can lower the urgency or remove a section)")


def _check_order(kb: KnowledgeBase, engine: CompiledRules, sessions: list[Answers]) -> tuple[list[Problem], str]:
    """(f) with the engine: a sample of answer sets declared in file order, in a shuffled order at once, and
    one at a time in another shuffled order (as the interview does) must give the same outcome."""
    rng = random.Random(SEED)
    sample = sessions if len(sessions) <= ORDER_SAMPLE else rng.sample(sessions, ORDER_SAMPLE)
    problems: list[Problem] = []
    for answers in sample:
        expected = engine.evaluate(answers)
        orders = [list(answers), list(answers)]
        for order in orders:
            rng.shuffle(order)
        at_once = engine.evaluate({q: answers[q] for q in orders[0]})
        run = engine.new_run()
        run.restart({})
        for question in orders[1]:
            run.add(question, answers[question])
        for outcome, how in ((at_once, "at once"), (run.outcome(), "one at a time")):
            differences = oracle.differences(outcome, expected)
            if differences:
                problems.append(Problem("order-matters", Place(None, item="answer order"),
                                        f"the answers {answer_set(kb, answers)} given {how} in another order "
                                        f"change the outcome: {differences[0]}"))
                return problems, f"order: differs on {answer_set(kb, answers)}"
    return problems, f"order: the engine gave the same outcome in 3 orders for {len(sample):,} answer sets"


def check(kb: KnowledgeBase, engine: CompiledRules | None = None) -> SafetyReport:
    """Every property (a)-(e), exhaustively where the space decomposes, else on generated sessions; and (f)
    with `engine`, if given. Remembered per knowledge-base content (`kb.hash`) for this process."""
    key = (kb.hash, engine is not None)
    if key not in _REMEMBERED:
        _REMEMBERED[key] = _check(kb, engine)
    return _REMEMBERED[key]


_REMEMBERED: dict[tuple[str, bool], SafetyReport] = {}


def _check(kb: KnowledgeBase, engine: CompiledRules | None) -> SafetyReport:
    """(a) and (b) per red flag on its block alone; (c) and (d) on one witness per *referral class* (answer
    sets that fire the same referral rules: block effects kept to `referral_labels`, far fewer than the
    classes of the whole outcome); (e) block by block. Rules never test an absence, so a red flag's block
    alone proves (a) and (b) for every answer set that holds it."""
    found = _Found(kb)
    flags_exhaustive = _red_flags_into(found)
    emergency = emergency_doctors(kb)
    try:
        sessions = enumerate_outcome_classes(kb, BLOCK_LIMIT, keep=referral_labels(kb))
        exhaustive, reason = flags_exhaustive, "" if flags_exhaustive else "a red flag's block is too large"
    except SpaceTooLarge as exc:
        joined = joining_rules(kb)
        by = f"; joined by rule {', '.join(r.id for r in joined[:3])}" if joined else ""
        sessions, exhaustive, reason = generated_sessions(kb, GENERATED, SEED), False, f"{exc}{by}"
    for answers in sessions:
        result = _result(kb, answers)
        _check_red_flags(found, answers, result)
        _check_referral(found, answers, result, emergency)
    try:
        steps = f"{_monotone_by_blocks(found):,} steps up proved block by block"
        steps_exhaustive = True
    except SpaceTooLarge:
        for answers in sessions[:GENERATED_STEPS]:
            result = _result(kb, answers)
            for step in steps_up(kb, answers):
                _check_step(found, answers, step, result)
        steps, steps_exhaustive = f"steps up checked on {min(len(sessions), GENERATED_STEPS):,} of them", False
    if exhaustive and steps_exhaustive:
        coverage = f"proved for every answer set ({len(sessions):,} referral classes; {steps})"
    else:
        coverage = f"checked on {len(sessions):,} {'referral classes' if exhaustive else 'generated sessions'}, " \
                   f"{steps} (not exhaustive: {reason or 'a block of questions is too large'})"
    order = None
    problems = list(found.problems.values())
    if engine is not None:
        order_problems, order = _check_order(kb, engine, sessions)
        problems += order_problems
    return SafetyReport(tuple(problems), coverage, exhaustive and steps_exhaustive, order)
