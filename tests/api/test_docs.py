"""The API in the office's words (issue 11): the docs page sits under the site's bar and shows the
code table; the OpenAPI document is Chinese unless the reader asks for English, and lists every
code a field carries with its label; the JSON itself keeps the codes."""

import re

import pytest
import schemathesis

from tests.api.conftest import rows_for
from tests.test_code_words import internal_codes, visible_words
from xuefen.api.codes import TABLES

DOCS = "/api/v1/docs"
OPENAPI = "/api/v1/openapi.json"
CJK = re.compile(r"[\u4e00-\u9fff]")


def texts(node, path=""):
    """(path, text) of every summary and description in an OpenAPI document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description") and isinstance(value, str):
                yield f"{path}/{key}", value
            else:
                yield from texts(value, f"{path}/{key}")
    elif isinstance(node, list):
        for n, item in enumerate(node):
            yield from texts(item, f"{path}/{n}")


def coded_fields(node, path=""):
    """(path, schema) of every schema or parameter that names a code table."""
    if isinstance(node, dict):
        if "x-codes" in node:
            yield path, node
        for key, value in node.items():
            yield from coded_fields(value, f"{path}/{key}")
    elif isinstance(node, list):
        for n, item in enumerate(node):
            yield from coded_fields(item, f"{path}/{n}")


def english(client):
    client.cookies["django_language"] = "en"
    return client


# ---------------------------------------------------------------------------- the docs page


def test_the_docs_page_in_chinese_leads_home_and_to_the_tokens_page(client, db):
    html = client.get(DOCS).content.decode()
    assert '<html lang="zh-hans">' in html
    assert '<a class="api-docs-brand" href="/">学分</a>' in html
    assert '<a href="/">返回学分系统</a>' in html
    assert '<a href="/api/tokens/">接口令牌</a>' in html


def test_the_docs_page_shows_the_code_table_with_labels(client, db):
    html = client.get(DOCS).content.decode()
    assert "代码表" in html
    for code, label in [
        ("hours", "学时"),
        ("credits", "学分"),
        ("queued", "排队中"),
        ("required", "必修"),
        ("online_course", "网络课程"),  # a kind only a shipped rule set's conversion names
        ("no_rules", "无适用的规则集"),
    ]:
        assert f"<td><code>{code}</code></td><td>{label}</td>" in html, code
    for table in TABLES.values():
        assert f'id="codes-{table.name}"' in html


def test_the_docs_page_shows_codes_only_as_code(client, db):
    # Every code on the page stands in <code> beside its label, never as a word of the text.
    assert visible_words(client.get(DOCS).content.decode()) & internal_codes() == set()


def test_the_docs_page_is_chinese_for_an_english_browser(client, db):
    html = client.get(DOCS, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "返回学分系统" in html


def test_the_docs_page_in_english(client, db):
    html = english(client).get(DOCS).content.decode()
    assert '<html lang="en">' in html
    assert '<a href="/">Back to Xuefen</a>' in html
    assert "<td><code>queued</code></td><td>Queued</td>" in html


def test_the_docs_page_keeps_its_scripts_in_files(client, db):
    html = client.get(DOCS).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html)
    assert not re.search(r"<style|\son[a-z]+=", html)


# ---------------------------------------------------------------------------- the document


def test_the_document_is_in_chinese_by_default(client, db):
    document = client.get(OPENAPI).json()
    assert document["info"]["title"] == "学分系统接口"
    submit = document["paths"]["/api/v1/batches"]["post"]
    assert submit["summary"] == "报送一批完成记录"
    assert "幂等键" in submit["parameters"][0]["description"]
    assert "每行单独校验" in submit["description"]
    unit = document["components"]["schemas"]["CourseOut"]["properties"]["unit"]
    assert "学时单位：hours（学时）、credits（学分）" in unit["description"]


def test_every_text_of_the_chinese_document_is_chinese(client, db):
    untranslated = [
        (path, text) for path, text in texts(client.get(OPENAPI).json()) if not CJK.search(text)
    ]
    assert untranslated == []


def test_the_document_is_in_english_for_the_language_cookie(client, db):
    document = english(client).get(OPENAPI).json()
    assert document["info"]["title"] == "Xuefen API"
    submit = document["paths"]["/api/v1/batches"]["post"]
    assert submit["summary"] == "Submit a batch of completions"
    unit = document["components"]["schemas"]["CourseOut"]["properties"]["unit"]
    assert "Unit of credit: hours (hours), credits (credits)" in unit["description"]
    # English throughout; a few texts quote Chinese as an example (脱产培训, a shortfall's words).
    chinese = [path for path, text in texts(document) if len(CJK.findall(text)) > len(text) / 5]
    assert chinese == []


def test_a_program_may_ask_for_the_english_document(client, db):
    document = client.get(OPENAPI, HTTP_ACCEPT_LANGUAGE="en").json()
    assert document["paths"]["/api/v1/courses"]["get"]["summary"] == "List the provider's courses"


def test_every_field_with_codes_lists_each_code_with_its_label(client, db):
    document = client.get(OPENAPI).json()
    found = list(coded_fields(document))
    assert {schema["x-codes"] for _path, schema in found} == set(TABLES) - {"token_scope"}
    for path, schema in found:
        for code, label in TABLES[schema["x-codes"]].items():
            assert f"{code}（{label}）" in schema["description"], (path, code)


def test_query_parameters_with_codes_list_them_too(client, db):
    parameters = client.get(OPENAPI).json()["paths"]["/api/v1/batches/{batch_id}/rows"]["get"]
    status = next(p for p in parameters["parameters"] if p["name"] == "status")
    assert "行处理结果：posted（已登记）、duplicate（重复）、error（错误）" in status["description"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_document_is_valid_openapi_in_each_language(client, db, language):
    client.cookies["django_language"] = language
    schemathesis.openapi.from_dict(client.get(OPENAPI).json()).validate()


# ---------------------------------------------------------------------------- the JSON


def test_answers_carry_codes_whatever_the_language(api):
    for language in ("zh-hans", "en"):
        api.client_a.cookies["django_language"] = language
        course = api.client_a.get("/api/v1/courses/C1").json()
        assert (course["unit"], course["kind"], course["categories"]) == (
            "hours",
            "training_day",
            ["required", "offline"],
        )


def test_a_submitted_batch_answers_with_codes(api, cast):
    batch = api.client_a.post_json("/api/v1/batches", {"rows": rows_for(cast.person_a)}).json()
    assert (batch["status"], batch["source"]) == ("queued", "api")
