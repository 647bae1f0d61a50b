"""The xAPI endpoint (Learning Record Store) for the Statement resource, xAPI 1.0.3 and 2.0.

Authentication is HTTP Basic per platform (its key and secret), never a session; the endpoint is
exempt from CSRF because no cookie authenticates it. Every request but /about carries
`X-Experience-API-Version` (1.0.x or 2.0.x); every answer names the version it speaks. POST
stores a statement or a batch (200 with the ids), PUT one statement by `statementId` (204); a
statement id stored before with the same content changes nothing, with other content it is a 409.
GET returns one statement (`statementId`, `voidedStatementId`) or a StatementResult with a `more`
link, with `X-Experience-API-Consistent-Through`, `Last-Modified` and an `ETag` (a conditional GET
with `If-None-Match` gets 304). Statements are immutable and the specification asks concurrency
headers only of the document resources; PUT still honours `If-Match` and `If-None-Match` as HTTP
does (412 when the precondition fails)."""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from xuefen.xapi import actions, attachments, queries
from xuefen.xapi.errors import Code, XapiError
from xuefen.xapi.models import Attachment, Client, Statement, hash_secret
from xuefen.xapi.validation import actor, iri, parse_timestamp, parse_uuid

VERSIONS = re.compile(r"^(1\.0(\.\d+)?|2\.0(\.\d+)?)$")
MAX_LIMIT = 500
MAX_BODY_STATEMENTS = settings.API_MAX_BATCH_ROWS
QUERY_PARAMS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}
SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}
FILTERS = QUERY_PARAMS - SINGLE_PARAMS | {"format"}
MORE_SALT = "xuefen.xapi.more"


def _error(code: Code, message: Any, field: str | None = None) -> JsonResponse:
    response = JsonResponse(
        {"error": {"code": str(code), "message": str(message), "field": field}},
        status=code.status,
    )
    if code.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


def _failed(error: XapiError) -> JsonResponse:
    code = error.code if isinstance(error.code, Code) else Code.INVALID
    return _error(code, error.message, error.field)


def _client(request: HttpRequest) -> Client | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        key, _sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client = Client.objects.select_related("provider__serves").filter(key=key).first()
    if client is None or client.revoked_at is not None or not client.provider.is_active:
        return None
    if not hmac.compare_digest(client.secret_hash, hash_secret(secret)):
        return None
    return client


def _version(request: HttpRequest) -> str:
    version = request.headers.get("X-Experience-API-Version", "").strip()
    if not VERSIONS.match(version):
        raise XapiError(
            Code.VERSION,
            _("Send the header X-Experience-API-Version: 1.0.3 or 2.0.0."),
            field="X-Experience-API-Version",
        )
    return version


def _answer(response: HttpResponseBase, v2: bool) -> HttpResponseBase:
    response["X-Experience-API-Version"] = "2.0.0" if v2 else "1.0.3"
    return response


def _etag(body: bytes | str) -> str:
    raw = body.encode() if isinstance(body, str) else body
    return '"' + hashlib.sha1(raw, usedforsecurity=False).hexdigest() + '"'


def statement_etag(statement: Statement) -> str:
    return _etag(actions.canonical(statement.data))


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


@csrf_exempt
@never_cache
def about(request: HttpRequest) -> HttpResponseBase:
    """The LRS's versions (public: it holds no data)."""
    if request.method != "GET":
        return _error(Code.METHOD, _("Method not allowed."))
    return JsonResponse({"version": ["1.0.3", "2.0.0"], "extensions": {}})


@csrf_exempt
@never_cache
def statements(request: HttpRequest) -> HttpResponseBase:
    return _endpoint(request, None)


@csrf_exempt
@never_cache
def more(request: HttpRequest, token: str) -> HttpResponseBase:
    return _endpoint(request, token)


