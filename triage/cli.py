"""The `triage` command: parses arguments, calls the library, prints. Nothing more.

Every error a person can cause (a bad rules folder, a bad answers file) ends in readable lines on
stderr and exit code 2, never a traceback. Commands and front ends return an Ending; EXIT_CODES below is
the one place where endings become numbers.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from triage.endings import Ending
from triage.errors import Severity, TriageError

if TYPE_CHECKING:
    from triage.frontends.kiosk.process import ProcessHold
    from triage.knowledge.leaflet import Leaflet

# The exit codes people and scripts see (README.md, docs/kiosk.md); no other module of triage/ holds them.
EXIT_CODES: dict[Ending, int] = {
    Ending.FINISHED: 0,
    Ending.CHECK_FAILED: 1,  # a golden case (`rules test`) or the check (`rules check`) failed
    Ending.INPUT_ENDED: 1,  # input ended before the interview did
    Ending.WENT_WRONG: 1,  # the person was shown the emergency advice; the kiosk gave up
    Ending.BAD_INPUT: 2,  # a bad knowledge base, answers file, configuration or batch line
    Ending.QUIT: 130,  # the person quit with Ctrl-C (as a shell reports an interrupted command)
}


def _load(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from triage.knowledge.load import load_knowledge

    return load_knowledge(args.rules)


def cmd_run(args: argparse.Namespace) -> Ending:
    """Evaluate an answers file and print the outcome; or, with --batch, many recorded sessions.

    The answers file may also be a FHIR QuestionnaireResponse (JSON) to `triage questions --format fhir`.
    --format fhir writes a FHIR Bundle (the QuestionnaireResponse and the referral as a ServiceRequest),
    --format cds-card a CDS Hooks card (docs/fhir.md).
    Example: triage run --answers examples/past-tb.yaml --format json
             triage run --answers response.json --format fhir
             triage run --batch sessions.jsonl --jobs 2 > outcomes.jsonl
    """
    from triage.checks.selftest import checked_rules

    kb = _load(args)
    engine = checked_rules(kb)  # refuses (exit 2) on a failing golden case or a check error
    if args.batch is not None:
        return _run_batch(engine, args.batch, args.jobs, args.format)
    name, answers = _read_answers(kb, args.answers)
    outcome = _confirmed(kb, engine.evaluate(answers), answers, name, args.format != "text")
    sys.stdout.write(_outcome_output(kb, outcome, args.format))
    return Ending.FINISHED


def _outcome_output(kb, outcome, fmt: str) -> str:  # type: ignore[no-untyped-def]
    """The outcome as `--format` asks: text, the JSON outcome, a FHIR Bundle or a CDS Hooks card."""
    from triage.render.json_format import outcome_json
    from triage.render.text import outcome_text
    from triage.standards import cds, fhir

    if fmt == "fhir":
        return fhir.to_json(fhir.outcome_bundle(kb, outcome)) + "\n"
    if fmt == "cds-card":
        return fhir.to_json(cds.card(kb, outcome)) + "\n"
    return outcome_json(outcome) + "\n" if fmt == "json" else outcome_text(kb, outcome)


def _read_answers(kb, path: str):  # type: ignore[no-untyped-def]
    """The checked answers of an answers file, or of a FHIR QuestionnaireResponse, and the file's name."""
    from triage.answers import check_answers, read_answers_file
    from triage.standards.fhir_answers import answers_from_fhir, is_fhir

    name, raw = read_answers_file(path)
    return name, answers_from_fhir(kb, raw, name) if is_fhir(raw) else check_answers(kb, raw, name)


def _confirmed(kb, outcome, answers, name: str, as_json: bool = False):  # type: ignore[no-untyped-def]
    """The outcome once the reference evaluator agrees (checks/second_opinion.py). If not: the emergency
    advice on stdout (for --format json inside an error object), and the SecondOpinionError goes on to main,
    which prints the disagreement on stderr and exits 1."""
    import json

    from triage.checks.second_opinion import SecondOpinionError, confirmed

    try:
        return confirmed(kb, outcome, answers, name)
    except SecondOpinionError as exc:
        advice = _went_wrong_text(_notice(kb.emergency_signs))
        print(json.dumps({"errors": [str(p) for p in exc.problems], "advice": advice}, indent=2, ensure_ascii=False)
              if as_json else "\n" + advice)
        raise


def _disagreed(exc: Exception, emergency_notice: str) -> Ending:
    """An interview that broke: the emergency advice; when the reference evaluator did not confirm the outcome
    (a SecondOpinionError, told by its code so that nothing is imported before the opening screen), the
    disagreement is reported on stderr too."""
    if isinstance(exc, TriageError) and _second_opinion_failed(exc):
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
    return _went_wrong(emergency_notice)


def _second_opinion_failed(exc: TriageError) -> bool:
    return any(p.code == "second-opinion" for p in exc.problems)


