"""Invariants over the answer space, and agreement of the engine with the reference evaluator (issue 6).

Two parts:
- Generated sessions (hypothesis): answers the interview can really produce, walking the questions in
  order and answering only what would be asked, sometimes leaving a question out or stopping early.
  Every session goes through the experta engine and the reference evaluator, which must agree, and is
  checked against the seven invariants of the issue. CI runs `SESSIONS` of them; CALCITRIAGE_LONG
  multiplies that (docs/safety.md).
- Exhaustive enumeration (marker `enumerate`): the reachable answer space is counted exactly (about
  8e30 answer sets since issue 13's questions), split into independent blocks of questions, and every
  distinct outcome-relevant combination of blocks is evaluated. See docs/safety.md for the argument and the numbers.

One engine is built per module and reused, as a program would (every evaluate() resets it).
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Mapping
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.answers import check_answers
from triage.checks import oracle as reference
from triage.checks import space
from triage.checks.space import (
    Effects,
    block_answers,
    blocks,
    count_answer_sets,
    enumerate_outcome_classes,
    fixed_questions,
    fixed_values,
    relevant_labels,
)
from triage.checks.wording import diagnostic_phrases
from triage.flow import applicable, is_asked, offered_values
from triage.knowledge.load import load_knowledge
from triage.logic import walk
from triage.model import (
    NO,
    NOT_SURE,
    YES,
    AllOf,
    AnswerIncludes,
    AnswerIs,
    AnyOf,
    ConcernRaised,
    Condition,
    FindingReached,
    KnowledgeBase,
    OrganConcernsAtLeast,
    QuestionType,
    Refer,
    Rule,
)
from triage.outcome import AnswerValue, Outcome, concluded_by
from triage.render.text import outcome_text
from triage.rete.engine import CompiledRules

KB = load_knowledge()
ENGINE = CompiledRules(KB)


def _long_multiplier() -> int:
    """CALCITRIAGE_LONG=N runs N times the examples; any other non-empty value (e.g. 1, yes) runs 20 times."""
    value = os.environ.get("CALCITRIAGE_LONG", "").strip()
    if not value or value == "0":
        return 1
    return int(value) if value.isdigit() and int(value) > 1 else 20


LONG = _long_multiplier()
# Generated sessions per test in CI (times LONG in a long run): 1,200 + 400 + 400 = 2,000 in all.
SESSIONS = {"invariants": 1200 * LONG, "order": 400 * LONG, "monotone": 400 * LONG}
# The exhaustive enumeration evaluates every section class (answer sets with the same referral rules and
# sections) with the reference, and every ENGINE_STRIDE-th also with the engine. A long run evaluates every
# outcome class (tests and advice told apart too: 23 times as many), all of them with the engine.
ENGINE_STRIDE = 1 if LONG > 1 else 4
WHOLE_OUTCOME = LONG > 1
RUN: dict[str, int] = {name: 0 for name in SESSIONS}  # sessions actually checked, per test

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow], "print_blob": True}

# A frequent 'no' to the red flags keeps most sessions out of the emergency, so the rest of the rules
# are exercised too; one session in two answers no red flag at all.
STOP = st.sampled_from([False] * 60 + [True])  # stop the interview here (hypothesis favours False)
LEAVE_OUT = st.sampled_from([False] * 30 + [True])  # leave this question out (triage run allows it)


# --- generating sessions the flow can produce --------------------------------------------------------------


@st.composite
def sessions(draw, kb: KnowledgeBase = KB) -> dict[str, AnswerValue]:  # type: ignore[no-untyped-def]
    """Answers in question order, each drawn only for a question asked given the earlier answers."""
    calm = draw(st.booleans())
    answers: dict[str, AnswerValue] = {}
    for question in kb.questions:
        if not is_asked(question, answers):
            continue
        if draw(STOP):
            break
        if draw(LEAVE_OUT):
            continue
        offered = offered_values(question, answers)
        if question.red_flag and calm and NO in offered:
            answers[question.id] = NO
        elif question.type is QuestionType.MULTIPLE_CHOICE:
            ticked = tuple(o for o in offered if draw(st.booleans()))
            answers[question.id] = ticked if question.takes(ticked) else (draw(st.sampled_from(offered)),)
        else:
            answers[question.id] = draw(st.sampled_from(offered))
    return answers


def as_file(answers: Mapping[str, AnswerValue]) -> dict[str, object]:
    """The answers as an answers file would hold them (lists, not tuples)."""
    return {q: list(v) if isinstance(v, tuple) else v for q, v in answers.items()}


# --- the invariants ---------------------------------------------------------------------------------------


def dnf_terms(condition: Condition) -> int:
    """How many ways (activations on distinct facts) experta can match a condition: an upper bound."""
    match condition:
        case AnswerIs(_, values):
            return len(values)
        case AnswerIncludes(_, options):
            return len(options)
        case AllOf(items):
            return math.prod(dnf_terms(c) for c in items)
        case AnyOf(items):
            return sum(dnf_terms(c) for c in items)
    return 1


def firing_bound(kb: KnowledgeBase) -> int:
    """Invariant 7: the most data-rule firings a session can need. A rule fires at most once per way it can
    match, and a rule on the organ count once more for every value the count passes through."""
    organs = sum(1 for s in kb.sections if s.organ)
    def times(rule: Rule) -> int:
        return organs if any(isinstance(c, OrganConcernsAtLeast) for c in walk(rule.when)) else 1

    return sum(dnf_terms(r.when) * times(r) for r in kb.rules)


FIRING_BOUND = firing_bound(KB)
FIRINGS_PER_RULE = math.ceil(FIRING_BOUND / len(KB.rules))  # the k of "len(kb.rules) * k"


def sex_gates(kb: KnowledgeBase) -> dict[str, tuple[str, frozenset[str]]]:
    """Sections whose own questions are all asked only for some answers to one single-choice question.

    From the data: every prostate question is asked only when `sex` is male, so the prostate section is
    gated by (sex, {male}). Invariant 5: such a section never appears unless that answer was given.
    """
    gates = {}
    for section in kb.sections:
        own = [q for q in kb.questions if q.topic == section.id]
        allowed: dict[str, frozenset[str]] = {}
        for q in own:
            parts = [q.ask_when] if not isinstance(q.ask_when, AllOf) else list(q.ask_when.items)
            found = {p.question: frozenset(p.values) for p in parts if isinstance(p, AnswerIs)
                     and kb.question[p.question].type is QuestionType.SINGLE_CHOICE}
            allowed = found if not allowed else {k: v & found[k] for k, v in allowed.items() if k in found}
            if not allowed:
                break
        if own and allowed:
            gate_question, values = sorted(allowed.items())[0]
            gates[section.id] = (gate_question, values)
    return gates


GATES = sex_gates(KB)


def _reads(kb: KnowledgeBase, part: Condition) -> tuple[set[tuple[str, str]], list[str]]:
    """The (question, value) pairs one part of a condition tests, and the conclusions it builds on."""
    match part:
        case AnswerIs(question, values) | AnswerIncludes(question, values):
            return {(question, v) for v in values}, []
        case ConcernRaised(section):
            return set(), [f"concern:{section}"]
        case FindingReached(finding):
            return set(), [f"finding:{finding}"]
        case OrganConcernsAtLeast(_):
            return set(), [f"concern:{s.id}" for s in kb.sections if s.organ]
    return set(), []


def leads_to(kb: KnowledgeBase) -> dict[str, set[tuple[str, str]]]:
    """For each section, every (question, value) that can start a chain of rules ending in its concern."""

    @cache
    def atoms(label: str) -> frozenset[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for rule in (r for r in kb.rules if str(concluded_by(r)) == label):
            for part in walk(rule.when):
                direct, built_on = _reads(kb, part)
                out |= direct
                for other in built_on:
                    out |= atoms(other)
        return frozenset(out)

    return {s.id: set(atoms(f"concern:{s.id}")) for s in kb.sections}


LEADS_TO = leads_to(KB)


def was_given(answers: Mapping[str, AnswerValue], question: str, value: str) -> bool:
    got = answers.get(question)
    return value in got if isinstance(got, tuple) else got == value


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@cache
def _diagnostic(sentence: str) -> tuple[str, ...]:
    return tuple(diagnostic_phrases(sentence))


def diagnostic_sentences(text: str) -> list[str]:
    """The sentences of `text` (line breaks undone) that hold diagnostic phrasing. Checked one sentence at a
    time, with a cache: no phrase spans a sentence end, and most sentences recur from outcome to outcome."""
    return [s for s in _SENTENCE_END.split(" ".join(text.split())) if _diagnostic(s)]


def check_invariants(answers: Mapping[str, AnswerValue], outcome: Outcome, firings: int | None,
                     text: bool = True) -> None:
    """Invariants 1, 2, 5, 6 and 7 of issue 6 for one evaluated session (3 and 4 need other sessions).

    `firings` is the engine's count (None for the reference); `text` renders the result screen to check it.
    """
    kb = KB
    # 1. Exactly one referral, with exactly one urgency: the highest any referral rule reached.
    referral = outcome.referral
    assert referral.to.id in kb.doctor and referral.urgency.id in kb.urgency
    reached = [kb.urgency[s.rule.then.urgency] for s in outcome.explanation if isinstance(s.rule.then, Refer)]
    assert reached and referral.urgency == max(reached, key=lambda u: u.rank)
    assert referral.rules and all(kb.rule[r].then.urgency == referral.urgency.id for r in referral.rules)
    # 2. A red flag 'yes' gives emergency; 'not sure' at least urgent.
    top = max(u.rank for u in kb.urgency_levels)
    for question in kb.questions:
        if question.red_flag and answers.get(question.id) == YES:
            assert referral.urgency.rank == top, f"{question.id}: yes gave {referral.urgency.id}"
        if question.red_flag and answers.get(question.id) == NOT_SURE:
            assert referral.urgency.rank >= kb.urgency["urgent"].rank, f"{question.id}: not sure gave " \
                                                                      f"{referral.urgency.id}"
    # 5. No section for questions the person could not be asked.
    for section in outcome.section_ids:
        if section in GATES:
            question, values = GATES[section]
            given_value = answers.get(question)
            assert given_value in values, f"section {section} with {question}={given_value}"
        assert any(was_given(answers, q, v) for q, v in LEADS_TO[section]), f"{section}: from no answer"
    # 6. No diagnostic phrasing anywhere on the result screen; the explanation names only given answers.
    if text:
        assert diagnostic_sentences(outcome_text(kb, outcome)) == []
    for step in outcome.explanation:
        for question, value in step.answers:
            assert was_given(answers, question, value), f"{step.rule.id} names {question}={value}, not given"
    # 7. The engine settled within a bound computed from the rules.
    if firings is not None:
        assert firings <= FIRING_BOUND <= len(kb.rules) * FIRINGS_PER_RULE


def evaluate(answers: Mapping[str, AnswerValue]) -> Outcome:
    """The engine's outcome, checked against the reference evaluator and the invariants."""
    run = ENGINE.new_run()
    run.restart(answers)
    outcome, firings = run.outcome(), len(run.trace().firings)
    assert reference.differences(outcome, reference.evaluate(KB, answers)) == []
    check_invariants(answers, outcome, firings)
    return outcome


