"""Claim types say which field gives the days an activity took (for activities measured in days);
the shipped types that have one get it."""

from typing import Any

from django.db import migrations, models


def fill(apps: Any, schema_editor: Any) -> None:
    from xuefen.claims.typedata import default_types

    ClaimType = apps.get_model("claims", "ClaimType")
    for spec in default_types():
        if spec["days_field"]:
            ClaimType.objects.filter(code=spec["code"], days_field="").update(
                days_field=spec["days_field"]
            )


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_load_default_claim_types")]
    operations = [
        migrations.AddField(
            model_name="claimtype",
            name="days_field",
            field=models.CharField(
                blank=True,
                help_text=(
                    "For activities measured in days: @days for every day from start to end, or "
                    "the field where the claimant gives the days; empty: not measured in days."
                ),
                max_length=40,
                verbose_name="days field",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