def _run_batch(engine, path: str, jobs: int | None, fmt: str = "json") -> Ending:  # type: ignore[no-untyped-def]
    """One JSON line on stdout per input line, in order; errors also on stderr; a progress line on stderr only
    when stderr is a terminal and stdout is not (so it never lands among the JSON lines)."""
    import stat
    import time

    from triage.errors import AnswersError, Place, Problem
    from triage.frontends.batch import Progress, default_jobs, evaluate_blocks, read_lines
    from triage.frontends.startup import settle_memory

    # The rules, the knowledge base and the libraries live as long as the batch: left out of the collections
    # that would walk them again (and, in forked workers, copy every page they touch).
    settle_memory()
    name = "<stdin>" if path == "-" else path
    try:
        stream = _stdin_bytes() if path == "-" else open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise AnswersError([Problem("unreadable", Place(name), f"cannot be read: {exc.strerror}")]) from exc
    progress = None
    if sys.stderr.isatty() and not sys.stdout.isatty():
        info = os.fstat(stream.fileno())
        total = info.st_size - stream.tell() if stat.S_ISREG(info.st_mode) else None  # a pipe's size is unknown
        progress = Progress(sys.stderr, total, time.monotonic())
    failed = done = 0
    write = _bytes_writer()
    with stream:
        for block in evaluate_blocks(engine, read_lines(stream), name, jobs or default_jobs(), fmt):
            write(block.text)
            done += block.lines
            if block.errors:
                failed += len(block.errors)
                if progress is not None:
                    progress.clear()
                for error in block.errors:
                    print(f"error: {error}", file=sys.stderr)
            if progress is not None:
                progress.count(block, time.monotonic())
    if progress is not None:
        progress.end(time.monotonic())
    if failed:
        print(f"error: {failed} of {done} lines could not be evaluated (see the 'errors' lines)", file=sys.stderr)
    return Ending.BAD_INPUT if failed else Ending.FINISHED


def _bytes_writer():  # type: ignore[no-untyped-def]
    """A function writing UTF-8 bytes to stdout (batch lines come as bytes); a text-only stdout gets them decoded.
    On a terminal each piece is flushed at once, as the text layer flushes each line there."""
    sys.stdout.flush()  # anything written as text so far goes first
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        return lambda data: sys.stdout.write(data.decode("utf-8"))
    if not sys.stdout.isatty():
        return out.write

    def write_and_flush(data: bytes) -> None:
        out.write(data)
        out.flush()
    return write_and_flush


def _stdin_bytes():  # type: ignore[no-untyped-def]
    """Standard input as bytes (batch lines are decoded one by one); a text-only stdin (Python embedded in
    another program, a test) is encoded back."""
    import io

    buffer = getattr(sys.stdin, "buffer", None)
    return buffer if buffer is not None else io.BytesIO(sys.stdin.read().encode("utf-8"))


def cmd_questions(args: argparse.Namespace) -> Ending:
    """List every question: id, wording, type, options and when it is asked.

    Example: triage questions --format json
    """
    from triage.render.json_format import questions_json
    from triage.render.text import questions_text

    kb = _load(args)
    if args.format == "fhir":
        sys.stdout.write(_questionnaire_json(kb) + "\n")
    else:
        sys.stdout.write(questions_json(kb) + "\n" if args.format == "json" else questions_text(kb))
    return Ending.FINISHED


def _questionnaire_json(kb) -> str:  # type: ignore[no-untyped-def]
    """The FHIR Questionnaire, active with its approval date once the sign-off records cover every item."""
    from triage.knowledge.reviews import review_status
    from triage.standards.fhir import DRAFT, approval, questionnaire, to_json

    try:
        status = approval(review_status(kb))
    except TriageError:  # reviews.yaml does not load (`rules status` says why): nothing counts as reviewed
        status = DRAFT
    return to_json(questionnaire(kb, status))


def cmd_rules_test(args: argparse.Namespace) -> Ending:
    """Run the golden cases in the rules folder's cases/ and print one line per case.

    Exit 0 when every case passes; a failing case shows how the outcome differs from the expectation.
    Example: triage rules test --rules ./my-rules
    """
    from triage.checks.cases import rules_not_exercised, run_cases
    from triage.rete.engine import CompiledRules

    engine = CompiledRules(_load(args))
    results = run_cases(engine)
    for result in results:
        print(f"{'pass' if result.passed else 'FAIL'}  {result.case.id}: {result.case.title}")
        for difference in result.differences:
            print(f"      {difference}")
    failed = sum(not r.passed for r in results)
    unexercised = rules_not_exercised(engine, results)
    print(f"{len(results) - failed} passed, {failed} failed")
    if unexercised:
        print(f"rules no case exercises ({len(unexercised)}): {', '.join(unexercised)}")
    return Ending.CHECK_FAILED if failed else Ending.FINISHED