# --- generated sessions -----------------------------------------------------------------------------------


@settings(max_examples=SESSIONS["invariants"], **SETTINGS)
@given(sessions())
def test_every_generated_session_keeps_the_invariants_and_both_evaluators_agree(answers):
    assert check_answers(KB, as_file(answers), "generated") == answers  # the answers loader accepts it as is
    evaluate(answers)
    RUN["invariants"] += 1


def shuffled(answers: Mapping[str, AnswerValue], data) -> dict[str, AnswerValue]:  # type: ignore[no-untyped-def]
    order = data.draw(st.permutations(list(answers)))
    return {q: tuple(data.draw(st.permutations(list(answers[q])))) if isinstance(answers[q], tuple)
            else answers[q] for q in order}


@settings(max_examples=SESSIONS["order"], **SETTINGS)
@given(sessions(), st.data())
def test_the_same_answers_in_any_order_give_the_same_outcome(answers, data):
    # 4. Declared at once in a shuffled order, and one at a time with the engine running after each
    #    (as the interview does), the answers give the outcome of the file order.
    expected = evaluate(answers)
    at_once = shuffled(answers, data)
    assert reference.differences(ENGINE.evaluate(at_once), expected) == []
    one_by_one = shuffled(answers, data)
    run = ENGINE.new_run()
    run.restart({})
    for question, value in one_by_one.items():
        run.add(question, value)
    assert reference.differences(run.outcome(), expected) == []
    RUN["order"] += 1


