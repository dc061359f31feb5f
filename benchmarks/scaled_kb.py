"""Scaled copies of the knowledge base, for measuring how the engine grows with the number of rules.

`write_scaled(times, folder)` writes a rules folder in which every organ block (the organ's questions, its
leaflet section and the rules in its rules file) is there `times` times: copy k renames the block's
question and section ids to `<id>_x<k>`, and every rule that reads one of them is copied to
point at the renamed ones. The copies are real data:
the folder loads and validates like any working copy, `triage --rules FOLDER` runs on it, and its golden
cases (the original ones, which never answer a copied question) still pass. The folders are generated when
a benchmark runs, never committed.

    python benchmarks/scaled_kb.py 8 /tmp/kb-x8     # then: triage --rules /tmp/kb-x8
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

RULES = Path(__file__).resolve().parent.parent / "rules"
ORGANS = ("lungs", "kidneys", "liver", "prostate", "thyroid", "heart", "breast")
TIMES = (1, 2, 4, 8, 16)


def write_scaled(times: int, folder: Path, source: Path = RULES) -> Path:
    """A copy of `source` with every organ block there `times` times; returns `folder`."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(source, folder)
    if times == 1:
        return folder
    questions = _read(source / "questions.yaml")
    sections = _read(source / "sections.yaml")
    organ_questions = [q for q in questions if q.get("topic") in ORGANS]
    organ_sections = [s for s in sections if s.get("id") in ORGANS]
    for k in range(2, times + 1):
        renamed = {item["id"]: f"{item['id']}_x{k}" for item in [*organ_questions, *organ_sections]}
        questions.extend(_renamed(q, renamed, rename_id=True) for q in organ_questions)
        sections.extend(_renamed(s, renamed, rename_id=True) for s in organ_sections)
        for path in sorted((source / "rules").glob("*.yaml")):
            # Every rule that reads something of an organ block is copied with it (so copied concerns lead on
            # to tests and referrals, as the originals do). A rule that reads only shared questions stays
            # single: a copy would raise the copied concern for the golden cases' answers too.
            copies = [copy for rule in _read(path)
                      if (copy := _renamed({**rule, "id": f"{rule['id']}_x{k}"}, renamed))["when"] != rule["when"]]
            if copies:
                _write(folder / "rules" / f"{path.stem}_x{k}.yaml", copies)
    _write(folder / "questions.yaml", questions)
    _write(folder / "sections.yaml", sections)
    return folder


def rule_count(folder: Path) -> int:
    return sum(len(_read(path)) for path in sorted((folder / "rules").glob("*.yaml")))


def _renamed(item: Any, renamed: dict[str, str], rename_id: bool = False) -> Any:
    """`item` with every reference to a renamed question or section (and, for a copied question or section,
    its own id) replaced."""
    if isinstance(item, dict):
        copy = {}
        for key, value in item.items():
            if key in ("question", "concern") and isinstance(value, str):
                copy[key] = renamed.get(value, value)
            elif key == "id" and rename_id:
                copy[key] = renamed[value]
            else:
                copy[key] = _renamed(value, renamed)
        return copy
    if isinstance(item, list):
        return [_renamed(value, renamed) for value in item]
    return item


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def _write(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit("usage: python benchmarks/scaled_kb.py TIMES FOLDER")
    written = write_scaled(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{written}: {rule_count(written)} rules")