def cmd_rules_check(args: argparse.Namespace) -> Ending:
    """Validate and lint the knowledge base: errors first, then warnings. Exit 0 only with no errors.

    Finds, besides load errors: unused questions; sections, workups and urgency levels no rule reaches;
    rules that can never fire; red-flag rules not marked 'safety'; diagnostic wording; hard-to-read
    texts (reading grade per text with --readability); failing golden cases. And it proves the safety
    properties for every answer set (or, where the answer space is too large, checks them on generated
    sessions, and says so): a red-flag 'yes' gives emergency, 'not sure' at least urgent; emergency services
    only at emergency; one referral; turning an answer up never lowers the urgency or removes a section;
    the order of the answers does not matter. Each violation names the rules and a smallest answer set.
    Every rule must say what it rests on (cites, reference or rationale, by its kind of source); with
    --leaflet FILE, every leaflet locator cited must name a paragraph of that leaflet.
    Example: triage rules check --rules ./my-rules
             triage rules check --leaflet ../shared/seed/calcification-leaflet.txt
    """
    from triage.checks import safety
    from triage.checks.lint import READABILITY_MAX_GRADE, check, readability
    from triage.rete.engine import compile_rules

    kb = _load(args)
    leaflet = _leaflet(args)
    engine = compile_rules(kb)
    notes = check(kb, engine, leaflet)
    errors = [n for n in notes if n.severity is Severity.ERROR]
    warnings = [n for n in notes if n.severity is not Severity.ERROR]
    print(f"Knowledge base {kb.name} {kb.version} ({kb.hash[:12]}): {len(kb.questions)} questions, "
          f"{len(kb.rules)} rules, {len(kb.cases)} golden cases")
    proof = safety.check(kb, engine)  # computed once by check() above
    print(f"safety: {proof.coverage}")
    if leaflet is not None:
        print(f"leaflet: {leaflet.name} ({len(leaflet.locators())} paragraphs in {len(leaflet.sections)} sections)")
    if proof.order:
        print(proof.order)
    print(f"\nErrors ({len(errors)}):" if errors else "\nErrors: none")
    for note in errors:
        print(f"  {note.as_finding()}")
    print(f"\nWarnings ({len(warnings)}):" if warnings else "\nWarnings: none")
    for note in warnings:
        print(f"  {note.as_finding()}")
    if args.readability:
        print(f"\nReading grade of every patient text (Flesch-Kincaid; above {READABILITY_MAX_GRADE:.0f} is flagged):")
        for where, grade, _ in readability(kb):
            print(f"  {grade:5.1f}  {where}")
    return Ending.CHECK_FAILED if errors else Ending.FINISHED


def _leaflet(args: argparse.Namespace) -> Leaflet | None:
    """The leaflet given with --leaflet, parsed into sections of paragraphs (None without it)."""
    from triage.knowledge.leaflet import read_leaflet

    return read_leaflet(args.leaflet) if args.leaflet is not None else None


def cmd_rules_review(args: argparse.Namespace) -> Ending:
    """Write the review sheet to sign off on paper: the result of `rules check` (failing golden cases first),
    every text a patient reads next to the rules that show it, an urgency decision table, every question and
    rule per part of the leaflet with the golden cases and `any` branches that exercise it, a picture of the
    rule network, a coverage matrix of rules by cases, the sign-off state of every rule and text (who signed,
    what changed since review), orphaned records, how many records are signed, and a sign-off form.
    One self-contained HTML file (works offline; prints on A4 with a footer naming version, hash and page),
    or Markdown with the same content.

    With --leaflet FILE, each rule shows the leaflet paragraph(s) it cites, and a "leaflet coverage" part
    lists every paragraph with the rules (and the questions they read) that cite it.

    Example: triage rules review -o review.html
             triage rules review --format markdown -o review.md
             triage rules review --leaflet ../shared/seed/calcification-leaflet.txt -o review.html
    """
    from triage.checks.cases import run_cases
    from triage.checks.lint import check
    from triage.knowledge.reading import load_reading
    from triage.knowledge.review_items import review_items
    from triage.knowledge.reviews import review_status
    from triage.render import review_sheet
    from triage.rete.engine import compile_rules

    kb = _load(args)
    leaflet = _leaflet(args)
    engine = compile_rules(kb)
    reading_problems: tuple[str, ...] = ()
    try:
        reading = load_reading(kb)
    except TriageError as exc:  # no or broken reading pages: the sheet says so (`rules check` names the problem)
        reading, reading_problems = None, tuple(str(p) for p in exc.problems)
    review = review_status(kb, items=review_items(kb, reading) if reading is not None else None)
    sheet = review_sheet.build(kb, review, run_cases(engine), check(kb, engine, leaflet), reading, reading_problems,
                               leaflet=leaflet)
    text = review_sheet.html(sheet) if args.format == "html" else review_sheet.markdown(sheet)
    if args.output is None or str(args.output) == "-":
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote the review sheet to {args.output}")
    return Ending.FINISHED


