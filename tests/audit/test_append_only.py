import pytest
from django.db import DatabaseError, connection, transaction

from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM


@pytest.fixture
def event(db):
    return record(SYSTEM, AuditEvent.Action.CREATE, object_type="test.thing", object_repr="x")


def test_saving_an_existing_event_is_refused(event):
    event.object_repr = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "x"


def test_deleting_an_event_is_refused(event):
    with pytest.raises(RuntimeError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'forged'")
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "x"


def test_raw_sql_delete_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="forged")
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "x"
