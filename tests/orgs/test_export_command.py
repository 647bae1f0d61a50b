import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from xuefen.audit.models import AuditEvent


def test_unit_admin_exports_only_their_own_people_to_csv(cast, tmp_path):
    out = tmp_path / "people.csv"
    call_command("export_people", "--as", "alice", "--format", "csv", "--output", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff身份证号,姓名")
    assert cast.person_a.id_number in text  # a unit administrator may see full ID numbers
    assert cast.person_b.name not in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=cast.alice).exists()


def test_auditor_export_masks_id_numbers(cast, tmp_path):
    out = tmp_path / "people.xlsx"
    call_command("export_people", "--as", "dave", "--output", str(out))
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    ids = {row[0] for row in rows[1:]}
    assert cast.person_b.masked_id_number in ids
    assert cast.person_b.id_number not in ids


def test_a_unit_outside_scope_is_refused_like_a_missing_one(cast, tmp_path):
    out = tmp_path / "people.xlsx"
    with pytest.raises(CommandError, match="No unit 'B'"):
        call_command("export_people", "--as", "alice", "--unit", "B", "--output", str(out))
    assert not out.exists()