def cmd_rules_approve(args: argparse.Namespace) -> Ending:
    """Sign off rules or texts: record reviewer, role, date, version and what was reviewed in reviews.yaml.

    Refused for an item in which `triage rules check` finds an error. Safety rules and the emergency signs
    count as reviewed only once two reviewers (different names) approved them. --sign-with adds an SSH
    signature made with your key (see rules/README.md). After a plain `pip install .` the built-in rules are
    inside the installed program: approve, reject and revoke then need --rules with your working copy.
    Example: triage rules approve lungs.tb_history text.about --reviewer "Dr A. Smith" --role pulmonologist
    """
    from triage.checks.lint import check
    from triage.knowledge.reviews import approve
    from triage.rete.engine import compile_rules

    kb = _load_to_sign_off(args)
    new = approve(kb, args.item_ids, args.reviewer, args.role, findings=check(kb, compile_rules(kb)),
                  comment=args.comment or "", sign_with=args.sign_with)
    return _decided(kb, new)


def cmd_rules_reject(args: argparse.Namespace) -> Ending:
    """Record that you do not accept rules or texts as they stand, and why (shown by `rules status`).

    Example: triage rules reject kidneys.stones --reviewer "Dr B. Jones" --role nephrologist --comment "too vague"
    """
    from triage.knowledge.reviews import reject

    kb = _load_to_sign_off(args)
    return _decided(kb, reject(kb, args.item_ids, args.reviewer, args.role, args.comment, sign_with=args.sign_with))


def cmd_rules_revoke(args: argparse.Namespace) -> Ending:
    """Withdraw your own earlier approval or rejection of rules or texts, and say why.

    Example: triage rules revoke lungs.tb_history --reviewer "Dr A. Smith" --comment "signed the wrong rule"
    """
    from triage.knowledge.reviews import revoke

    kb = _load_to_sign_off(args)
    return _decided(kb, revoke(kb, args.item_ids, args.reviewer, args.comment, sign_with=args.sign_with))