def steps_up(answers: Mapping[str, AnswerValue]) -> list[tuple[str, AnswerValue]]:
    """Every single change of one answer towards 'more' (triage.checks.space.steps_up, on the shipped rules)."""
    return space.steps_up(KB, answers)


def assert_not_lower(before: Outcome, after: Outcome, change: tuple[str, AnswerValue]) -> None:
    assert after.referral.urgency.rank >= before.referral.urgency.rank, \
        f"{change}: urgency {before.referral.urgency.id} -> {after.referral.urgency.id}"
    assert set(before.section_ids) <= set(after.section_ids), \
        f"{change}: sections {before.section_ids} -> {after.section_ids}"


@settings(max_examples=SESSIONS["monotone"], **SETTINGS)
@given(sessions(), st.data())
def test_turning_one_answer_up_never_lowers_the_urgency_or_removes_a_section(answers, data):
    # 3. Every step up is checked with the reference; one drawn step also with the engine (and agreement).
    before = evaluate(answers)
    changes = steps_up(answers)
    for question_id, value in changes:
        changed = applicable(KB, {**answers, question_id: value})
        assert_not_lower(before, reference.evaluate(KB, changed), (question_id, value))
    no_to_yes = [c for c in changes if answers[c[0]] == NO and c[1] == YES]
    if no_to_yes:
        question_id, value = data.draw(st.sampled_from(no_to_yes))
        after = evaluate(applicable(KB, {**answers, question_id: value}))
        assert_not_lower(before, after, (question_id, value))
    RUN["monotone"] += 1


