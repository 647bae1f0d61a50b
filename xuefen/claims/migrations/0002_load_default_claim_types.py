"""Loads the shipped claim types (claimtypes/default.yaml) so every database starts with them; the
office edits them afterwards. Reversing removes only types no claim uses."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from xuefen.claims.typedata import default_types

    ClaimType = apps.get_model("claims", "ClaimType")
    for spec in default_types():
        ClaimType.objects.get_or_create(code=spec["code"], defaults=spec)


def unload(apps: Any, schema_editor: Any) -> None:
    from xuefen.claims.typedata import default_types

    ClaimType = apps.get_model("claims", "ClaimType")
    codes = [spec["code"] for spec in default_types()]
    ClaimType.objects.filter(code__in=codes, claims__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_claim_types_claims_evidence_flags_spot_checks")]
    operations = [migrations.RunPython(load, unload)]