def _load_to_sign_off(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The knowledge base whose reviews.yaml a decision goes into. Not the built-in one when it was installed
    with the program (`pip install .`): a record written there is lost at the next install and never reaches
    the working copy a clinician stands in (issue 14, item 12). Refused before anything is loaded or written.
    """
    if args.rules is None:
        from triage.errors import Place, Problem
        from triage.knowledge.paths import builtin_rules_dir, is_installed_copy
        from triage.texts import ui

        builtin = builtin_rules_dir()
        if is_installed_copy(builtin):
            here = next((folder for folder in ("rules", ".") if (Path(folder) / "knowledge.yaml").is_file()), None)
            message = (ui("cli.signoff_installed", folder=here) if here is not None
                       else ui("cli.signoff_installed_elsewhere"))
            raise TriageError([Problem("installed-rules", Place(str(builtin)), message)])
    return _load(args)


def _decided(kb, new) -> Ending:  # type: ignore[no-untyped-def]
    from triage.knowledge.opening import REVIEWS_FILE
    from triage.knowledge.reviews import review_status
    from triage.texts import ui

    states = review_status(kb).by_id
    for record in new:
        role = f" ({record.role})" if record.role else ""
        signed = ", signed" if record.signature else ""
        print(f"{record.decision} {record.item} by {record.reviewer}{role} on {record.date}{signed}")
        if record.item in states:
            print(f"  {record.item} is now: {states[record.item].state}")
    # Say where: after a plain (non-editable) install the built-in rules live inside the installed package,
    # not in the project folder a clinician may be standing in (issue 14, item 12).
    print(ui("cli.reviews_written", count=len(new), path=Path(kb.directory) / REVIEWS_FILE))
    return Ending.FINISHED


def cmd_rules_status(args: argparse.Namespace) -> Ending:
    """List every rule and text as reviewed, needs a second reviewer, changed since review (with what
    changed), rejected, sign-off revoked or never reviewed; then records of items that no longer exist.

    --allowed-signers FILE checks each record's SSH signature: good, bad or unsigned (exit 1 if one is bad).
    Example: triage rules status
             triage rules status --verify --allowed-signers reviewers.allowed_signers
    """
    from triage.errors import Place, Problem
    from triage.knowledge.reviews import STATES, review_status
    from triage.knowledge.signatures import BAD, NOT_CHECKED, UNSIGNED

    if args.verify and args.allowed_signers is None:
        raise TriageError([Problem("bad-value", Place(None, field="--verify"),
                                   "needs --allowed-signers FILE: who may sign, and with which key")])
    if args.allowed_signers is not None and not args.allowed_signers.is_file():
        raise TriageError([Problem("no-such-file", Place(str(args.allowed_signers)), "does not exist")])
    kb = _load(args)
    report = review_status(kb, allowed_signers=args.allowed_signers)
    width = max((len(s.item.id) for s in report.items), default=10)

    def who(record) -> str:  # type: ignore[no-untyped-def]
        role = f", {record.role}" if record.role else ""
        comment = f': "{record.comment}"' if record.comment else ""
        signature = report.signatures[record.number]
        return f"{record.decision} by {record.reviewer}{role}, {record.date}, {signature}{comment}"

    for s in report.items:
        by = f"  ({'; '.join(who(r) for r in s.standing)})" if s.standing else ""
        print(f"{s.item.id:<{width}}  {s.state}{by}")
        for line in s.diff:
            print(f"    {line}")
    if report.orphans:
        print(f"\nOrphaned records ({len(report.orphans)}), for items renamed or removed since:")
        for record in report.orphans:
            print(f"  review #{record.number}: {record.item}, {who(record)}")
    rules = sum(1 for s in report.items if s.item.kind == "rule")
    print(f"\n{len(report.items)} items ({rules} rules, {len(report.items) - rules} other texts): "
          + ", ".join(f"{report.count(state)} {state}" for state in STATES))
    marks = list(report.signatures.values())
    signed = len(marks) - marks.count(UNSIGNED)
    if args.allowed_signers is None:
        print(f"Signatures: {marks.count(UNSIGNED)} records unsigned, {signed} signed "
              f"({NOT_CHECKED}: use --verify --allowed-signers FILE)")
    else:
        print(f"Signatures: {marks.count('good')} good, {marks.count(BAD)} bad, {marks.count(UNSIGNED)} unsigned")
    return Ending.CHECK_FAILED if BAD in marks else Ending.FINISHED


def cmd_rules_diff(args: argparse.Namespace) -> Ending:
    """Compare two versions of a knowledge base: what releasing NEW in place of OLD changes.

    Rules added, removed and changed (IF/THEN before and after), texts changed, golden cases whose result
    changed, and the outcome classes of the whole answer space whose urgency, referral, sections or workups
    changed, with counts and one example answer set each.

    Example: triage rules diff rules/ ../new-rules/ --format markdown -o changes.md
    """
    from triage.checks.impact import compare
    from triage.errors import KnowledgeBaseError, TriageError
    from triage.knowledge.load import load_knowledge
    from triage.render import diff_report

    loaded, problems = [], []
    for folder in (args.old, args.new):
        try:
            loaded.append(load_knowledge(folder))
        except TriageError as exc:
            problems += exc.problems
    if problems:
        raise KnowledgeBaseError(problems)
    report = compare(*loaded)
    text = diff_report.markdown(report) if args.format == "markdown" else diff_report.text(report)
    if args.output is None or str(args.output) == "-":
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote the change report to {args.output}")
    return Ending.FINISHED


def cmd_explain(args: argparse.Namespace) -> Ending:
    """Explain one answers file in plain words, stage by stage, for clinicians.

    The answers, then the concerns, findings, tests, referral and
    advice they led to, each with the rule and the answers behind it, and why the outcome is or is not an
    emergency (with a warning when emergency questions were left unanswered). --facts shows the engine's
    forward chaining instead: every fact declared and every rule fired with the facts it matched, in order.

    Example: triage explain --answers examples/past-tb.yaml
             triage explain --answers examples/past-tb.yaml --facts
    """
    from triage.render.trace import explain_text, trace_text
    from triage.rete.engine import compile_rules

    kb = _load(args)
    name, answers = _read_answers(kb, args.answers)
    run = compile_rules(kb).new_run()
    run.restart(answers)
    outcome = _confirmed(kb, run.outcome(), answers, name)
    sys.stdout.write(trace_text(kb, run.trace(), outcome) if args.facts else explain_text(kb, outcome))
    return Ending.FINISHED


def cmd_interview(args: argparse.Namespace) -> Ending:
    """Answer the questions in a guided interview and see whom to see, and how soon.

    Runs when `triage` is called with no command. Plain mode (numbered options, one line at a time) is
    used with --plain, and whenever standard input or output is not a terminal.
    Example: triage interview --save my-answers.json
    """
    plain = args.plain or not (sys.stdin.isatty() and sys.stdout.isatty())
    if not plain:
        from triage.checks.opening_texts import may_show_early
        from triage.knowledge.opening import read_opening
        from triage.knowledge.paths import builtin_rules_dir

        opening = read_opening(Path(args.rules) if args.rules is not None else builtin_rules_dir())
        if opening is not None and may_show_early(opening):
            return _interview_while_preparing(args, opening)
    # Plain mode, texts that only a full load can give, or that fail the checks: everything is loaded and
    # checked first.
    from triage.checks.selftest import checked_rules
    from triage.frontends.asker import Asker, PlainAsker, QuestionaryAsker
    from triage.frontends.interview import Interview
    from triage.knowledge.reviews import review_notices

    kb = _load(args)
    engine = checked_rules(kb)  # refuses to start (exit 2): a failing golden case or a check error
    asker: Asker = PlainAsker() if plain else QuestionaryAsker()
    try:
        return Interview(engine, asker, save=args.save, notices=review_notices(kb)).run()
    except BrokenPipeError:
        raise  # nobody reads the output any more, not even the advice: main() decides how this ended
    except Exception as exc:  # noqa: BLE001 - whatever broke, the person leaves with the emergency advice, no traceback
        return _disagreed(exc, _notice(kb.emergency_signs))


def _interview_while_preparing(args: argparse.Namespace, opening) -> Ending:  # type: ignore[no-untyped-def]
    """The opening screen at once; the rules are loaded, compiled and self-tested while it is read."""
    from triage.frontends.asker import QuestionaryAsker
    from triage.frontends.opening_screen import interview_while_preparing
    from triage.frontends.startup import Preparation, settle_memory

    def prepare():  # type: ignore[no-untyped-def]
        import triage.frontends.interview  # noqa: F401 - imported here, not after the person chose to start
        from triage.checks.selftest import checked_rules

        engine = checked_rules(_load(args))  # refuses to start (exit 2): a failing golden case or a check error
        settle_memory()
        return engine

    asker = QuestionaryAsker()
    preparation = Preparation(prepare)
    preparation.start_after_drawing(asker.prompt.application)
    try:
        return interview_while_preparing(asker, opening, preparation, save=args.save)
    except TriageError as exc:
        if not _second_opinion_failed(exc):
            raise
        return _disagreed(exc, opening.emergency_notice)
    except Exception as exc:  # noqa: BLE001 - as above
        return _disagreed(exc, opening.emergency_notice)
    finally:
        preparation.wait()


def _went_wrong(emergency_notice: str) -> Ending:
    print("\n" + _went_wrong_text(emergency_notice))
    return Ending.WENT_WRONG


def _went_wrong_text(emergency_notice: str) -> str:
    from triage.texts import ui

    return ui("errors.went_wrong", notice=emergency_notice)


def _notice(signs: Sequence[str]) -> str:
    from triage.texts import emergency_notice

    return emergency_notice(signs)


class _TopParser(argparse.ArgumentParser):
    """The top-level parser: its description ends with the emergency notice, made from the red flags of the
    built-in knowledge base only when the help is shown (reading them costs start-up time)."""

    def format_help(self) -> str:
        from triage.knowledge.opening import read_emergency_signs
        from triage.knowledge.paths import builtin_rules_dir
        from triage.texts import ui

        signs = read_emergency_signs(builtin_rules_dir())
        if signs is None:  # a broken built-in rules folder: the full load says what is wrong
            signs = _load(argparse.Namespace(rules=None)).emergency_signs
        self.description = ui("cli.description", notice=_notice(signs))
        return super().format_help()


class _Version(argparse.Action):
    """--version, looked up only when asked for (start-up speed)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None):  # noqa: A002
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        from importlib.metadata import version

        from triage.texts import ui

        print(ui("cli.version", version=version("calcitriage")))
        parser.exit()