def test_enough_sessions_were_generated():
    """The done-criterion of issue 6: at least 2,000 generated sessions through both evaluators in CI."""
    if not all(RUN.values()):
        pytest.skip("run the whole file to count the generated sessions")
    assert sum(RUN.values()) >= 2000
    print(f"\ngenerated sessions checked: {RUN} = {sum(RUN.values())}")


def test_the_generator_reaches_every_rule_and_every_outcome_level():
    """The strategy is not stuck in a corner: over its examples every rule fires and every urgency occurs."""
    fired: set[str] = set()
    urgencies: set[str] = set()

    # A fixed seed: with a random one, 400 sessions miss a rare rule now and then, and a check of the
    # generator must not fail by chance (the property tests above keep their random seeds).
    @settings(max_examples=400, database=None, derandomize=True, **SETTINGS)
    @given(sessions())
    def collect(answers):  # type: ignore[no-untyped-def]
        outcome = reference.evaluate(KB, answers)
        fired.update(s.rule.id for s in outcome.explanation)
        urgencies.add(outcome.referral.urgency.id)

    collect()
    assert urgencies == set(KB.urgency)
    assert {r.id for r in KB.rules} - fired == set()


def test_the_invariant_checks_catch_a_broken_outcome():
    """The checks are not vacuous: each rejects an outcome that breaks it."""
    answers = {"chest_pain": YES, "sex": "female"}
    good = ENGINE.evaluate(answers)
    routine = ENGINE.evaluate({})
    with pytest.raises(AssertionError, match="chest_pain: yes gave routine"):
        check_invariants(answers, routine, 0)
    prostate = ENGINE.evaluate({"sex": "male", "urination_screen": YES})
    with pytest.raises(AssertionError, match="section prostate with sex=female"):
        check_invariants({"sex": "female"}, prostate, 0)
    with pytest.raises(AssertionError, match="names"):
        check_invariants({**answers, "chest_pain": NOT_SURE}, good, 0)
    with pytest.raises(AssertionError):
        check_invariants(answers, good, FIRING_BOUND + 1)
    wrapped = "Whom to see: a family doctor. Sadly, you\nhave a calcification. Keep check-ups."
    assert diagnostic_sentences(wrapped) == ["Sadly, you have a calcification."]


# --- the size of the answer space -------------------------------------------------------------------------


def test_the_reachable_answer_space_is_counted_exactly():
    complete, accepted = count_answer_sets(KB, False), count_answer_sets(KB, True)
    assert complete < accepted
    # The five red flags alone, each yes/no/not sure: 3^5 complete sessions start with them.
    assert complete % 3 ** 5 == 0
    print(f"\ncomplete sessions: {complete:,}; answer sets triage run accepts: {accepted:,}")


# --- exhaustive enumeration, block by block (triage/checks/space.py) -------------------------------------

FIXED = "sex"  # held fixed while the rest splits into independent blocks; each value (and left out) is tried


def test_the_fixed_question_is_found_from_the_data():
    assert fixed_questions(KB) == (FIXED,)


def test_the_decomposition_covers_every_session_exactly():
    """The blocks are independent given FIXED: their counts multiply out to the direct count of the flow."""
    total = 0
    for base in fixed_values(KB):
        product = 1
        for block in blocks(KB):
            product *= sum(1 for _ in block_answers(block, base))
        total += product
    assert total == count_answer_sets(KB, True)


