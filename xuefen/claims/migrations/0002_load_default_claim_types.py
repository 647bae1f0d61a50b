"""Loads the shipped claim types (claimtypes/default.yaml) so every database starts with them; the
office edits them afterwards. Reversing removes only types no claim uses."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from xuefen.claims.typedata import default_types

    ClaimType = apps.get_model("claims", "ClaimType")
    # Only the columns the table had at this point (later migrations fill the newer ones).
    known = {f.name for f in ClaimType._meta.get_fields()}
    for spec in default_types():
        values = {k: v for k, v in spec.items() if k in known}
        ClaimType.objects.get_or_create(code=spec["code"], defaults=values)


def unload(apps: Any, schema_editor: Any) -> None:
    from xuefen.claims.typedata import default_types

    ClaimType = apps.get_model("claims", "ClaimType")
    codes = [spec["code"] for spec in default_types()]
    ClaimType.objects.filter(code__in=codes, claims__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_claim_types_claims_evidence_flags_spot_checks")]
    operations = [migrations.RunPython(load, unload)]
