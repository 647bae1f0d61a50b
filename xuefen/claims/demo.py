"""Demo claims for the county: the reporting periods 2025 and 2026 and a handful of claims of the
finance bureau (CZJ01) in every state, through the same actions as the pages. Fast: a few dozen
queries. The claim types come from the data migration."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from xuefen.accounts.models import User
from xuefen.claims import actions
from xuefen.claims.models import ClaimType, ReportingPeriod
from xuefen.orgs.models import Person

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def load(write: Callable[[str], Any]) -> None:
    actions.load_default_types()
    office = User.objects.filter(username="office").first()
    unitadmin = User.objects.filter(username="unitadmin").first()
    learner = User.objects.filter(username="learner").select_related("person__unit").first()
    if office is None or unitadmin is None or learner is None or learner.person is None:
        return
    actions.save_period(
        office,
        ReportingPeriod(),
        {
            "period": 2025,
            "name": "2025年度学分申报",
            "opens_on": dt.date(2025, 1, 1),
            "deadline": dt.date(2026, 1, 15),
            "spot_check_share": Decimal("0.05"),
        },
    )
    actions.save_period(
        office,
        ReportingPeriod(),
        {
            "period": 2026,
            "name": "2026年度学分申报",
            "opens_on": dt.date(2026, 1, 1),
            "deadline": dt.date(2026, 12, 20),
            "spot_check_share": Decimal("0.1"),
        },
    )
    types = {t.code: t for t in ClaimType.objects.all()}
    me = learner.person
    colleagues = list(Person.objects.filter(unit=me.unit).exclude(pk=me.pk).order_by("id")[:2])

    def claim(
        user: User, person: Person, code: str, title: str, start: dt.date, **data: Any
    ) -> Any:
        ctype = types[code]
        end = data.pop("end", start)
        uploads = {ctype.evidence[0]["code"]: [_pdf(f"{code}.pdf")]}
        return actions.create_claim(
            user, person, ctype, title=title, start_date=start, end_date=end, data=data,
            uploads=uploads, submit=True,
        )  # fmt: skip

    claim(
        learner,
        me,
        "teaching",
        "财政预算管理实务授课",
        dt.date(2026, 10, 20),
        course="县乡财政干部培训班",
        hours="3",
    )
    notes = claim(
        learner,
        me,
        "notes",
        "学习《预算法实施条例》笔记",
        dt.date(2026, 9, 30),
        topic="预算法实施条例",
        word_count="6200",
    )
    actions.check_claim(unitadmin, notes, "已签阅")
    paper = claim(
        learner,
        me,
        "paper",
        "县级财政绩效评价的实践与思考",
        dt.date(2026, 6, 1),
        journal="财政监督",
        level="province",
        author_rank="1",
    )
    actions.check_claim(unitadmin, paper)
    actions.approve_claim(office, paper, amount="24")
    claim(
        learner,
        me,
        "qualification_exam",
        "中级会计专业技术资格考试",
        dt.date(2025, 9, 7),
        exam="中级会计资格",
        certificate_no="Z2025-3209-0117",
        passed_on="2025-10-20",
    )
    if colleagues:
        returned = claim(
            unitadmin,
            colleagues[0],
            "conference",
            "全省财政科学研究年会",
            dt.date(2026, 8, 12),
            end=dt.date(2026, 8, 13),
            organiser="省财政科学研究所",
            role="attendee",
        )
        actions.return_claim(office, returned, "请补充参会证明（签到表或会议手册）。")
    if len(colleagues) > 1:
        rejected = claim(
            unitadmin,
            colleagues[1],
            "other",
            "单位读书分享会",
            dt.date(2026, 5, 8),
            details="单位组织的读书分享",
        )
        actions.reject_claim(office, rejected, "单位内部读书会不属于可申报的学习活动。")
    write("claims: reporting periods 2025 and 2026, 6 demo claims in CZJ01")
