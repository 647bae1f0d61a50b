"""The OpenAPI document in its reader's language (Chinese unless the caller asks for English).

Its texts are English source strings marked with gettext_noop where they are written (pydantic and
ninja need plain strings); ninja builds the document on every request, and the API object below
translates each summary and description of it in the active language on the way out. A field that
carries a code (`x-codes` in its schema, see xuefen.api.codes) gets the list of its codes with
their labels in its description; the JSON itself keeps the codes."""

from typing import Any

from django.utils.translation import gettext, gettext_noop, pgettext
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from xuefen.api.codes import TABLES, CodeTable

TEXT_KEYS = ("summary", "description")

# ninja names each response by its HTTP reason phrase; these are the ones our operations document.
REASON_PHRASES = (
    gettext_noop("OK"),
    gettext_noop("Accepted"),
    gettext_noop("Bad Request"),
    gettext_noop("Unauthorized"),
    gettext_noop("Forbidden"),
    gettext_noop("Not Found"),
    gettext_noop("Conflict"),
    gettext_noop("Content Too Large"),
    gettext_noop("URI Too Long"),
    gettext_noop("Unprocessable Content"),
)


def code_list(table: CodeTable) -> str:
    """“Unit of credit: hours (hours), credits (credits)”, in the active language."""
    listed = pgettext("between listed codes", ", ").join(
        pgettext("a code and its label", "%(code)s (%(label)s)") % {"code": code, "label": label}
        for code, label in table.items()
    )
    line = pgettext("a code table", "%(table)s: %(codes)s") % {
        "table": table.title,
        "codes": listed,
    }
    return f"{line}\n\n{table.note}" if table.note else line


def _table_of(node: dict[str, Any]) -> str | None:
    """The code table a schema names; for a parameter, the one its schema names."""
    if "x-codes" in node:
        return str(node["x-codes"])
    schema = node.get("schema")
    if "in" in node and isinstance(schema, dict) and "x-codes" in schema:
        return str(schema["x-codes"])
    return None


def translated(node: Any) -> Any:
    """A copy of `node` with every summary and description translated (nothing is changed in
    place: ninja's document shares some of its parts with the API object)."""
    if isinstance(node, list):
        return [translated(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: gettext(value)
        if key in TEXT_KEYS and isinstance(value, str) and value
        else translated(value)
        for key, value in node.items()
    }
    table = _table_of(node)
    if table is not None:
        text = out.get("description", "")
        listed = code_list(TABLES[table])
        out["description"] = f"{text}\n\n{listed}" if text else listed
    return out


class XuefenAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for key, value in list(schema.items()):
            schema[key] = translated(value)
        schema["info"]["title"] = gettext(self.title)
        return schema
