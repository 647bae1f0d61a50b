"""People import: read a spreadsheet, validate every row, plan the changes before writing any.

`plan_import` never writes; `actions.apply_people_import` applies a plan in one transaction. The web
page and the `import_people` command share this code path. On the web the file is read once, by
the background worker (`check_import`), which stores the checked rows, the preview and the errors;
the preview page, the confirmation (`replan`, against the database as it is then) and the error
file read what it stored.

A row whose ID number belongs to a person the importer may not see is planned like a new person
(the preview must not tell who exists elsewhere); applying it asks the credit office to transfer
that person (a TransferRequest) instead of creating anyone.
"""

import datetime as dt
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from xuefen.accounts import scope
from xuefen.accounts.roles import Cap
from xuefen.core.errors import CodedError
from xuefen.core.tabular import CellError, Column, Kind, Row, read_table
from xuefen.orgs import idnumber
from xuefen.orgs.models import OrgNode, PeopleImport, Person

MAX_ROWS = 20000
PENDING_SECONDS = 24 * 3600

COLUMNS: tuple[Column, ...] = (
    Column("id_number", "身份证号", ("ID number", "id"), kind=Kind.CODE),
    Column("name", "姓名", ("Name",)),
    Column("sex", "性别", ("Sex",), required=False),
    Column("birth_date", "出生日期", ("Birth date",), required=False, kind=Kind.DATE),
    Column("unit", "单位代码", ("Unit code", "unit_code"), kind=Kind.CODE),
    Column("category", "人员类别", ("Personnel category", "Category")),
    Column("title_level", "职称级别", ("Title level",), required=False),
    Column("position", "职务", ("Position",), required=False),
    Column("phone", "手机号", ("Phone", "Mobile"), required=False, kind=Kind.CODE),
    Column("status", "状态", ("Status",), required=False),
    Column("hired_on", "入职日期", ("Hired on",), required=False, kind=Kind.DATE),
)
HEADERS = [c.label for c in COLUMNS]
# Fields compared for "changed"; unit is handled as a transfer.
COMPARED = (
    "name",
    "sex",
    "birth_date",
    "category",
    "title_level",
    "position",
    "phone",
    "status",
    "hired_on",
)
CHOICES: dict[str, Any] = {
    "sex": Person.Sex,
    "category": Person.Category,
    "title_level": Person.TitleLevel,
    "status": Person.Status,
}


# The spreadsheet's Chinese values: fixed here, not taken from the translation catalogue, so that a
# file means the same whatever language the uploader's page is in. Exports write these.
ZH_LABELS: dict[str, dict[str, str]] = {
    "sex": {"M": "男", "F": "女"},
    "category": {
        "county": "县处级干部",
        "township": "乡科级干部",
        "general": "一般干部",
        "professional": "专业技术人员",
    },
    "title_level": {"": "无", "junior": "初级", "intermediate": "中级", "senior": "高级"},
    "status": {"active": "在职", "leave": "长期休假", "retired": "退休", "left": "离职"},
}


