"""The course now lives in the training app (training 0001 takes it over with its table
`intake_course`, its rows and constraints): intake forgets the model, the database is untouched."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0003_merge_batch_spans_and_task_attempts"),
        ("training", "0001_course_moves_from_intake"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Course")],
            database_operations=[],
        ),
    ]
