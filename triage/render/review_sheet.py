"""The review sheet: every question and rule, grouped by the part of the leaflet it rests on, with golden
cases, a picture of the rule network and each rule's sign-off status. One self-contained HTML file (works
offline, prints well), or Markdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

from triage.checks.cases import CaseResult
from triage.knowledge.reviews import CHANGED, NEVER, REVIEWED, Review
from triage.model import KnowledgeBase, Question, Rule
from triage.render.describe import describe, rule_sentence
from triage.render.network import edges, svg


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    cases: tuple[CaseResult, ...]


@dataclass(frozen=True)
class Sheet:
    kb: KnowledgeBase
    groups: tuple[Group, ...]
    status: dict[str, tuple[str, Review | None]]
    results: tuple[CaseResult, ...]
    exercised: frozenset[str]
    day: str


def build(kb: KnowledgeBase, status: dict[str, tuple[str, Review | None]], results: list[CaseResult],
          day: date | None = None) -> Sheet:
    exercised = frozenset(s.rule.id for r in results if r.outcome for s in r.outcome.explanation)
    source_ids = {s.id for s in kb.sources}
    groups = []
    unplaced = tuple(q for q in kb.questions if q.topic not in source_ids)
    if unplaced:
        groups.append(Group("other", "Questions about the person", unplaced, (), ()))
    for source in kb.sources:
        rules = tuple(r for r in kb.rules if r.source == source.id)
        questions = tuple(q for q in kb.questions if q.topic == source.id)
        cases = tuple(r for r in results if source.id in r.case.expect.sections
                      or (r.outcome and any(s.rule.source == source.id and source.id in kb.section
                                            for s in r.outcome.explanation)))
        if rules or questions:
            groups.append(Group(source.id, source.title, questions, rules, cases))
    return Sheet(kb, tuple(groups), status, tuple(results), exercised, (day or date.today()).isoformat())


def _counts(sheet: Sheet) -> dict[str, int]:
    counts = {REVIEWED: 0, CHANGED: 0, NEVER: 0}
    for state, _ in sheet.status.values():
        counts[state] += 1
    return counts


def _asked(question: Question) -> str:
    return "always" if question.ask_when is None else f"when {describe(question.ask_when)}"


def _status_words(sheet: Sheet, rule: Rule) -> str:
    state, record = sheet.status[rule.id]
    if record is None:
        return state
    return f"{state} (by {record.reviewer}, {record.role}, {record.date})"


def _case_line(result: CaseResult) -> tuple[str, str, str]:
    expect = result.case.expect
    expected = f"{expect.urgency}; sections: {', '.join(sorted(expect.sections)) or 'none'}; " \
               f"workups: {', '.join(sorted(expect.workups)) or 'none'}"
    if result.outcome is None:
        actual = "could not run: " + "; ".join(result.differences)
    else:
        o = result.outcome
        actual = f"{o.referral.urgency.id}; sections: {', '.join(sorted(o.section_ids)) or 'none'}; " \
                 f"workups: {', '.join(sorted(o.workup_ids)) or 'none'}"
    return expected, actual, "pass" if result.passed else "FAIL: " + "; ".join(result.differences)


_CSS = """
body{font-family:system-ui,Segoe UI,Arial,sans-serif;max-width:1000px;margin:1em auto;padding:0 1em;color:#111}
h1{font-size:1.6em}h2{border-bottom:2px solid #333;margin-top:2em}h3{margin-top:1.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #999;padding:4px 6px;
vertical-align:top;text-align:left;font-size:.92em}th{background:#eee}
.safety{background:#fff1e6}.tag{font-weight:bold}.mono{font-family:monospace;font-size:.9em}
.status-reviewed{color:#064}.status-changed{color:#a00;font-weight:bold}.status-never{color:#555}
svg .node rect{fill:#f4f4f4;stroke:#444}svg .concern rect,svg .finding rect,svg .organ_concerns rect{fill:#e8f0ff}
svg .referral rect{fill:#fff1e6}svg .workup rect{fill:#eaf7ea}svg .advice rect{fill:#f7f3e0}
svg text{font:12px monospace}svg .col{font:bold 13px sans-serif}svg .edge{stroke:#555;fill:none}
@media print{h2{page-break-before:always}svg{max-width:100%;height:auto}a{color:inherit}}
"""


def html(sheet: Sheet) -> str:
    kb = sheet.kb
    counts = _counts(sheet)
    total = len(kb.rules)
    unexercised = [r.id for r in kb.rules if r.id not in sheet.exercised]
    e = escape
    out = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Review sheet: {e(kb.name)}</title>"
           f"<style>{_CSS}</style></head><body>",
           f"<h1>Review sheet: {e(kb.name)}</h1>",
           "<table><tr><th>version</th><td>" + e(kb.version) + "</td></tr>"
           f"<tr><th>content hash</th><td class='mono'>{e(kb.hash)}</td></tr>"
           f"<tr><th>made on</th><td>{e(sheet.day)}</td></tr>"
           f"<tr><th>rules</th><td>{total}: {counts[REVIEWED]} reviewed, {counts[CHANGED]} changed since review, "
           f"{counts[NEVER]} never reviewed</td></tr>"
           f"<tr><th>golden cases</th><td>{sum(r.passed for r in sheet.results)} of {len(sheet.results)} pass"
           "</td></tr>"
           f"<tr><th>coverage</th><td>{total - len(unexercised)} of {total} rules are exercised by a golden case"
           + (f"; not exercised: {e(', '.join(unexercised))}" if unexercised else "") + "</td></tr></table>",
           "<p>Rules marked <span class='tag'>SAFETY</span> rest on widely accepted emergency practice, not on "
           "the leaflet. Every other rule names the part of the leaflet it rests on.</p>",
           "<p>Contents: " + ", ".join(f"<a href='#{e(g.id)}'>{e(g.title)}</a>" for g in sheet.groups) + "</p>"]
    for group in sheet.groups:
        out.append(f"<h2 id='{e(group.id)}'>{e(group.title)}</h2>")
        if group.questions:
            out.append("<h3>Questions</h3><table><tr><th>id</th><th>wording</th><th>type and options</th>"
                       "<th>asked</th></tr>")
            for q in group.questions:
                options = "; ".join(f"{o.id}: {o.label}" + (f" (offered when {describe(o.ask_when)})"
                                                             if o.ask_when else "") for o in q.options)
                help_text = f"<br><i>Help: {e(q.help)}</i>" if q.help else ""
                flag = " <span class='tag'>RED FLAG</span>" if q.red_flag else ""
                out.append(f"<tr><td class='mono'>{e(q.id)}{flag}</td><td>{e(q.text)}{help_text}</td>"
                           f"<td>{e(q.type.value)}{': ' + e(options) if options else ''}</td>"
                           f"<td>{e(_asked(q))}</td></tr>")
            out.append("</table>")
        if group.rules:
            out.append("<h3>Rules</h3><table><tr><th>id</th><th>rule</th><th>source</th><th>review status</th></tr>")
            for r in group.rules:
                state = sheet.status[r.id][0]
                css = {REVIEWED: "reviewed", CHANGED: "changed", NEVER: "never"}[state]
                safety = " class='safety'" if r.source == "safety" else ""
                tag = "<span class='tag'>SAFETY</span> " if r.source == "safety" else ""
                out.append(f"<tr{safety}><td class='mono'>{e(r.id)}</td><td>{tag}<b>{e(r.statement)}</b><br>"
                           f"{e(rule_sentence(kb, r))}</td><td>{e(kb.source[r.source].title)}</td>"
                           f"<td class='status-{css}'>{e(_status_words(sheet, r))}</td></tr>")
            out.append("</table>")
            out.append("<h3>Rule network</h3>" + svg(kb, list(group.rules), f"Rule network: {group.title}"))
        if group.cases:
            out.append("<h3>Golden cases</h3><table><tr><th>case</th><th>expected</th><th>actual</th>"
                       "<th>result</th></tr>")
            for result in group.cases:
                expected, actual, verdict = _case_line(result)
                out.append(f"<tr><td><b>{e(result.case.id)}</b>: {e(result.case.title)}<br><i>"
                           f"{e(result.case.story)}</i></td><td>{e(expected)}</td><td>{e(actual)}</td>"
                           f"<td>{e(verdict)}</td></tr>")
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(sheet: Sheet) -> str:
    kb = sheet.kb
    counts = _counts(sheet)
    total = len(kb.rules)
    unexercised = [r.id for r in kb.rules if r.id not in sheet.exercised]
    out = [f"# Review sheet: {kb.name}", "",
           f"- version: {kb.version}", f"- content hash: `{kb.hash}`", f"- made on: {sheet.day}",
           f"- rules: {total}: {counts[REVIEWED]} reviewed, {counts[CHANGED]} changed since review, "
           f"{counts[NEVER]} never reviewed",
           f"- golden cases: {sum(r.passed for r in sheet.results)} of {len(sheet.results)} pass",
           f"- coverage: {total - len(unexercised)} of {total} rules are exercised by a golden case"
           + (f"; not exercised: {', '.join(unexercised)}" if unexercised else ""), "",
           "Rules marked **SAFETY** rest on widely accepted emergency practice, not on the leaflet."]
    for group in sheet.groups:
        out += ["", f"## {group.title}"]
        if group.questions:
            out += ["", "### Questions", "", "| id | wording | type and options | asked |", "|---|---|---|---|"]
            for q in group.questions:
                options = "; ".join(f"{o.id}: {o.label}" for o in q.options)
                flag = " **RED FLAG**" if q.red_flag else ""
                out.append(f"| `{q.id}`{flag} | {_md(q.text)} | {q.type.value}{': ' + _md(options) if options else ''}"
                           f" | {_md(_asked(q))} |")
        if group.rules:
            out += ["", "### Rules", "", "| id | rule | source | review status |", "|---|---|---|---|"]
            for r in group.rules:
                tag = "**SAFETY** " if r.source == "safety" else ""
                out.append(f"| `{r.id}` | {tag}**{_md(r.statement)}** {_md(rule_sentence(kb, r))} | "
                           f"{_md(kb.source[r.source].title)} | {_md(_status_words(sheet, r))} |")
            out += ["", "### Rule network", ""]
            out += [f"- {a} → {b} (`{rule_id}`)" for a, b, rule_id in edges(kb, list(group.rules))]
        if group.cases:
            out += ["", "### Golden cases", "", "| case | expected | actual | result |", "|---|---|---|---|"]
            for result in group.cases:
                expected, actual, verdict = _case_line(result)
                out.append(f"| **{result.case.id}**: {_md(result.case.title)} | {_md(expected)} | {_md(actual)} | "
                           f"{_md(verdict)} |")
    return "\n".join(out) + "\n"