def _endpoint(request: HttpRequest, token: str | None) -> HttpResponseBase:
    alternate = "method" in request.GET
    if alternate:
        try:
            request = _alternate(request)
        except XapiError as error:
            return _answer(_failed(error), False)
    client = _client(request)
    if client is None:
        return _error(
            Code.NOT_AUTHENTICATED,
            _("Authenticate with the platform's key and secret (HTTP Basic)."),
        )
    v2 = False
    try:
        v2 = _version(request).startswith("2.")
        if alternate and v2:
            raise XapiError(
                Code.ALTERNATE_SYNTAX,
                _("xAPI 2.0 has no alternate request syntax; send the method itself."),
                field="method",
            )
        if token is not None:
            if request.method != "GET":
                return _answer(_error(Code.METHOD, _("Method not allowed.")), v2)
            return _answer(_more(request, client, token), v2)
        if request.method == "GET" or request.method == "HEAD":
            return _answer(_get(request, client), v2)
        if request.method in ("POST", "PUT"):
            return _answer(_write(request, client, v2), v2)
        return _answer(_error(Code.METHOD, _("Method not allowed.")), v2)
    except XapiError as error:
        return _answer(_failed(error), v2)
    except Http404:
        return _answer(_error(Code.NOT_FOUND, _("No such statement.")), v2)


# The form fields of the alternate request syntax that stand for headers (xAPI 1.0.3 Part Three
# 1.3), matched case-insensitively, and the request META keys they become.
ALTERNATE_HEADERS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
ALTERNATE_METHODS = ("GET", "HEAD", "PUT", "POST")


def _alternate(request: HttpRequest) -> HttpRequest:
    """The request that a POST in the alternate request syntax stands for (xAPI 1.0.3): `method`
    is the only query parameter; the headers, the other parameters and the body (`content`) are
    form fields of an application/x-www-form-urlencoded body."""
    if request.method != "POST":
        raise XapiError(
            Code.ALTERNATE_SYNTAX,
            _("The alternate request syntax is a POST with the method as its only parameter."),
            field="method",
        )
    if set(request.GET) != {"method"}:
        name = sorted(set(request.GET) - {"method"})[0]
        raise XapiError(
            Code.ALTERNATE_SYNTAX,
            _("With the alternate request syntax, %(name)s goes in the form, not the address.")
            % {"name": name},
            field=name,
        )
    method = request.GET["method"].upper()
    if method not in ALTERNATE_METHODS:
        raise XapiError(
            Code.ALTERNATE_SYNTAX,
            _("The method must be GET, HEAD, PUT or POST."),
            field="method",
        )
    if request.content_type != "application/x-www-form-urlencoded":
        raise XapiError(
            Code.CONTENT_TYPE,
            _("The alternate request syntax sends an application/x-www-form-urlencoded form."),
            field="Content-Type",
        )
    try:
        form = request.POST
    except RequestDataTooBig:
        raise _too_large() from None
    meta = {k: v for k, v in request.META.items() if k not in ALTERNATE_HEADERS.values()}
    params = QueryDict(mutable=True)
    content = ""
    for key in form:
        values = form.getlist(key)
        if key.lower() in ALTERNATE_HEADERS:
            meta[ALTERNATE_HEADERS[key.lower()]] = values[-1]
        elif key == "content":
            content = values[-1]
        else:
            params.setlist(key, values)
    body = content.encode("utf-8")
    meta["CONTENT_LENGTH"] = str(len(body))
    meta["QUERY_STRING"] = params.urlencode()
    meta["REQUEST_METHOD"] = method
    meta.setdefault("CONTENT_TYPE", "")
    inner = HttpRequest()
    inner.method = method
    inner.path = request.path
    inner.path_info = request.path_info
    inner.META = meta
    inner.GET = params  # type: ignore[assignment]
    inner._body = body
    inner.content_type, inner.content_params = parse_header_parameters(meta["CONTENT_TYPE"])
    return inner


def _too_large() -> XapiError:
    return XapiError(
        Code.TOO_LARGE,
        _("The body is larger than %(mb)d MB; send the statements in smaller batches.")
        % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)},
        field="body",
    )


def _statements_body(request: HttpRequest) -> tuple[Any, dict[str, attachments.Part]]:
    """The statements sent (parsed JSON) and the attachment parts by hash: application/json,
    or multipart/mixed with the statements first and the attachments' data after."""
    content_type = request.content_type or ""
    if content_type == "multipart/mixed":
        raw = attachments.read_body(request)
        text, parts = attachments.parse(raw, (request.content_params or {}).get("boundary", ""))
        return _parsed(text), parts
    if content_type != "application/json":
        raise XapiError(
            Code.CONTENT_TYPE,
            _(
                "Send the statements as application/json, or as multipart/mixed with their "
                "attachments."
            ),
            field="Content-Type",
        )
    try:
        return _parsed(request.body), {}
    except RequestDataTooBig:
        raise _too_large() from None


