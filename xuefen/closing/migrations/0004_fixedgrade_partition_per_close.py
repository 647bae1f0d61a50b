"""PostgreSQL: a close's fixed grades in a table of their own (a partition of `closing_fixedgrade`
by close), so that a close writes its 100,000 rows into a table without index and builds the
two indexes (the key (person, close) and (close, unit)) once at the end, sorted, instead of
inserting into both for every row (bench/RESULTS.md (x-i14close)).

The table is rebuilt: its rows set aside, the table created again partitioned by close (with a
default partition for rows of a close without a table of its own), one partition made for every
existing close, the rows copied back. The model is unchanged (the same columns, key and
indexes); SQLite keeps its plain table. Backwards: the plain table again, rows kept."""

from typing import Any

from django.db import migrations

TABLE = "closing_fixedgrade"
ASIDE = "closing_fixedgrade_aside"
COLUMNS = "close_id, person_id, unit_id, status, grade, earned, ruleset, fixed_at"


def partition_name(close_id: int) -> str:
    """The table of one close's fixed grades (a partition of closing_fixedgrade)."""
    return f"{TABLE}_c{int(close_id)}"


def _forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    # Table names are constants of this migration, close ids integers; no value is spliced.
    execute(f"CREATE TABLE {ASIDE} AS SELECT {COLUMNS} FROM {TABLE}")  # noqa: S608
    execute(f"DROP TABLE {TABLE}")
    execute(
        f"CREATE TABLE {TABLE} (status varchar(16) NOT NULL, grade varchar(32) NOT NULL,"
        " earned numeric(11, 2) NOT NULL, ruleset varchar(80) NOT NULL,"
        " fixed_at timestamp with time zone NOT NULL, person_id bigint NOT NULL,"
        " unit_id bigint NOT NULL, close_id bigint NOT NULL,"
        f" CONSTRAINT {TABLE}_pkey PRIMARY KEY (person_id, close_id))"
        " PARTITION BY LIST (close_id)"
    )
    execute(f"CREATE INDEX closing_fixed_unit ON {TABLE} (close_id, unit_id)")
    execute(f"CREATE TABLE {TABLE}_other PARTITION OF {TABLE} DEFAULT")
    for close_id in apps.get_model("closing", "PeriodClose").objects.values_list("pk", flat=True):
        execute(
            f"CREATE TABLE {partition_name(close_id)} PARTITION OF {TABLE}"
            f" FOR VALUES IN ({int(close_id)})"
        )
    execute(
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {ASIDE}"  # noqa: S608
        " ORDER BY close_id, person_id"
    )
    execute(f"DROP TABLE {ASIDE}")


def _backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"CREATE TABLE {ASIDE} AS SELECT {COLUMNS} FROM {TABLE}")  # noqa: S608
    execute(f"DROP TABLE {TABLE}")  # and every partition
    schema_editor.create_model(apps.get_model("closing", "FixedGrade"))
    execute(
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {ASIDE}"  # noqa: S608
        " ORDER BY person_id, close_id"
    )
    execute(f"DROP TABLE {ASIDE}")


class Migration(migrations.Migration):
    dependencies = [
        ("closing", "0003_fixedgrade_key_person_close"),
    ]

    operations = [migrations.RunPython(_forwards, _backwards, elidable=False)]
