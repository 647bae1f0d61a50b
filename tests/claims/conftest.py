"""Claims fixtures: a rule set on region R whose conversions price the shipped claim types, a
reporting period, evidence files in a temporary folder, and a helper that files a claim."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xuefen.claims import actions
from xuefen.claims.models import ClaimType, ReportingPeriod
from xuefen.policy.actions import import_ruleset

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64

RULES = """
code: claims_test
name: {zh: 申报测试规则, en: Claims test rules}
version: 1
valid_from: 2020-01-01
unit: hours
hours_per_day: 8
categories:
  - {code: required, label: 必修}
  - {code: elective, label: 选修}
  - {code: professional, label: 专业}
requirements:
  - {code: total, label: 总学时, min: 90}
caps:
  - {code: degree, label: 学历教育年度上限, kinds: [degree], per: period, max: 24}
conversions:
  paper:
    method: per_item
    categories: [elective]
    table: [{level: city, amount: 12}, {level: province, amount: 24}, {level: national, amount: 48}]
  teaching: {method: per_hour, rate: 5, max_per_item: 30, categories: [elective]}
  notes: {method: per_1000_chars, rate: 1, categories: [elective]}
  degree: {method: lump_sum, rate: 40, split_years: 2, categories: [professional]}
  secondment: {method: per_day, rate: 6, categories: [elective]}
  conference: {method: per_day, rate: 6, categories: [professional]}
  party_school_day: {method: per_day, rate: 8, categories: [required]}
  qualification_exam: {method: lump_sum, rate: 40, categories: [professional]}
"""

TODAY = dt.date.today()
YEAR = TODAY.year
DAY = dt.date(YEAR, 1, 10) if dt.date(YEAR, 1, 20) <= TODAY else dt.date(YEAR - 1, 11, 10)


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def rules(cast):
    return import_ruleset(cast.carol, RULES, cast.region)


@pytest.fixture
def reporting(cast):
    return ReportingPeriod.objects.create(
        period=DAY.year,
        name=f"{DAY.year}年度",
        opens_on=dt.date(DAY.year, 1, 1),
        deadline=dt.date(DAY.year + 1, 1, 15),
        spot_check_share=Decimal("0.2"),
    )


def pdf(name="证明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def ctype(code):
    return ClaimType.objects.get(code=code)


DEFAULT_DATA = {
    "paper": {"journal": "财政研究", "level": "province", "author_rank": "1"},
    "teaching": {"course": "财务培训班", "hours": "3"},
    "notes": {"topic": "预算法", "word_count": "5200"},
    "degree": {
        "school": "南京大学",
        "major": "会计学",
        "degree": "master",
        "certificate_no": "1028-2026-001",
    },
    "secondment": {"host": "某乡镇", "post": "副镇长"},
    "conference": {"organiser": "省财政厅", "role": "attendee"},
    "qualification_exam": {
        "exam": "中级会计",
        "certificate_no": "Z-001",
        "passed_on": "2026-01-01",
    },
    "book": {"publisher": "人民出版社", "isbn": "978-7-01-000000-1", "words_k": "100"},
    "other": {"details": "读书会"},
    "research": {"project_no": "P-1", "level": "city", "author_rank": "1"},
}


def file_claim(
    user,
    person,
    code="paper",
    *,
    title="县级财政绩效评价",
    start=DAY,
    end=None,
    evidence=True,
    submit=True,
    **data,
):
    ct = ctype(code)
    uploads = {ct.evidence[0]["code"]: [pdf()]} if evidence else {}
    return actions.create_claim(
        user,
        person,
        ct,
        title=title,
        start_date=start,
        end_date=end or start,
        data={**DEFAULT_DATA.get(code, {}), **data},
        uploads=uploads,
        submit=submit,
    )


def to_office(cast, claim):
    """The unit check by alice (unit A's administrator)."""
    return actions.check_claim(cast.alice, claim)
