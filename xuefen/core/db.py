"""Database helpers shared by migrations: append-only tables enforced by the database itself."""

import copy
from typing import Any

from django.db import migrations


def _create_append_only(table: str) -> Any:
    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
                )
        elif vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
                f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only();"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();"
            )

    return forward


def _drop_append_only(table: str) -> Any:
    def backward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only();")

    return backward


def append_only(table: str) -> migrations.RunPython:
    """A migration operation that makes the database refuse UPDATE and DELETE on `table`."""
    return migrations.RunPython(_create_append_only(table), _drop_append_only(table))


def lift_append_only(table: str) -> migrations.RunPython:
    """For a migration that must rewrite `table` (fill a new column, or SQLite rebuilding it to add
    a constraint): drops its triggers. Every such migration ends with append_only(table)."""
    return migrations.RunPython(_drop_append_only(table), _create_append_only(table))


def drop_field_index(
    app_label: str, model_name: str, field_name: str, field: Any
) -> migrations.SeparateDatabaseAndState:
    """A field's own index (`db_index`) dropped, and only that: the state takes the field as given
    (`db_index=False`); the database loses the plain one-column index(es) on it — on PostgreSQL
    also the `_like` one Django adds beside a text column's — found by introspection and dropped
    by name. Not AlterField: on SQLite that rebuilds the table, and a rebuilt table has lost its
    triggers (the append-only ones). Unique, multi-column and named (Meta) indexes are kept;
    backwards, the field's index is created again."""

    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        column = model._meta.get_field(field_name).column
        named = {index.name for index in model._meta.indexes}
        with schema_editor.connection.cursor() as cursor:
            found = schema_editor.connection.introspection.get_constraints(
                cursor, model._meta.db_table
            )
        for name, info in sorted(found.items()):
            if (
                info["columns"] == [column]
                and info["index"]
                and not info["unique"]
                and not info["primary_key"]
                and name not in named
            ):
                schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def backward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        indexed = copy.copy(model._meta.get_field(field_name))
        indexed.db_index = True
        for statement in schema_editor._field_indexes_sql(model, indexed):
            schema_editor.execute(statement)

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name, field_name, field)],
        database_operations=[migrations.RunPython(forward, backward)],
    )
