"""Certificates: issued from the ledger, printed in Chinese with a verification code and QR code,
checkable by anyone; an altered record fails."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories as f
from tests.reports.pdftext import decode_streams, pdf_text
from xuefen.audit.models import AuditEvent
from xuefen.orgs.models import Person
from xuefen.reports.actions import ReportError, issue_certificate
from xuefen.reports.models import CODE_ALPHABET, Certificate, content_hash, format_code


def tamper(sql: str, params: list) -> None:
    """Edits a certificate row behind the application's back, as someone with database access."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS reports_certificate_no_update")
            cursor.execute(sql, params)
        else:
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def certificate(cast, pro):
    return issue_certificate(cast.carol, pro.person, 2026)


def test_certificate_states_the_hand_computed_figures(certificate, pro):
    p = certificate.payload
    assert (p["name"], p["period"], p["total"], p["grade"], p["met"]) == (
        "张工", 2026, "74", "不合格", False,
    )  # fmt: skip
    assert p["id_number"] == pro.person.masked_id_number and "*" in p["id_number"]
    assert {t["label"]: t["amount"] for t in p["totals"]} == {
        "专业科目": "50", "公需科目": "24", "网络培训": "24", "面授培训": "40",
    }  # fmt: skip
    assert [(r["label"], r["earned"], r["required"]) for r in p["requirements"]] == [
        ("总学时", "74", "90"), ("专业科目", "50", "60"), ("公需科目", "24", "30"),
    ]  # fmt: skip
    assert [e["description"] for e in p["entries"]] == ["专业课程", "论文", "公需网络课程"]


def test_code_is_twelve_unambiguous_characters_and_hash_covers_the_payload(certificate):
    assert len(certificate.code) == 12 and set(certificate.code) <= set(CODE_ALPHABET)
    assert certificate.content_hash == content_hash(certificate.payload)
    assert certificate.is_intact


def test_issuing_is_audited(certificate):
    assert AuditEvent.objects.filter(
        object_type="reports.certificate", object_id=str(certificate.pk)
    ).exists()


def test_same_facts_on_the_same_day_return_the_same_certificate(cast, pro, certificate):
    assert issue_certificate(cast.carol, pro.person, 2026).pk == certificate.pk
    assert Certificate.objects.count() == 1


def test_no_certificate_without_a_rule_set(cast):
    with pytest.raises(ReportError) as exc:
        issue_certificate(cast.carol, cast.person_a, 2026)
    assert exc.value.code == "no_ruleset"
    assert not Certificate.objects.exists()


def test_certificate_rows_are_append_only(certificate):
    with pytest.raises(RuntimeError):
        certificate.save()


def test_pdf_names_the_person_and_prints_the_code(client, cast, pro, certificate):
    client.force_login(cast.alice)
    response = client.get(reverse("reports:certificate", args=[pro.person.pk, 2026]))
    data = response.content
    assert response["Content-Type"] == "application/pdf" and data.startswith(b"%PDF-")
    assert len(data) < 200_000  # the Chinese font is subset, not embedded whole
    text = pdf_text(data)
    assert "张工" in text and "学时证明" in text
    assert format_code(certificate.code) in text
    assert f"/reports/verify/?code={certificate.code}" in text


def test_pdf_text_layer_carries_the_code_without_poppler_too(cast, pro, certificate, client):
    client.force_login(cast.alice)
    data = client.get(reverse("reports:certificate", args=[pro.person.pk, 2026])).content
    text = decode_streams(data)
    assert format_code(certificate.code) in text and "张工" in text


def test_post_issues_and_redirects_to_the_pdf(client, cast, pro):
    client.force_login(cast.alice)
    url = reverse("reports:certificate", args=[pro.person.pk, 2026])
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    assert Certificate.objects.get().issued_by == cast.alice


def test_learner_may_issue_their_own_certificate(client, pro):
    from tests import factories as f

    client.force_login(f.user("zg", person=pro.person))
    client.post(reverse("reports:certificate", args=[pro.person.pk, 2026]))
    assert Certificate.objects.filter(person=pro.person).count() == 1


def test_other_unit_admin_gets_404_and_nothing_is_issued(client, cast, pro, certificate):
    client.force_login(cast.bob)
    url = reverse("reports:certificate", args=[pro.person.pk, 2026])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Certificate.objects.count() == 1


def verify(client, code):
    client.cookies["django_language"] = "en"
    return client.get(reverse("reports:verify"), {"code": code})


def test_verify_needs_no_login_and_shows_what_the_certificate_states(client, certificate):
    response = verify(client, format_code(certificate.code).lower())
    text = response.content.decode()
    assert response.status_code == 200
    assert "Valid certificate" in text
    for value in ("张工", certificate.payload["id_number"], "财政局机关", "2026", "74", "不合格"):
        assert value in text
    assert certificate.payload["issued_on"] in text
    assert "专业课程" not in text  # the entries are not shown to the public
    assert certificate.person.id_number not in text


def test_unknown_code_is_not_found_and_leaks_nothing(client, certificate):
    text = verify(client, "ZZZZ-ZZZZ-ZZZZ").content.decode()
    assert "No certificate with this code was found." in text
    assert "张工" not in text and "Valid certificate" not in text


