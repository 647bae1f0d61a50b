"""The certificate of a passed exam: a Chinese PDF with the verification code and a QR code of the
public verification page, which shows only what the certificate shows (the ID number masked)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.exams import helpers as h
from tests.reports.pdftext import decode_streams
from xuefen.exams import actions, certificates
from xuefen.exams.models import Attempt


def _sat(cast, right=True, person=None):
    candidate = h.admitted(cast, h.exam(cast, short=False, name="年度统一考试"), person)
    attempt = actions.start_attempt(candidate)
    now = timezone.now()
    ids = [int(item["id"]) for item in attempt.questions]
    actions.save_answer(attempt, ids[0], [1] if right else [0], now=now)
    actions.save_answer(attempt, ids[1], [0, 2] if right else [0], now=now)
    actions.save_answer(attempt, ids[2], right, now=now)
    actions.submit_attempt(cast.lena, attempt)
    return Attempt.objects.select_related("person", "candidate__exam").get(pk=attempt.pk)


@pytest.fixture
def passed(cast):
    attempt = _sat(cast)
    assert attempt.passed
    return attempt


def test_the_pdf_names_the_candidate_the_exam_and_the_code(passed):
    data = certificates.certificate_pdf([passed], site="https://xf.example.cn")
    assert data.startswith(b"%PDF-") and len(data) < 200_000  # the font is subset
    text = decode_streams(data)
    code = certificates.code_for(passed)
    assert "考试合格证书" in text and passed.person.name in text and "年度统一考试" in text
    assert code in text
    assert f"https://xf.example.cn/exams/verify/?code={code}" in text
    assert passed.person.id_number not in text and passed.person.masked_id_number in text
    assert b"/Subtype /Image" in data  # the QR code


def test_a_failed_attempt_gets_no_certificate(client, cast):
    failed = _sat(cast, right=False)
    assert failed.passed is False
    with pytest.raises(ValueError):
        certificates.certificate_pdf([failed])
    client.force_login(cast.lena)
    assert client.get(reverse("exams:certificate_pdf", args=[failed.pk])).status_code == 404


def test_the_candidate_downloads_the_pdf(client, cast, passed):
    client.force_login(cast.lena)
    page = client.get(reverse("exams:certificate", args=[passed.pk])).content.decode()
    assert reverse("exams:certificate_pdf", args=[passed.pk]) in page
    response = client.get(reverse("exams:certificate_pdf", args=[passed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert certificates.code_for(passed) in decode_streams(response.content)


def test_the_public_page_verifies_a_real_code_and_shows_only_the_masked_id(client, passed):
    code = certificates.code_for(passed)
    page = client.get(reverse("exams:verify"), {"code": code.lower()}).content.decode()
    assert passed.person.name in page and "年度统一考试" in page
    assert passed.person.masked_id_number in page and passed.person.id_number not in page
    assert passed.person.unit.name not in page  # no more than the certificate shows


@pytest.mark.parametrize(
    "mangle", [lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"), lambda c: "nonsense"]
)
def test_a_made_up_code_is_not_found(client, passed, mangle):
    page = client.get(reverse("exams:verify"), {"code": mangle(certificates.code_for(passed))})
    text = page.content.decode()
    assert page.status_code == 200 and passed.person.name not in text
    assert 'data-testid="verdict"' in text
