"""Transactional tests can still run in a database with append-only tables, and the triggers
survive them (the next test is refused an UPDATE as before)."""

import pytest
from django.db import DatabaseError, connection, transaction

from xuefen.audit.actions import record
from xuefen.audit.models import AuditEvent
from xuefen.core.actors import SYSTEM


@pytest.mark.usefixtures("append_only_flush")
def test_a_transactional_test_may_write_audit_events(cast):
    record(cast.carol, AuditEvent.Action.UPDATE, cast.person_a, node_path=cast.unit_a.path)
    assert AuditEvent.objects.count() == 1


def test_triggers_survive_the_transactional_test(db):
    record(SYSTEM, AuditEvent.Action.CREATE, object_type="test.thing", object_repr="x")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'forged'")
