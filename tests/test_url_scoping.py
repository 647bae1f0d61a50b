"""Every URL of our apps is covered by the scoping grid.

Each app lists its URLs in `tests/<app>/scoping.py` as
`CASES = {"ns:name": callable(cast) -> kwargs}`, the kwargs pointing at an object of unit A (None
for URLs without object kwargs). A URL without a case fails here by name. For every case, bob (unit
administrator of B) must learn nothing about unit A: a 404 for A's objects on GET and POST, no audit
event (every change writes one), and no name or ID number of A's people in any page. An anonymous
visitor is sent to the log-in page on every non-public URL.

Then every role of the cast (alice, bob, carol, dave, sam, lena) GETs and POSTs every URL with a
case, and a provider's API token every URL: the tables of ours are fingerprinted (rows and a
checksum of their values) before and after, and nothing may change unless the app lists the role
in its `WRITERS` for that URL (a step without a form, taken by who may take it).

URLs an app lists in its `TOKEN_AUTH` (the REST API) take no session at all: anyone without an API
token, logged in or not, gets 401 with the JSON error body; the app tests what one token may see
of another provider's data. An app may list public URLs of its own in `PUBLIC`, with reasons.
"""

from importlib import import_module

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xuefen.audit.models import AuditEvent

# Every app of ours is walked, so a new app cannot slip its URLs past the grid.
APPS = [name.rsplit(".", 1)[-1] for name in settings.INSTALLED_APPS if name.startswith("xuefen.")]


