"""xAPI 1.0.3 Part Three 1.3 (the alternate request syntax, gone in 2.0) and 2.1.3 (filter
conditions for StatementRefs: a statement targeting another matches a filter its target
matches, recursively; a voided target's voiding statement is still found)."""

import base64
import json
from urllib.parse import urlencode

import pytest

from tests.xapi.conftest import COURSE_IRI, EXPERIENCED, HOME, URL, VOIDED, new_id, statement
from xuefen.xapi.models import Statement

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
COMMENTED = "http://adlnet.gov/expapi/verbs/commented"


def _auth(lrs):
    return "Basic " + base64.b64encode(f"{lrs.platform.key}:{lrs.secret}".encode()).decode()


def _alternate(client, lrs, method, form, *, version="1.0.3", query=""):
    fields = {"Authorization": _auth(lrs), "X-Experience-API-Version": version, **form}
    return client.post(f"{URL}?method={method}{query}", urlencode(fields), content_type=FORM)


# --- the alternate request syntax -----------------------------------------------------------


def test_a_put_through_the_alternate_syntax_stores_the_statement(client, lrs):
    sid = new_id()
    response = _alternate(
        client,
        lrs,
        "PUT",
        {
            "statementId": sid,
            "Content-Type": "application/json",
            "content": json.dumps(statement("110101199001011234")),
        },
    )
    assert response.status_code == 204, response.content
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert Statement.objects.get(statement_id=sid).client == lrs.platform


def test_a_post_through_the_alternate_syntax_answers_the_ids(client, lrs):
    sid = new_id()
    response = _alternate(
        client,
        lrs,
        "POST",
        {"Content-Type": "application/json", "content": json.dumps([statement(sid=sid)])},
    )
    assert response.status_code == 200, response.content
    assert response.json() == [sid]


def test_a_get_through_the_alternate_syntax_takes_its_parameters_from_the_form(client, lrs):
    sid = new_id()
    assert lrs.http.send(statement(sid=sid)).status_code == 200
    response = _alternate(client, lrs, "GET", {"statementId": sid})
    assert response.status_code == 200
    assert response.json()["id"] == sid


def test_the_form_authorization_is_checked(client, lrs):
    response = client.post(
        f"{URL}?method=GET",
        urlencode({"X-Experience-API-Version": "1.0.3", "Authorization": "Basic bm9wZTpubw=="}),
        content_type=FORM,
    )
    assert response.status_code == 401


def test_other_query_parameters_beside_method_are_refused(client, lrs):
    sid = new_id()
    response = _alternate(client, lrs, "GET", {}, query=f"&statementId={sid}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "alternate_syntax"


def test_the_alternate_syntax_needs_a_form_body(client, lrs):
    response = client.post(
        f"{URL}?method=GET",
        "{}",
        content_type="application/json",
        headers={"Authorization": _auth(lrs), "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 400


def test_the_alternate_syntax_is_refused_for_xapi_2(client, lrs):
    sid = new_id()
    response = _alternate(
        client,
        lrs,
        "PUT",
        {
            "statementId": sid,
            "Content-Type": "application/json",
            "content": json.dumps(statement()),
        },
        version="2.0.0",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "alternate_syntax"
    assert not Statement.objects.filter(statement_id=sid).exists()


def test_an_unknown_method_is_refused(client, lrs):
    assert _alternate(client, lrs, "DELETE", {}).status_code == 400


# --- filter conditions for StatementRefs -------------------------------------------------------


def _ref(target, verb=COMMENTED, sid=None):
    body = statement(verb=verb, sid=sid)
    body["object"] = {"objectType": "StatementRef", "id": target}
    return body


def _ids(response):
    assert response.status_code == 200, response.content
    return {s["id"] for s in response.json()["statements"]}


def test_a_statement_targeting_a_match_is_returned_by_the_verb_filter(lrs):
    target, comment, other = new_id(), new_id(), new_id()
    lrs.http.send([statement(sid=target, verb=EXPERIENCED), statement(sid=other)])
    lrs.http.send(_ref(target, sid=comment))
    assert _ids(lrs.http.fetch(params={"verb": EXPERIENCED})) == {target, comment}
    # the referring statement's own verb still matches it
    assert _ids(lrs.http.fetch(params={"verb": COMMENTED})) == {comment}


def test_the_rule_applies_recursively(lrs):
    a, b, c = new_id(), new_id(), new_id()
    other_activity = "https://learn.example.cn/courses/other"
    lrs.http.send(statement(sid=a, activity=other_activity, verb=EXPERIENCED))
    lrs.http.send(_ref(a, sid=b))
    lrs.http.send(_ref(b, sid=c))
    assert _ids(lrs.http.fetch(params={"activity": other_activity})) == {a, b, c}
    assert _ids(lrs.http.fetch(params={"activity": COURSE_IRI})) == set()


def test_the_agent_filter_follows_statement_refs(lrs):
    mine, comment = new_id(), new_id()
    lrs.http.send(statement("110101199001011234", sid=mine, verb=EXPERIENCED))
    body = _ref(mine, sid=comment)
    body["actor"] = {"objectType": "Agent", "account": {"homePage": HOME, "name": "someone"}}
    lrs.http.send(body)
    agent = json.dumps({"account": {"homePage": HOME, "name": "110101199001011234"}})
    assert _ids(lrs.http.fetch(params={"agent": agent})) == {mine, comment}


def test_the_voiding_statement_is_found_by_the_voided_statements_verb(lrs):
    target, voiding = new_id(), new_id()
    lrs.http.send(statement(sid=target, verb=EXPERIENCED))
    lrs.http.send(_ref(target, verb=VOIDED, sid=voiding))
    # the voided statement itself is never returned by a query; its voiding statement is
    assert _ids(lrs.http.fetch(params={"verb": EXPERIENCED})) == {voiding}


def test_since_applies_to_the_referring_statement_itself(lrs):
    old, target, comment = new_id(), new_id(), new_id()
    lrs.http.send([statement(sid=old, verb=EXPERIENCED), statement(sid=target, verb=EXPERIENCED)])
    moment = Statement.objects.get(statement_id=old).stored
    Statement.objects.filter(statement_id__in=[old, target]).update(
        stored=moment.replace(year=2020)
    )
    lrs.http.send(_ref(target, sid=comment))
    found = _ids(lrs.http.fetch(params={"verb": EXPERIENCED, "since": "2021-01-01T00:00:00Z"}))
    assert found == {comment}
    assert _ids(lrs.http.fetch(params={"verb": EXPERIENCED})) == {old, target, comment}
