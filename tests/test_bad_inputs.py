"""The bad-inputs corpus (issue 6): broken knowledge bases and answers files, each with its exact error.

tests/bad_inputs/knowledge/NAME/case.yaml changes a copy of the built-in rules/ folder:
    why: what is wrong, in a sentence
    changes:                      # applied in order to the copy
      - file: rules/lungs.yaml    # relative to the rules folder
        replace: "text"           # must occur exactly once in the file ...
        with: "other text"        # ... and becomes this
        encoding: latin-1         # optional: write the changed file in this encoding
      - {file: x.yaml, content: "..."}   # or: the whole file
      - {file: x.yaml, delete: true}     # or: remove it
    expect:                       # the exact standard error of `triage questions --rules rules` (exit 2)
      - "error: rules/..."

tests/bad_inputs/answers/NAME.yaml (or .json, .txt) is a broken answers file as a person might write it;
NAME.expected holds the exact standard error of `triage run --answers NAME.yaml`, run in that folder (exit 2).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.knowledge.load import builtin_rules_dir
from triage.knowledge.yamlfile import parse_text

CORPUS = Path(__file__).parent / "bad_inputs"
KNOWLEDGE_CASES = sorted(p.name for p in (CORPUS / "knowledge").iterdir() if (p / "case.yaml").is_file())
ANSWER_FILES = sorted(p.name for p in (CORPUS / "answers").iterdir() if p.suffix != ".expected")


def broken_copy(case: dict, target: Path) -> None:
    """Copy the built-in rules to `target` and apply the case's changes; one that no longer applies fails."""
    shutil.copytree(builtin_rules_dir(), target)
    for change in case["changes"]:
        path = target / change["file"]
        if change.get("delete"):
            path.unlink()
            continue
        if "content" in change:
            text = change["content"]
        else:
            text = path.read_text(encoding="utf-8")
            assert text.count(change["replace"]) == 1, \
                f"{change['file']} no longer holds the text to replace exactly once: {change['replace']!r}"
            text = text.replace(change["replace"], change["with"])
        path.write_bytes(text.encode(change.get("encoding", "utf-8")))


def test_the_corpus_is_large_enough():
    assert len(KNOWLEDGE_CASES) >= 20
    assert len(ANSWER_FILES) >= 20


def test_the_unchanged_copy_is_a_valid_knowledge_base(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    broken_copy({"changes": []}, tmp_path / "rules")
    result = cli("questions", "--rules", "rules")
    assert (result.code, result.err) == (0, "")


@pytest.mark.parametrize("name", KNOWLEDGE_CASES)
def test_broken_knowledge_base(name, tmp_path, monkeypatch, cli):
    case = parse_text((CORPUS / "knowledge" / name / "case.yaml").read_text(encoding="utf-8"), name)
    monkeypatch.chdir(tmp_path)
    broken_copy(case, tmp_path / "rules")
    result = cli("questions", "--rules", "rules")
    assert result.err.splitlines() == case["expect"], case["why"]
    assert (result.code, result.out) == (2, "")


@pytest.mark.parametrize("name", ANSWER_FILES)
def test_broken_answers_file(name, monkeypatch, cli):
    monkeypatch.chdir(CORPUS / "answers")
    expected = (CORPUS / "answers" / f"{Path(name).stem}.expected").read_text(encoding="utf-8")
    result = cli("run", "--answers", name)
    assert result.err == expected
    assert (result.code, result.out) == (2, "")