def test_altered_record_fails_verification(client, certificate):
    payload = dict(certificate.payload, total="94", grade="合格", met=True)
    tamper(
        "UPDATE reports_certificate SET payload = %s WHERE id = %s",
        [json.dumps(payload, ensure_ascii=False), certificate.pk],
    )
    text = verify(client, certificate.code).content.decode()
    assert "NOT valid" in text and "Valid certificate" not in text


def test_payload_copied_from_another_certificate_fails(client, cast, pro, certificate):
    from tests.reports.conftest import post

    post(cast, pro.person, 6, ["public"], "more")
    other = issue_certificate(cast.carol, pro.person, 2026)
    assert other.pk != certificate.pk
    tamper(
        "UPDATE reports_certificate SET payload = %s, content_hash = %s WHERE id = %s",
        [json.dumps(other.payload, ensure_ascii=False), other.content_hash, certificate.pk],
    )
    assert "NOT valid" in verify(client, certificate.code).content.decode()


def test_a_forged_code_in_the_right_shape_is_not_found(client, certificate):
    forged = "".join(reversed(certificate.code))
    assert "No certificate with this code was found." in verify(client, forged).content.decode()


def test_altered_certificate_is_not_printed(client, cast, pro, certificate):
    tamper(
        "UPDATE reports_certificate SET content_hash = %s WHERE id = %s",
        ["0" * 64, certificate.pk],
    )
    client.force_login(cast.alice)
    response = client.get(reverse("reports:certificate", args=[pro.person.pk, 2026]))
    assert response["Content-Type"].startswith("text/html")
    assert "已被篡改" in response.content.decode()


def test_get_without_a_certificate_offers_to_issue_one(client, cast, pro):
    client.force_login(cast.alice)
    response = client.get(reverse("reports:certificate", args=[pro.person.pk, 2026]))
    assert "出具学时证明（PDF）" in response.content.decode()
    assert not Certificate.objects.exists()


# --- the certificate as an office signs it ---------------------------------------------------


def test_the_pdf_names_the_issuing_office_the_seal_line_and_the_date(client, cast, pro):
    certificate = issue_certificate(cast.carol, pro.person, 2026)
    assert certificate.payload["issuer"] == "示范县继续教育学时管理办公室"
    client.force_login(cast.alice)
    text = pdf_text(client.get(reverse("reports:certificate", args=[pro.person.pk, 2026])).content)
    day = dt.date.fromisoformat(certificate.payload["issued_on"])
    assert "示范县继续教育学时管理办公室" in text and "（盖章）" in text
    assert f"{day.year}年{day.month}月{day.day}日" in text


def test_the_office_and_seal_are_settings(settings, cast, pro):
    settings.CERTIFICATE_ISSUER = "{region}人力资源和社会保障局"
    settings.CERTIFICATE_SEAL = "（专用章）"
    payload = issue_certificate(cast.carol, pro.person, 2026).payload
    assert (payload["issuer"], payload["seal"]) == ("示范县人力资源和社会保障局", "（专用章）")


def test_overlapping_categories_are_explained(client, cast, pro, certificate):
    # 专业 50 + 公需 24 + 网络 24 + 面授 40 = 138 against a total of 74.
    client.force_login(cast.alice)
    text = pdf_text(client.get(reverse("reports:certificate", args=[pro.person.pk, 2026])).content)
    assert "各类别相加大于计入总量" in "".join(text.split())  # the note wraps
    page = verify(client, certificate.code).content.decode()
    assert "add up to more than the total counted" in page


def test_a_reference_requirement_is_marked_and_explained(client, cast, rules):
    from tests.reports.conftest import post

    cadre = f.person(cast.unit_a, "刘乡干", category=Person.Category.TOWNSHIP)
    post(cast, cadre, 90, ["required", "offline", "centralised"], "c1")
    certificate = issue_certificate(cast.carol, cadre, 2026)
    results = {r["label"]: r["result"] for r in certificate.payload["requirements"]}
    assert results == {"年度集中培训": "达标", "网络培训（规划要求）": "未达标（参考）"}
    assert certificate.payload["status"] == "达标"
    client.force_login(cast.alice)
    text = pdf_text(client.get(reverse("reports:certificate", args=[cadre.pk, 2026])).content)
    assert "未达标（参考）" in text and "仅供参考" in text


def test_the_person_page_says_when_the_record_moved_after_the_latest_certificate(
    client, cast, pro, certificate
):
    from tests.reports.conftest import post

    client.force_login(cast.alice)
    url = reverse("reports:person", args=[pro.person.pk]) + "?period=2026"
    page = client.get(url).content.decode()
    assert "下载最近一份证明" in page and 'data-testid="certificate-drift"' not in page

    post(cast, pro.person, 16, ["public", "online"], "late")
    page = client.get(url).content.decode()
    assert 'data-testid="certificate-drift"' in page
    assert "74" in page and "90" in page and "1 条" in page

    issue_certificate(cast.carol, pro.person, 2026)
    assert 'data-testid="certificate-drift"' not in client.get(url).content.decode()