def _choice_lookup(choices: Any) -> dict[str, str]:
    """Accepted spellings of each choice: the code, and its label in Chinese and in English."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        lookup[str(value).casefold()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                lookup[str(label).casefold()] = value
    for name, known in CHOICES.items():
        if known is choices:
            lookup.update({label: value for value, label in ZH_LABELS[name].items()})
    lookup.update({"male": "M", "female": "F"} if choices is Person.Sex else {})
    return lookup


def choice_label(field_name: str, value: str) -> str:
    """The Chinese spreadsheet value of a choice ("" for an empty one)."""
    return ZH_LABELS[field_name].get(value, value) if value else ""


def _cell_text(name: str, value: Any) -> str:
    if name in ZH_LABELS:
        return choice_label(name, value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


@dataclass
class PlannedRow:
    """One row's effect. `person` is the existing person it changes (one the importer may see);
    `held` the person of that ID number outside the importer's scope, for whom the office is asked
    (the row shows as new)."""

    row: int
    values: dict[str, Any]
    person: Person | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    new_unit: OrgNode | None = None
    held: Person | None = None

    @property
    def change_rows(self) -> list[tuple[str, str, str]]:
        """(column header, before, after) as the spreadsheet writes them, for the preview."""
        labels = {c.key: c.label for c in COLUMNS}
        out = []
        for name, (before, after) in self.changes.items():
            out.append((labels[name], _cell_text(name, before), _cell_text(name, after)))
        if self.new_unit is not None and self.person is not None:
            out.append((labels["unit"], self.person.unit.code, self.new_unit.code))
        return out

    @property
    def kind(self) -> str:
        if self.person is None:
            return "new"
        return "changed" if self.changes or self.new_unit else "unchanged"


@dataclass
class ImportPlan:
    rows: list[Row] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    planned: list[PlannedRow] = field(default_factory=list)
    # (row number, checked values) of every row without errors, before planning: what is stored
    # for the confirmation to plan again.
    checked: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def of_kind(self, kind: str) -> list[PlannedRow]:
        return [p for p in self.planned if p.kind == kind]

    def counts(self) -> dict[str, int]:
        return {k: len(self.of_kind(k)) for k in ("new", "changed", "unchanged")}

    def preview(self) -> list[list[Any]]:
        """What the importer is shown, row by row: stored, and compared at confirmation."""
        return [
            [p.row, p.kind, p.values.get("name", ""), [list(c) for c in p.change_rows]]
            for p in self.planned
        ]


def plan_import(user: Any, upload: Any, *, filename: str | None = None) -> ImportPlan:
    """Validates every row of the file against the user's import scope; writes nothing.

    Raises TableError for a file refused as a whole; row problems are in `plan.errors`.
    """
    rows = list(read_table(upload, columns=COLUMNS, filename=filename, max_rows=MAX_ROWS))
    plan = ImportPlan(rows=rows)
    lookups = {name: _choice_lookup(choices) for name, choices in CHOICES.items()}
    codes = {str(r.values.get("unit", "")) for r in rows}
    units = {n.code: n for n in OrgNode.objects.filter(code__in=codes)}
    allowed = scope.paths_with(user, Cap.PEOPLE_IMPORT)
    seen: dict[str, int] = {}
    for row in rows:
        values = _check_row(row, lookups, units, allowed, seen)
        if values is not None and not row.errors:
            plan.checked.append((row.number, values))
    by_number = {r.number: r for r in rows}
    for number in _plan_rows(user, plan):
        by_number[number].error("id_number", "own_person", OWN_PERSON)
    plan.errors = [e for r in rows for e in r.errors]
    return plan


OWN_PERSON = _("This is your own record; another administrator must change it.")


def _plan_rows(user: Any, plan: ImportPlan) -> list[int]:
    """Plans the checked rows; returns the numbers of rows refused because they would change the
    importer's own person (nobody edits their own record)."""
    refused = []
    allowed = scope.paths_with(user, Cap.PEOPLE_IMPORT)
    numbers = {values["id_number"] for _n, values in plan.checked}
    existing = {
        p.id_number: p for p in Person.objects.filter(id_number__in=numbers).select_related("unit")
    }
    own = getattr(user, "person_id", None)
    for number, values in plan.checked:
        planned = _plan_row(number, dict(values), existing.get(values["id_number"]), allowed)
        if planned.person is not None and planned.person.pk == own and planned.kind != "unchanged":
            refused.append(number)
            continue
        plan.planned.append(planned)
    return refused


def _normal(raw: Any) -> str:
    return idnumber.normalize(str(raw or ""))


def _has_error(row: Row, key: str) -> bool:
    return any(e.column == row.headers.get(key) for e in row.errors)


