"""Read YAML (and JSON, a subset of it) remembering the line of every mapping, for error messages.

`yes`, `no`, `on` and `off` stay strings: in a questionnaire they are answers, not booleans
(YAML 1.1 would silently turn `is: no` into False).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from triage.errors import Place, Problem, YamlSyntaxError, shown


class LinedDict(dict):
    """A mapping read from a file, with the 1-based line it starts on."""

    line: int | None = None


class _Loader(yaml.SafeLoader):
    """The pure-Python parser: it words every error message, so messages never depend on the build."""


# libyaml's parser, where PyYAML has it, reads a knowledge base several times faster (start-up time);
# a file it rejects is read again by the pure-Python one, for the message.
_FastLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _FastLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        pass


_LOADERS: list[Any] = [loader for loader in (_Loader, _FastLoader) if loader is not None]

# Only true/false are booleans; the rest of YAML 1.1's boolean words stay strings.
_BOOL = "tag:yaml.org,2002:bool"
for _loader in _LOADERS:
    _loader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LinedDict:
    merges = any(key_node.tag == "tag:yaml.org,2002:merge" for key_node, _ in node.value)
    loader.flatten_mapping(node)  # merged-in keys (`<<: *name`) join the mapping's own
    mapping = LinedDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        # A key written twice would silently drop one of its values (e.g. two answers to one question). YAML lets
        # a key written out override one merged in; here that is refused too, since it also drops a value.
        if key in mapping:
            also = " (a key merged in with '<<' counts)" if merges else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"{shown(str(key))} is written twice in one mapping{also}; keep one", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


for _loader in _LOADERS:
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# Aliases (*name) let a few lines stand for an enormous structure ("billion laughs"); quoting such a value in
# an error message would hang. No rules or answers file comes near this many values (questions.yaml: ~800).
MAX_VALUES = 100_000


def _size_problem(node: yaml.Node, limit: int) -> tuple[str, str] | None:
    """Why the document is too large to build (a code and a message), or None: with every alias written out,
    it holds more than `limit` values (keys and values each count). Said apart: a file that is simply that
    large, whose fix is another file, and aliases that stand for that much, whose fix is to write them out."""
    stack, count, seen, aliased = [node], 0, set(), False
    while stack:
        current = stack.pop()
        count += 1
        aliased = aliased or id(current) in seen  # an alias is the same node met a second time
        seen.add(id(current))
        if count > limit:
            if aliased:
                return "yaml-syntax", (f"its aliases (*name) stand for more than {limit:,} values; "
                                       "write the values out instead")
            return "too-large", (f"is too large: it holds more than {limit:,} keys and values, far more than any rules "
                                 "or answers file needs; is it the right file?")
        if isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            stack.extend(part for pair in current.value for part in pair)
    return None


def _load(text: str, loader_class: type, file: str) -> Any:
    """yaml.load, with the size check between reading the document and building its values."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        too_large = _size_problem(node, MAX_VALUES)
        if too_large is not None:
            code, message = too_large
            raise YamlSyntaxError([Problem(code, Place(file), message)])
        return loader.construct_document(node)
    finally:
        loader.dispose()


def parse_text(text: str, file: str) -> Any:
    """Parse YAML or JSON text; raise YamlSyntaxError naming `file` and the line on failure."""
    if _FastLoader is not None:
        try:
            return _load(text, _FastLoader, file)
        except (yaml.YAMLError, RecursionError, ValueError, TypeError):
            pass  # read again below, so that the message is the pure-Python parser's
    try:
        return _load(text, _Loader, file)  # _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "not valid YAML"
        if _after_a_long_key(text, exc):
            reason = f"a key longer than {_LONGEST_KEY:,} characters, which YAML does not allow (no id is that long)"
        raise _syntax_error(file, f"not valid YAML or JSON: {_short(reason)}", line) from exc
    except yaml.YAMLError as exc:
        # e.g. a control character: PyYAML's text has a second line naming "<unicode string>"; keep one line.
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc, yaml.reader.ReaderError) else None
        reason = str(exc).splitlines()[0]
        raise _syntax_error(file, f"not valid YAML or JSON: {_short(reason)}", line) from exc
    except RecursionError as exc:
        raise _syntax_error(file, "not valid YAML or JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. a number of more than 4,300 digits, which Python refuses to convert
        raise _syntax_error(file, f"not valid YAML or JSON: {str(exc).splitlines()[0]}") from exc


# PyYAML reads a key only up to this length; a longer one is reported as a colon where none may be.
_LONGEST_KEY = 1024
_KEY_ENDS = ("mapping values are not allowed here", "expected ',' or '}', but got ':'")


def _after_a_long_key(text: str, exc: yaml.MarkedYAMLError) -> bool:
    """Whether PyYAML's complaint is about the colon after a key too long for it (its message does not say)."""
    mark = exc.problem_mark
    if mark is None or exc.problem not in _KEY_ENDS or mark.column <= _LONGEST_KEY:
        return False
    before = text[max(text.rfind(c, 0, mark.index) for c in "\n{,[") + 1:mark.index]
    return len(before.strip()) > _LONGEST_KEY


def _short(reason: str) -> str:
    """PyYAML's reason, cut where it would quote a huge piece of the file (a tag, a scalar)."""
    return reason if len(reason) <= 200 else reason[:197] + "..."


def _syntax_error(file: str, message: str, line: int | None = None) -> YamlSyntaxError:
    return YamlSyntaxError([Problem("yaml-syntax", Place(file, line), message)])


def line_of(value: Any) -> int | None:
    return value.line if isinstance(value, LinedDict) else None
