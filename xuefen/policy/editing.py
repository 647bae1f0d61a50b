"""The rule-set editor: a version as the forms of one page, and those forms back into a version.

`encode` turns a RuleSetData into the page's form data, in the shape a browser posts it, so the
first view, a row added and a refusal all render one way: bound forms. `Editor` binds that data and
offers every picker the rule set's own categories, activity kinds, age brackets and requirements,
as the form stands; `Editor.build` makes the dict `schema.to_dict` makes. `save_new_version` reads
that dict with the one reader (`schema.load_yaml`), writes it with `schema.dump_yaml` and saves it
with `actions.import_ruleset`: an edited version is saved exactly as an imported YAML is, audit
record included. The reader's refusals name a path (`requirements[1].any_of[0].min`);
`Editor.place` puts the message beside the field that path names.
"""

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml
from django import forms
from django.db.models import Max
from django.forms import BaseFormSet, formset_factory
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from xuefen.core.actors import Actor
from xuefen.core.errors import CodedError
from xuefen.policy import actions
from xuefen.policy import forms as f
from xuefen.policy.errors import Code
from xuefen.policy.models import RuleSet
from xuefen.policy.schema import (
    Calendar,
    Label,
    RuleSetData,
    RuleSetError,
    dump_yaml,
    load_yaml,
    to_dict,
)
from xuefen.policy.vocabulary import LEVELS, kind_label, level_label

MAX_ROWS = 200  # rows one list of the page may grow to by "add"

CategoryFormSet = formset_factory(f.CategoryForm, extra=0, can_delete=True)
BracketFormSet = formset_factory(f.BracketForm, extra=0, can_delete=True)
RequirementFormSet = formset_factory(f.RequirementForm, extra=0, can_delete=True)
AlternativeFormSet = formset_factory(
    f.AlternativeForm,
    extra=0,
    can_delete=True,
    min_num=1,
    max_num=2,
    validate_min=True,
    validate_max=True,
)
CapFormSet = formset_factory(f.CapForm, extra=0, can_delete=True)
ConversionFormSet = formset_factory(f.ConversionForm, extra=0, can_delete=True)
BandFormSet = formset_factory(f.BandForm, extra=0, can_delete=True)
TableRowFormSet = formset_factory(f.TableRowForm, extra=0, can_delete=True)
CarryOverFormSet = formset_factory(f.CarryOverForm, extra=0, can_delete=True)
TierFormSet = formset_factory(f.TierForm, extra=0, can_delete=True)

# The stem of the codes the server makes for new rows of a list (a new category is cat_3).
CODE_STEMS = {
    "cat": "cat",
    "age": "age",
    "req": "req",
    "cap": "cap",
    "conv": "kind",
    "tier": "tier",
}
# Lists nested in each row of a list: a requirement's alternatives, a conversion's bands and table.
NESTED = {"req": ("alt",), "conv": ("band", "row")}


def _num(value: Decimal) -> int | float:
    """A number as `schema.to_dict` writes it."""
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: Decimal) -> str:
    """A number as a form field shows it: 90, 7.5, 1.333 (no exponent, nothing rounded)."""
    return format(value.normalize(), "f") if value else "0"


def fresh_code(stem: str, taken: set[str]) -> str:
    """The first of stem_1, stem_2 … not taken: the code of a new row, made by the server."""
    number = 1
    while f"{stem}_{number}" in taken:
        number += 1
    return f"{stem}_{number}"


# --- RuleSetData -> form data ----------------------------------------------------------------


