"""A returned or rejected claim is answered in its comment thread, not by a new claim."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xuefen.claims import actions
from xuefen.claims.errors import ClaimError
from xuefen.claims.models import Claim, ClaimType, Comment

DAY = dt.date.today() - dt.timedelta(days=1)


def _lenas_claim(cast):
    upload = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return actions.create_claim(
        cast.lena,
        cast.lena_person,
        ClaimType.objects.get(code="other"),
        title="读书会",
        start_date=DAY,
        end_date=DAY,
        data={"details": "读书会"},
        uploads={"proof": [upload]},
        submit=True,
    )


def test_the_learner_answers_a_returned_claim_in_its_thread(client, cast):
    claim = _lenas_claim(cast)
    actions.return_claim(cast.alice, claim, "缺少签到表")
    client.force_login(cast.lena)
    page = client.get(reverse("claims:detail", kwargs={"claim_id": claim.pk}))
    assert "id_text" in page.content.decode()
    client.post(reverse("claims:comment", kwargs={"claim_id": claim.pk}), {"text": "签到表已补传"})
    client.force_login(cast.alice)
    thread = client.get(reverse("claims:detail", kwargs={"claim_id": claim.pk})).content.decode()
    assert "签到表已补传" in thread
    assert Claim.objects.count() == 1  # no new claim


def test_the_learner_cannot_comment_while_the_claim_is_under_review(cast):
    claim = _lenas_claim(cast)
    with pytest.raises(ClaimError):
        actions.comment_on_claim(cast.lena, claim, "催一下")
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused(cast):
    claim = _lenas_claim(cast)
    actions.reject_claim(cast.alice, claim, "不符合条件")
    with pytest.raises(ClaimError) as refused:
        actions.comment_on_claim(cast.lena, claim, "  ")
    assert refused.value.field == "text"
