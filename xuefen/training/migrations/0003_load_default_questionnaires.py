"""Loads the shipped questionnaires (questionnaires.yaml: the evaluation after a class and the
follow-up) as each kind's default, so every database starts with them; the office edits them
afterwards. Reversing removes only questionnaires no class uses."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from xuefen.training.questionnaires import shipped

    Questionnaire = apps.get_model("training", "Questionnaire")
    for kind, row in shipped().items():
        Questionnaire.objects.get_or_create(
            code=row["code"],
            defaults={"name": row["name"], "kind": kind, "items": row["items"], "is_default": True},
        )


def unload(apps: Any, schema_editor: Any) -> None:
    from xuefen.training.questionnaires import shipped

    Questionnaire = apps.get_model("training", "Questionnaire")
    TrainingClass = apps.get_model("training", "TrainingClass")
    used = set(TrainingClass.objects.values_list("evaluation_id", flat=True)) | set(
        TrainingClass.objects.values_list("follow_up_id", flat=True)
    )
    codes = [row["code"] for row in shipped().values()]
    Questionnaire.objects.filter(code__in=codes).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0002_teachers_course_menu_classes_and_feedback")]
    operations = [migrations.RunPython(load, unload)]
