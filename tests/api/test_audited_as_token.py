"""A batch sent through the API is audited as the token that sent it, not as "system": its
submission, and the ledger entries and import its processing writes, name the token."""

from django.db.models import Q

from tests.api.conftest import rows_for
from tests.api.test_batches import submit
from xuefen.audit.models import AuditEvent
from xuefen.intake.models import Batch
from xuefen.intake.processing import process_batch
from xuefen.ledger.models import Entry


def test_an_api_batch_and_what_it_posts_are_audited_as_its_token(api, cast):
    batch_id = submit(api.client_a, rows_for(cast.person_a)).json()["id"]
    process_batch(batch_id)

    batch = Batch.objects.get(pk=batch_id)
    assert batch.token == api.token_a and batch.created_by is None
    entry = Entry.objects.get(person=cast.person_a)
    trail = AuditEvent.objects.filter(
        Q(object_type="intake.batch", object_id=str(batch.pk))
        | Q(object_type="ledger.entry", object_id=str(entry.pk))
    )
    names = set(trail.values_list("actor_name", flat=True))
    assert names == {str(api.token_a)}
    assert "平台A" in str(api.token_a) and api.token_a.prefix in str(api.token_a)
    assert trail.filter(action=AuditEvent.Action.SUBMIT).exists()
    assert trail.filter(action=AuditEvent.Action.POST).exists()
    assert not AuditEvent.objects.filter(actor_name="system").exists()


def test_the_audit_page_shows_the_tokens_name(api, cast, client):
    batch_id = submit(api.client_a, rows_for(cast.person_a)).json()["id"]
    process_batch(batch_id)
    client.force_login(cast.carol)
    page = client.get("/audit/").content.decode()
    assert "平台A" in page
