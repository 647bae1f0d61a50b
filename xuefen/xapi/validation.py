"""Statement validation by the xAPI specification (1.0.3, and 2.0 where it differs): the
structure of actor, verb, object, result, context and attachments, IRIs, UUIDs, language maps,
timestamps and durations. Pure: no database. A refusal is an XapiError naming the property
(e.g. `statements[3].actor.mbox`)."""

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from xuefen.xapi.errors import Code, XapiError

VOIDED = "http://adlnet.gov/expapi/verbs/voided"

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_SHA1 = re.compile(r"^[0-9a-fA-F]{40}$")
_SHA2 = re.compile(r"^([0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_VERSION = re.compile(r"^(1\.0(\.\d+)?|2\.0(\.\d+)?)$")
_DURATION = re.compile(
    r"^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
    r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$"
)
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE
)

STATEMENT_KEYS = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
SUB_KEYS = {
    "objectType",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "attachments",
}
AGENT_KEYS = {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}
GROUP_KEYS = AGENT_KEYS | {"member"}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")
ACTIVITY_KEYS = {"objectType", "id", "definition"}
DEFINITION_KEYS = {
    "name",
    "description",
    "type",
    "moreInfo",
    "extensions",
    "interactionType",
    "correctResponsesPattern",
    "choices",
    "scale",
    "source",
    "target",
    "steps",
}
INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}
RESULT_KEYS = {"score", "success", "completion", "response", "duration", "extensions"}
SCORE_KEYS = {"scaled", "raw", "min", "max"}
CONTEXT_KEYS = {
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
}
CONTEXT_KEYS_2 = CONTEXT_KEYS | {"contextAgents", "contextGroups"}
CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}
ATTACHMENT_KEYS = {
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
}


def _bad(where: str, message: Any, code: Code = Code.INVALID) -> XapiError:
    return XapiError(code, message, field=where)


@dataclass
class Checked:
    """A statement that passed, with the columns the LRS files it under."""

    data: dict[str, Any]
    statement_id: uuid.UUID | None
    timestamp: dt.datetime | None
    verb_id: str
    actor_ifi: str
    object_type: str
    object_id: str
    registration: uuid.UUID | None
    related_activities: list[str]
    related_agents: list[str]
    voids: uuid.UUID | None


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(where, _("Must be a JSON object."))
    return value


def _keys(value: dict[str, Any], allowed: set[str], where: str) -> None:
    for key, item in value.items():
        if key not in allowed:
            raise _bad(f"{where}.{key}", _("Unknown property."), Code.UNKNOWN_PROPERTY)
        if item is None:
            raise _bad(f"{where}.{key}", _("Null is not allowed."), Code.NULL)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _bad(where, _("Must be a string."))
    return value