def _parsed(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise XapiError(Code.JSON, _("The statements are not valid JSON."), field="body") from None


def _write(request: HttpRequest, client: Client, v2: bool) -> HttpResponseBase:
    authority_home = request.build_absolute_uri("/")
    if request.method == "PUT":
        raw_id = request.GET.get("statementId")
        if raw_id is None:
            raise XapiError(
                Code.STATEMENT_ID_MISSING,
                _("PUT needs the statementId parameter."),
                field="statementId",
            )
        extra = set(request.GET) - {"statementId"}
        if extra:
            raise XapiError(
                Code.PARAMETER,
                _("Unknown parameter: %(name)s.") % {"name": sorted(extra)[0]},
                field=sorted(extra)[0],
            )
        statement_id = parse_uuid(raw_id, "statementId")
        body, parts = _statements_body(request)
        if not isinstance(body, dict):
            raise XapiError(
                Code.INVALID, _("PUT takes one statement (a JSON object)."), field="statement"
            )
        _preconditions(request, client, statement_id)
        actions.store_statements(
            client,
            [body],
            v2=v2,
            statement_id=statement_id,
            authority_home=authority_home,
            parts=parts,
        )
        return HttpResponse(status=204)
    if request.GET:
        name = sorted(request.GET)[0]
        raise XapiError(
            Code.PARAMETER, _("Unknown parameter: %(name)s.") % {"name": name}, field=name
        )
    body, parts = _statements_body(request)
    items = body if isinstance(body, list) else [body]
    if not items:
        raise XapiError(Code.EMPTY, _("The batch holds no statements."), field="statements")
    if len(items) > MAX_BODY_STATEMENTS:
        raise XapiError(
            Code.TOO_MANY,
            _("At most %(max)d statements per request.") % {"max": MAX_BODY_STATEMENTS},
        )
    stored = actions.store_statements(
        client, items, v2=v2, authority_home=authority_home, parts=parts
    )
    return JsonResponse(stored.ids, safe=False)


def _preconditions(request: HttpRequest, client: Client, statement_id: uuid.UUID) -> None:
    if_match = request.headers.get("If-Match")
    if_none = request.headers.get("If-None-Match")
    if if_match is None and if_none is None:
        return
    found = Statement.objects.filter(statement_id=statement_id, client=client).first()
    etag = statement_etag(found) if found is not None else None
    if if_match is not None and (etag is None or not _matches(if_match, etag)):
        raise XapiError(
            Code.PRECONDITION, _("If-Match does not match the stored statement."), field="If-Match"
        )
    if if_none is not None and etag is not None and _matches(if_none, etag):
        raise XapiError(
            Code.PRECONDITION,
            _("The statement is already stored (If-None-Match)."),
            field="If-None-Match",
        )


def _flag(request_params: dict[str, str], name: str) -> bool:
    value = request_params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise XapiError(Code.PARAMETER, _("Must be true or false."), field=name)
    return value == "true"


def _format(params: dict[str, str]) -> str:
    fmt = params.get("format", "exact")
    if fmt not in ("ids", "exact", "canonical"):
        raise XapiError(Code.PARAMETER, _("format is ids, exact or canonical."), field="format")
    return fmt


def _languages(request: HttpRequest) -> list[str]:
    return accepted_languages(request.headers.get("Accept-Language", ""))


def _get(request: HttpRequest, client: Client) -> HttpResponseBase:
    params = {k: request.GET[k] for k in request.GET}
    unknown = set(params) - QUERY_PARAMS
    if unknown:
        name = sorted(unknown)[0]
        raise XapiError(
            Code.PARAMETER, _("Unknown parameter: %(name)s.") % {"name": name}, field=name
        )
    fmt = _format(params)
    with_files = _flag(params, "attachments")
    single = [k for k in ("statementId", "voidedStatementId") if k in params]
    if single:
        if len(single) > 1 or set(params) - SINGLE_PARAMS:
            raise XapiError(
                Code.PARAMETER,
                _("statementId and voidedStatementId take no other filters."),
                field=single[0],
            )
        name = single[0]
        statement = queries.own_statement(
            client, parse_uuid(params[name], name), voided=name == "voidedStatementId"
        )
        # The same serialisation as the ETag a PUT's If-Match is compared with
        body = actions.canonical(_shaped(statement.data, fmt, _languages(request)))
        attached = attachments.for_statements(client, [statement.data]) if with_files else None
        return _varied(_conditional(request, body, statement.stored, attached), fmt)
    return _page(request, client, params, cursor=None)


def _more(request: HttpRequest, client: Client, token: str) -> HttpResponseBase:
    try:
        state = signing.loads(token, salt=MORE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    if state.get("c") != client.pk:
        raise Http404
    if request.GET:
        raise XapiError(Code.PARAMETER, _("A more link takes no parameters."))
    return _page(request, client, state["p"], cursor=(state["s"], state["i"]))


def _page(
    request: HttpRequest, client: Client, params: dict[str, str], cursor: tuple[str, int] | None
) -> HttpResponseBase:
    fmt = _format(params)
    languages = _languages(request)
    ascending = _flag(params, "ascending")
    filters: dict[str, Any] = {
        "related_activities": _flag(params, "related_activities"),
        "related_agents": _flag(params, "related_agents"),
        "ascending": ascending,
    }
    if "agent" in params:
        try:
            agent_value = json.loads(params["agent"])
        except ValueError:
            raise XapiError(
                Code.PARAMETER, _("agent must be a JSON Agent or Group."), field="agent"
            ) from None
        ifi, _members = actor(agent_value, "agent")
        if not ifi:
            raise XapiError(Code.PARAMETER, _("agent must be identified."), field="agent")
        filters["agent"] = ifi
    if "verb" in params:
        filters["verb"] = iri(params["verb"], "verb")
    if "activity" in params:
        filters["activity"] = iri(params["activity"], "activity")
    if "registration" in params:
        filters["registration"] = parse_uuid(params["registration"], "registration")
    for name in ("since", "until"):
        if name in params:
            filters[name] = parse_timestamp(params[name], name)
    try:
        limit = int(params.get("limit", "0"))
    except ValueError:
        raise XapiError(Code.PARAMETER, _("limit must be a whole number."), field="limit") from None
    if limit < 0:
        raise XapiError(Code.PARAMETER, _("limit must be a whole number."), field="limit")
    limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
    rows = queries.lrs_statements(client, **filters)
    if cursor is not None:
        rows = queries.after(rows, dt.datetime.fromisoformat(cursor[0]), cursor[1], ascending)
    found = list(rows.only("id", "stored", "data")[: limit + 1])
    more_url = ""
    if len(found) > limit:
        found = found[:limit]
        last = found[-1]
        token = signing.dumps(
            {"c": client.pk, "p": params, "s": last.stored.isoformat(), "i": last.pk},
            salt=MORE_SALT,
            compress=True,
        )
        more_url = reverse("xapi:lrs_more", kwargs={"token": token})
    body = json.dumps(
        {"statements": [_shaped(s.data, fmt, languages) for s in found], "more": more_url},
        ensure_ascii=False,
    )
    newest = max((s.stored for s in found), default=None)
    attached = (
        attachments.for_statements(client, [s.data for s in found])
        if _flag(params, "attachments")
        else None
    )
    return _varied(_conditional(request, body, newest, attached), fmt)


def _varied(response: HttpResponseBase, fmt: str) -> HttpResponseBase:
    if fmt == "canonical":  # the language maps kept depend on Accept-Language
        patch_vary_headers(response, ["Accept-Language"])
    return response


def _conditional(
    request: HttpRequest,
    body: str,
    modified: dt.datetime | None,
    attached: list[Attachment] | None = None,
) -> HttpResponseBase:
    """The answer to a GET: the JSON, or (`attachments=true`) multipart/mixed with the
    statements' attachments after it; 304 when If-None-Match names its ETag."""
    etag = _etag(body if attached is None else body + "".join(a.sha2 for a in attached))
    if_none = request.headers.get("If-None-Match")
    response: HttpResponseBase
    if if_none is not None and _matches(if_none, etag):
        response = HttpResponse(status=304)
    elif attached is not None:
        response = attachments.response(body, attached)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["X-Experience-API-Consistent-Through"] = actions.iso(timezone.now())
    if modified is not None:
        response["Last-Modified"] = modified.astimezone(dt.UTC).strftime(
            "%a, %d %b %Y %H:%M:%S GMT"
        )
    return response


def _ids_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    kept = {
        k: v
        for k, v in agent.items()
        if k in ("objectType", "mbox", "mbox_sha1sum", "openid", "account")
    }
    if "member" in agent and not any(
        k in agent for k in ("mbox", "mbox_sha1sum", "openid", "account")
    ):
        kept["member"] = [_ids_agent(m) for m in agent["member"]]
    return kept


def _ids_object(obj: Any) -> Any:
    if not isinstance(obj, dict):
        return obj
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return {"objectType": "Activity", "id": obj.get("id")}
    if kind in ("Agent", "Group"):
        return _ids_agent(obj)
    if kind == "SubStatement":
        return _shaped(obj, "ids")
    return obj


def accepted_languages(header: str) -> list[str]:
    """The language ranges of an Accept-Language header, most preferred first (RFC 7231 5.3.5:
    quality values, the order given among equals; a range with q=0 is not acceptable)."""
    ranges: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, *rest = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in rest:
            name, _eq, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranges.append((-quality, i, tag.lower()))
    return [tag for _q, _i, tag in sorted(ranges)]


def _best_language(entries: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """One entry of a language map: the first range that matches a tag (the tag itself, or a
    prefix of it ending at a '-': RFC 4647 basic filtering; '*' matches any), else an entry of
    the most preferred range's primary language, else 'und', else the map's first entry."""
    if len(entries) <= 1:
        return entries
    tags = {tag.lower(): tag for tag in entries}
    for wanted in languages:
        for low, tag in tags.items():
            if wanted == "*" or low == wanted or low.startswith(wanted + "-"):
                return {tag: entries[tag]}
    for wanted in languages:
        primary = wanted.split("-")[0]
        for low, tag in tags.items():
            if low.split("-")[0] == primary:
                return {tag: entries[tag]}
    tag = tags.get("und") or next(iter(entries))
    return {tag: entries[tag]}


INTERACTION_LISTS = ("choices", "scale", "source", "target", "steps")


def _canonical_activity(activity: Any, languages: list[str]) -> Any:
    if not isinstance(activity, dict) or activity.get("objectType", "Activity") != "Activity":
        return activity
    definition = activity.get("definition")
    if not isinstance(definition, dict):
        return activity
    shaped = dict(definition)
    for key in ("name", "description"):
        if isinstance(shaped.get(key), dict):
            shaped[key] = _best_language(shaped[key], languages)
    for key in INTERACTION_LISTS:
        if isinstance(shaped.get(key), list):
            shaped[key] = [
                {**c, "description": _best_language(c["description"], languages)}
                if isinstance(c, dict) and isinstance(c.get("description"), dict)
                else c
                for c in shaped[key]
            ]
    return {**activity, "definition": shaped}


def _canonical(data: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    """xAPI `format=canonical`: every language map of the Activities (their names, descriptions
    and interaction components) and of the Verb reduced to the one entry that best matches the
    request's Accept-Language, each map on its own; Agents and Groups as sent. This LRS keeps
    each Activity's definition as its statement gave it."""
    out = dict(data)
    verb = out.get("verb")
    if isinstance(verb, dict) and isinstance(verb.get("display"), dict):
        out["verb"] = {**verb, "display": _best_language(verb["display"], languages)}
    obj = out.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        out["object"] = _canonical(obj, languages)
    else:
        out["object"] = _canonical_activity(obj, languages)
    context = out.get("context")
    if isinstance(context, dict) and isinstance(context.get("contextActivities"), dict):
        activities = {}
        for key, value in context["contextActivities"].items():
            if isinstance(value, list):
                activities[key] = [_canonical_activity(a, languages) for a in value]
            else:
                activities[key] = _canonical_activity(value, languages)
        out["context"] = {**context, "contextActivities": activities}
    return out


def _shaped(data: dict[str, Any], fmt: str, languages: list[str] | None = None) -> dict[str, Any]:
    """The statement in the asked format: `ids` keeps only identifiers of agents, activities and
    verbs; `canonical` keeps one language of each language map (see `_canonical`); `exact`
    returns it as stored."""
    if fmt == "canonical":
        return _canonical(data, languages or [])
    if fmt != "ids":
        return data
    out = dict(data)
    for key in ("actor", "authority"):
        if key in out:
            out[key] = _ids_agent(out[key])
    if isinstance(out.get("verb"), dict):
        out["verb"] = {"id": out["verb"].get("id")}
    if "object" in out:
        out["object"] = _ids_object(out["object"])
    return out
