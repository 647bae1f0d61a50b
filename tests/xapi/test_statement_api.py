"""The Statement resource by the xAPI specification (1.0.3; 2.0 where it differs): headers,
authentication, validation, id conflicts, voided statements, queries and paging."""

import base64
import json
import uuid

import pytest

from tests.xapi.conftest import (
    COURSE_IRI,
    EXPERIENCED,
    HOME,
    URL,
    VOIDED,
    LrsClient,
    new_id,
    statement,
)
from xuefen.xapi import actions
from xuefen.xapi.models import Statement

pytestmark = pytest.mark.django_db


# --- authentication and the version header ------------------------------------------------------


def test_no_credentials_get_401_with_a_basic_challenge(client, lrs):
    response = client.post(
        URL, "[]", content_type="application/json", headers={"X-Experience-API-Version": "1.0.3"}
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")


def test_a_wrong_secret_gets_401(lrs):
    http = LrsClient(lrs.platform.key, "wrong")
    assert http.send(statement()).status_code == 401


def test_a_revoked_platform_gets_401(cast, lrs):
    actions.revoke_client(cast.carol, lrs.platform)
    assert lrs.http.send(statement()).status_code == 401


def test_a_session_is_no_credential(client, cast, lrs):
    client.force_login(cast.carol)
    response = client.get(URL, headers={"X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 401


def test_a_request_without_the_version_header_gets_400(lrs):
    http = LrsClient(lrs.platform.key, lrs.secret, version=None)
    response = http.send(statement())
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "X-Experience-API-Version"
    assert not Statement.objects.exists()


@pytest.mark.parametrize("version", ["0.95", "1.1.0", "3.0.0", "banana"])
def test_an_unsupported_version_gets_400(lrs, version):
    assert (
        LrsClient(lrs.platform.key, lrs.secret, version=version).send(statement()).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("sent", "answered"), [("1.0.3", "1.0.3"), ("1.0.0", "1.0.3"), ("2.0.0", "2.0.0")]
)
def test_every_answer_names_its_version(lrs, sent, answered):
    http = LrsClient(lrs.platform.key, lrs.secret, version=sent)
    assert http.send(statement())["X-Experience-API-Version"] == answered
    assert http.fetch()["X-Experience-API-Version"] == answered


def test_about_is_public_and_lists_the_versions(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert {"1.0.3", "2.0.0"} <= set(response.json()["version"])


def test_a_body_that_is_not_json_is_refused(lrs):
    response = lrs.http.post(
        URL, "{nope", content_type="application/json", headers=lrs.http._headers({})
    )
    assert response.status_code == 400
    response = lrs.http.post(URL, "{}", content_type="text/plain", headers=lrs.http._headers({}))
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "Content-Type"


# --- storing -----------------------------------------------------------------------------------


def test_post_answers_the_ids_in_order_and_sets_what_the_lrs_sets(lrs):
    given = new_id()
    response = lrs.http.send([statement(sid=given), statement()])
    assert response.status_code == 200
    ids = response.json()
    assert ids[0] == given
    uuid.UUID(ids[1])
    stored = Statement.objects.get(statement_id=ids[1]).data
    assert stored["id"] == ids[1]
    assert stored["version"] == "1.0.0"
    assert stored["stored"].endswith("Z")
    assert stored["authority"]["account"]["name"] == lrs.platform.key


def test_put_stores_by_statement_id_and_answers_204(lrs):
    sid = new_id()
    response = lrs.http.put_one(sid, statement())
    assert response.status_code == 204
    assert Statement.objects.filter(statement_id=sid).exists()


def test_put_without_statement_id_is_400(lrs):
    response = lrs.http.put(
        URL, json.dumps(statement()), content_type="application/json", headers=lrs.http._headers({})
    )
    assert response.status_code == 400


def test_put_whose_body_names_another_id_is_400(lrs):
    assert lrs.http.put_one(new_id(), statement(sid=new_id())).status_code == 400


def test_the_same_statement_again_is_204_and_changes_nothing(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    assert lrs.http.put_one(sid, statement()).status_code == 204
    assert lrs.http.send(statement(sid=sid)).status_code == 200
    assert Statement.objects.count() == 1


def test_the_same_id_with_other_content_is_409(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    assert lrs.http.put_one(sid, statement(verb=EXPERIENCED)).status_code == 409
    assert lrs.http.send(statement(sid=sid, verb=EXPERIENCED)).status_code == 409
    assert Statement.objects.get().verb_id != EXPERIENCED


def test_a_batch_with_one_conflict_stores_nothing(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    response = lrs.http.send([statement(), statement(sid=sid, verb=EXPERIENCED)])
    assert response.status_code == 409
    assert Statement.objects.count() == 1


def test_another_platforms_id_is_409(cast, lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    _other, secret = actions.create_client(
        cast.carol, lrs.provider, name="二号平台", home_page=HOME
    )
    assert LrsClient(_other.key, secret).put_one(sid, statement()).status_code == 409


def test_a_batch_naming_one_id_twice_is_400(lrs):
    sid = new_id()
    assert lrs.http.send([statement(sid=sid), statement(sid=sid)]).status_code == 400


# --- validation -------------------------------------------------------------------------------


def _with(**changes):
    body = statement("110101199003071234")
    for key, value in changes.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    return body


BAD = {
    "no actor": _with(actor=None),
    "no verb": _with(verb=None),
    "no object": _with(object=None),
    "unknown property": _with(colour="blue"),
    "null value": _with(result={"success": None}),
    "id not a UUID": _with(id="123"),
    "two identifiers": _with(actor={"mbox": "mailto:a@b.cn", "openid": "https://id.cn/a"}),
    "no identifier": _with(actor={"name": "无名"}),
    "mbox without mailto": _with(actor={"mbox": "a@b.cn"}),
    "bad sha1": _with(actor={"mbox_sha1sum": "xyz"}),
    "account without homePage": _with(actor={"account": {"name": "a"}}),
    "anonymous group without members": _with(actor={"objectType": "Group"}),
    "verb id not an IRI": _with(verb={"id": "completed"}),
    "bad language tag": _with(verb={"id": VOIDED + "x", "display": {"not a tag!": "x"}}),
    "activity id not an IRI": _with(object={"id": "course 1"}),
    "unknown object type": _with(object={"objectType": "Thing", "id": COURSE_IRI}),
    "bad interaction type": _with(
        object={"id": COURSE_IRI, "definition": {"interactionType": "quiz"}}
    ),
    "scaled score above 1": _with(result={"score": {"scaled": 1.5}}),
    "raw above max": _with(result={"score": {"raw": 11, "min": 0, "max": 10}}),
    "success not boolean": _with(result={"success": "yes"}),
    "bad duration": _with(result={"duration": "90 minutes"}),
    "bad timestamp": _with(timestamp="2026-13-01 10:00"),
    "timestamp at -00:00": _with(timestamp="2026-06-01T10:00:00-00:00"),
    "registration not a UUID": _with(context={"registration": "abc"}),
    "revision on a non-activity": _with(
        object={"objectType": "Agent", "mbox": "mailto:t@b.cn"}, context={"revision": "1"}
    ),
    "bad version": _with(version="0.9"),
    "extension key not an IRI": _with(result={"extensions": {"score": 1}}),
    "voiding without a StatementRef": _with(verb={"id": VOIDED}),
    "nested sub-statement": _with(
        object={
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:a@b.cn"},
            "verb": {"id": EXPERIENCED},
            "object": {"objectType": "SubStatement"},
        }
    ),
    "contextAgents in 1.0.3": _with(context={"contextAgents": []}),
    "attachment without fileUrl": _with(
        attachments=[
            {
                "usageType": "https://a.cn/u",
                "display": {"en": "a"},
                "contentType": "text/plain",
                "length": 1,
                "sha2": "ab",
            }
        ]
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_invalid_statement_is_400_and_the_batch_is_not_stored(lrs, case):
    response = lrs.http.send([statement(), BAD[case]])
    assert response.status_code == 400, case
    error = response.json()["error"]
    assert error["message"]
    assert error["field"].startswith("statements[1]"), error
    assert not Statement.objects.exists()


def test_a_timestamp_without_offset_is_utc_in_1_0_3_and_refused_in_2_0(lrs):
    body = statement(timestamp="2026-06-01T02:00:00")
    assert lrs.http.send(body).status_code == 200
    v2 = LrsClient(lrs.platform.key, lrs.secret, version="2.0.0")
    assert v2.send(statement(timestamp="2026-06-01T02:00:00")).status_code == 400


def test_2_0_accepts_context_agents(lrs):
    v2 = LrsClient(lrs.platform.key, lrs.secret, version="2.0.0")
    body = statement(
        context={
            "contextAgents": [
                {
                    "objectType": "contextAgent",
                    "agent": {"mbox": "mailto:t@b.cn"},
                    "relevantTypes": ["https://a.cn/teacher"],
                }
            ]
        }
    )
    assert v2.send(body).status_code == 200
    assert Statement.objects.get().data["version"] == "2.0.0"


def test_valid_rich_statements_are_accepted(lrs):
    rich = statement(
        result={
            "score": {"scaled": 0.9, "raw": 90, "min": 0, "max": 100},
            "success": True,
            "completion": True,
            "duration": "PT1H30M",
            "response": "ok",
        },
        context={
            "registration": new_id(),
            "instructor": {"mbox": "mailto:t@b.cn"},
            "contextActivities": {
                "parent": {"id": "https://learn.example.cn/p"},
                "grouping": [{"id": "https://learn.example.cn/g"}],
            },
            "platform": "网络学院",
            "language": "zh-CN",
            "extensions": {"https://learn.example.cn/ext": {"a": 1}},
        },
    )
    group = statement(actor={"objectType": "Group", "member": [{"mbox": "mailto:a@b.cn"}]})
    sub = statement(
        object={
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:a@b.cn"},
            "verb": {"id": EXPERIENCED},
            "object": {"id": COURSE_IRI},
        }
    )
    assert lrs.http.send([rich, group, sub]).status_code == 200


# --- reading ----------------------------------------------------------------------------------


def test_get_by_statement_id_returns_it_with_the_headers(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    response = lrs.http.fetch(params={"statementId": sid})
    assert response.status_code == 200
    assert response.json()["id"] == sid
    assert response["X-Experience-API-Consistent-Through"]
    assert response["Last-Modified"]
    assert response["ETag"].startswith('"')


def test_an_unknown_or_foreign_statement_is_404(cast, lrs):
    assert lrs.http.fetch(params={"statementId": new_id()}).status_code == 404
    sid = new_id()
    other, secret = actions.create_client(cast.carol, lrs.provider, name="二号平台", home_page=HOME)
    LrsClient(other.key, secret).put_one(sid, statement())
    assert lrs.http.fetch(params={"statementId": sid}).status_code == 404


def test_statement_id_takes_no_other_filters(lrs):
    response = lrs.http.fetch(params={"statementId": new_id(), "verb": EXPERIENCED})
    assert response.status_code == 400


def test_an_unknown_parameter_is_400(lrs):
    assert lrs.http.fetch(params={"colour": "blue"}).status_code == 400


def _void(sid):
    body = statement(verb=VOIDED)
    body["object"] = {"objectType": "StatementRef", "id": sid}
    return body


def test_a_voided_statement_is_found_only_by_voided_statement_id(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    lrs.http.send(_void(sid))
    assert lrs.http.fetch(params={"statementId": sid}).status_code == 404
    found = lrs.http.fetch(params={"voidedStatementId": sid})
    assert found.status_code == 200
    assert found.json()["id"] == sid
    listed = [s["id"] for s in lrs.http.fetch().json()["statements"]]
    assert sid not in listed
    assert len(listed) == 1  # the voiding statement itself is listed


def test_a_statement_not_voided_is_not_found_by_voided_statement_id(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    assert lrs.http.fetch(params={"voidedStatementId": sid}).status_code == 404


def test_a_voiding_statement_cannot_be_voided(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    void_id = lrs.http.send(_void(sid)).json()[0]
    assert lrs.http.send(_void(void_id)).status_code == 400


def test_a_platform_cannot_void_another_platforms_statement(cast, lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    other, secret = actions.create_client(cast.carol, lrs.provider, name="二号平台", home_page=HOME)
    assert LrsClient(other.key, secret).send(_void(sid)).status_code == 403
    assert not Statement.objects.get(statement_id=sid).voided


def test_a_statement_arriving_after_its_voiding_statement_is_voided(lrs):
    sid = new_id()
    lrs.http.send(_void(sid))
    lrs.http.put_one(sid, statement())
    assert lrs.http.fetch(params={"statementId": sid}).status_code == 404
    assert lrs.http.fetch(params={"voidedStatementId": sid}).status_code == 200


def test_paging_with_limit_and_more_walks_every_statement_once(lrs):
    sent = lrs.http.send([statement() for _n in range(7)]).json()
    seen: list[str] = []
    response = lrs.http.fetch(params={"limit": 3})
    pages = 0
    while True:
        body = response.json()
        assert response.status_code == 200
        assert response["X-Experience-API-Consistent-Through"]
        seen.extend(s["id"] for s in body["statements"])
        pages += 1
        if not body["more"]:
            break
        assert body["more"].startswith("/xapi/statements/more/")
        response = lrs.http.fetch(body["more"])
    assert pages == 3
    assert sorted(seen) == sorted(sent)
    assert len(seen) == len(set(seen))


def test_results_are_newest_first_or_ascending(lrs):
    first = lrs.http.send(statement()).json()[0]
    second = lrs.http.send(statement()).json()[0]
    newest = [s["id"] for s in lrs.http.fetch().json()["statements"]]
    assert newest == [second, first]
    oldest = [s["id"] for s in lrs.http.fetch(params={"ascending": "true"}).json()["statements"]]
    assert oldest == [first, second]


def test_since_and_until_filter_by_stored_time(lrs):
    first = lrs.http.send(statement()).json()[0]
    stored = Statement.objects.get(statement_id=first).data["stored"]
    second = lrs.http.send(statement()).json()[0]
    Statement.objects.filter(statement_id=second).update(
        stored=Statement.objects.get(statement_id=first).stored.replace(year=2027)
    )
    after = [s["id"] for s in lrs.http.fetch(params={"since": stored}).json()["statements"]]
    assert after == [second]
    upto = [s["id"] for s in lrs.http.fetch(params={"until": stored}).json()["statements"]]
    assert upto == [first]


def test_a_more_link_of_another_platform_is_404(cast, lrs):
    lrs.http.send([statement() for _n in range(3)])
    more = lrs.http.fetch(params={"limit": 1}).json()["more"]
    other, secret = actions.create_client(cast.carol, lrs.provider, name="二号平台", home_page=HOME)
    assert LrsClient(other.key, secret).fetch(more).status_code == 404
    assert lrs.http.fetch(more[:-3] + "xyz").status_code == 404


def test_agent_verb_activity_and_registration_filters(lrs):
    reg = new_id()
    a = statement("110101199003071234")
    b = statement(
        "110101199003075678",
        verb=EXPERIENCED,
        activity="https://learn.example.cn/c/2",
        context={"registration": reg, "contextActivities": {"parent": {"id": COURSE_IRI}}},
    )
    ida, idb = lrs.http.send([a, b]).json()

    def ids(**params):
        return [s["id"] for s in lrs.http.fetch(params=params).json()["statements"]]

    agent = json.dumps({"account": {"homePage": HOME, "name": "110101199003071234"}})
    assert ids(agent=agent) == [ida]
    assert ids(verb=EXPERIENCED) == [idb]
    assert ids(activity=COURSE_IRI) == [ida]
    assert sorted(ids(activity=COURSE_IRI, related_activities="true")) == sorted([ida, idb])
    assert ids(registration=reg) == [idb]
    assert lrs.http.fetch(params={"agent": "{not json"}).status_code == 400


def test_format_ids_keeps_only_identifiers(lrs):
    sid = lrs.http.send(statement()).json()[0]
    got = lrs.http.fetch(params={"statementId": sid, "format": "ids"}).json()
    assert got["object"] == {"objectType": "Activity", "id": COURSE_IRI}
    assert "display" not in got["verb"]
    assert "name" not in got["actor"]
    assert lrs.http.fetch(params={"format": "pretty"}).status_code == 400


def test_format_canonical_keeps_the_one_language_the_reader_asked_for(lrs):
    choices = [
        {"id": "a", "description": {"en-US": "Yes", "zh-CN": "是"}},
        {"id": "b", "description": {"en-US": "No", "zh-CN": "否"}},
    ]
    activity = {
        "objectType": "Activity",
        "id": COURSE_IRI,
        "definition": {
            "name": {"zh-CN": "网络课程一", "en-US": "Online course one", "fr": "Cours un"},
            "description": {"en-US": "Ten minutes", "zh-CN": "十分钟"},
            "interactionType": "choice",
            "correctResponsesPattern": ["a"],
            "choices": choices,
        },
    }
    parent = {"id": "http://example.org/programme", "definition": {"name": {"en": "P", "zh": "项"}}}
    sent = statement(object=activity, context={"contextActivities": {"parent": [parent]}})
    sid = lrs.http.send(sent).json()[0]

    def canonical(accept=None, **params):
        headers = {"Accept-Language": accept} if accept is not None else {}
        got = lrs.http.fetch(params={"format": "canonical", **params}, headers=headers)
        assert got.status_code == 200 and "Accept-Language" in got["Vary"]
        return got.json()

    zh = canonical("zh-CN,zh;q=0.9,en;q=0.8", statementId=sid)
    assert zh["verb"]["display"] == {"zh-CN": "完成"}
    definition = zh["object"]["definition"]
    assert definition["name"] == {"zh-CN": "网络课程一"}
    assert definition["description"] == {"zh-CN": "十分钟"}
    assert [c["description"] for c in definition["choices"]] == [{"zh-CN": "是"}, {"zh-CN": "否"}]
    assert zh["context"]["contextActivities"]["parent"][0]["definition"]["name"] == {"zh": "项"}
    assert zh["actor"] == sent["actor"]  # Agents as sent

    # each map on its own: French where there is French, else the next range (a prefix matches)
    fr = canonical("fr;q=1, en;q=0.5", statementId=sid)
    assert fr["object"]["definition"]["name"] == {"fr": "Cours un"}
    assert fr["object"]["definition"]["description"] == {"en-US": "Ten minutes"}
    assert fr["verb"]["display"] == {"en-US": "completed"}
    # q=0 is "not acceptable"; a listed page of statements is shaped the same way
    listed = canonical("zh;q=0, en-GB", limit="1")["statements"][0]
    assert listed["verb"]["display"] == {"en-US": "completed"}  # same primary language
    # without Accept-Language every map still keeps exactly one entry
    plain = canonical(statementId=sid)
    assert len(plain["verb"]["display"]) == 1
    assert len(plain["object"]["definition"]["name"]) == 1
    # exact keeps every language as sent
    exact = lrs.http.fetch(params={"statementId": sid, "format": "exact"}).json()
    assert exact["object"]["definition"]["name"] == activity["definition"]["name"]


# --- concurrency headers ----------------------------------------------------------------------


def test_a_conditional_get_with_the_etag_is_304(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    first = lrs.http.fetch(params={"statementId": sid})
    again = lrs.http.fetch(params={"statementId": sid}, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    listed = lrs.http.fetch()
    assert lrs.http.fetch(headers={"If-None-Match": listed["ETag"]}).status_code == 304
    lrs.http.send(statement())
    assert lrs.http.fetch(headers={"If-None-Match": listed["ETag"]}).status_code == 200


def test_put_with_if_none_match_star_on_a_stored_statement_is_412(lrs):
    sid = new_id()
    assert lrs.http.put_one(sid, statement(), headers={"If-None-Match": "*"}).status_code == 204
    assert lrs.http.put_one(sid, statement(), headers={"If-None-Match": "*"}).status_code == 412


def test_put_with_if_match_needs_the_stored_etag(lrs):
    sid = new_id()
    assert lrs.http.put_one(sid, statement(), headers={"If-Match": '"abc"'}).status_code == 412
    lrs.http.put_one(sid, statement())
    etag = lrs.http.fetch(params={"statementId": sid})["ETag"]
    assert lrs.http.put_one(sid, statement(), headers={"If-Match": etag}).status_code == 204
    assert lrs.http.put_one(sid, statement(), headers={"If-Match": '"abc"'}).status_code == 412


def test_basic_credentials_in_another_case_or_garbled_are_refused(lrs):
    bad = base64.b64encode(b"nocolon").decode()
    response = lrs.http.get(
        URL, headers={"Authorization": f"Basic {bad}", "X-Experience-API-Version": "1.0.3"}
    )
    assert response.status_code == 401
    response = lrs.http.get(
        URL, headers={"Authorization": "Basic !!!", "X-Experience-API-Version": "1.0.3"}
    )
    assert response.status_code == 401


def test_the_same_statement_with_its_id_in_upper_case_is_the_same(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement())
    assert lrs.http.send(statement(sid=sid.upper())).status_code == 200
    assert Statement.objects.count() == 1


def test_text_differing_only_in_case_is_other_content(lrs):
    sid = new_id()
    lrs.http.put_one(sid, statement(result={"response": "A"}))
    assert lrs.http.put_one(sid, statement(result={"response": "a"})).status_code == 409


def test_another_platforms_earlier_voiding_statement_does_not_void_ours(cast, lrs):
    sid = new_id()
    other, secret = actions.create_client(cast.carol, lrs.provider, name="二号平台", home_page=HOME)
    LrsClient(other.key, secret).send(_void(sid))
    lrs.http.put_one(sid, statement())
    assert lrs.http.fetch(params={"statementId": sid}).status_code == 200
