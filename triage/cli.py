"""The `triage` command: parses arguments, calls the library, prints. Nothing more.

Every error a person can cause (a bad rules folder, a bad answers file) ends in readable lines on
stderr and exit code 2, never a traceback. Commands and front ends return an Ending; EXIT_CODES below is
the one place where endings become numbers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from triage.endings import Ending
from triage.errors import Severity, TriageError

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

    Example: triage run --answers examples/past-tb.yaml --format json
             triage run --batch sessions.jsonl > outcomes.jsonl
    """
    from triage.answers import check_answers, read_answers_file
    from triage.checks.selftest import checked_rules
    from triage.render.json_format import outcome_json
    from triage.render.text import outcome_text

    kb = _load(args)
    engine = checked_rules(kb)  # refuses (exit 2) on a failing golden case or a check error
    if args.batch is not None:
        return _run_batch(engine, args.batch)
    name, raw = read_answers_file(args.answers)
    answers = check_answers(kb, raw, name)
    outcome = engine.evaluate(answers)
    sys.stdout.write(outcome_json(outcome) + "\n" if args.format == "json" else outcome_text(kb, outcome))
    return Ending.FINISHED


def _run_batch(engine, path: str) -> Ending:  # type: ignore[no-untyped-def]
    """One outcome (JSON) per input line on stdout; a progress bar on stderr when it is a terminal."""
    import time

    from triage.errors import AnswersError, Place, Problem
    from triage.frontends.batch import evaluate_lines

    name = "<stdin>" if path == "-" else path
    try:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise AnswersError([Problem("unreadable", Place(name), f"cannot be read: {exc.strerror}")]) from exc
    total = None
    if path != "-" and sys.stderr.isatty():
        with open(path, "rb") as counting:
            total = sum(1 for line in counting if line.strip())
    failed, done, started, shown = 0, 0, time.monotonic(), 0.0
    with stream:
        for line in evaluate_lines(engine, stream, name):
            sys.stdout.write(line.output + "\n")
            done += 1
            if line.error is not None:
                failed += 1
                print(f"error: {line.error}", file=sys.stderr)
            now = time.monotonic()
            if sys.stderr.isatty() and now - shown > 0.1:
                shown = now
                sys.stderr.write("\r" + _progress(done, total, done / max(now - started, 1e-9)))
    if sys.stderr.isatty():
        sys.stderr.write("\r" + _progress(done, total, done / max(time.monotonic() - started, 1e-9)) + "\n")
    if failed:
        print(f"error: {failed} of {done} lines could not be evaluated (see the 'errors' lines)", file=sys.stderr)
    return Ending.BAD_INPUT if failed else Ending.FINISHED


def _progress(done: int, total: int | None, rate: float) -> str:
    if not total:
        return f"{done} sessions ({rate:.0f}/s)"
    filled = int(30 * done / total)
    return f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} sessions ({rate:.0f}/s)"


