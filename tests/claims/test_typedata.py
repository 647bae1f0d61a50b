"""Claim types as data: the shipped YAML, its checks, and loading it without overwriting edits."""

import pytest
from django.core.management import call_command

from xuefen.claims import typedata
from xuefen.claims.errors import ClaimError
from xuefen.claims.models import ClaimType


def test_the_shipped_types_cover_every_kind_of_claim():
    codes = {t["code"] for t in typedata.default_types()}
    assert codes == {
        "degree", "paper", "book", "secondment", "qualification_exam", "conference",
        "research", "teaching", "notes", "other",
    }  # fmt: skip


def test_the_migration_loaded_the_shipped_types(db):
    assert ClaimType.objects.count() == len(typedata.default_types())


def test_loading_again_keeps_the_offices_edits(db):
    ClaimType.objects.filter(code="paper").update(name_zh="论文（已改）")
    ClaimType.objects.filter(code="notes").delete()
    call_command("load_claimtypes")
    assert ClaimType.objects.get(code="paper").name_zh == "论文（已改）"
    assert ClaimType.objects.filter(code="notes").exists()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("types: [{code: x, name: 甲, fields: [{name: a, kind: blob}]}]", "types[0].fields[0]"),
        ("types: [{code: x, name: 甲, quantity_field: hours}]", "quantity_field"),
        ("types: [{code: x, name: 甲, evidence: [{code: e, kinds: [exe]}]}]", "evidence[0]"),
        ("types: [{code: x, name: 甲, colour: red}]", "types[0]"),
    ],
    ids=["field-kind", "missing-quantity-field", "file-kind", "unknown-key"],
)
def test_a_bad_claim_type_is_refused_with_its_place(text, where):
    with pytest.raises(ClaimError) as error:
        typedata.parse(text)
    assert where in str(error.value)
