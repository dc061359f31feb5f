"""The change report of `triage rules diff OLD NEW` as plain text or Markdown: a DiffReport in, a string out.

Rules read as IF ... THEN ... sentences (`describe.rule_sentence`, each in the words of its own version); a
changed text shows before, after and a word diff.
"""

from __future__ import annotations

from collections.abc import Iterator
from difflib import SequenceMatcher

from triage.checks.impact import CaseRun, Change, DiffReport, RuleChange, TextChange
from triage.checks.impact_space import ChangeGroup, Method, SpaceImpact, Summary
from triage.model import Condition, KnowledgeBase
from triage.outcome import AnswerValue
from triage.render.describe import describe, rule_sentence

CONTEXT = 4  # unchanged words kept on each side of a change in a word diff


def word_diff(old: str, new: str, removed: tuple[str, str] = ("[-", "-]"),
              added: tuple[str, str] = ("{+", "+}")) -> str:
    """`old` into `new` word by word, long unchanged stretches shortened to '…'.

    >>> word_diff("Are your lips blue right now?", "Have your lips ever been blue?")
    '[-Are-] {+Have+} your lips [-blue right now?-] {+ever been blue?+}'
    """
    a, b = old.split(), new.split()
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    parts: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            head = words[:CONTEXT] if index > 0 else []
            tail = words[-CONTEXT:] if index < len(opcodes) - 1 else []
            if len(words) > len(head) + len(tail):
                words = head + ["…"] + tail
            parts += words
            continue
        if i2 > i1:
            parts.append(removed[0] + " ".join(a[i1:i2]) + removed[1])
        if j2 > j1:
            parts.append(added[0] + " ".join(b[j1:j2]) + added[1])
    return " ".join(parts)


def _answers(example: tuple[tuple[str, AnswerValue], ...]) -> str:
    shown = (f"{q}: [{', '.join(v)}]" if isinstance(v, tuple) else f"{q}: {v}" for q, v in example)
    return "{" + ", ".join(shown) + "}"


def _outcome(run: CaseRun | Summary) -> str:
    outcome = run.outcome if isinstance(run, CaseRun) else run
    if outcome is None:
        assert isinstance(run, CaseRun)
        return f"answers do not fit ({run.problem})"
    text = f"{outcome.urgency}, to {outcome.doctor}"
    text += f" (also {', '.join(outcome.also)})" if outcome.also else ""
    text += f"; sections: {', '.join(outcome.sections) or 'none'}; workups: {', '.join(outcome.workups) or 'none'}"
    if isinstance(run, CaseRun):
        text += "; passes its expectation" if run.passed else "; FAILS its expectation"
    return text


def _asked(condition: Condition | None) -> str:
    return "always" if condition is None else f"when {describe(condition)}"


def _side(label: str, kb: KnowledgeBase) -> str:
    return f"{label}: {kb.label} ({kb.name} {kb.version}, hash {kb.hash[:12]})"


def _rule_place(change: RuleChange) -> str:
    rule = change.new or change.old
    assert rule is not None
    where = f"{rule.file}:{rule.line}" if rule.line is not None else rule.file
    return f"source: {rule.source}; {where}" if where else f"source: {rule.source}"


def _count(space: SpaceImpact, count: int) -> str:
    """'1 class', '1,234 classes'; for a sample, answer sets (a sample has no classes)."""
    sampled = space.method is Method.SAMPLED
    noun = ("answer set" if sampled else "class") if count == 1 else ("answer sets" if sampled else "classes")
    return f"{count:,} {noun}"


def _group_line(space: SpaceImpact, group: ChangeGroup) -> str:
    lower = " (LOWER)" if group.lower else ""
    return f"{group.change}{lower}: {_count(space, group.count)}; e.g. {_answers(group.example)}"


def _space_paragraph(space: SpaceImpact) -> Iterator[str]:
    match space.method:
        case Method.SAME_RULES:
            yield ("Not compared: both versions have the same content hash (questions, rules and their texts), "
                   "so every outcome is the same; 0 outcome classes compared.")
            return
        case Method.ENUMERATED:
            yield (f"Compared {space.compared:,} outcome classes: every outcome class of the whole answer space "
                   "over the questions of both versions (block enumeration, one example answer set per class, "
                   f"each evaluated by the independent evaluator on both versions); {space.changed:,} changed.")
        case Method.SAMPLED:
            yield (f"NOT exhaustive: the block enumeration cannot be used ({space.why_sampled}), so a seeded sample "
                   f"of generated sessions was compared instead: {space.compared:,} distinct answer sets, each "
                   f"evaluated by the independent evaluator on both versions; {space.changed:,} changed.")
    if space.only_old or space.only_new:
        yield (f"Questions only in OLD: {', '.join(space.only_old) or 'none'}; only in NEW: "
               f"{', '.join(space.only_new) or 'none'}. Each answer set was evaluated on each version with the "
               "answers that version does not have dropped.")


def _summary_line(report: DiffReport) -> str:
    counts = {c: sum(1 for r in report.rules if r.change is c) for c in Change}
    space = report.space
    classes = ("outcome classes not compared (same rules)" if space.method is Method.SAME_RULES
               else f"{space.changed:,} of {space.compared:,} outcome classes changed"
               + (" (sampled)" if space.method is Method.SAMPLED else ""))
    return (f"Rules: {counts[Change.CHANGED]} changed, {counts[Change.ADDED]} added, {counts[Change.REMOVED]} "
            f"removed; texts: {len(report.texts)} changed; questions asked differently: {len(report.asking)}; "
            f"golden cases: {len(report.cases)} of {report.cases_compared} with a different result; {classes}.")


