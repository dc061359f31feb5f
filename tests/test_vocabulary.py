"""One definition of each question kind (triage/vocabulary.py): the rest of the package asks the kind."""

from __future__ import annotations

import ast

from support.paths import REPO
from triage.vocabulary import NO, NOT_SURE, YES, Prompt, QuestionKind, QuestionType


def test_every_question_type_has_its_kind():
    assert {t.value: t.kind for t in QuestionType} == {
        "yes_no": QuestionKind((YES, NO), is_list=False, prompt=Prompt.SELECT),
        "yes_no_unsure": QuestionKind((YES, NO, NOT_SURE), is_list=False, prompt=Prompt.SELECT),
        "single_choice": QuestionKind((), is_list=False, prompt=Prompt.SELECT),
        "multiple_choice": QuestionKind((), is_list=True, prompt=Prompt.TICK_BOXES),
    }


def test_a_kind_takes_options_exactly_when_it_has_no_fixed_values():
    assert [t.value for t in QuestionType if t.kind.takes_options] == ["single_choice", "multiple_choice"]


def test_the_questions_of_the_real_knowledge_base_offer_what_their_kind_says(real_kb):
    for question in real_kb.questions:
        assert question.kind is question.type.kind
        assert question.values == (tuple(o.id for o in question.options) if question.kind.takes_options
                                   else question.kind.fixed_values)
        assert bool(question.options) == question.kind.takes_options, question.id


def test_no_module_but_vocabulary_compares_question_types():
    members = {t.name for t in QuestionType}
    found = []
    for path in sorted((REPO / "triage").rglob("*.py")):
        if path.name == "vocabulary.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in members and isinstance(node.value, ast.Name)
                    and node.value.id == "QuestionType"):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: QuestionType.{node.attr}")
    assert found == []