def test_red_flags_decide_the_urgency_in_every_session():
    """Invariant 2 for all sessions at once: each red flag is a block of its own whose 'yes' effect holds an
    emergency referral and whose 'not sure' effect an urgent one; the outcome's urgency is the highest
    referral in the union of the effects, so no other answer can lower it."""
    effects = Effects(KB)
    by_question = {b[0].id: b for b in blocks(KB)}
    for question in (q for q in KB.questions if q.red_flag):
        assert by_question[question.id] == [question]
        for value, floor in ((YES, "emergency"), (NOT_SURE, "urgent")):
            levels = [label.rsplit(":", 1)[1] for label in effects.of({question.id: value})
                      if label.startswith("referral:")]
            assert max((KB.urgency[u].rank for u in levels), default=0) >= KB.urgency[floor].rank, \
                f"{question.id}: {value}"


def block_urgency(labels: frozenset[str]) -> int:
    ranks = [KB.urgency[label.rsplit(":", 1)[1]].rank for label in labels if label.startswith("referral:")]
    return max(ranks, default=0)


def test_no_single_step_up_can_lower_the_urgency_or_remove_a_section_in_any_session():
    """Invariant 3 for all sessions at once: within each block, every step up (no -> not sure -> yes, one more
    option ticked) keeps every concern, and every finding or answer that feeds a concern or referral; and
    either does not lower the block's own highest referral, or the stepped block's answers alone reach that
    urgency anyway through every rule (the reference evaluator). The second case is a referral read from
    'no' answers: belly pain with 'no' to every liver sign means a family doctor soon (referral.belly_trouble);
    'not sure' about a liver sign drops that referral but raises the liver section, whose referral is soon
    too. No condition can read a referral, and rules never test an absence, so whatever the other blocks hold, the
    outcome keeps its sections and its urgency (the highest referral reached)."""
    effects = Effects(KB)
    relevant = {label for label in relevant_labels(KB) if not label.startswith("referral:")}
    checked = reached_otherwise = 0
    for base in fixed_values(KB):
        for block in blocks(KB):
            for answers in block_answers(block, base):
                before = effects.of(answers)
                for question_id, value in steps_up({q: v for q, v in answers.items() if q != FIXED}):
                    stepped = applicable(KB, {**answers, question_id: value})
                    after = effects.of(stepped)
                    lost = (before & relevant) - after
                    assert not lost, f"{answers} with {question_id}={value} loses {sorted(lost)}"
                    if block_urgency(after) < block_urgency(before):
                        alone = reference.evaluate(KB, stepped).referral.urgency.rank
                        assert alone >= block_urgency(before), f"{answers}, {question_id}={value}"
                        reached_otherwise += 1
                    checked += 1
    print(f"\nsteps up checked block by block: {checked:,} ({reached_otherwise:,} reach the urgency through "
          "other rules)")


@pytest.mark.enumerate
def test_every_outcome_class_of_the_whole_answer_space():
    """Every distinct union of block effects (one witness session each) through the reference and the
    invariants, and every ENGINE_STRIDE-th also through the engine, which must agree: this covers the
    referral, urgency and sections of every one of the ~8e30 answer sets `triage run` accepts, and in a long
    run (CALCITRIAGE_LONG) their tests and advice as well (docs/safety.md). The unions are kept to the labels
    that can change a referral or a section (`relevant_labels`) unless the run is long."""
    started = time.perf_counter()
    witnesses = enumerate_outcome_classes(KB, keep=None if WHOLE_OUTCOME else relevant_labels(KB))
    through_engine = 0
    for index, witness in enumerate(witnesses):
        expected = reference.evaluate(KB, witness)
        check_invariants(witness, expected, None, text=False)
        if index % ENGINE_STRIDE == 0:
            run = ENGINE.new_run()
            run.restart(witness)
            outcome = run.outcome()
            assert reference.differences(outcome, expected) == [], witness
            check_invariants(witness, outcome, len(run.trace().firings))
            through_engine += 1
    elapsed = time.perf_counter() - started
    kind = "outcome classes" if WHOLE_OUTCOME else "section classes"
    print(f"\n{kind} enumerated: {len(witnesses):,} (engine on {through_engine:,}) "
          f"in {elapsed:.0f} s; answer sets covered: {count_answer_sets(KB, True):,}")
    assert len(witnesses) > 1000
