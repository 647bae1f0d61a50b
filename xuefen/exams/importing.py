"""Question bank import: an XLSX or CSV file read through the project's one tabular reader
(`core.tabular`), one question a row. Every row is checked first; a file with any bad row adds
nothing, and each problem names its row, its column and what is wrong."""

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xuefen.audit.models import AuditEvent
from xuefen.core.actors import Actor, user_of
from xuefen.core.tabular import CellError, Column, Row, read_table
from xuefen.exams.actions.bank import question_fields
from xuefen.exams.actions.common import audit, require_manage
from xuefen.exams.errors import Code, ExamError
from xuefen.exams.models import Question, QuestionKind
from xuefen.orgs.models import OrgNode

MAX_ROWS = 5000
COLUMNS = (
    Column("subject", "科目", ("subject",)),
    Column("kind", "题型", ("type", "question type", "kind")),
    Column("text", "题目", ("question", "text")),
    Column("options", "选项", ("options",), required=False),
    Column("answer", "答案", ("answer", "right answer")),
    Column("points", "分值", ("points",), required=False),
)
KINDS = {
    "单选": QuestionKind.SINGLE,
    "单选题": QuestionKind.SINGLE,
    "single": QuestionKind.SINGLE,
    "多选": QuestionKind.MULTIPLE,
    "多选题": QuestionKind.MULTIPLE,
    "multiple": QuestionKind.MULTIPLE,
    "判断": QuestionKind.TRUE_FALSE,
    "判断题": QuestionKind.TRUE_FALSE,
    "true_false": QuestionKind.TRUE_FALSE,
    "true/false": QuestionKind.TRUE_FALSE,
    "简答": QuestionKind.SHORT,
    "简答题": QuestionKind.SHORT,
    "short": QuestionKind.SHORT,
}
TRUE = {"对", "正确", "√", "T", "TRUE", "是", "Y"}
FALSE = {"错", "错误", "×", "X", "F", "FALSE", "否", "N"}
OPTION_SEPARATORS = re.compile(r"[|｜\n]")


@dataclass(frozen=True)
class ImportResult:
    created: int


class QuestionImportError(ExamError):
    """The file has bad rows: nothing was added; `errors` says what and where."""

    def __init__(self, errors: list[CellError]) -> None:
        super().__init__(
            Code.IMPORT_ROWS,
            _("%(count)s problems in the file; no question was added.") % {"count": len(errors)},
        )
        self.errors = errors


def _answer(kind: str, text: str, options: list[str]) -> Any:
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        letters = re.sub(r"[\s,，、;；]", "", text.upper())
        if not letters or not letters.isascii() or not letters.isalpha():
            raise ExamError(
                Code.QUESTION_INVALID,
                _("Write the right options as letters, e.g. A or AC."),
                field="answer",
            )
        return [ord(ch) - ord("A") for ch in letters]
    if kind == QuestionKind.TRUE_FALSE:
        value = text.strip().upper()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ExamError(
            Code.QUESTION_INVALID, _("Write 对 or 错 (T or F) as the answer."), field="answer"
        )
    return text


def _check(row: Row) -> dict[str, Any] | None:
    values = row.values
    kind = KINDS.get(str(values.get("kind") or "").strip().lower())
    if kind is None:
        row.error(
            "kind",
            Code.QUESTION_INVALID,
            _("Unknown question type: write 单选, 多选, 判断 or 简答."),
        )
        return None
    options = [o.strip() for o in OPTION_SEPARATORS.split(str(values.get("options") or ""))]
    options = [o for o in options if o]
    try:
        return question_fields(
            subject=str(values.get("subject") or ""),
            kind=kind,
            text=str(values.get("text") or ""),
            options=options,
            answer=_answer(kind, str(values.get("answer") or ""), options),
            points=str(values.get("points") or "").strip() or 1,
        )
    except ExamError as error:
        key = error.field if error.field in {c.key for c in COLUMNS} else ""
        row.error(key, error.code, error.message)
        return None


@transaction.atomic
def import_questions(
    actor: Actor, node: OrgNode, upload: Any, *, filename: str | None = None
) -> ImportResult:
    """Adds the file's questions to the bank of the office on `node`, all or none. Raises
    TableError for a file refused as a whole, QuestionImportError for bad rows."""
    require_manage(actor, node)
    checked: list[dict[str, Any]] = []
    errors: list[CellError] = []
    for row in read_table(upload, columns=COLUMNS, filename=filename, max_rows=MAX_ROWS):
        fields = None if row.errors else _check(row)
        errors += row.errors
        if fields is not None:
            checked.append(fields)
    if errors:
        raise QuestionImportError(errors)
    created = Question.objects.bulk_create(
        Question(node=node, created_by=user_of(actor), **fields) for fields in checked
    )
    audit(
        actor,
        AuditEvent.Action.IMPORT,
        node,
        node,
        {"questions": len(created), "file": str(filename or getattr(upload, "name", ""))[:200]},
    )
    return ImportResult(created=len(created))
