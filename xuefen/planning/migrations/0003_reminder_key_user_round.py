"""Reminders keyed by (user, round) in place of a surrogate id beside a unique (user, round): one
index fewer to insert into for each of a run's 60,000 written rows ("nobody is reminded twice" is
the key itself).

Django does not alter a table's primary key into a composite one, so the table is rebuilt: its
rows are set aside in a plain table, the table is dropped and created again with the new key, and
the rows copied back in the key's order. Backwards the same way, the rows getting new ids. (The
same operation as closing's 0003, kept here whole: a migration does not import another's.)"""

from typing import Any

from django.db import migrations, models
from django.db.migrations.operations.base import Operation

TABLE = "planning_reminder"
ASIDE = "planning_reminder_aside"


def _rebuild(schema_editor: Any, old: Any, new: Any) -> None:
    """Rebuilds the table of `old` (a historical model) as that of `new`, keeping every row."""
    qn = schema_editor.quote_name
    columns = [
        field.column
        for field in new._meta.local_concrete_fields
        if field.column and not field.primary_key
    ]
    listed = ", ".join(qn(column) for column in columns)
    # Table names are constants of this migration; no value is spliced.
    schema_editor.execute(f"CREATE TABLE {qn(ASIDE)} AS SELECT {listed} FROM {qn(TABLE)}")  # noqa: S608
    schema_editor.delete_model(old)
    schema_editor.create_model(new)
    schema_editor.execute(
        f"INSERT INTO {qn(TABLE)} ({listed}) SELECT {listed} FROM {qn(ASIDE)}"  # noqa: S608
        f" ORDER BY {qn('user_id')}, {qn('round_id')}"
    )
    schema_editor.execute(f"DROP TABLE {qn(ASIDE)}")


class KeyByUserAndRound(Operation):
    """The state changes Django would make (the unique constraint and the id go, the composite
    key comes), with the table rebuilt in the database."""

    reversible = True

    def __init__(self) -> None:
        self.steps = [
            migrations.RemoveConstraint(model_name="reminder", name="planning_reminder_once"),
            migrations.AddField(
                model_name="reminder",
                name="pk",
                field=models.CompositePrimaryKey(
                    "user",
                    "round",
                    blank=True,
                    editable=False,
                    primary_key=True,
                    serialize=False,
                ),
            ),
            migrations.RemoveField(model_name="reminder", name="id"),
        ]

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [], {})

    def state_forwards(self, app_label: str, state: Any) -> None:
        for step in self.steps:
            step.state_forwards(app_label, state)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        _rebuild(
            schema_editor,
            from_state.apps.get_model(app_label, "Reminder"),
            to_state.apps.get_model(app_label, "Reminder"),
        )

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        _rebuild(
            schema_editor,
            from_state.apps.get_model(app_label, "Reminder"),
            to_state.apps.get_model(app_label, "Reminder"),
        )

    def describe(self) -> str:
        return "Key reminders by (user, round), the table rebuilt with its rows"

    @property
    def migration_name_fragment(self) -> str:
        return "reminder_key_user_round"


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0002_default_reminder_policies"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reminder",
            options={
                "ordering": ["-round_id", "user_id"],
                "verbose_name": "reminder",
                "verbose_name_plural": "reminders",
            },
        ),
        KeyByUserAndRound(),
    ]