def cmd_questions(args: argparse.Namespace) -> Ending:
    """List every question: id, wording, type, options and when it is asked.

    Example: triage questions --format json
    """
    from triage.render.json_format import questions_json
    from triage.render.text import questions_text

    kb = _load(args)
    sys.stdout.write(questions_json(kb) + "\n" if args.format == "json" else questions_text(kb))
    return Ending.FINISHED


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
    Example: triage rules check --rules ./my-rules
    """
    from triage.checks import safety
    from triage.checks.lint import READABILITY_MAX_GRADE, check, readability
    from triage.rete.engine import compile_rules

    kb = _load(args)
    engine = compile_rules(kb)
    notes = check(kb, engine)
    errors = [n for n in notes if n.severity is Severity.ERROR]
    warnings = [n for n in notes if n.severity is not Severity.ERROR]
    print(f"Knowledge base {kb.name} {kb.version} ({kb.hash[:12]}): {len(kb.questions)} questions, "
          f"{len(kb.rules)} rules, {len(kb.cases)} golden cases")
    proof = safety.check(kb, engine)  # computed once by check() above
    print(f"safety: {proof.coverage}")
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


def cmd_rules_review(args: argparse.Namespace) -> Ending:
    """Write the review sheet: every question and rule per leaflet section, golden cases, the rule network
    and each rule's sign-off status. One self-contained HTML file (works offline, prints well), or Markdown.

    Example: triage rules review -o review.html
             triage rules review --format markdown -o review.md
    """
    from triage.checks.cases import run_cases
    from triage.knowledge.reviews import read_reviews, status
    from triage.render import review_sheet
    from triage.rete.engine import CompiledRules

    kb = _load(args)
    sheet = review_sheet.build(kb, status(kb, read_reviews(kb)), run_cases(CompiledRules(kb)))
    text = review_sheet.html(sheet) if args.format == "html" else review_sheet.markdown(sheet)
    if args.output is None or str(args.output) == "-":
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote the review sheet to {args.output}")
    return Ending.FINISHED


def cmd_rules_approve(args: argparse.Namespace) -> Ending:
    """Sign off rules: record reviewer, role, date and a fingerprint of each rule's content in reviews.yaml.

    Example: triage rules approve lungs.tb_history referral.lungs --reviewer "Dr A. Smith" --role pulmonologist
    """
    from triage.knowledge.reviews import approve

    kb = _load(args)
    for record in approve(kb, args.rule_ids, args.reviewer, args.role):
        print(f"approved {record.rule} by {record.reviewer} ({record.role}) on {record.date}")
    return Ending.FINISHED


def cmd_rules_status(args: argparse.Namespace) -> Ending:
    """List every rule as reviewed, changed since review, or never reviewed.

    Example: triage rules status
    """
    from triage.knowledge.reviews import read_reviews, status

    kb = _load(args)
    states = status(kb, read_reviews(kb))
    width = max((len(r) for r in states), default=10)
    for rule_id, (state, record) in states.items():
        by = f"  ({record.reviewer}, {record.role}, {record.date})" if record else ""
        print(f"{rule_id:<{width}}  {state}{by}")
    counts = {s: sum(1 for v, _ in states.values() if v == s) for s in ("reviewed", "changed since review",
                                                                        "never reviewed")}
    print(", ".join(f"{n} {s}" for s, n in counts.items()))
    return Ending.FINISHED


def cmd_explain(args: argparse.Namespace) -> Ending:
    """Show the forward chaining for one answers file step by step: facts declared, rules fired (with the
    facts they matched) and conclusions, in order; then why the outcome is or is not an emergency.

    Example: triage explain --answers examples/past-tb.yaml
    """
    from triage.answers import check_answers, read_answers_file
    from triage.render.trace import trace_text
    from triage.rete.engine import compile_rules

    kb = _load(args)
    name, raw = read_answers_file(args.answers)
    answers = check_answers(kb, raw, name)
    run = compile_rules(kb).new_run()
    run.restart(answers)
    sys.stdout.write(trace_text(kb, run.trace(), run.outcome()))
    return Ending.FINISHED


def cmd_interview(args: argparse.Namespace) -> Ending:
    """Answer the questions in a guided interview and see whom to see, and how soon.

    Runs when `triage` is called with no command. Plain mode (numbered options, one line at a time) is
    used with --plain, and whenever standard input or output is not a terminal.
    Example: triage interview --save my-answers.json
    """
    plain = args.plain or not (sys.stdin.isatty() and sys.stdout.isatty())
    if not plain:
        from triage.knowledge.opening import read_opening
        from triage.knowledge.paths import builtin_rules_dir

        opening = read_opening(Path(args.rules) if args.rules is not None else builtin_rules_dir())
        if opening is not None:
            return _interview_while_preparing(args, opening)
    # Plain mode, or texts that only a full load can give: everything is loaded and checked first.
    from triage.checks.selftest import checked_rules
    from triage.frontends.asker import Asker, PlainAsker, QuestionaryAsker
    from triage.frontends.interview import Interview
    from triage.knowledge.reviews import review_notices

    kb = _load(args)
    engine = checked_rules(kb)  # refuses to start (exit 2): a failing golden case or a check error
    asker: Asker = PlainAsker() if plain else QuestionaryAsker()
    try:
        return Interview(engine, asker, save=args.save, notices=review_notices(kb)).run()
    except Exception:  # noqa: BLE001 - whatever broke, the person leaves with the emergency advice, no traceback
        return _went_wrong(_notice(kb.emergency_signs))


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
    except TriageError:
        raise
    except Exception:  # noqa: BLE001 - as above
        return _went_wrong(opening.emergency_notice)
    finally:
        preparation.wait()


def _went_wrong(emergency_notice: str) -> Ending:
    from triage.texts import ui

    print("\n" + ui("errors.went_wrong", notice=emergency_notice))
    return Ending.WENT_WRONG


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


def cmd_kiosk(args: argparse.Namespace) -> Ending:
    """Run a shared waiting-room terminal: welcome, questions or reading, cleared after each person.

    Needs a configuration file with a staff code hash (make the line with --hash-code). Staff leave with
    Ctrl-X then Ctrl-E and the staff code. Setting it up as a real kiosk: docs/kiosk.md.
    Example: triage kiosk --config /etc/calcitriage/kiosk.toml
    """
    from triage.checks.selftest import checked_rules
    from triage.frontends.kiosk.kiosk import kiosk_main, print_code_hash
    from triage.frontends.startup import settle_memory

    if args.hash_code:
        return print_code_hash()
    engine = checked_rules(_load(args))  # refuses to start (exit 2): a failing golden case or a check error
    settle_memory()
    return kiosk_main(args.config, engine)  # the engine that passed the self-test serves the patients


def build_parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(add_help=False)
    top.add_argument("--rules", metavar="DIR", type=Path,
                     help="use the knowledge base in DIR instead of the built-in one")
    # After the command, --rules must not reset a --rules given before it: hence SUPPRESS here.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--rules", metavar="DIR", type=Path, default=argparse.SUPPRESS,
                        help="use the knowledge base in DIR instead of the built-in one")
    parser = _TopParser(prog="triage", parents=[top])  # its description: _TopParser.format_help
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
                        help="YAML or JSON mapping of question ids to answers; '-' reads standard input")
    run.add_argument("--format", choices=("text", "json"), default="text")
    questions = command("questions", cmd_questions)
    questions.add_argument("--format", choices=("text", "json"), default="text")
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
    approve = rules_command("approve", cmd_rules_approve)
    approve.add_argument("rule_ids", nargs="+", metavar="RULE_ID")
    approve.add_argument("--reviewer", required=True, metavar="NAME")
    approve.add_argument("--role", required=True, metavar="ROLE")
    rules_command("status", cmd_rules_status)
    explain = command("explain", cmd_explain)
    explain.add_argument("--answers", required=True, metavar="FILE",
                         help="YAML or JSON mapping of question ids to answers; '-' reads standard input")
    kiosk = command("kiosk", cmd_kiosk)
    kiosk.add_argument("--config", metavar="FILE", type=Path,
                       help="the kiosk configuration (default: /etc/calcitriage/kiosk.toml)")
    kiosk.add_argument("--hash-code", action="store_true",
                       help="read a staff code twice (not shown) and print the line for the configuration")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = cmd_interview
    args.plain = getattr(args, "plain", False)
    args.save = getattr(args, "save", None)
    try:
        ending: Ending = args.func(args)
    except TriageError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        ending = exc.ending
    except KeyboardInterrupt:
        ending = Ending.QUIT
    except BrokenPipeError:
        ending = Ending.FINISHED  # whoever read the output stopped reading: nothing is wrong here
    return EXIT_CODES[ending]


if __name__ == "__main__":
    sys.exit(main())