def _walk(patterns, namespace=None):
    """(namespaced name, names of its kwargs) for every pattern of our apps, through includes."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name and namespace in APPS:
            converters = getattr(entry.pattern, "converters", {})
            yield f"{namespace}:{entry.name}", tuple(sorted(converters))


PATTERNS = sorted(set(_walk(get_resolver().url_patterns)))


def _url_names():
    return sorted({name for name, _sample in PATTERNS})


def _scoping_modules():
    for app in APPS:
        module_name = f"tests.{app}.scoping"
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name not in (module_name, f"tests.{app}"):
                raise
            continue
        yield module


def _load_cases():
    cases = {}
    for module in _scoping_modules():
        cases.update(module.CASES)
    return cases


def _load_public():
    public = {}
    for module in _scoping_modules():
        public.update(getattr(module, "PUBLIC", {}))
    return public


URL_NAMES = _url_names()
CASES = _load_cases()
PUBLIC = _load_public()
TOKEN_AUTH = set().union(*(getattr(m, "TOKEN_AUTH", ()) for m in _scoping_modules()))
GUARDED = [name for name in URL_NAMES if name not in PUBLIC]


def test_the_walk_finds_our_urls():
    assert {"core:home", "accounts:users", "audit:events"} <= set(URL_NAMES)


def test_every_public_url_has_a_reason():
    assert all(reason.strip() for reason in PUBLIC.values())


@pytest.mark.parametrize("name", URL_NAMES)
def test_every_url_has_a_scoping_case(name):
    assert name in CASES or name in PUBLIC or name in TOKEN_AUTH, (
        f"{name} has no case in tests/<app>/scoping.py CASES (nor is it in the public list)"
    )


def _secrets_of_a(cast):
    return [cast.person_a.id_number, cast.lena_person.id_number, cast.person_a.name]


@pytest.mark.parametrize("name", [n for n in GUARDED if n in CASES])
def test_bob_learns_nothing_of_unit_a(client, cast, name):
    kwargs = CASES[name](cast)
    url = reverse(name, kwargs=kwargs)
    client.force_login(cast.bob)
    changes = AuditEvent.objects.exclude(action__in=["login", "export"])
    events_before = changes.count()
    got = client.get(url)
    posted = client.post(url, {})
    if kwargs:
        assert got.status_code in (404, 405), f"GET {url}: {got.status_code}"
        assert posted.status_code in (404, 405), f"POST {url}: {posted.status_code}"
        assert 404 in (got.status_code, posted.status_code), f"{url} is never refused with 404"
    for response in (got, posted):
        assert response.status_code < 500, f"{url}: {response.status_code}"
        if response.get("Content-Type", "").startswith("text/"):
            body = response.content.decode()
            assert not any(secret in body for secret in _secrets_of_a(cast)), url
    assert changes.count() == events_before, f"{url}: bob's requests changed something"


@pytest.mark.parametrize(
    ("name", "keys"),
    [(n, k) for n, k in PATTERNS if n not in PUBLIC],
    ids=[f"{n}/{','.join(k)}" if k else n for n, k in PATTERNS if n not in PUBLIC],
)
def test_anonymous_is_sent_to_login(client, db, name, keys):
    url = reverse(name, kwargs=dict.fromkeys(keys, "1"))
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {})
    if name in TOKEN_AUTH:
        _assert_asks_for_a_token(response, url)
        return
    assert response.status_code == 302, f"{url}: {response.status_code}"
    assert response.url.startswith(reverse(settings.LOGIN_URL)), url


def _assert_asks_for_a_token(response, url):
    assert response.status_code == 401, f"{url}: {response.status_code}"
    assert response.json()["error"]["code"] == "not_authenticated", url


@pytest.mark.parametrize(("name", "keys"), [(n, k) for n, k in PATTERNS if n in TOKEN_AUTH])
def test_a_session_is_no_api_credential(client, cast, name, keys):
    url = reverse(name, kwargs=dict.fromkeys(keys, "1"))
    client.force_login(cast.carol)
    _assert_asks_for_a_token(client.get(url), url)


# --- every role of the cast against every endpoint ----------------------------------------------
# An app names in WRITERS = {"ns:name": {role, ...}} the roles of the cast that may change something
# with an empty POST there (the step needs no form: submit, revoke, sign up ...); for every other
# role, GET and POST must leave every table as it was.

ROLES = ("alice", "bob", "carol", "dave", "sam", "lena")
# Kept by a read, not a change of anything a person decided: the log-in and read trails, the
# worker's heartbeat, and standings settled when first read (derived from the ledger).
VOLATILE_MODELS = {"accounts.loginthrottle", "core.workerheartbeat", "ledger.standing"}
VOLATILE_FIELDS = {"accounts.user": {"last_login"}, "api.apitoken": {"last_used_at"}}
WRITERS = {}
for _module in _scoping_modules():
    for _name, _roles in getattr(_module, "WRITERS", {}).items():
        WRITERS.setdefault(_name, set()).update(_roles)


def _main_models():
    from django.apps import apps

    ours = [c for c in apps.get_app_configs() if c.name.startswith("xuefen.")]
    models = [m for c in ours for m in c.get_models() if not m._meta.abstract]
    return [m for m in models if m._meta.label_lower not in VOLATILE_MODELS]


def fingerprint():
    """{table: (rows, checksum of every row's values)} of every table of ours that holds what
    someone decided; reads of the trail (log-ins, exports) left out."""
    found = {}
    for model in _main_models():
        label = model._meta.label_lower
        skip = VOLATILE_FIELDS.get(label, set())
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows = model._default_manager.all()
        if model is AuditEvent:
            rows = rows.exclude(action__in=["login", "export"])
        values = list(rows.order_by("pk").values_list(*fields))
        found[label] = (len(values), hash(repr(values)))
    return found


def _changed(before, after):
    return sorted(label for label in before if before[label] != after[label])


@pytest.mark.parametrize("name", [n for n in URL_NAMES if n in CASES])
def test_every_role_changes_nothing_it_may_not(client, cast, name):
    """alice, bob, carol, dave, sam and lena each GET and POST (empty) every URL that has a case;
    only a role the app lists in WRITERS for the URL may change anything there."""
    kwargs = CASES[name](cast)
    url = reverse(name, kwargs=kwargs)
    may_write = WRITERS.get(name, set())
    before = fingerprint()
    for role in ROLES:
        client.force_login(getattr(cast, role))
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code < 500, f"{role} {url}: {response.status_code}"
        after = fingerprint()
        if role not in may_write:
            assert _changed(before, after) == [], f"{role} changed something at {url}"
        before = after
        client.logout()


def test_a_token_changes_nothing_with_what_it_may_not_send(client, cast):
    """A provider's API token (the cast's other kind of actor) GETs and POSTs (empty) every API
    endpoint and every page: nothing changes (an empty batch is refused, pages want a session)."""
    from tests.api.conftest import provider
    from xuefen.api.actions import create_token
    from xuefen.api.models import TokenScope
    from xuefen.core.actors import SYSTEM

    pa = provider("PTOKEN", cast.unit_a, cast.dept)
    _token, secret = create_token(
        SYSTEM, pa, name="grid", scopes=[TokenScope.BATCHES, TokenScope.CREDITS_READ]
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    before = fingerprint()
    for name, keys in PATTERNS:
        if name in PUBLIC:
            continue
        url = reverse(name, kwargs=dict.fromkeys(keys, "1"))
        for response in (client.get(url, **auth), client.post(url, {}, **auth)):
            assert response.status_code < 500, f"{url}: {response.status_code}"
    assert _changed(before, fingerprint()) == []
