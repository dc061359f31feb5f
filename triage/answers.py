"""Read an answers file (YAML or JSON: question id -> answer) and check it against the knowledge base.

An answer may be written as the option id (`male`, `not_sure`) or as the label people see in the interview
(`Male`, `Not sure`), in any case and with spaces around it: a person copying what the screen said must
not be refused for it.
"""

from __future__ import annotations

import codecs
import sys
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from triage.errors import AnswersError, Place, Problem, YamlSyntaxError, shown
from triage.flow import is_asked, offered_values
from triage.knowledge.yamlfile import parse_text
from triage.model import KnowledgeBase, Question
from triage.outcome import AnswerValue
from triage.texts import ui
from triage.vocabulary import NO, NOT_SURE, YES

# Other ways of writing "not sure", accepted since the first answers files (also where an option is not_sure).
_WORDS = {"not sure": NOT_SURE, "not-sure": NOT_SURE, "unsure": NOT_SURE}
# An answers file holds one answer per question; far more entries would only list thousands of unknown ids.
MAX_ANSWERS = 1_000
# Wrong values listed in one message; the rest are counted.
_LISTED = 3


def read_answers_file(path: str, stdin: TextIO | None = None) -> tuple[str, Any]:
    """The parsed content of an answers file and the name to use in messages; '-' reads stdin."""
    if path == "-":
        name, stream = "<stdin>", stdin or sys.stdin
        binary = getattr(stream, "buffer", None)  # the bytes, where there are any: a UTF-16 pipe is named as such
        text = _decoded(binary.read(), name) if binary is not None else stream.read()
    else:
        name = path
        try:
            text = _decoded(Path(path).read_bytes(), name)
        except FileNotFoundError as exc:
            raise AnswersError([Problem("no-such-file", Place(name), "no such file")]) from exc
        except OSError as exc:
            raise AnswersError([Problem("unreadable", Place(name), f"cannot be read: {exc.strerror}")]) from exc
    try:
        return name, parse_text(text, name)
    except YamlSyntaxError as exc:
        raise AnswersError(exc.problems) from exc