def _check_row(
    row: Row,
    lookups: dict[str, dict[str, str]],
    units: dict[str, OrgNode],
    allowed: list[str],
    seen: dict[str, int],
) -> dict[str, Any] | None:
    v = row.values
    values: dict[str, Any] = {}
    parsed: idnumber.IdNumber | None = None
    if not v.get("id_number"):
        if not _has_error(row, "id_number"):
            row.error("id_number", "id_empty", _("The ID number is empty."))
    else:
        try:
            parsed = idnumber.parse(v["id_number"])
            values["id_number"] = parsed.value
        except CodedError as exc:
            row.error("id_number", exc.code, exc.message)
    if parsed is not None:
        first = seen.get(parsed.value)
        if first is not None:
            row.error(
                "id_number",
                "duplicate_in_file",
                _("This ID number already appears in row %(row)d.") % {"row": first},
            )
        else:
            seen[parsed.value] = row.number
    values["name"] = v.get("name", "")
    if not values["name"]:
        row.error("name", "required", _("The name is empty."))
    elif len(values["name"]) > 50:
        row.error("name", "too_long", _("The name is longer than 50 characters."))
    for name, lookup in lookups.items():
        if name not in v:
            continue
        text = str(v[name]).strip()
        if not text:
            values[name] = "" if name == "title_level" else None
            continue
        if text.casefold() not in lookup:
            row.error(
                name,
                "bad_choice",
                _("%(value)s is not one of: %(choices)s.")
                % {
                    "value": text,
                    "choices": "、".join(ZH_LABELS[name].values()),
                },
            )
        else:
            values[name] = lookup[text.casefold()]
    if not str(v.get("category", "")).strip() and not _has_error(row, "category"):
        row.error("category", "required", _("The personnel category is empty."))
    _check_id_facts(row, parsed, v, values)
    code = str(v.get("unit", ""))
    unit = units.get(code)
    if not code:
        row.error("unit", "required", _("The unit code is empty."))
    elif unit is None or not any(unit.path.startswith(p) for p in allowed):
        # Same message for "no such unit" and "not yours": an outsider learns nothing.
        row.error(
            "unit",
            "unknown_unit",
            _("No unit with code %(code)s among the units you may import into.") % {"code": code},
        )
    elif unit.kind != OrgNode.Kind.UNIT:
        row.error(
            "unit",
            "not_a_unit",
            _("%(code)s is not a unit; people belong to units.") % {"code": code},
        )
    else:
        values["unit"] = unit
    for name, limit in (("position", 100), ("phone", 20)):
        if name in v:
            values[name] = str(v[name])
            if len(values[name]) > limit:
                row.error(name, "too_long", _("This value is too long."))
    if "hired_on" in v:
        values["hired_on"] = v["hired_on"]
    return values


def _check_id_facts(
    row: Row, parsed: idnumber.IdNumber | None, v: dict[str, Any], values: dict[str, Any]
) -> None:
    """Birth date and sex, if given, must agree with the ID number; if blank they come from it."""
    if parsed is None:
        return
    birth = v.get("birth_date")
    if birth is not None and birth != parsed.birth_date:
        row.error(
            "birth_date",
            "birth_date_mismatch",
            _("The birth date %(entered)s does not match the ID number (%(derived)s).")
            % {"entered": birth, "derived": parsed.birth_date},
        )
    values["birth_date"] = parsed.birth_date
    sex = values.get("sex")
    if sex and sex != parsed.sex:
        row.error("sex", "sex_mismatch", _("The sex entered does not match the ID number."))
    values["sex"] = parsed.sex


def _plan_row(
    number: int, values: dict[str, Any], person: Person | None, allowed: list[str]
) -> PlannedRow:
    if person is not None and not any(person.unit.path.startswith(p) for p in allowed):
        # Shown as new, whatever exists outside the importer's scope; applied as a request.
        return PlannedRow(number, values, held=person)
    if values.get("status") is None:
        # A blank status keeps the person's status (a new person is active).
        values["status"] = person.status if person else Person.Status.ACTIVE
    for name in ("title_level", "position", "phone"):
        values.setdefault(name, getattr(person, name) if person else "")
    if "hired_on" not in values:
        values["hired_on"] = person.hired_on if person else None
    planned = PlannedRow(number, values, person)
    if person is not None:
        for name in COMPARED:
            if values[name] != getattr(person, name):
                planned.changes[name] = (getattr(person, name), values[name])
        if values["unit"].pk != person.unit_id:
            planned.new_unit = values["unit"]
    return planned


# ------------------------------------------- uploads and their stored check (outside the web root)


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(imp: PeopleImport) -> Path:
    return Path(settings.MEDIA_ROOT) / imp.file_path


def check_path(imp: PeopleImport) -> Path:
    return import_dir() / f"{imp.pk}.check.json"


def is_expired(imp: PeopleImport, now: float | None = None) -> bool:
    """An upload not confirmed within a day is forgotten (its files are removed)."""
    return (now or time.time()) - imp.created_at.timestamp() > PENDING_SECONDS


