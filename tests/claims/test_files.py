"""Evidence files: judged by content, size-limited, stored with random names and served with safe
headers only to those who may see the claim."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.claims.conftest import JPEG, PDF, PNG, file_claim, pdf
from xuefen.claims import actions
from xuefen.claims.errors import ClaimError
from xuefen.claims.models import Evidence


def _stored():
    folder = Path(settings.MEDIA_ROOT) / "claims"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def draft(cast, rules):
    return file_claim(cast.lena, cast.lena_person, evidence=False, submit=False)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("论文.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),  # a Windows program
        ("论文.pdf", b"<!doctype html><script>alert(1)</script>"),
        ("scan.png", b"GIF89a" + b"\x00" * 16),
    ],
    ids=["exe-as-pdf", "html-as-pdf", "gif-as-png"],
)
def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused(cast, draft, name, content):
    with pytest.raises(ClaimError) as error:
        actions.add_evidence(cast.lena, draft, "article", pdf(name, content))
    assert error.value.code == "file_type"
    assert not Evidence.objects.exists()
    assert _stored() == []


def test_a_file_above_the_limit_is_refused(cast, draft, settings):
    settings.CLAIM_MAX_FILE_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ClaimError) as error:
        actions.add_evidence(cast.lena, draft, "article", pdf("大.pdf", big))
    assert error.value.code == "file_too_large"
    assert not Evidence.objects.exists()
    assert _stored() == []


@pytest.mark.parametrize("content", [PDF, PNG, JPEG], ids=["pdf", "png", "jpeg"])
def test_pdf_and_images_are_kept_under_a_random_name(cast, draft, content):
    evidence = actions.add_evidence(cast.lena, draft, "article", pdf("我的 证明.PDF", content))
    assert _stored() == [evidence.stored_name]
    assert "证明" not in evidence.stored_name
    assert evidence.original_name.startswith("我的 证明")
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))


def test_a_bad_file_among_new_claim_uploads_keeps_nothing(cast, rules):
    from tests.claims.conftest import ctype

    with pytest.raises(ClaimError):
        actions.create_claim(
            cast.lena,
            cast.lena_person,
            ctype("degree"),
            title="硕士",
            start_date=cast.lena_person.birth_date.replace(year=2025),
            end_date=cast.lena_person.birth_date.replace(year=2025),
            data={"school": "x", "major": "y", "degree": "master", "certificate_no": "1"},
            uploads={"certificate": [pdf()], "transcript": [pdf("t.pdf", b"not a pdf")]},
        )
    assert _stored() == []


def test_evidence_is_served_as_a_download_with_safe_headers(client, cast, draft):
    evidence = actions.add_evidence(cast.lena, draft, "article", pdf())
    client.force_login(cast.alice)
    response = client.get(reverse("claims:evidence_file", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_the_learner_downloads_her_own_evidence(client, cast, draft):
    evidence = actions.add_evidence(cast.lena, draft, "article", pdf())
    client.force_login(cast.lena)
    assert client.get(reverse("claims:evidence_file", args=[evidence.pk])).status_code == 200


@pytest.mark.parametrize("who", ["bob", "anna"])
def test_others_get_not_found_for_evidence(client, cast, draft, who):
    from tests import factories as f

    evidence = actions.add_evidence(cast.lena, draft, "article", pdf())
    user = cast.bob if who == "bob" else f.user("anna", person=cast.person_a)
    client.force_login(user)
    assert client.get(reverse("claims:evidence_file", args=[evidence.pk])).status_code == 404


def test_evidence_cannot_be_added_after_submission(cast, rules):
    claim = file_claim(cast.lena, cast.lena_person)
    with pytest.raises(ClaimError) as error:
        actions.add_evidence(cast.lena, claim, "article", pdf())
    assert error.value.code == "not_editable"
    assert claim.evidence_files.count() == 1


def test_evidence_page_upload_refuses_a_renamed_program(client, cast, draft):
    client.force_login(cast.lena)
    upload = pdf("invoice.pdf", b"MZ" + b"\x00" * 100)
    response = client.post(
        reverse("claims:evidence_add", args=[draft.pk]),
        {"requirement": "article", "file": upload},
        follow=True,
    )
    assert "PDF" in response.content.decode()
    assert not Evidence.objects.exists()
