"""`xuefen compliance`: one row a person, each requirement's earned and required, status, grade."""

import csv
import io

import openpyxl
from django.core.management import call_command

from tests.reports.conftest import post
from xuefen.orgs.models import Person


def run(*args):
    out = io.StringIO()
    call_command("compliance", *args, stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_csv_has_a_row_per_person_with_each_requirement(cast, pro):
    post(cast, cast.person_a, 90, ["required", "centralised"], "a1")
    rows = run("--period", "2026", "--format", "csv")
    header, body = rows[0], rows[1:]
    assert header[:5] == ["身份证号", "姓名", "单位", "人员类别", "年龄段"]
    assert header[-4:] == ["状态", "等次", "差距", "规则"]
    by_name = {r[1]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_name) == {"李明", "林娜", "王芳", "张工"}
    zhang = by_name["张工"]
    assert zhang["身份证号"] == pro.person.id_number
    assert (zhang["公需科目 已完成"], zhang["公需科目 应完成"]) == ("24", "30")
    assert (zhang["专业科目 已完成"], zhang["专业科目 应完成"]) == ("50", "60")
    assert (zhang["状态"], zhang["等次"]) == ("未达标", "不合格")
    assert zhang["差距"] == "还差 总学时 16 学时；还差 专业科目 10 学时；还差 公需科目 6 学时"
    assert zhang["规则"] == "专业技术人员继续教育（湖南：公需30、专业60）（第1版）"
    li = by_name["李明"]
    assert (li["年度集中培训 已完成"], li["年度集中培训 应完成"], li["状态"]) == (
        "90",
        "90",
        "达标",
    )
    assert li["公需科目 已完成"] == ""


def test_unit_option_limits_the_rows_to_its_subtree(cast, pro):
    names = [r[1] for r in run("--period", "2026", "--unit", "B")[1:]]
    assert names == ["王芳"]


def test_xlsx_output_file(cast, pro, tmp_path):
    target = tmp_path / "out.xlsx"
    call_command("compliance", "--period", "2026", "--format", "xlsx", "--output", str(target))
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert len(rows) == 1 + Person.objects.count()
    zhang = next(r for r in rows if r[1] == "张工")
    assert 24 in zhang and 30 in zhang


def test_people_are_judged_in_chunks_not_one_by_one(cast, pro, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        run("--period", "2026")