def _sentence(kb: KnowledgeBase, change: RuleChange, new: bool) -> str | None:
    rule = change.new if new else change.old
    return rule_sentence(kb, rule) if rule is not None else None


# --- plain text -------------------------------------------------------------------------------------------


def text(report: DiffReport) -> str:
    lines = ["Changes from OLD to NEW", _side("OLD", report.old), _side("NEW", report.new), ""]
    if report.no_changes:
        lines += ["No changes: the rules, the texts, the golden cases' results and the outcomes of the answer "
                  "space are the same.", ""]
    lines += [_summary_line(report), ""]
    lines += ["== Rules ==" if report.rules else "== Rules: no changes =="]
    for change in report.rules:
        lines.append(f"{change.change.value}: {change.id} ({_rule_place(change)})")
        for label, sentence in (("before", _sentence(report.old, change, False)),
                                ("after ", _sentence(report.new, change, True))):
            if sentence is not None:
                lines.append(f"  {label}: {sentence}")
        if change.old and change.new and change.old.statement != change.new.statement:
            lines.append(f"  statement: {word_diff(change.old.statement, change.new.statement)}")
    lines += ["", "== Texts ==" if report.texts else "== Texts: no changes =="]
    for t in report.texts:
        lines += _text_lines(t)
    if report.asking:
        lines += ["", "== When questions are asked =="]
        lines += [f"question '{a.question}': before {_asked(a.old)}; after {_asked(a.new)}" for a in report.asking]
    lines += ["", f"== Golden cases ({len(report.cases)} of {report.cases_compared} with a different result) =="]
    for case in report.cases:
        lines += [f"{case.id} ({case.origin}): {case.title}", f"  OLD: {_outcome(case.old)}",
                  f"  NEW: {_outcome(case.new)}"]
    lines += ["", "== Outcomes of the whole answer space ==", *_space_paragraph(report.space)]
    lines += [_group_line(report.space, g) for g in report.space.groups]
    return "\n".join(lines) + "\n"


def _text_lines(change: TextChange) -> list[str]:
    head = f"{change.item}, {change.field}"
    if change.old is None:
        return [f"{head} (added)", f"  after:  {change.new}"]
    if change.new is None:
        return [f"{head} (removed)", f"  before: {change.old}"]
    lines = [head, f"  before: {change.old}", f"  after:  {change.new}"]
    return lines + ([f"  change: {word_diff(change.old, change.new)}"] if _worth_a_diff(change) else [])


def _marked(change: TextChange, marks: dict[str, tuple[str, str]]) -> str | None:
    if change.old is None or change.new is None or not _worth_a_diff(change):
        return None
    return word_diff(change.old, change.new, **marks)


def _worth_a_diff(change: TextChange) -> bool:
    """A word diff helps where a sentence changed, not where one word or name replaced another."""
    if change.old is None or change.new is None:
        return False
    return max(len(change.old.split()), len(change.new.split())) > 3


# --- Markdown ---------------------------------------------------------------------------------------------


def _cell(value: str | None) -> str:
    return "" if value is None else " ".join(value.split()).replace("|", "\\|")


def _table(header: tuple[str, ...], rows: list[tuple[str | None, ...]]) -> list[str]:
    return (["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
            + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows] + [""])


def markdown(report: DiffReport) -> str:
    lines = ["# Changes from OLD to NEW", ""]
    lines += _table(("", "folder", "name", "version", "hash"),
                    [(side, kb.label, kb.name, kb.version, f"`{kb.hash[:12]}`")
                     for side, kb in (("OLD", report.old), ("NEW", report.new))])
    if report.no_changes:
        lines += ["**No changes:** the rules, the texts, the golden cases' results and the outcomes of the answer "
                  "space are the same.", ""]
    lines += [_summary_line(report), "", "## Rules", ""]
    lines += _table(("change", "rule", "where", "before", "after"),
                    [(c.change.value, f"`{c.id}`", _rule_place(c), _sentence(report.old, c, False),
                      _sentence(report.new, c, True)) for c in report.rules]) if report.rules else ["No changes.", ""]
    lines += ["## Texts", ""]
    marks = {"removed": ("~~", "~~"), "added": ("**", "**")}
    lines += _table(("item", "field", "before", "after", "change"),
                    [(t.item, t.field, t.old, t.new, _marked(t, marks))
                     for t in report.texts]) if report.texts else ["No changes.", ""]
    if report.asking:
        lines += ["## When questions are asked", ""]
        lines += _table(("question", "before", "after"),
                        [(f"`{a.question}`", _asked(a.old), _asked(a.new)) for a in report.asking])
    lines += ["## Golden cases", "", f"{len(report.cases)} of {report.cases_compared} cases with a different result.",
              ""]
    if report.cases:
        lines += _table(("case", "whose", "OLD", "NEW"),
                        [(f"`{c.id}`", c.origin, _outcome(c.old), _outcome(c.new)) for c in report.cases])
    lines += ["## Outcomes of the whole answer space", ""]
    for paragraph in _space_paragraph(report.space):
        lines += [paragraph, ""]
    if report.space.groups:
        counted = "answer sets" if report.space.method is Method.SAMPLED else "classes"
        lines += _table(("change", counted, "example answer set"),
                        [(g.change + (" **(LOWER)**" if g.lower else ""), f"{g.count:,}",
                          f"`{_answers(g.example)}`") for g in report.space.groups])
    return "\n".join(lines).rstrip("\n") + "\n"