def _decoded(data: bytes, name: str) -> str:
    """The text of a UTF-8 file (a byte-order mark, as some editors write, is dropped)."""
    # UTF-16 (Windows' "Unicode") decodes as UTF-8 without error when it has no byte-order mark: into text
    # with a NUL after every letter. (A stray NUL is left to the YAML reader, which names its line.)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or data.count(b"\0") * 4 >= max(len(data), 1):
        raise AnswersError([Problem("not-utf8", Place(name), "is not UTF-8 text (it looks like UTF-16); "
                                                             "save it as UTF-8")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise AnswersError([Problem("not-utf8", Place(name, line), "is not UTF-8 text; save it as UTF-8")]) from exc


def example_answers(kb: KnowledgeBase) -> dict[str, str | list[str]]:
    """Two answers these rules read, for messages about a file or line that holds no answers: the first red flag
    and the first other question asked of everyone, each with a value it takes ("no" where there is one). Taken
    from the rules in use, so that a message never names a question a clinician has renamed or removed."""
    asked_of_all = [q for q in kb.questions if q.ask_when is None]
    picked = [q for q in (next((q for q in asked_of_all if q.red_flag), None),
                          next((q for q in asked_of_all if not q.red_flag), None)) if q is not None]
    example: dict[str, str | list[str]] = {}
    for question in picked:
        value = NO if NO in question.values else question.values[0]
        example[question.id] = [value] if question.kind.is_list else value
    return example


def _unwrapped(kb: KnowledgeBase, raw: Any, file: str) -> Any:
    """The answers of a file saved by the interview, which holds them under 'answers' beside the outcome (whose
    keys are read no further); any other file as it is."""
    if not (isinstance(raw, Mapping) and isinstance(raw.get("answers"), Mapping) and "answers" not in kb.question):
        return raw
    # A question answered beside the outcome as well would be one of two answers, silently left out: refused.
    beside = [key for key in raw if isinstance(key, str) and key in kb.question]
    if beside:
        raise AnswersError([Problem("wrong-shape", Place(file, item=f"question {shown(beside[0])}"),
                                    "is answered outside 'answers' as well as the answers under it; write every "
                                    "answer under 'answers', or none there")])
    return raw["answers"]


def check_answers(kb: KnowledgeBase, raw: Any, file: str) -> dict[str, AnswerValue]:
    """Answers in the engine's form; AnswersError lists every answer that does not fit, at once."""
    raw = _unwrapped(kb, raw, file)
    if not isinstance(raw, Mapping):
        example = ", ".join(f"{key}: [{', '.join(value)}]" if isinstance(value, list) else f"{key}: {value}"
                            for key, value in example_answers(kb).items())
        raise AnswersError([Problem("wrong-shape", Place(file),
                                    f"must be a mapping of question ids to answers, e.g. {{{example}}}")])
    if len(raw) > MAX_ANSWERS:
        raise AnswersError([Problem("too-large", Place(file), f"holds {len(raw):,} answers, more than the "
                                    f"{MAX_ANSWERS:,} an answers file may hold (one per question; this knowledge "
                                    f"base has {len(kb.questions)}); is it the right file?")])
    problems: list[Problem] = []
    answers: dict[str, AnswerValue] = {}
    for key in raw:
        if not isinstance(key, str) or key not in kb.question:
            problems.append(Problem("unknown-id", Place(file, item=f"question {shown(str(key))}"),
                                    "is not a question of this knowledge base (see 'triage questions')"))
    # In question order, so that 'would not have been asked' is judged on the earlier answers.
    spellings = _spellings_of(kb)
    for question in kb.questions:
        if question.id in raw:
            value = _checked(question, raw[question.id], answers, file, problems, spellings[question.id])
            if value is not None:
                answers[question.id] = value
    if problems:
        raise AnswersError(problems)
    return answers


def _checked(question: Question, raw: Any, earlier: dict[str, AnswerValue], file: str,
             problems: list[Problem], spellings: _Spellings) -> AnswerValue | None:
    """One answer in the engine's form, if it fits the question and the earlier answers."""
    empty = raw is None or (isinstance(raw, str) and not raw.strip())
    value = None if empty else _normalise(question, raw, spellings, file, problems)
    if value is None and not empty:
        return None
    if not is_asked(question, earlier):
        problems.append(Problem("not-asked", _place(file, question),
                                "would not have been asked, given the other answers; remove it"))
        return None
    offered = offered_values(question, earlier)
    if value is None:  # `chest_pain:` with nothing after it
        problems.append(Problem("bad-value", _place(file, question), f"has no answer; write "
                                f"{_expected(question, offered)}, or leave the question out"))
        return None
    if not question.takes(value):
        problems.append(Problem("bad-value", _place(file, question), "has nothing ticked, and this question needs at "
                                f"least one option; write {_expected(question, offered)}, or leave the question out"))
        return None
    wrong = [v for v in (value if isinstance(value, tuple) else (value,)) if v not in offered]
    if wrong:
        listed = ", ".join(shown(v) for v in wrong[:_LISTED])
        more = f" and {len(wrong) - _LISTED:,} more" if len(wrong) > _LISTED else ""
        problems.append(Problem("not-an-answer", _place(file, question), f"{listed}{more} is not an answer here; "
                                                                         f"it takes {_choices(question, offered)}"))
        return None
    return value


def _place(file: str, question: Question) -> Place:
    """Where a problem with the answer to `question` is: made only when there is one (most answers fit)."""
    return Place(file, item=f"question '{question.id}'")


def _choices(question: Question, offered: tuple[str, ...]) -> str:
    listed = ", ".join(offered)
    if not question.kind.is_list:
        return listed
    if question.choose_at_least_one:
        return f"a list of at least one of: {listed}"
    return f"a list of: {listed} (or [] for none)"


def _expected(question: Question, offered: tuple[str, ...]) -> str:
    return _choices(question, offered) if question.kind.is_list else f"one of {', '.join(offered)}"


def _normalise(question: Question, value: Any, spellings: _Spellings, file: str,
               problems: list[Problem]) -> AnswerValue | None:
    if question.kind.is_list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Problem("bad-value", _place(file, question),
                                    f"must be a list of option ids (multiple choice), not {shown(value)}"))
            return None
        ids = tuple(spellings.value(v) for v in value)
        if len(set(ids)) != len(ids):
            problems.append(Problem("duplicate-id", _place(file, question), "lists an option more than once"))
            return None
        return ids
    if isinstance(value, bool):
        value = YES if value else NO  # JSON's true and false, and YAML's
    if not isinstance(value, str):
        problems.append(Problem("bad-value", _place(file, question),
                                f"must be one of {', '.join(question.values)}, not {shown(value)}"))
        return None
    return spellings.value(value)


class _Spellings:
    """Every accepted way of writing each value of one question (folded by _folded), to the value's id.

    Ids come first, then labels, then the old words: a label never takes the place of another option's id.
    Made once per question of a knowledge base (`_spellings_of`) and never changed after.
    """

    def __init__(self, question: Question):
        if question.kind.takes_options:
            written = [(o.id, o.id) for o in question.options] + [(o.label, o.id) for o in question.options]
        else:
            labels = {YES: ui("answer.label_yes"), NO: ui("answer.label_no"), NOT_SURE: ui("answer.label_not_sure")}
            written = [(v, v) for v in question.values] + [(labels[v], v) for v in question.values]
        written += list(_WORDS.items())
        folded: dict[str, str] = {}
        for text, value in written:
            folded.setdefault(_folded(text), value)
        self.folded: Mapping[str, str] = folded
        # The spellings that fold to themselves: text written exactly so (an id, mostly) needs no folding.
        self.exact: Mapping[str, str] = {text: value for text, value in folded.items() if _folded(text) == text}

    def value(self, text: str) -> str:
        """The value `text` stands for; as written when it stands for none (the message then echoes it)."""
        found = self.exact.get(text)
        return found if found is not None else self.folded.get(_folded(text), text)


_by_kb: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, _Spellings]] = weakref.WeakKeyDictionary()


def _spellings_of(kb: KnowledgeBase) -> dict[str, _Spellings]:
    """Each question's spellings (by question id), worked out once per knowledge base: a knowledge base is frozen,
    and the labels of yes, no and not sure come from the interface catalogue, read once per process."""
    found = _by_kb.get(kb)
    if found is None:
        found = _by_kb[kb] = {q.id: _Spellings(q) for q in kb.questions}
    return found


def _folded(text: str) -> str:
    """`text` as compared with ids and labels: any case, spaces around and doubled spaces ignored."""
    return " ".join(text.split()).casefold()
