"""PostgreSQL: a round's reminders in a table of their own (a partition of `planning_reminder` by
round), so that a round's first write puts its 60,000 rows into a table without index and builds
the key (user, round) once at the end, sorted, instead of inserting into it for every row (and,
the key being user first, into every leaf page of it: bench/RESULTS.md (l-i14perf), (x-i14close)).

The table is rebuilt: its rows set aside, the table created again partitioned by round (with a
default partition for rows of a round without a table of its own: the unit administrators' few),
one partition made for every existing round, the rows copied back. The model is unchanged (the
same columns and key); SQLite keeps its plain table. Backwards: the plain table again, rows kept.
(The same operation as closing's 0004, kept here whole: a migration does not import another's.)"""

from typing import Any

from django.db import migrations

TABLE = "planning_reminder"
ASIDE = "planning_reminder_aside"
COLUMNS = "round_id, user_id, node_path, people, earned, email_to, emailed_at, read_at"


def partition_name(round_id: int) -> str:
    """The table of one round's reminders (a partition of planning_reminder)."""
    return f"{TABLE}_r{int(round_id)}"


def _forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    # Table names are constants of this migration, round ids integers; no value is spliced.
    execute(f"CREATE TABLE {ASIDE} AS SELECT {COLUMNS} FROM {TABLE}")  # noqa: S608
    execute(f"DROP TABLE {TABLE}")
    execute(
        f"CREATE TABLE {TABLE} (node_path varchar(255) NOT NULL,"
        " people integer NOT NULL CONSTRAINT planning_reminder_people_check CHECK (people >= 0),"
        " earned numeric(11, 2) NOT NULL, email_to varchar(254) NOT NULL,"
        " emailed_at timestamp with time zone NULL, read_at timestamp with time zone NULL,"
        " user_id bigint NOT NULL, round_id bigint NOT NULL,"
        f" CONSTRAINT {TABLE}_pkey PRIMARY KEY (user_id, round_id))"
        " PARTITION BY LIST (round_id)"
    )
    execute(f"CREATE TABLE {TABLE}_other PARTITION OF {TABLE} DEFAULT")
    for round_id in apps.get_model("planning", "Round").objects.values_list("pk", flat=True):
        execute(
            f"CREATE TABLE {partition_name(round_id)} PARTITION OF {TABLE}"
            f" FOR VALUES IN ({int(round_id)})"
        )
    execute(
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {ASIDE}"  # noqa: S608
        " ORDER BY round_id, user_id"
    )
    execute(f"DROP TABLE {ASIDE}")


def _backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute(f"CREATE TABLE {ASIDE} AS SELECT {COLUMNS} FROM {TABLE}")  # noqa: S608
    execute(f"DROP TABLE {TABLE}")  # and every partition
    schema_editor.create_model(apps.get_model("planning", "Reminder"))
    execute(
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {ASIDE}"  # noqa: S608
        " ORDER BY user_id, round_id"
    )
    execute(f"DROP TABLE {ASIDE}")


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0003_reminder_key_user_round"),
    ]

    operations = [migrations.RunPython(_forwards, _backwards, elidable=False)]
