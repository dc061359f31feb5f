"""One error style for everything a person can get wrong: file, line, item, field, and what to do.

A `Problem` is one finding, a load error or a `triage rules check` note alike: a `code` from CODES below,
a `Severity`, a `Place` and a message that says how to fix it. Errors that stop a command are
`TriageError`s carrying Problems and the `Ending` they lead to (cli.py prints them, one line each).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from triage.endings import Ending

# Every Problem's code, with what it means. Codes are stable: scripts and reviewers may filter on them.
CODES: dict[str, str] = {
    # reading files
    "not-a-folder": "the rules folder given is a file, or has no knowledge.yaml",
    "no-such-file": "a file or folder named on the command line does not exist",
    "unreadable": "a file cannot be read (permissions, a folder, ...)",
    "not-utf8": "a file is not UTF-8 text",
    "empty-file": "a file is empty or holds only comments",
    "yaml-syntax": "a file is not valid YAML or JSON (or its aliases stand for too much)",
    "too-large": "a file holds far more entries than any rules or answers file needs",
    "toml-syntax": "a configuration file is not valid TOML",
    "cannot-listen": "`triage serve` cannot listen on the address and port given (in use, or not allowed)",
    "no-rules": "the rules folder holds no rule files",
    # the shape of items and fields
    "wrong-shape": "a file or an item is not the mapping or list it should be",
    "missing-field": "a field that must be there is missing",
    "unknown-field": "a field that this kind of item does not have (often a typo)",
    "bad-id": "an id is not made of letters, digits, '_' and '.'",
    "bad-value": "a field holds a value of the wrong type or form",
    "bad-condition": "a condition is not written as {question: ID, is: VALUE}, all, any, ...",
    # references and consistency
    "unknown-id": "a reference to a question, section, doctor, rule, ... that does not exist",
    "duplicate-id": "an id (or an option, or a page) is used more than once",
    "ask-when-order": "an ask_when uses something other than answers to questions asked before",
    "nothing-offered": "a question that needs a tick could be shown with no option to tick",
    "wrong-test": "'is' used on a multiple-choice question, or 'includes' on another",
    "not-an-answer": "a value that the question does not take",
    "cycle": "a conclusion depends on itself through the rules",
    "no-baseline-referral": "no rule gives a referral whatever the answers",
    # answers files
    "not-asked": "an answer to a question that would not have been asked",
    # running
    "self-test-failed": "a golden case failed when the rules were loaded; the tool refuses to start",
    "did-not-settle": "the rule engine kept firing past its limit",
    "unsafe-config": "the kiosk configuration could be changed by anyone",
    "needs-terminal": "the kiosk was started without a terminal",
    "not-json": "a batch line is empty or not one JSON object (batch lines are JSON, never YAML)",
    "worker-died": "a batch worker process ended before its lines were evaluated",
    "second-opinion": "the rule engine and the independent reference evaluator disagreed; the outcome was withheld",
    # `triage rules check` (lint)
    "never-fires": "a rule no set of answers can make fire",
    "red-flag-source": "a red-flag rule whose source is not 'safety'",
    "red-flag-chain": "a safety rule that rests on other conclusions, not on answers",
    "disclaimer-unsaid": "a disclaimer that does not say it is not a diagnosis, or names no doctor",
    "top-urgency-not-emergency": "the highest urgency's advice does not send people to emergency care",
    "red-flag-conditional": "a red-flag question that some people are not asked (it has an ask_when)",
    "red-flag-late": "a red-flag question asked after a question that is not a red flag",
    "diagnostic-wording": "a patient text that reads as a diagnosis",
    "hidden-text": "a patient text with invisible characters, full-width letters or a word mixing scripts",
    "hard-to-read": "a patient text above the reading grade aimed for",
    "unused-question": "a question whose answer no rule and no ask_when reads",
    "unreached": "a section, workup, urgency level, finding or advice item no rule reaches",
    "reading-page": "the kiosk's reading pages cannot be loaded",
    "case-fails": "a golden case whose outcome differs from its expectation",
    "source-unsaid": "a rule without the field its source requires: cites (leaflet), reference (safety), rationale "
                     "(judgement)",
    "bad-locator": "a leaflet locator not written as SECTION.N",
    "locator-unresolved": "a leaflet locator that names no paragraph of the leaflet given with --leaflet",
    "text-unsourced": "a patient text no rule owns that does not say what it rests on (cites or rationale)",
    # sign-off (`triage rules approve`, `reject`, `revoke`, `status --verify`)
    "review-refused": "an item cannot be approved while `triage rules check` finds an error in it",
    "nothing-to-revoke": "a reviewer revokes a sign-off they never gave (or already revoked)",
    "no-ssh-keygen": "signing or checking signatures needs ssh-keygen, which is not installed",
    "signing-failed": "ssh-keygen could not sign a record with the key given",
    "installed-rules": "a sign-off aimed at the built-in rules inside an installed program, not a working copy",
    # `triage rules check`: the safety properties, for every answer set (triage/checks/safety.py)
    "red-flag-not-emergency": "a red-flag 'yes' that does not give the top urgency",
    "not-sure-below-urgent": "'not sure' on a red flag that gives less than the second-highest urgency",
    "emergency-services-below-top": "emergency services named at an urgency below the top one",
    "not-one-referral": "answers for which no referral rule fires",
    "not-monotone": "turning one answer up lowers the urgency or removes a section",
    "order-matters": "the same answers in another order give another outcome",
    "check-failed": "the checks find errors in the knowledge base; the tool refuses to start",
}


# An echoed value longer than this is cut: a 5 MB answer must not become a 5 MB error line.
SHOWN_LENGTH = 60


def shown(value: object) -> str:
    """A value as a message echoes it: quoted as Python writes it, on one line, at most about 60 characters.

    >>> shown("no" * 100)
    "'nononononononononononononononononononono...' (200 characters)"
    """
    if isinstance(value, str):
        text = repr(value[:SHOWN_LENGTH + 1])  # never the repr of the whole: it may be megabytes
        if len(value) <= SHOWN_LENGTH and len(text) <= SHOWN_LENGTH + 2:
            return text
        start = value[:SHOWN_LENGTH - 20]
        while len(repr(start)) > SHOWN_LENGTH - 18:  # cut between characters, never inside an escape like \\x00
            start = start[:-1]
        text = repr(start)
        return f"{text[:-1]}...{text[-1]} ({len(value):,} characters)"
    text = repr(value)  # escapes line breaks; bounded by the file's size (yamlfile.py refuses alias bombs)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 3] + "..."


class Severity(Enum):
    """Errors make a load or a check fail; warnings are listed apart and do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Place:
    """Where a problem is: a file (with the line where known), the item in it, the field of the item."""

    file: str | None
    line: int | None = None
    item: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        """File first, as load errors name it: `rules/x.yaml:3, rule 'x.y', field 'when'`."""
        parts = [] if self.file is None else [self.file if self.line is None else f"{self.file}:{self.line}"]
        if self.item is not None:
            parts.append(self.item)
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def item_first(self) -> str:
        """Item first, as `triage rules check` lists its findings: `rule 'x.y' (rules/x.yaml)`."""
        if self.item is None:
            return str(self)
        where = self.item if self.file is None else f"{self.item} ({self.file})"
        return where if self.field is None else f"{where}, field '{self.field}'"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, precise enough to find and fix without reading code."""

    code: str  # a key of CODES
    place: Place
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        """As an error that stops a command prints it (after 'error: ')."""
        return f"{self.place}: {self.message}"

    def as_finding(self) -> str:
        """As `triage rules check` lists it: `error: [never-fires] rule 'x.y' (rules/x.yaml): ...`."""
        return f"{self.severity.value}: [{self.code}] {self.place.item_first()}: {self.message}"


class TriageError(Exception):
    """Base of every error calcitriage reports to a person; the CLI prints its problems and ends with `ending`."""

    ending = Ending.BAD_INPUT

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Rebuilt from its problems, not its message, when it crosses a process boundary (batch workers, Dask).
        return type(self), (self.problems,)


class KnowledgeBaseError(TriageError):
    """The rules folder cannot be used; every problem found is listed."""


class YamlSyntaxError(TriageError):
    """A file that is not valid YAML/JSON; its one problem (code 'yaml-syntax') names the file and line.

    Uncaught, it ends like any other TriageError; the knowledge base's loader collects its problem with
    the others, and an answers file's reader re-raises it as an AnswersError.
    """


class AnswersError(TriageError):
    """An answers file does not fit the questions of the knowledge base."""


class EngineError(TriageError):
    """The rule engine did not reach a stable result (for example, it exceeded its firing limit)."""
