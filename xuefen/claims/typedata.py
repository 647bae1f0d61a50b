"""Claim types as data: reading and checking the YAML (claimtypes/default.yaml, and the fields and
evidence the office edits on the claim-type page). Pure: no database here."""

import re
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from xuefen.claims.errors import ClaimError, Code

DEFAULT_FILE = Path(__file__).resolve().parent / "claimtypes" / "default.yaml"
FIELD_KINDS = ("text", "int", "decimal", "date", "choice")
FILE_KINDS = ("pdf", "image")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SPECIAL = {"@title", "@days"}
TYPE_KEYS = {
    "code", "order", "name", "description", "fields", "evidence", "conversion_kind",
    "quantity_field", "attr_fields", "artefact_field", "single_author", "full_day", "hours_field",
    "days_field", "needs_signoff", "manual_amount", "default_categories",
}  # fmt: skip


def _fail(where: str, message: str) -> ClaimError:
    return ClaimError(Code.CLAIMTYPE_INVALID, f"{where}: {message}", field=where.split(".")[0])


def _label(value: Any, where: str) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"zh": value.strip(), "en": ""}
    if isinstance(value, dict) and str(value.get("zh") or "").strip():
        return {"zh": str(value["zh"]).strip(), "en": str(value.get("en") or "").strip()}
    raise _fail(where, _("a label needs its Chinese text (zh)"))


def check_fields(value: Any, where: str = "fields") -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise _fail(where, _("expected a list"))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise _fail(at, _("expected a mapping"))
        name = str(item.get("name") or "")
        if not NAME.match(name) or name in seen:
            raise _fail(at, _("the name must be unique, lower-case letters, digits and _"))
        seen.add(name)
        kind = item.get("kind", "text")
        if kind not in FIELD_KINDS:
            raise _fail(at, _("kind must be one of %(k)s") % {"k": ", ".join(FIELD_KINDS)})
        spec: dict[str, Any] = {
            "name": name,
            "label": _label(item.get("label", name), f"{at}.label"),
            "kind": kind,
            "required": bool(item.get("required", False)),
        }
        if kind == "choice":
            choices = item.get("choices")
            if not isinstance(choices, list) or not choices:
                raise _fail(at, _("a choice field needs choices"))
            spec["choices"] = [
                {
                    "value": str(c.get("value")),
                    "label": _label(c.get("label", c.get("value")), f"{at}.choices[{j}]"),
                }
                for j, c in enumerate(choices)
                if isinstance(c, dict) and c.get("value") not in (None, "")
            ]
            if len(spec["choices"]) != len(choices):
                raise _fail(at, _("each choice needs a value"))
        out.append(spec)
    return out


def check_evidence(value: Any, where: str = "evidence") -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise _fail(where, _("expected a list"))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise _fail(at, _("expected a mapping"))
        code = str(item.get("code") or "")
        if not NAME.match(code) or code in seen:
            raise _fail(at, _("the code must be unique, lower-case letters, digits and _"))
        seen.add(code)
        kinds = item.get("kinds") or list(FILE_KINDS)
        if not isinstance(kinds, list) or any(k not in FILE_KINDS for k in kinds):
            raise _fail(at, _("kinds must be pdf and/or image"))
        out.append(
            {
                "code": code,
                "label": _label(item.get("label", code), f"{at}.label"),
                "kinds": list(kinds),
                "required": bool(item.get("required", False)),
            }
        )
    return out


def check_references(spec: dict[str, Any]) -> None:
    """The fields a type names (quantity, attributes, artefact, hours, days) must exist."""
    names = {f["name"] for f in spec.get("fields", [])} | SPECIAL
    for key in ("quantity_field", "artefact_field", "hours_field", "days_field"):
        value = spec.get(key) or ""
        if value and value not in names:
            raise _fail(key, _("names no field of this type: %(v)s") % {"v": value})
    for value in spec.get("attr_fields") or []:
        if value not in names:
            raise _fail("attr_fields", _("names no field of this type: %(v)s") % {"v": value})


def parse_type(item: dict[str, Any], where: str) -> dict[str, Any]:
    unknown = set(item) - TYPE_KEYS
    if unknown:
        raise _fail(where, _("unknown keys: %(k)s") % {"k": ", ".join(sorted(unknown))})
    code = str(item.get("code") or "")
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", code):
        raise _fail(f"{where}.code", _("a code of lower-case letters, digits and _"))
    name = _label(item.get("name"), f"{where}.name")
    spec = {
        "code": code,
        "order": int(item.get("order", 100)),
        "name_zh": name["zh"],
        "name_en": name["en"],
        "description": str(item.get("description") or ""),
        "fields": check_fields(item.get("fields"), f"{where}.fields"),
        "evidence": check_evidence(item.get("evidence"), f"{where}.evidence"),
        "conversion_kind": str(item.get("conversion_kind") or ""),
        "quantity_field": str(item.get("quantity_field") or ""),
        "attr_fields": [str(a) for a in item.get("attr_fields") or []],
        "artefact_field": str(item.get("artefact_field") or ""),
        "single_author": bool(item.get("single_author", False)),
        "full_day": bool(item.get("full_day", False)),
        "hours_field": str(item.get("hours_field") or ""),
        "days_field": str(item.get("days_field") or ""),
        "needs_signoff": bool(item.get("needs_signoff", False)),
        "manual_amount": bool(item.get("manual_amount", False)),
        "default_categories": [str(c) for c in item.get("default_categories") or []],
    }
    check_references(spec)
    return spec


def parse(text: str) -> list[dict[str, Any]]:
    """Every type of a claim-type YAML file as ClaimType values; ClaimError naming the place."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ClaimError(Code.CLAIMTYPE_YAML, _("Not valid YAML: %(e)s") % {"e": exc}) from None
    if not isinstance(data, dict) or not isinstance(data.get("types"), list):
        raise _fail("types", _("expected a list of types"))
    specs = [parse_type(item, f"types[{i}]") for i, item in enumerate(data["types"])]
    codes = [s["code"] for s in specs]
    if len(set(codes)) != len(codes):
        raise _fail("types", _("a code appears twice"))
    return specs


def default_types() -> list[dict[str, Any]]:
    return parse(DEFAULT_FILE.read_text(encoding="utf-8"))


def dump_list(value: list[dict[str, Any]]) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False) if value else ""