def iri(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _IRI.match(value):
        raise _bad(where, _("Must be an absolute IRI (e.g. https://example.com/…)."), Code.IRI)
    return value


def parse_uuid(value: Any, where: str) -> uuid.UUID:
    if not isinstance(value, str) or not _UUID.match(value):
        raise _bad(where, _("Must be a UUID (8-4-4-4-12 hexadecimal digits)."), Code.UUID)
    return uuid.UUID(value)


def parse_timestamp(value: Any, where: str, *, need_zone: bool = False) -> dt.datetime:
    """ISO 8601 date and time; -00:00 is refused; without an offset it is UTC (1.0.3), refused
    in 2.0, which requires the offset."""
    if not isinstance(value, str) or not _TIMESTAMP.match(value) or value.endswith("-00:00"):
        raise _bad(
            where,
            _("Must be an ISO 8601 time with its offset, e.g. 2026-03-01T08:00:00+08:00."),
            Code.TIMESTAMP,
        )
    text = value.upper().replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _bad(where, _("Not a valid date and time."), Code.TIMESTAMP) from None
    if moment.tzinfo is None:
        if need_zone:
            raise _bad(where, _("Must carry its offset from UTC (xAPI 2.0)."), Code.TIMESTAMP)
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _language_map(value: Any, where: str) -> None:
    for tag, text in _object(value, where).items():
        if not _LANG.match(tag):
            raise _bad(f"{where}.{tag}", _("Not a language tag (RFC 5646)."), Code.LANGUAGE)
        _string(text, f"{where}.{tag}")


def _extensions(value: Any, where: str) -> None:
    for key in _object(value, where):
        iri(key, f"{where}[{key!r}]")


def agent_ifi(value: Any, where: str, *, group: bool = False) -> str:
    """Checks an Agent (or identified Group) and returns its inverse functional identifier as one
    string (`mbox:mailto:…`, `account:<homePage>|<name>`…); "" for an anonymous Group."""
    agent = _object(value, where)
    _keys(agent, GROUP_KEYS if group else AGENT_KEYS, where)
    if "name" in agent:
        _string(agent["name"], f"{where}.name")
    present = [key for key in IFI_KEYS if key in agent]
    if len(present) > 1:
        raise _bad(
            where,
            _("Give exactly one identifier (mbox, mbox_sha1sum, openid or account)."),
            Code.IFI,
        )
    if not present:
        if group:
            return ""
        raise _bad(
            where,
            _("Give exactly one identifier (mbox, mbox_sha1sum, openid or account)."),
            Code.IFI,
        )
    key = present[0]
    item = agent[key]
    if key == "mbox":
        if not isinstance(item, str) or not item.startswith("mailto:") or "@" not in item:
            raise _bad(f"{where}.mbox", _("Must be a mailto: address."), Code.MBOX)
        return f"mbox:{item.lower()}"
    if key == "mbox_sha1sum":
        if not isinstance(item, str) or not _SHA1.match(item):
            raise _bad(f"{where}.mbox_sha1sum", _("Must be 40 hexadecimal digits."), Code.SHA1)
        return f"sha1:{item.lower()}"
    if key == "openid":
        return f"openid:{iri(item, f'{where}.openid')}"
    account = _object(item, f"{where}.account")
    _keys(account, {"homePage", "name"}, f"{where}.account")
    if "homePage" not in account or "name" not in account:
        raise _bad(f"{where}.account", _("An account needs homePage and name."), Code.ACCOUNT)
    home = iri(account["homePage"], f"{where}.account.homePage")
    name = _string(account["name"], f"{where}.account.name")
    return f"account:{home}|{name}"


def actor(value: Any, where: str) -> tuple[str, list[str]]:
    """An Agent or Group; its IFI and the IFIs of a group's members."""
    item = _object(value, where)
    kind = item.get("objectType", "Agent")
    if kind == "Agent":
        return agent_ifi(item, where), []
    if kind != "Group":
        raise _bad(f"{where}.objectType", _("Must be Agent or Group."), Code.OBJECT_TYPE)
    ifi = agent_ifi(item, where, group=True)
    members: list[str] = []
    if "member" in item:
        if not isinstance(item["member"], list):
            raise _bad(f"{where}.member", _("Must be a list of agents."))
        for n, member in enumerate(item["member"]):
            if _object(member, f"{where}.member[{n}]").get("objectType", "Agent") != "Agent":
                raise _bad(
                    f"{where}.member[{n}]", _("A group's members are agents."), Code.OBJECT_TYPE
                )
            members.append(agent_ifi(member, f"{where}.member[{n}]"))
    if not ifi and not members:
        raise _bad(where, _("An anonymous group must list its members."), Code.MEMBER)
    return ifi, members


def _verb(value: Any, where: str) -> str:
    verb = _object(value, where)
    _keys(verb, {"id", "display"}, where)
    if "id" not in verb:
        raise _bad(f"{where}.id", _("Required."), Code.REQUIRED)
    if "display" in verb:
        _language_map(verb["display"], f"{where}.display")
    return iri(verb["id"], f"{where}.id")


def _components(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise _bad(where, _("Must be a list."))
    seen: set[str] = set()
    for n, item in enumerate(value):
        component = _object(item, f"{where}[{n}]")
        _keys(component, {"id", "description"}, f"{where}[{n}]")
        ident = _string(component.get("id"), f"{where}[{n}].id")
        if ident in seen:
            raise _bad(f"{where}[{n}].id", _("Ids must differ."), Code.DUPLICATE)
        seen.add(ident)
        if "description" in component:
            _language_map(component["description"], f"{where}[{n}].description")


def activity(value: Any, where: str) -> str:
    item = _object(value, where)
    _keys(item, ACTIVITY_KEYS, where)
    if item.get("objectType", "Activity") != "Activity":
        raise _bad(f"{where}.objectType", _("Must be Activity."), Code.OBJECT_TYPE)
    if "id" not in item:
        raise _bad(f"{where}.id", _("Required."), Code.REQUIRED)
    ident = iri(item["id"], f"{where}.id")
    if "definition" in item:
        definition = _object(item["definition"], f"{where}.definition")
        here = f"{where}.definition"
        _keys(definition, DEFINITION_KEYS, here)
        for key in ("name", "description"):
            if key in definition:
                _language_map(definition[key], f"{here}.{key}")
        for key in ("type", "moreInfo"):
            if key in definition:
                iri(definition[key], f"{here}.{key}")
        if "extensions" in definition:
            _extensions(definition["extensions"], f"{here}.extensions")
        if (
            "interactionType" in definition
            and definition["interactionType"] not in INTERACTION_TYPES
        ):
            raise _bad(
                f"{here}.interactionType", _("Not an interaction type of the specification.")
            )
        if "correctResponsesPattern" in definition:
            pattern = definition["correctResponsesPattern"]
            if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
                raise _bad(f"{here}.correctResponsesPattern", _("Must be a list of strings."))
        for key in ("choices", "scale", "source", "target", "steps"):
            if key in definition:
                if "interactionType" not in definition:
                    raise _bad(f"{here}.{key}", _("Needs an interactionType."), Code.INTERACTION)
                _components(definition[key], f"{here}.{key}")
    return ident


def _score(value: Any, where: str) -> None:
    score = _object(value, where)
    _keys(score, SCORE_KEYS, where)
    numbers: dict[str, Decimal] = {}
    for key, item in score.items():
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise _bad(f"{where}.{key}", _("Must be a number."))
        numbers[key] = Decimal(str(item))
    if "scaled" in numbers and not Decimal(-1) <= numbers["scaled"] <= Decimal(1):
        raise _bad(f"{where}.scaled", _("Must lie between -1 and 1."), Code.RANGE)
    low, high = numbers.get("min"), numbers.get("max")
    if low is not None and high is not None and low >= high:
        raise _bad(f"{where}.max", _("Must be greater than min."), Code.RANGE)
    raw = numbers.get("raw")
    if raw is not None and ((low is not None and raw < low) or (high is not None and raw > high)):
        raise _bad(f"{where}.raw", _("Must lie between min and max."), Code.RANGE)


def _result(value: Any, where: str) -> None:
    result = _object(value, where)
    _keys(result, RESULT_KEYS, where)
    if "score" in result:
        _score(result["score"], f"{where}.score")
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            raise _bad(f"{where}.{key}", _("Must be true or false."))
    if "response" in result:
        _string(result["response"], f"{where}.response")
    if "duration" in result:
        text = _string(result["duration"], f"{where}.duration")
        if not _DURATION.match(text):
            raise _bad(
                f"{where}.duration", _("Must be an ISO 8601 duration, e.g. PT1H30M."), Code.DURATION
            )
    if "extensions" in result:
        _extensions(result["extensions"], f"{where}.extensions")


def _activities(value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [activity(item, f"{where}[{n}]") for n, item in enumerate(items)]


def _context(
    value: Any, where: str, object_is_activity: bool, v2: bool
) -> tuple[list[str], list[str]]:
    context = _object(value, where)
    _keys(context, CONTEXT_KEYS_2 if v2 else CONTEXT_KEYS, where)
    activities: list[str] = []
    agents: list[str] = []
    if "registration" in context:
        parse_uuid(context["registration"], f"{where}.registration")
    for key in ("instructor", "team"):
        if key in context:
            ifi, members = actor(context[key], f"{where}.{key}")
            if key == "team" and context[key].get("objectType") != "Group":
                raise _bad(f"{where}.team", _("Must be a Group."), Code.OBJECT_TYPE)
            agents.extend([ifi, *members] if ifi else members)
    if "contextActivities" in context:
        groups = _object(context["contextActivities"], f"{where}.contextActivities")
        _keys(groups, CONTEXT_ACTIVITY_KEYS, f"{where}.contextActivities")
        for key, item in groups.items():
            activities.extend(_activities(item, f"{where}.contextActivities.{key}"))
    for key in ("revision", "platform"):
        if key in context:
            _string(context[key], f"{where}.{key}")
            if not object_is_activity:
                raise _bad(
                    f"{where}.{key}", _("Only for statements about an activity."), Code.CONTEXT
                )
    if "language" in context and not (
        isinstance(context["language"], str) and _LANG.match(context["language"])
    ):
        raise _bad(f"{where}.language", _("Not a language tag (RFC 5646)."), Code.LANGUAGE)
    if "statement" in context:
        _statement_ref(context["statement"], f"{where}.statement")
    if "extensions" in context:
        _extensions(context["extensions"], f"{where}.extensions")
    for key, kind in (("contextAgents", "contextAgent"), ("contextGroups", "contextGroup")):
        if key not in context:
            continue
        if not isinstance(context[key], list):
            raise _bad(f"{where}.{key}", _("Must be a list."))
        for n, item in enumerate(context[key]):
            here = f"{where}.{key}[{n}]"
            entry = _object(item, here)
            _keys(
                entry,
                {"objectType", "agent" if kind == "contextAgent" else "group", "relevantTypes"},
                here,
            )
            if entry.get("objectType") != kind:
                raise _bad(f"{here}.objectType", _("Wrong object type."), Code.OBJECT_TYPE)
            member = entry.get("agent" if kind == "contextAgent" else "group")
            ifi, members = actor(member, here)
            agents.extend([ifi, *members] if ifi else members)
            if "relevantTypes" in entry:
                types = entry["relevantTypes"]
                if not isinstance(types, list) or not types:
                    raise _bad(f"{here}.relevantTypes", _("Must be a non-empty list of IRIs."))
                for t in types:
                    iri(t, f"{here}.relevantTypes")
    return activities, agents


def _statement_ref(value: Any, where: str) -> uuid.UUID:
    ref = _object(value, where)
    _keys(ref, {"objectType", "id"}, where)
    if ref.get("objectType") != "StatementRef":
        raise _bad(f"{where}.objectType", _("Must be StatementRef."), Code.OBJECT_TYPE)
    return parse_uuid(ref.get("id"), f"{where}.id")


def _attachments(value: Any, where: str) -> None:
    if not isinstance(value, list):
        raise _bad(where, _("Must be a list."))
    for n, item in enumerate(value):
        here = f"{where}[{n}]"
        attachment = _object(item, here)
        _keys(attachment, ATTACHMENT_KEYS, here)
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in attachment:
                raise _bad(f"{here}.{key}", _("Required."), Code.REQUIRED)
        iri(attachment["usageType"], f"{here}.usageType")
        _language_map(attachment["display"], f"{here}.display")
        if "description" in attachment:
            _language_map(attachment["description"], f"{here}.description")
        _string(attachment["contentType"], f"{here}.contentType")
        if isinstance(attachment["length"], bool) or not isinstance(attachment["length"], int):
            raise _bad(f"{here}.length", _("Must be a whole number."))
        _string(attachment["sha2"], f"{here}.sha2")
        if not _SHA2.match(attachment["sha2"]):
            raise _bad(f"{here}.sha2", _("Must be a SHA-2 hash in hexadecimal digits."), Code.SHA2)
        if "fileUrl" in attachment:
            iri(attachment["fileUrl"], f"{here}.fileUrl")


def _body(
    stmt: dict[str, Any], where: str, v2: bool, *, sub: bool = False
) -> tuple[str, str, str, str, list[str], list[str], uuid.UUID | None]:
    """The parts a statement and a sub-statement share: (actor IFI, verb, object type, object
    id, related activities, related agents, the statement a voiding statement voids)."""
    for key in ("actor", "verb", "object"):
        if key not in stmt:
            raise _bad(f"{where}.{key}", _("Required."), Code.REQUIRED)
    actor_ifi, members = actor(stmt["actor"], f"{where}.actor")
    verb_id = _verb(stmt["verb"], f"{where}.verb")
    obj = _object(stmt["object"], f"{where}.object")
    kind = obj.get("objectType", "Activity")
    related_agents = [a for a in (actor_ifi, *members) if a]
    related_activities: list[str] = []
    voids = None
    if kind == "Activity":
        object_id = activity(obj, f"{where}.object")
        related_activities.append(object_id)
    elif kind in ("Agent", "Group"):
        object_id, obj_members = actor(obj, f"{where}.object")
        related_agents.extend(a for a in (object_id, *obj_members) if a)
    elif kind == "StatementRef":
        object_id = str(_statement_ref(obj, f"{where}.object"))
    elif kind == "SubStatement" and not sub:
        _keys(obj, SUB_KEYS, f"{where}.object")
        if _object(obj["object"], f"{where}.object.object").get("objectType") == "SubStatement":
            raise _bad(
                f"{where}.object.object",
                _("A sub-statement cannot hold another."),
                Code.OBJECT_TYPE,
            )
        parts = _body(obj, f"{where}.object", v2, sub=True)
        object_id = ""
        related_agents.extend(parts[5])
        related_activities.extend(parts[4])
    else:
        raise _bad(
            f"{where}.object.objectType",
            _("Not an object type of the specification."),
            Code.OBJECT_TYPE,
        )
    if verb_id == VOIDED and not sub:
        if kind != "StatementRef":
            raise _bad(
                f"{where}.object",
                _("A voiding statement's object is a StatementRef."),
                Code.VOIDING,
            )
        voids = uuid.UUID(object_id)
    if "result" in stmt:
        _result(stmt["result"], f"{where}.result")
    if "context" in stmt:
        acts, agents = _context(stmt["context"], f"{where}.context", kind == "Activity", v2)
        related_activities.extend(acts)
        related_agents.extend(agents)
    if "timestamp" in stmt:
        parse_timestamp(stmt["timestamp"], f"{where}.timestamp", need_zone=v2)
    if "attachments" in stmt:
        _attachments(stmt["attachments"], f"{where}.attachments")
    if sub and "objectType" in stmt and stmt["objectType"] != "SubStatement":
        raise _bad(f"{where}.objectType", _("Must be SubStatement."), Code.OBJECT_TYPE)
    return actor_ifi, verb_id, kind, object_id, related_activities, related_agents, voids


def check_statement(value: Any, where: str, *, v2: bool = False) -> Checked:
    stmt = _object(value, where)
    _keys(stmt, STATEMENT_KEYS, where)
    statement_id = parse_uuid(stmt["id"], f"{where}.id") if "id" in stmt else None
    if "version" in stmt and not (
        isinstance(stmt["version"], str) and _VERSION.match(stmt["version"])
    ):
        raise _bad(f"{where}.version", _("Must be 1.0.x or 2.0.x."), Code.VERSION)
    if "authority" in stmt:
        actor(stmt["authority"], f"{where}.authority")
    if "stored" in stmt:
        parse_timestamp(stmt["stored"], f"{where}.stored")
    actor_ifi, verb_id, kind, object_id, acts, agents, voids = _body(stmt, where, v2)
    registration = None
    context = stmt.get("context")
    if isinstance(context, dict) and "registration" in context:
        registration = uuid.UUID(context["registration"])
    timestamp = (
        parse_timestamp(stmt["timestamp"], f"{where}.timestamp", need_zone=v2)
        if "timestamp" in stmt
        else None
    )
    return Checked(
        data=stmt,
        statement_id=statement_id,
        timestamp=timestamp,
        verb_id=verb_id,
        actor_ifi=actor_ifi,
        object_type=kind,
        object_id=object_id,
        registration=registration,
        related_activities=list(dict.fromkeys(acts)),
        related_agents=list(dict.fromkeys(agents)),
        voids=voids,
    )