class _Writer:
    """Form data in the shape a browser posts: `prefix-N-field` keys and management forms."""

    def __init__(self) -> None:
        self.data = QueryDict(mutable=True)

    def value(self, key: str, value: Any) -> None:
        if value is None or value is False:
            return
        if value is True:
            self.data[key] = "on"
        elif isinstance(value, list | tuple):
            self.data.setlist(key, [str(v) for v in value])
        elif isinstance(value, Decimal):
            self.data[key] = _text(value)
        elif isinstance(value, dt.date):
            self.data[key] = value.isoformat()
        else:
            self.data[key] = str(value)

    def form(self, prefix: str, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            self.value(f"{prefix}-{name}", value)

    def formset(self, prefix: str, rows: list[dict[str, Any]]) -> list[str]:
        """Writes the rows; returns each row's prefix (for the lists nested in it)."""
        self.data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        self.data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        self.data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        self.data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        prefixes = []
        for index, row in enumerate(rows):
            self.form(f"{prefix}-{index}", row)
            prefixes.append(f"{prefix}-{index}")
        return prefixes


def _label(label: Label) -> dict[str, str]:
    return {"label_zh": label.zh, "label_en": label.en if label.en != label.zh else ""}


def _by_age(values: Mapping[str, Decimal]) -> dict[str, Decimal]:
    return {f"age_{code}": value for code, value in values.items()}


def suggested_start(calendar: Calendar, after: dt.date, today: dt.date | None = None) -> dt.date:
    """Where a change of the rules usually begins: the first day of next year by the rule set's
    calendar, or of the first year starting after `after` if that is later."""
    today = today or timezone.localdate()
    start = calendar.first_day(calendar.period_of(today) + 1)
    while start <= after:
        start = calendar.first_day(calendar.period_of(start) + 1)
    return start


def encode(data: RuleSetData, valid_from: dt.date) -> QueryDict:
    """The editor's form data for a new version of `data` starting on `valid_from`."""
    out = _Writer()
    own = data.unit
    out.form(
        "basics",
        {
            "name_zh": data.name.zh,
            "name_en": data.name.en if data.name.en != data.name.zh else "",
            "valid_from": valid_from,
            "valid_to": data.valid_to,
            "description": data.description,
            "source": data.source,
            "unit": data.unit,
            "year_month": data.calendar.month,
            "year_day": data.calendar.day,
            "days_per_month": data.days_per_month,
            "hours_per_day": data.hours_per_day,
        },
    )
    out.formset("cat", [{"code": c.code, **_label(c.label)} for c in data.categories])
    out.formset(
        "age",
        [
            {"code": b.code, **_label(b.label), "min_age": b.min_age, "max_age": b.max_age}
            | {"source": b.source}
            for b in data.age_brackets
        ],
    )
    rows: list[dict[str, Any]] = [
        {
            "code": r.code,
            **_label(r.label),
            "binding": r.binding,
            "window_years": r.window.years,
            "window_kind": r.window.kind,
            "window_first": r.window.first,
            "source": r.source,
        }
        for r in data.requirements
    ]
    for prefix, r in zip(out.formset("req", rows), data.requirements, strict=True):
        out.formset(
            f"{prefix}-alt",
            [
                {
                    "min": t.min,
                    "unit": f.OWN_UNIT if t.unit in ("", own) else t.unit,
                    "categories": t.categories,
                    "kinds": t.kinds,
                    **_by_age(t.by_age),
                }
                for t in r.targets
            ],
        )
    out.formset(
        "cap",
        [
            {
                "code": c.code,
                **_label(c.label),
                "max": c.max,
                "per": c.per,
                "categories": c.categories,
                "kinds": c.kinds,
                "source": c.source,
            }
            for c in data.caps
        ],
    )
    conversions = list(data.conversions.values())
    rows = [
        {
            "code": c.kind,
            **_label(c.label),
            "method": c.method,
            "rate": c.rate or None,
            "minutes": c.minutes or None,
            "max_per_item": c.max_per_item,
            "max_per_day": c.max_per_day,
            "round_to": c.round_to,
            "split_years": c.split_years,
            "categories": c.categories,
            "source": c.source,
        }
        for c in conversions
    ]
    for prefix, c in zip(out.formset("conv", rows), conversions, strict=True):
        out.formset(
            f"{prefix}-band",
            [
                {"bound": "over" if b.over else "min", "minutes": b.min_minutes, "amount": b.amount}
                for b in c.bands
            ],
        )
        out.formset(
            f"{prefix}-row",
            [
                {
                    "level": t.level,
                    "author_rank": "" if t.author_rank == "*" else t.author_rank,
                    "amount": t.amount,
                }
                for t in c.table
            ],
        )
    out.formset(
        "carry",
        [
            {"requirement": c.requirement, "to": c.to, "max": c.max, "source": c.source}
            for c in data.carry_over
        ],
    )
    grades = data.grades
    out.form("grades", {"of": grades.of if grades else "", "source": grades and grades.source})
    out.formset(
        "tier",
        [
            {"code": t.code, **_label(t.label), "min_ratio": t.min_ratio, **_by_age(t.by_age)}
            for t in (grades.tiers if grades else ())
        ],
    )
    out.form(
        "pro",
        {
            "new_hire": data.proration.new_hire,
            "leave_exempt_months": data.proration.leave_exempt_months,
            "source": data.proration.source,
        },
    )
    return out.data


# --- reading the page as it stands -----------------------------------------------------------


def _raw(form: forms.Form, name: str) -> str:
    value = form[name].value() if name in form.fields else None
    return "" if value is None else str(value).strip()


def _deleted(form: forms.Form) -> bool:
    return "DELETE" in form.fields and bool(form["DELETE"].value())


def _named_rows(formset: BaseFormSet[Any]) -> list[f.Choice]:
    """(code, label) of the rows not marked for deletion that have a code and a name."""
    out = []
    for form in formset.forms:
        code, zh = _raw(form, "code"), _raw(form, "label_zh")
        if code and zh and not _deleted(form):
            out.append((code, str(Label(zh, _raw(form, "label_en") or zh))))
    return out


@dataclass
class _Place:
    """Where the reader's complaints about `path` go: `form`, at the field `fields` names for the
    key after the path (the longest that matches), else above the form."""

    path: str
    form: forms.Form
    fields: Mapping[str, str]


_LABEL = {"label": "label_zh", "label.zh": "label_zh", "label.en": "label_en"}
_TARGET = ("min", "unit", "categories", "category", "kinds", "kind")


class Editor:
    """The forms of the rule-set editor, bound to the page's data (see `encode`)."""

    def __init__(self, base: RuleSetData, data: QueryDict, *, version: int, after: dt.date) -> None:
        self.base = base
        self.data = data
        self.version = version
        self.errors: list[str] = []  # refusals that name no part of the page
        self.checked = False  # whether the page was checked (only then are problems shown)
        self.places: list[_Place] = []
        self.basics = f.BasicsForm(data, prefix="basics", after=after)
        choices = f.Choices(unit=_raw(self.basics, "unit") or base.unit)
        self.choices = choices
        self.categories = CategoryFormSet(data, prefix="cat")
        choices.categories = _named_rows(self.categories)
        self.brackets = BracketFormSet(data, prefix="age")
        choices.brackets = _named_rows(self.brackets)
        kw = {"choices": choices}
        self.conversions = ConversionFormSet(data, prefix="conv", form_kwargs=kw)
        choices.kinds = self._kinds()
        choices.levels = self._levels()
        self.requirements = RequirementFormSet(data, prefix="req")
        choices.requirements = _named_rows(self.requirements)
        self.requirement_rows = [
            (form, AlternativeFormSet(data, prefix=f"{form.prefix}-alt", form_kwargs=kw))
            for form in self.requirements.forms
        ]
        self.conversion_rows = [
            (
                form,
                BandFormSet(data, prefix=f"{form.prefix}-band"),
                TableRowFormSet(data, prefix=f"{form.prefix}-row", form_kwargs=kw),
            )
            for form in self.conversions.forms
        ]
        self.caps = CapFormSet(data, prefix="cap", form_kwargs=kw)
        self.carry_over = CarryOverFormSet(data, prefix="carry", form_kwargs=kw)
        self.grades = f.GradesForm(data, prefix="grades", choices=choices)
        self.tiers = TierFormSet(data, prefix="tier", form_kwargs=kw)
        self.proration = f.ProrationForm(data, prefix="pro")

    def _kinds(self) -> list[f.Choice]:
        """The conversions' activity kinds, and any kind the version picks that has none (a kind
        named only by claim types or courses), so opening the form loses nothing."""
        kinds = _named_rows(self.conversions)
        known = {code for code, _label in kinds}
        used = [k for c in self.base.caps for k in c.kinds]
        used += [k for r in self.base.requirements for t in r.targets for k in t.kinds]
        for kind in dict.fromkeys(used):
            if kind not in known:
                kinds.append((kind, kind_label(self.base, kind)))
        return kinds

    def _levels(self) -> list[f.Choice]:
        levels = [(code, str(label)) for code, label in LEVELS.items()]
        for conversion in self.base.conversions.values():
            for row in conversion.table:
                if all(row.level != code for code, _label in levels):
                    levels.append((row.level, level_label(row.level)))
        return levels

    # -- the lists of the page --

    def formsets(self) -> Iterator[tuple[BaseFormSet[Any], list[BaseFormSet[Any]]]]:
        """Every list of the page with, per row, the lists nested in it."""
        yield self.categories, []
        yield self.brackets, []
        yield self.requirements, [alts for _form, alts in self.requirement_rows]
        yield self.caps, []
        yield (
            self.conversions,
            [s for _f, bands, rows in self.conversion_rows for s in (bands, rows)],
        )
        yield self.carry_over, []
        yield self.tiers, []

    def _nested_of(self, form: forms.Form) -> list[BaseFormSet[Any]]:
        for requirement, alts in self.requirement_rows:
            if requirement is form:
                return [alts]
        for conversion, bands, rows in self.conversion_rows:
            if conversion is form:
                return [bands, rows]
        return []

    def _by_prefix(self) -> dict[str, BaseFormSet[Any]]:
        out: dict[str, BaseFormSet[Any]] = {}
        for formset, nested in self.formsets():
            out[str(formset.prefix)] = formset
            out.update((str(n.prefix), n) for n in nested)
        return out

    def in_use(self, formset: BaseFormSet[Any], index: int) -> bool:
        """A row counts unless marked for deletion, or added and left empty (nested lists too)."""
        form = formset.forms[index]
        if _deleted(form):
            return False
        if index < formset.initial_form_count() or form.has_changed():
            return True
        return any(n.has_changed() for s in self._nested_of(form) for n in s.forms)

    def _used(self, formset: BaseFormSet[Any]) -> list[forms.Form]:
        return [form for i, form in enumerate(formset.forms) if self.in_use(formset, i)]

    # -- checking and building --

    def is_valid(self) -> bool:
        """Every form of the page checked (all of them, so every problem shows at once)."""
        self.checked = True
        results = [self.basics.is_valid(), self.grades.is_valid(), self.proration.is_valid()]
        for formset, _nested in self.formsets():
            for index, form in enumerate(formset.forms):
                # A row the clerk filled only the nested part of is still a row to check; the
                # nested lists of a row that does not count are not checked either.
                used = self.in_use(formset, index)
                form.empty_permitted = not used
                for nested in [] if used else self._nested_of(form):
                    nested.validate_min = False
                    for inner in nested.forms:
                        inner.empty_permitted = True
            results.append(formset.is_valid())
            for form in self._used(formset):
                for nested in self._nested_of(form):
                    results.append(nested.is_valid())
        return all(results)

    def add_row(self, prefix: str) -> QueryDict | None:
        """The page's data with one more (empty) row in the list `prefix`, its code made by the
        server; None when there is no such list or it is full."""
        formset = self._by_prefix().get(prefix)
        if formset is None:
            return None
        total = formset.total_form_count()
        if total >= min(formset.max_num, MAX_ROWS):
            return None
        data = with_empty_row(self.data, formset)
        row = f"{prefix}-{total}"
        if prefix in CODE_STEMS:
            taken = {_raw(form, "code") for form in formset.forms}
            data[f"{row}-code"] = fresh_code(CODE_STEMS[prefix], taken)
        for name in NESTED.get(prefix, ()):
            data[f"{row}-{name}-TOTAL_FORMS"] = "0"
            data[f"{row}-{name}-INITIAL_FORMS"] = "0"
        if prefix == "req":  # a requirement starts with one way of meeting it
            data[f"{row}-alt-TOTAL_FORMS"] = "1"
            _write_defaults(data, f"{row}-alt-0", f.AlternativeForm(choices=self.choices))
        return data

    def _place(self, path: str, form: forms.Form, fields: Mapping[str, str]) -> None:
        self.places.append(_Place(path, form, fields))

    def build(self) -> dict[str, Any]:
        """The new version as `schema.to_dict` would write it (call after `is_valid`). What the
        page does not edit (code, regions, unit rates, rounding) is the base version's."""
        self.places = []
        b = self.basics.cleaned_data
        out = to_dict(self.base)
        out.update(
            version=self.version,
            name={"zh": b["name_zh"], "en": b["name_en"]},
            valid_from=b["valid_from"].isoformat(),
            valid_to=b["valid_to"].isoformat() if b["valid_to"] else None,
            description=b["description"],
            source=b["source"],
            unit=b["unit"],
            year_starts=f"{b['year_month']:02d}-{b['year_day']:02d}",
            days_per_month=_num(b["days_per_month"]),
            hours_per_day=_num(b["hours_per_day"]),
        )
        self._place(
            "",
            self.basics,
            {
                "name": "name_zh",
                "name.zh": "name_zh",
                "name.en": "name_en",
                "year_starts": "year_month",
                **{k: k for k in ("valid_from", "valid_to", "description", "source", "unit")},
                **{k: k for k in ("days_per_month", "hours_per_day")},
            },
        )
        out["categories"] = [
            self._category(i, form) for i, form in enumerate(self._used(self.categories))
        ]
        out["age_brackets"] = [
            self._bracket(i, form) for i, form in enumerate(self._used(self.brackets))
        ]
        out["requirements"] = [
            self._requirement(i, form, b["unit"])
            for i, form in enumerate(self._used(self.requirements))
        ]
        out["caps"] = [self._cap(i, form) for i, form in enumerate(self._used(self.caps))]
        out["carry_over"] = [
            self._carry_over(i, form) for i, form in enumerate(self._used(self.carry_over))
        ]
        out["conversions"] = {}
        for form in self._used(self.conversions):
            kind, item = self._conversion(form)
            if kind in out["conversions"]:  # only a tampered page repeats a server-made code
                raise RuleSetError(
                    Code.DUPLICATE_CODE,
                    _("conversion '%(c)s' twice") % {"c": kind},
                    field=f"conversions.{kind}",
                )
            out["conversions"][kind] = item
        out.pop("grades", None)
        if self.grades.cleaned_data["of"]:
            out["grades"] = self._grades()
        p = self.proration.cleaned_data
        out["proration"] = _with_source(
            {"new_hire": p["new_hire"], "leave_exempt_months": p["leave_exempt_months"]},
            p["source"],
        )
        self._place("proration", self.proration, {k: k for k in p})
        return out

    def _code(self, form: forms.Form, formset: BaseFormSet[Any]) -> str:
        code = str(form.cleaned_data.get("code") or "")
        if not code:  # a row posted without its code: make one, as "add" would have
            taken = {_raw(other, "code") for other in formset.forms}
            code = fresh_code(CODE_STEMS[str(formset.prefix)], taken)
            form.cleaned_data["code"] = code
        return code

    def _category(self, index: int, form: forms.Form) -> dict[str, Any]:
        c = form.cleaned_data
        self._place(f"categories[{index}]", form, _LABEL)
        return {"code": self._code(form, self.categories), "label": _label_of(c)}

    def _bracket(self, index: int, form: forms.Form) -> dict[str, Any]:
        c = form.cleaned_data
        fields = {**_LABEL, "min_age": "min_age", "max_age": "max_age", "source": "source"}
        self._place(f"age_brackets[{index}]", form, fields)
        item = {
            "code": self._code(form, self.brackets),
            "label": _label_of(c),
            "min_age": c["min_age"],
            "max_age": c["max_age"],
        }
        return _with_source(item, c["source"])

    def _target(self, form: forms.Form, unit: str) -> dict[str, Any]:
        c = form.cleaned_data
        out: dict[str, Any] = {
            "min": _num(c["min"]),
            "unit": unit if c["unit"] == f.OWN_UNIT else c["unit"],
        }
        if c["categories"]:
            out["categories"] = list(c["categories"])
        if c["kinds"]:
            out["kinds"] = list(c["kinds"])
        by_age = {
            code: _num(c[f"age_{code}"])
            for code, _label in self.choices.brackets
            if c.get(f"age_{code}") is not None
        }
        if by_age:
            out["by_age"] = by_age
        return out

    def _target_fields(self) -> dict[str, str]:
        fields = {key: key for key in _TARGET}
        fields.update(category="categories", kind="kinds", by_age="min")
        fields.update({f"by_age.{code}": f"age_{code}" for code, _label in self.choices.brackets})
        return fields

    def _requirement(self, index: int, form: forms.Form, unit: str) -> dict[str, Any]:
        c = form.cleaned_data
        path = f"requirements[{index}]"
        alternatives = next(alts for parent, alts in self.requirement_rows if parent is form)
        targets = self._used(alternatives)
        window_fields = {
            "window": "window_years",
            "window.years": "window_years",
            "window.kind": "window_kind",
            "window.first": "window_first",
            "window_years": "window_years",
        }
        self._place(
            path, form, {**_LABEL, **window_fields, "binding": "binding", "source": "source"}
        )
        item: dict[str, Any] = {"code": self._code(form, self.requirements), "label": _label_of(c)}
        if len(targets) == 1:
            item.update(self._target(targets[0], unit))
            self._place(path, targets[0], self._target_fields())
        else:
            item["any_of"] = [self._target(target, unit) for target in targets]
            for j, target in enumerate(targets):
                self._place(f"{path}.any_of[{j}]", target, self._target_fields())
        if c["window_years"] > 1:
            window: dict[str, Any] = {"years": c["window_years"], "kind": c["window_kind"]}
            if c["window_first"] is not None:
                window["first"] = c["window_first"]
            item["window"] = window
        item["binding"] = c["binding"]
        return _with_source(item, c["source"])

    def _cap(self, index: int, form: forms.Form) -> dict[str, Any]:
        c = form.cleaned_data
        fields = {**_LABEL, **{k: k for k in ("max", "per", "categories", "kinds", "source")}}
        self._place(f"caps[{index}]", form, fields)
        item = {
            "code": self._code(form, self.caps),
            "label": _label_of(c),
            "max": _num(c["max"]),
            "per": c["per"],
            "categories": list(c["categories"]),
            "kinds": list(c["kinds"]),
        }
        return _with_source(item, c["source"])

    def _carry_over(self, index: int, form: forms.Form) -> dict[str, Any]:
        c = form.cleaned_data
        self._place(f"carry_over[{index}]", form, {k: k for k in c})
        item = {
            "requirement": c["requirement"],
            "to": c["to"],
            "max": None if c["max"] is None else _num(c["max"]),
        }
        return _with_source(item, c["source"])

    def _conversion(self, form: forms.Form) -> tuple[str, dict[str, Any]]:
        c = form.cleaned_data
        kind = self._code(form, self.conversions)
        path = f"conversions.{kind}"
        numbers = ("rate", "minutes", "max_per_item", "max_per_day", "round_to", "split_years")
        fields = {**_LABEL, **{k: k for k in (*numbers, "method", "categories", "source")}}
        self._place(path, form, fields)
        _parent, bands, rows = next(row for row in self.conversion_rows if row[0] is form)
        item: dict[str, Any] = {
            "label": _label_of(c),
            "method": c["method"],
            "categories": list(c["categories"]),
        }
        if c["rate"]:
            item["rate"] = _num(c["rate"])
        if c["minutes"]:
            item["minutes"] = _num(c["minutes"])
        used_bands = self._used(bands)
        if used_bands:
            item["bands"] = []
            for j, band in enumerate(used_bands):
                d = band.cleaned_data
                bound = "over_minutes" if d["bound"] == "over" else "min_minutes"
                item["bands"].append({bound: _num(d["minutes"]), "amount": _num(d["amount"])})
                band_fields = {
                    "min_minutes": "minutes",
                    "over_minutes": "minutes",
                    "amount": "amount",
                }
                self._place(f"{path}.bands[{j}]", band, band_fields)
        used_rows = self._used(rows)
        if used_rows:
            item["table"] = []
            for j, row in enumerate(used_rows):
                d = row.cleaned_data
                rank = "*" if d["author_rank"] is None else str(d["author_rank"])
                item["table"].append(
                    {"level": d["level"], "author_rank": rank, "amount": _num(d["amount"])}
                )
                self._place(f"{path}.table[{j}]", row, {k: k for k in d})
        for name in ("max_per_item", "max_per_day", "round_to"):
            if c[name] is not None:
                item[name] = _num(c[name])
        item["split_years"] = c["split_years"]
        return kind, _with_source(item, c["source"])

    def _grades(self) -> dict[str, Any]:
        g = self.grades.cleaned_data
        self._place("grades", self.grades, {"of": "of", "source": "source"})
        tiers = []
        for j, form in enumerate(self._used(self.tiers)):
            c = form.cleaned_data
            fields = {**_LABEL, "min_ratio": "min_ratio"}
            fields.update({f"by_age.{code}": f"age_{code}" for code, _l in self.choices.brackets})
            self._place(f"grades.tiers[{j}]", form, fields)
            tier: dict[str, Any] = {
                "code": self._code(form, self.tiers),
                "label": _label_of(c),
                "min_ratio": _num(c["min_ratio"]),
            }
            by_age = {
                code: _num(c[f"age_{code}"])
                for code, _label in self.choices.brackets
                if c.get(f"age_{code}") is not None
            }
            if by_age:
                tier["by_age"] = by_age
            tiers.append(tier)
        return _with_source({"of": g["of"], "tiers": tiers}, g["source"])

    # -- refusals --

    def place(self, error: CodedError) -> None:
        """Shows a refusal beside the field its path names (the reader's `requirements[1].min`,
        import_ruleset's `valid_from`), or above the page when it names none."""
        path = error.field or ""
        message = str(error.message)
        if not path:
            self.errors.append(message)
            return
        if message.startswith(f"{path}: "):
            message = message[len(path) + 2 :]
        for place in sorted(self.places, key=lambda p: -len(p.path)):
            rest = _after(path, place.path)
            if rest is None:
                continue
            same = [p for p in self.places if p.path == place.path]
            for candidate in same:
                name = _field_for(rest, candidate.fields)
                if name is not None and name in candidate.form.fields:
                    candidate.form.add_error(name, message)
                    return
            if place.path or not rest:
                same[0].form.add_error(None, message)
                return
        self.errors.append(str(error.message))


def _after(path: str, prefix: str) -> str | None:
    """What follows `prefix` in `path` ("min" of "requirements[1].min"), or None if it is not a
    prefix of it; "" for the path itself."""
    if not prefix:
        return path
    if path == prefix:
        return ""
    if path.startswith(prefix + "."):
        return path[len(prefix) + 1 :]
    if path.startswith(prefix + "["):
        return path[len(prefix) :]
    return None


def _field_for(rest: str, fields: Mapping[str, str]) -> str | None:
    """The field of the longest key that `rest` starts with ("window.first" before "window")."""
    parts = re.split(r"\.", rest) if rest else []
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        if key in fields:
            return fields[key]
    return None


def _label_of(cleaned: Mapping[str, Any]) -> dict[str, str]:
    return {"zh": cleaned["label_zh"], "en": cleaned["label_en"]}


def _with_source(item: dict[str, Any], source: str) -> dict[str, Any]:
    if source:
        item["source"] = source
    return item


def _write_defaults(data: QueryDict, prefix: str, form: forms.Form) -> None:
    """Writes a new row's starting values (its fields' initial values) as a browser would post
    them, so an added row shows them and counts as empty until the clerk types."""
    for name in form.fields:
        value = form[name].initial
        if value is None or value is False or value == "" or name == "DELETE":
            continue
        if value is True:
            data[f"{prefix}-{name}"] = "on"
        elif isinstance(value, list | tuple):
            data.setlist(f"{prefix}-{name}", [str(v) for v in value])
        else:
            data[f"{prefix}-{name}"] = str(value)


def with_empty_row(data: QueryDict, formset: BaseFormSet[Any]) -> QueryDict:
    """A copy of a page's data with one more row in `formset`, showing its starting values (the
    buttons pressed are not data: they are left out)."""
    out = data.copy()
    for button in ("add", "save", "evaluate"):
        out.pop(button, None)
    total = formset.total_form_count()
    _write_defaults(out, f"{formset.prefix}-{total}", formset.empty_form)
    out[f"{formset.prefix}-TOTAL_FORMS"] = str(total + 1)
    return out


# --- the pieces a view needs ------------------------------------------------------------------


def unscoped_next_version(code: str) -> int:
    """One more than the highest version of `code` on any region: version numbers are unique per
    code across regions, so this reads past the user's scope (a number, no content)."""
    latest = RuleSet.objects.filter(code=code).aggregate(Max("version"))["version__max"]
    return (latest or 0) + 1


def latest_start(ruleset: RuleSet) -> dt.date:
    """The latest start of a version of this rule set on its region (a new one must be later)."""
    siblings = RuleSet.objects.filter(code=ruleset.code, region_id=ruleset.region_id)
    latest = siblings.aggregate(Max("valid_from"))["valid_from__max"]
    return max(latest or ruleset.valid_from, ruleset.valid_from)


def editor_for(ruleset: RuleSet, data: QueryDict | None = None) -> Editor:
    """The editor of a new version of `ruleset`: pre-filled from it, or bound to posted data."""
    base = ruleset.data
    after = latest_start(ruleset)
    if data is None:
        data = encode(base, suggested_start(base.calendar, after))
    return Editor(base, data, version=unscoped_next_version(base.code), after=after)


def save_new_version(actor: Actor, ruleset: RuleSet, editor: Editor) -> RuleSet:
    """Saves the editor's rule set as a new version on `ruleset`'s region, exactly as an imported
    YAML: read by the one reader, written by `dump_yaml`, saved (and audited) by
    `import_ruleset`. Raises the reader's RuleSetError or the action's PolicyError (each naming
    its field) with nothing saved. Call after `editor.is_valid()`."""
    raw = editor.build()
    data = load_yaml(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    return actions.import_ruleset(actor, dump_yaml(data), ruleset.region)
