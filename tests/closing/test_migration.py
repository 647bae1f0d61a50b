"""The fixed grades' key becomes (person, close) (migration 0003): a county upgrading with closed
years keeps every fixed grade as it was, and afterwards the database itself refuses a second
fixed grade of a person in the same close. Down and up again keeps them too."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from xuefen.closing.models import FixedGrade

BEFORE_KEY = ("closing", "0002_notice_runs")
KEYED = ("closing", "0003_fixedgrade_key_person_close")
SEEN = ("person_id", "close_id", "unit_id", "status", "grade", "earned", "ruleset", "fixed_at")


def _rows() -> set[tuple]:
    return set(FixedGrade.objects.values_list(*SEEN))


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.usefixtures("append_only_flush")
def test_the_fixed_grades_of_a_closed_year_survive_the_new_key_both_ways(year, cast):
    before = _rows()
    assert len(before) == 3
    _migrate(BEFORE_KEY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM closing_fixedgrade WHERE id IS NOT NULL")
        assert cursor.fetchone()[0] == 3
    _migrate(KEYED)
    assert _rows() == before
    fixed = FixedGrade.objects.get(person=cast.person_a, close=year.close)
    assert fixed.pk == (cast.person_a.pk, year.close.pk)
    assert fixed.grade == FixedGrade.objects.get(pk=(cast.person_a.pk, year.close.pk)).grade


@pytest.mark.django_db
def test_a_second_fixed_grade_of_a_person_in_one_close_is_refused_by_the_key(year, cast):
    fixed = FixedGrade.objects.get(person=cast.person_a, close=year.close)
    with pytest.raises(IntegrityError), transaction.atomic():
        FixedGrade.objects.bulk_create(
            [
                FixedGrade(
                    person=cast.person_a,
                    close=year.close,
                    unit=fixed.unit,
                    status=fixed.status,
                    fixed_at=fixed.fixed_at,
                )
            ]
        )
