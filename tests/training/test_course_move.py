"""The course moved from the bulk-reporting app to the training app with its table and rows: a
database whose courses were made before the move keeps them, rosters and the API still find them,
and the menu's new columns start empty."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories as f
from xuefen.intake.models import Provider
from xuefen.intake.queries import courses_of
from xuefen.orgs.models import OrgNode
from xuefen.training.models import Course

BEFORE_MOVE = [("training", None), ("intake", "0003_merge_batch_spans_and_task_attempts")]


@pytest.mark.usefixtures("append_only_flush")
def test_courses_made_before_the_move_are_the_training_apps_afterwards():
    region = f.node("示范县", OrgNode.Kind.REGION, code="R")
    unit = f.node("县委党校", OrgNode.Kind.UNIT, region, code="P")
    provider = Provider.objects.create(code="DX", name="党校", node=unit, serves=region)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_MOVE)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO intake_course (provider_id, code, name, kind, categories, amount, unit,"
            " starts_on, ends_on, is_active, created_at) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [provider.pk, "DX-1", "中青年干部培训班", "party_school_day",
             '["required", "centralised"]', "30", "hours",
             connection.ops.adapt_datefield_value(dt.date(2026, 1, 1)), None, True,
             connection.ops.adapt_datetimefield_value(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))],
        )  # fmt: skip
    call_command("migrate", verbosity=0)

    course = Course.objects.get(code="DX-1")
    assert course._meta.db_table == "intake_course"
    assert (course.provider_id, course.name, course.categories) == (
        provider.pk, "中青年干部培训班", ["required", "centralised"]
    )  # fmt: skip
    assert (course.on_menu, course.level, course.audience_categories) == (False, "", [])
    assert list(courses_of(provider)) == [course]
