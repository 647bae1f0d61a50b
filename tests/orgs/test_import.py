import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests import factories as f
from tests.orgs.conftest import csv_bytes, person_row, upload_and_check, xlsx_bytes
from xuefen.audit.models import AuditEvent
from xuefen.core.tabular import TableError
from xuefen.orgs import idnumber
from xuefen.orgs.actions import apply_people_import
from xuefen.orgs.importing import HEADERS as HEADERS_FOR_HOSTILE
from xuefen.orgs.importing import plan_import
from xuefen.orgs.models import PeopleImport, Person, Transfer, TransferRequest


def upload(data: bytes, name: str = "people.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def plan_of(user, data: bytes, name: str = "people.xlsx"):
    return plan_import(user, io.BytesIO(data), filename=name)


def errors_of(plan):
    return [(e.row, e.column, e.code) for e in plan.errors]


def confirm(client, imp):
    return client.post(reverse("orgs:people_import_confirm", args=[imp.pk]))


def test_good_file_is_previewed_then_imported_with_audit(cast, client, new_id):
    number = new_id()
    data = xlsx_bytes([person_row(number, "赵六", title="中级", phone="13800000001")])
    client.force_login(cast.alice)
    response = upload_and_check(client, data)
    assert response.status_code == 200
    imp = response.context["imp"]
    assert imp.counts == {"new": 1, "changed": 0, "unchanged": 0}
    assert not Person.objects.filter(id_number=number).exists()
    response = confirm(client, imp)
    assert response.status_code == 302
    person = Person.objects.get(id_number=number)
    assert (person.unit, person.title_level, person.phone) == (
        cast.unit_a,
        "intermediate",
        "13800000001",
    )
    assert person.birth_date == idnumber.parse(number).birth_date
    assert AuditEvent.objects.filter(object_id=str(person.pk), action="create").exists()


def test_reimporting_the_same_file_changes_nothing(cast, new_id):
    data = xlsx_bytes([person_row(new_id(), "赵六"), person_row(new_id("F"), "钱七")])
    plan = plan_of(cast.alice, data)
    apply_people_import(cast.alice, plan.planned, effective_on=dt.date.today())
    before = AuditEvent.objects.count()
    again = plan_of(cast.alice, data)
    assert [p.kind for p in again.planned] == ["unchanged", "unchanged"]
    apply_people_import(cast.alice, again.planned, effective_on=dt.date.today())
    assert AuditEvent.objects.count() == before


def test_changed_row_shows_field_diff_and_applies_update(cast):
    row = person_row(cast.person_a.id_number, "李明", position="科长")
    plan = plan_of(cast.alice, xlsx_bytes([row]))
    (planned,) = plan.planned
    assert planned.kind == "changed"
    assert planned.changes == {"position": ("", "科长")}
    apply_people_import(cast.alice, plan.planned, effective_on=dt.date.today())
    cast.person_a.refresh_from_db()
    assert cast.person_a.position == "科长"


def test_unit_change_goes_through_a_transfer(cast):
    unit_a2 = f.node("财政局二所", parent=cast.dept, code="A2")
    row = person_row(cast.person_a.id_number, "李明", unit="A2")
    plan = plan_of(cast.carol, xlsx_bytes([row]))
    apply_people_import(cast.carol, plan.planned, effective_on=dt.date.today())
    cast.person_a.refresh_from_db()
    assert cast.person_a.unit == unit_a2
    assert Transfer.objects.filter(person=cast.person_a, to_unit=unit_a2).exists()


@pytest.mark.parametrize(
    ("make_row", "column", "code"),
    [
        (
            lambda n: person_row(n[:17] + ("0" if n[17] != "0" else "1")),
            "身份证号",
            "id_check_digit",
        ),
        (lambda n: person_row("110101850615123"), "身份证号", "id_15_digit"),
        (
            lambda n: person_row(
                idnumber.check_char("11010119850230123")
                and "11010119850230123" + idnumber.check_char("11010119850230123")
            ),
            "身份证号",
            "id_birth_date",
        ),
        (lambda n: person_row(n, birth="2026/2/30"), "出生日期", "bad_date"),
        (lambda n: person_row(n, birth="1990-01-01"), "出生日期", "birth_date_mismatch"),
        (lambda n: person_row(n, sex="女"), "性别", "sex_mismatch"),
        (lambda n: person_row(n, unit="NOPE"), "单位代码", "unknown_unit"),
        (lambda n: person_row(n, unit="B"), "单位代码", "unknown_unit"),
        (lambda n: person_row(n, category="领导"), "人员类别", "bad_choice"),
    ],
    ids=[
        "check_digit",
        "15_digit",
        "impossible_date",
        "bad_date_text",
        "birth_mismatch",
        "sex_mismatch",
        "unknown_unit",
        "unit_outside_scope",
        "bad_category",
    ],
)
def test_bad_row_is_reported_and_nothing_written(cast, client, new_id, make_row, column, code):
    good = person_row(new_id(), "好人")
    data = xlsx_bytes([good, make_row(new_id())])
    plan = plan_of(cast.alice, data)
    assert (3, column, code) in errors_of(plan)
    client.force_login(cast.alice)
    count = Person.objects.count()
    response = upload_and_check(client, data)
    assert response.context["errors"]
    assert confirm(client, response.context["imp"]).status_code == 302
    assert Person.objects.count() == count


def test_duplicate_in_file_names_the_first_row(cast, new_id):
    number = new_id()
    plan = plan_of(cast.alice, xlsx_bytes([person_row(number), person_row(number, "别人")]))
    assert errors_of(plan) == [(3, "身份证号", "duplicate_in_file")]
    assert "2" in str(plan.errors[0].message)


def test_error_file_lists_row_column_and_reason(cast, client, new_id):
    from openpyxl import load_workbook

    data = xlsx_bytes([person_row(new_id(), unit="B")])
    client.force_login(cast.alice)
    imp = upload_and_check(client, data).context["imp"]
    response = client.get(reverse("orgs:people_import_errors", args=[imp.pk]))
    book = load_workbook(io.BytesIO(response.content))
    correct = list(book.worksheets[0].iter_rows(values_only=True))
    assert correct[0][:5] == ("身份证号", "姓名", "性别", "出生日期", "单位代码")
    assert correct[0][-2:] == ("原行号", "错误原因")
    assert correct[1][4] == "B" and correct[1][-2] == 2 and "单位代码" in correct[1][-1]
    rows = list(book.worksheets[1].iter_rows(values_only=True))
    assert rows[1][:3] == (2, "单位代码", "B")
    assert "B" in rows[1][3]


def test_nobody_else_may_see_or_confirm_an_upload(cast, client, new_id):
    data = xlsx_bytes([person_row(new_id())])
    client.force_login(cast.alice)
    imp = upload_and_check(client, data).context["imp"]
    count = Person.objects.count()
    for other in (cast.bob, cast.carol):
        client.force_login(other)
        assert confirm(client, imp).status_code == 404
        assert client.get(reverse("orgs:people_import_detail", args=[imp.pk])).status_code == 404
    assert Person.objects.count() == count


def test_confirm_revalidates(cast, client, new_id):
    number = new_id()
    data = xlsx_bytes([person_row(number)])
    client.force_login(cast.alice)
    imp = upload_and_check(client, data).context["imp"]
    f.person(cast.unit_b, "抢先")  # unrelated
    Person.objects.create(
        id_number=number,
        name="已存在",
        sex=idnumber.parse(number).sex,
        birth_date=idnumber.parse(number).birth_date,
        unit=cast.unit_b,
        category="general",
    )
    confirm(client, imp)
    # Not taken over, and not created twice: the office is asked (alice is told "new").
    assert Person.objects.get(id_number=number).unit == cast.unit_b
    assert TransferRequest.objects.get().to_unit == cast.unit_a


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_csv_in_chinese_encodings(cast, new_id, encoding):
    number = new_id()
    data = csv_bytes([person_row(number, "赵六", title="高级", status="在职")], encoding)
    plan = plan_of(cast.alice, data, "people.csv")
    assert plan.ok, plan.errors
    assert plan.planned[0].values["name"] == "赵六"
    assert plan.planned[0].values["title_level"] == "senior"


def test_english_headers_and_codes_are_accepted(cast, new_id):
    headers = ["ID number", "Name", "Unit code", "Category"]
    data = csv_bytes([[new_id(), "Zhao", "A", "professional"]], headers=headers)
    plan = plan_of(cast.alice, data, "p.csv")
    assert plan.ok
    assert plan.planned[0].values["category"] == "professional"


def test_person_in_other_unit_cannot_be_taken_over(cast):
    plan = plan_of(cast.alice, xlsx_bytes([person_row(cast.person_b.id_number, "王芳")]))
    apply_people_import(cast.alice, plan.planned, effective_on=dt.date.today())
    cast.person_b.refresh_from_db()
    assert cast.person_b.unit == cast.unit_b
    assert TransferRequest.objects.get().person == cast.person_b


def test_import_command_writes_nothing_on_error(cast, tmp_path, new_id):
    path = tmp_path / "p.xlsx"
    path.write_bytes(xlsx_bytes([person_row(new_id()), person_row("110101850615123")]))
    count = Person.objects.count()
    with pytest.raises(CommandError):
        call_command("import_people", str(path), "--as", "alice")
    assert Person.objects.count() == count


def test_import_command_imports(cast, tmp_path, new_id):
    path = tmp_path / "p.csv"
    number = new_id()
    path.write_bytes(csv_bytes([person_row(number)], "gbk"))
    out = io.StringIO()
    call_command("import_people", str(path), "--as", "alice", stdout=out)
    assert "1 new" in out.getvalue()
    assert Person.objects.filter(id_number=number, unit=cast.unit_a).exists()


def test_empty_file_is_refused(cast):
    with pytest.raises(TableError) as exc:
        plan_of(cast.alice, b"", "p.csv")
    assert exc.value.code == "empty_file"


def test_wrong_columns_are_refused(cast, client):
    client.force_login(cast.alice)
    data = csv_bytes([["x", "y"]], headers=["姓名", "工号"])
    response = client.post(reverse("orgs:people_import"), {"file": upload(data, "p.csv")})
    assert "工号" in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_template_has_headers_example_and_instructions(cast, client):
    from openpyxl import load_workbook

    client.force_login(cast.alice)
    response = client.get(reverse("orgs:people_import_template"))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == ("身份证号", "姓名", "性别", "出生日期", "单位代码")
    assert len(rows) == 2
    assert len(book.worksheets) == 2


def test_import_writes_one_summary_event(cast, new_id):
    plan = plan_of(cast.alice, xlsx_bytes([person_row(new_id()), person_row(new_id("F"))]))
    apply_people_import(cast.alice, plan.planned, effective_on=dt.date.today())
    event = AuditEvent.objects.get(action="import")
    assert event.changes["new"] == [None, 2]


def test_oversized_upload_is_refused_before_it_is_stored(cast, client, settings):
    settings.MAX_UPLOAD_MB = 1
    client.force_login(cast.alice)
    data = b"x" * (1024 * 1024 + 1)
    response = client.post(reverse("orgs:people_import"), {"file": upload(data, "p.csv")})
    assert response.context["form"].errors["file"]
    assert not list((settings.MEDIA_ROOT / "imports").glob("*"))


def test_formula_cell_in_import_is_an_error(cast):
    from openpyxl import Workbook

    from xuefen.orgs.importing import HEADERS

    book = Workbook()
    book.active.append(HEADERS)
    book.active.append(person_row('=CONCAT("1101","01")'))
    buf = io.BytesIO()
    book.save(buf)
    plan = plan_of(cast.alice, buf.getvalue())
    assert errors_of(plan) == [(2, "身份证号", "formula")]


def test_preview_lists_changes_by_column(cast, client):
    unit_a2 = f.node("财政局二所", parent=cast.dept, code="A2")
    assert unit_a2
    data = xlsx_bytes([person_row(cast.person_a.id_number, "李明", unit="A2", title="高级")])
    client.force_login(cast.carol)
    response = upload_and_check(client, data)
    ((_row, kind, _name, changes),) = response.context["preview"]
    assert kind == "changed"
    assert changes == [["职称级别", "", "高级"], ["单位代码", "A", "A2"]]
    assert "职称级别: — → 高级" in response.content.decode()


def test_the_file_is_read_once_and_the_web_request_reads_only_its_head(
    cast, client, new_id, monkeypatch
):
    from xuefen.orgs import importing

    full_reads = []
    real = importing.read_table

    def counting(*args, **kwargs):
        full_reads.append(kwargs.get("head", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(importing, "read_table", counting)
    data = xlsx_bytes([person_row(new_id(), unit="B"), person_row(new_id())])
    client.force_login(cast.alice)
    response = client.post(reverse("orgs:people_import"), {"file": upload(data)})
    assert full_reads == []  # the upload checked the head only
    imp = PeopleImport.objects.get()
    from xuefen.orgs.actions import check_people_import

    check_people_import(imp.pk)  # the background worker's step
    assert full_reads == [False]
    client.get(response["Location"])
    client.get(reverse("orgs:people_import_errors", args=[imp.pk]))
    client.post(reverse("orgs:people_import_confirm", args=[imp.pk]))
    assert full_reads == [False]


def test_the_shared_strings_bomb_is_refused_at_upload(cast, client, settings):
    from tests.core.hostile import shared_strings_bomb

    client.force_login(cast.alice)
    response = client.post(
        reverse("orgs:people_import"), {"file": upload(shared_strings_bomb(), "bomb.xlsx")}
    )
    assert response.status_code == 200
    assert "bomb.xlsx" in str(response.context["form"].errors["file"])
    assert not PeopleImport.objects.exists()


def test_a_file_damaged_past_its_head_is_refused_by_the_check(cast, client, new_id):
    from tests.core import hostile

    # Enough rows that the damage lies beyond the first block the upload's head check reads.
    rows = [person_row(f.valid_id(), "赵六") for _ in range(1500)]
    sheet = hostile.sheet_xml([HEADERS_FOR_HOSTILE, *rows]).replace(
        b"</sheetData>", b"<row><c></sheetData>"
    )
    client.force_login(cast.alice)
    response = upload_and_check(client, hostile.workbook(sheet))
    imp = response.context["imp"]
    assert (imp.status, imp.failure_code) == ("refused", "file_damaged")
    assert imp.failure in response.content.decode()
    assert not Person.objects.filter(name="赵六").exists()