def cmd_kiosk(args: argparse.Namespace) -> Ending:
    """Run a shared waiting-room terminal: welcome, questions or reading, cleared after each person.

    Needs a configuration file with a staff code hash (make the line with --hash-code). Staff leave with
    Ctrl-X then Ctrl-E and the staff code. Setting it up as a real kiosk: docs/kiosk.md.
    Example: triage kiosk --config /etc/calcitriage/kiosk.toml
    """
    from triage.checks.selftest import checked_rules
    from triage.frontends.kiosk.kiosk import kiosk_main, print_code_hash
    from triage.frontends.startup import settle_memory
    from triage.texts import ui

    if args.hash_code:
        try:
            return print_code_hash()
        except EOFError:  # Ctrl-D at a code prompt
            print(f"\nerror: {ui('cli.no_staff_code')}", file=sys.stderr)
            return Ending.BAD_INPUT
    engine = checked_rules(_load(args))  # refuses to start (exit 2): a failing golden case or a check error
    settle_memory()
    return kiosk_main(args.config, engine)  # the engine that passed the self-test serves the patients


MIN_WARNING_SECONDS = 20  # WCAG 2.2.1: a person must get at least 20 seconds to say they are still there


def cmd_serve(args: argparse.Namespace) -> Ending:
    """Serve the questionnaire to browsers: the same questions, rules and result as the interview.

    Open the address it prints (http://127.0.0.1:8000 by default). Nothing is stored: each page carries its
    answers, signed. --kiosk: a welcome page for one person after another, cleared after each person and
    after some time without a touch (docs/kiosk.md). --workers N: N processes, any may answer any page.
    Example: triage serve
             triage serve --kiosk --host 0.0.0.0 --port 8080
    """
    from triage.checks.selftest import checked_rules
    from triage.errors import Place, Problem
    from triage.frontends.web.app import WebSettings
    from triage.frontends.web.server import serve

    # The tests that need a kiosk of a few seconds build WebSettings themselves (tests/support/web.py).
    if args.warning_seconds < MIN_WARNING_SECONDS or args.idle_seconds < args.warning_seconds + 10:
        raise TriageError([Problem("bad-value", Place(None, field="--warning-seconds"),
                                   f"must be at least {MIN_WARNING_SECONDS} seconds, and --idle-seconds at least "
                                   "10 more")])
    engine = checked_rules(_load(args))  # refuses to start (exit 2): a failing golden case or a check error
    settings = WebSettings.make(args.kiosk, args.idle_seconds, args.warning_seconds)
    return serve(engine, args.rules, args.host, args.port, args.workers, settings)