def forget_stale() -> None:
    """Removes the files of uploads never confirmed after a day."""
    cutoff = time.time() - PENDING_SECONDS
    for path in import_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _plain(value: Any) -> Any:
    if isinstance(value, OrgNode):
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _error_dict(e: CellError) -> dict[str, Any]:
    return {
        "row": e.row,
        "column": e.column,
        "code": e.code,
        "message": str(e.message),
        "value": e.value,
    }


def save_check(imp: PeopleImport, plan: ImportPlan) -> None:
    """Stores what the worker's check found: the checked rows, the preview and the errors (with the
    bad rows as written, for the error file)."""
    data = {
        "checked": [[n, {k: _plain(v) for k, v in values.items()}] for n, values in plan.checked],
        "preview": plan.preview(),
        "errors": [_error_dict(e) for e in plan.errors],
        "bad_rows": [
            {
                "number": r.number,
                "raw": r.raw,
                "headers": r.headers,
                "errors": [_error_dict(e) for e in r.errors],
            }
            for r in plan.rows
            if r.errors
        ],
    }
    target = check_path(imp)
    partial = target.with_name(target.name + ".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    partial.replace(target)


@dataclass
class StoredCheck:
    checked: list[tuple[int, dict[str, Any]]]
    preview: list[list[Any]]
    errors: list[CellError]
    bad_rows: list[Row]


def _cell_error(data: dict[str, Any]) -> CellError:
    return CellError(data["row"], data["column"], data["code"], data["message"], data["value"])


def load_check(imp: PeopleImport) -> StoredCheck | None:
    path = check_path(imp)
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return StoredCheck(
        checked=[(n, values) for n, values in data["checked"]],
        preview=data["preview"],
        errors=[_cell_error(e) for e in data["errors"]],
        bad_rows=[
            Row(
                number=r["number"],
                values={},
                raw=r["raw"],
                headers=r["headers"],
                errors=[_cell_error(e) for e in r["errors"]],
            )
            for r in data["bad_rows"]
        ],
    )


def replan(user: Any, stored: StoredCheck) -> ImportPlan:
    """The stored rows planned again against the database as it is now (for the confirmation):
    a unit no longer in the user's scope, or anything else that no longer holds, is an error."""
    allowed = scope.paths_with(user, Cap.PEOPLE_IMPORT)
    codes = {values["unit"] for _n, values in stored.checked}
    units = {n.code: n for n in OrgNode.objects.filter(code__in=codes, kind=OrgNode.Kind.UNIT)}
    plan = ImportPlan()
    for number, data in stored.checked:
        values = dict(data)
        unit = units.get(values["unit"])
        if unit is None or not any(unit.path.startswith(p) for p in allowed):
            plan.errors.append(
                CellError(number, "单位代码", "unknown_unit", _("The unit is no longer yours."))
            )
            continue
        values["unit"] = unit
        for name in ("birth_date", "hired_on"):
            if values.get(name):
                values[name] = dt.date.fromisoformat(values[name])
        plan.checked.append((number, values))
    for number in _plan_rows(user, plan):
        plan.errors.append(CellError(number, "身份证号", "own_person", OWN_PERSON))
    return plan


def export_rows(people: Iterable[Person], can_see_id: Any) -> list[list[Any]]:
    """Rows for an export with the import's columns; `can_see_id(person)` decides masking."""
    out: list[list[Any]] = []
    for p in people:
        out.append(
            [
                p.id_number if can_see_id(p) else p.masked_id_number,
                p.name,
                choice_label("sex", p.sex),
                p.birth_date,
                p.unit.code,
                choice_label("category", p.category),
                choice_label("title_level", p.title_level),
                p.position,
                p.phone,
                choice_label("status", p.status),
                p.hired_on,
            ]
        )
    return out


def example_row() -> list[Any]:
    return [
        idnumber.make("110101", dt.date(1985, 6, 15), 12, "M"),
        "张三",
        "男",
        dt.date(1985, 6, 15),
        "A001",
        choice_label("category", Person.Category.GENERAL),
        choice_label("title_level", Person.TitleLevel.INTERMEDIATE),
        "科员",
        "13800000000",
        choice_label("status", Person.Status.ACTIVE),
        dt.date(2010, 7, 1),
    ]