def build_parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(add_help=False)
    top.add_argument("--rules", metavar="DIR", type=Path,
                     help="use the knowledge base in DIR instead of the built-in one")
    # After the command, --rules must not reset a --rules given before it: hence SUPPRESS here.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--rules", metavar="DIR", type=Path, default=argparse.SUPPRESS,
                        help="use the knowledge base in DIR instead of the built-in one")
    parser = _TopParser(prog="triage", parents=[top])  # its description: _TopParser.format_help
    parser.add_argument("--version", action=_Version, help="print the program's version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=argparse.ArgumentParser)

    def command(name: str, func, **kwargs) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        doc = (func.__doc__ or "").strip()
        p = sub.add_parser(name, parents=[common], help=doc.splitlines()[0], description=doc,
                           formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)
        p.set_defaults(func=func)
        return p

    interview = command("interview", cmd_interview)
    for p in (parser, interview):
        p.add_argument("--plain", action="store_true", default=argparse.SUPPRESS,
                       help="numbered options, one line at a time, no cursor keys or colour")
        p.add_argument("--save", metavar="FILE", type=Path, default=argparse.SUPPRESS,
                       help="write the answers and the outcome (JSON) to FILE; triage run --answers reads it")
    run = command("run", cmd_run)
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument("--batch", metavar="FILE.jsonl",
                        help="many sessions: one answers object per line in, one outcome (JSON) per line out")
    source.add_argument("--answers", metavar="FILE",
                        help="YAML or JSON mapping of question ids to answers, or a FHIR QuestionnaireResponse; "
                             "'-' reads standard input")
    run.add_argument("--jobs", type=_positive, metavar="N",
                     help="with --batch: worker processes, each with its own engine (default: every core)")
    run.add_argument("--format", choices=("text", "json", "fhir", "cds-card"), default="text",
                     help="text for people to read (the default), json for programs, fhir for a FHIR R4 Bundle, "
                          "cds-card for a CDS Hooks card (docs/fhir.md); with --batch, text gives json")
    questions = command("questions", cmd_questions)
    questions.add_argument("--format", choices=("text", "json", "fhir"), default="text",
                           help="text for people to read (the default), json for programs, or fhir for a FHIR R4 "
                                "Questionnaire (docs/fhir.md)")
    rules = sub.add_parser("rules", help="check, test and review the knowledge base (for clinicians)")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="RULES_COMMAND", required=True)
    test = rules_sub.add_parser("test", parents=[common], help=(cmd_rules_test.__doc__ or "").splitlines()[0],
                                description=cmd_rules_test.__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    test.set_defaults(func=cmd_rules_test)

    def rules_command(name: str, func) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
        doc = (func.__doc__ or "").strip()
        p = rules_sub.add_parser(name, parents=[common], help=doc.splitlines()[0], description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(func=func)
        return p

    check = rules_command("check", cmd_rules_check)
    check.add_argument("--readability", action="store_true", help="also list the reading grade of every text")
    review = rules_command("review", cmd_rules_review)
    review.add_argument("-o", "--output", type=Path, metavar="FILE", help="where to write it (default: stdout)")
    review.add_argument("--format", choices=("html", "markdown"), default="html")
    for p in (check, review):  # issue 13: sources that can be checked
        p.add_argument("--leaflet", type=Path, metavar="FILE",
                       help="the patient leaflet (text): check that every locator cited names one of its paragraphs")
    for name, func, needs in (("approve", cmd_rules_approve, ("role",)), ("reject", cmd_rules_reject,
                              ("role", "comment")), ("revoke", cmd_rules_revoke, ("comment",))):
        decide = rules_command(name, func)
        decide.add_argument("item_ids", nargs="+", metavar="ID", help="rule ids, or text.*, reading.*, question.*")
        decide.add_argument("--reviewer", required=True, metavar="NAME", help="your name, as in allowed signers")
        if "role" in needs:
            decide.add_argument("--role", required=True, metavar="ROLE")
        decide.add_argument("--comment", required="comment" in needs, metavar="TEXT", help="why (one line)")
        decide.add_argument("--sign-with", type=Path, metavar="KEY", help="sign the record with this SSH key")
    status = rules_command("status", cmd_rules_status)
    status.add_argument("--verify", action="store_true", help="check the records' SSH signatures")
    status.add_argument("--allowed-signers", type=Path, metavar="FILE", help="reviewers' keys (ssh-keygen format)")
    diff = rules_sub.add_parser("diff", help=(cmd_rules_diff.__doc__ or "").splitlines()[0],  # two folders, no --rules
                                description=cmd_rules_diff.__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    diff.set_defaults(func=cmd_rules_diff)
    diff.add_argument("old", metavar="OLD", help="the rules folder of the version in use")
    diff.add_argument("new", metavar="NEW", help="the rules folder of the version to release")
    diff.add_argument("--format", choices=("text", "markdown"), default="text")
    diff.add_argument("-o", "--output", type=Path, metavar="FILE", help="where to write it (default: stdout)")
    explain = command("explain", cmd_explain)
    explain.add_argument("--answers", required=True, metavar="FILE",
                         help="YAML or JSON mapping of question ids to answers; '-' reads standard input")
    explain.add_argument("--facts", action="store_true",
                         help="the developer trace: every fact declared and every rule fired, in order")
    kiosk = command("kiosk", cmd_kiosk)
    kiosk.add_argument("--config", metavar="FILE", type=Path,
                       help="the kiosk configuration (default: /etc/calcitriage/kiosk.toml)")
    kiosk.add_argument("--hash-code", action="store_true",
                       help="read a staff code twice (not shown) and print the line for the configuration")
    serve = command("serve", cmd_serve)
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default: 8000)")
    serve.add_argument("--workers", type=_positive, default=1, metavar="N",
                       help="worker processes, each with its own checked copy of the rules (default: 1)")
    serve.add_argument("--kiosk", action="store_true",
                       help="a shared screen: welcome page, cleared after each person and when left alone")
    serve.add_argument("--idle-seconds", type=float, default=120, metavar="S",
                       help="kiosk: back to the welcome page after S seconds without a touch or key (default: 120)")
    serve.add_argument("--warning-seconds", type=float, default=30, metavar="S",
                       help="kiosk: 'Still there?' S seconds before that, at least 20 (default: 30)")
    return parser


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more, not {text!r}")
    return number


def _save_problem(args: argparse.Namespace) -> str | None:
    """Why --save cannot be used, or None: checked before the first question, never after the last."""
    from triage.texts import ui

    path: Path | None = args.save
    if path is None:
        return None
    if args.func is not cmd_interview:
        return ui("cli.save_not_here", command=args.command)
    if path.is_dir():
        return ui("cli.save_is_folder", path=path)
    folder = path.parent
    if not folder.is_dir():
        return ui("cli.save_no_folder", path=path, folder=folder)
    try:  # append mode: an existing file is neither emptied nor changed by the check
        existed = path.exists()
        with path.open("a", encoding="utf-8"):
            pass
        if not existed:
            path.unlink()
    except OSError as exc:
        return ui("cli.save_not_writable", path=path, reason=exc.strerror or exc.__class__.__name__)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    hold = _hold_kiosk() if argv is None else None
    try:
        return _main(argv)
    finally:
        if hold is not None:
            hold.release()


def _hold_kiosk() -> ProcessHold | None:
    """`triage kiosk` holds its signals, keys and terminal before anything else is imported or done
    (triage/frontends/kiosk/process.py); only the program itself does, never a test calling main()."""
    if _command_word(sys.argv[1:]) != "kiosk" or {"--hash-code", "-h", "--help"} & set(sys.argv[1:]):
        return None
    sys.dont_write_bytecode = True  # before the import below: not even the kiosk's own code is cached
    from triage.frontends.kiosk.process import ProcessHold

    return ProcessHold().take()


def _command_word(argv: list[str]) -> str | None:
    """The command in `argv` before argparse reads it: the first word that is not an option or its value."""
    words = iter(argv)
    for word in words:
        if word == "--rules":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = cmd_interview
    args.plain = getattr(args, "plain", False)
    args.save = getattr(args, "save", None)
    unsavable = _save_problem(args)
    if unsavable is not None:
        print(f"error: {unsavable}", file=sys.stderr)
        return EXIT_CODES[Ending.BAD_INPUT]
    interrupts = _Interrupts()
    try:
        with interrupts.noticed():
            ending: Ending = args.func(args)
    except TriageError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        ending = exc.ending
    except KeyboardInterrupt:
        ending = Ending.QUIT
    except BrokenPipeError as exc:
        _send_stdout_nowhere()
        # Whoever read the output stopped reading: nothing is wrong, unless the person pressed Ctrl-C. In
        # `triage | tee log` Ctrl-C stops tee as well, so the question whether to quit cannot be shown, let
        # alone answered, and nothing more can be: the person quit (130), as they would have on a terminal.
        ending = Ending.QUIT if interrupts.seen or _after_interrupt(exc) else Ending.FINISHED
    return EXIT_CODES[ending]


class _Interrupts:
    """Whether Ctrl-C reached the program as a signal while a command ran (plain mode; at a questionary
    prompt Ctrl-C is a key instead, and _after_interrupt sees it)."""

    def __init__(self) -> None:
        self.seen = False

    @contextmanager
    def noticed(self) -> Iterator[None]:
        """Python's own handler, wrapped to take note; any other handler (SIGINT ignored, a test's) is left alone."""
        if (threading.current_thread() is not threading.main_thread()
                or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
            yield
            return

        def note(signum: int, frame: FrameType | None) -> None:
            self.seen = True
            signal.default_int_handler(signum, frame)  # raises KeyboardInterrupt, as before

        signal.signal(signal.SIGINT, note)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _after_interrupt(exc: BaseException) -> bool:
    """Whether `exc` was raised while a KeyboardInterrupt was being handled (e.g. asking whether to quit)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__context__
    return False


def _send_stdout_nowhere() -> None:
    """After a broken pipe, what is still buffered for stdout would fail again when Python exits, with an
    "Exception ignored ... BrokenPipeError" message: point stdout at /dev/null (the Python docs' advice, in
    the signal module's "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (a test's capture): nothing will flush to a pipe
        pass


if __name__ == "__main__":
    sys.exit(main())
