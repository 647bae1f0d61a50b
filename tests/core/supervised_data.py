"""Data for the supervisor test, written into the database the environment names (run as
`python -m tests.core.supervised_data ROWS`): a unit with people, a provider with a course, and a
roster batch of ROWS rows queued for the background worker. Prints the batch id."""

import datetime as dt
import os
import sys


def main() -> None:
    rows = int(sys.argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuefen.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests import factories as f
    from xuefen.accounts.roles import Role
    from xuefen.intake.actions import submit_batch
    from xuefen.intake.models import Course, Provider
    from xuefen.orgs.models import OrgNode

    region = f.node("示范县", OrgNode.Kind.REGION, code="R")
    unit = f.node("财政局机关", OrgNode.Kind.UNIT, region, code="A")
    days = 10
    people = [f.person(unit, f"学员{i}") for i in range(rows // days)]
    today = dt.date.today()
    provider = Provider.objects.create(code="PA", name="党校", node=unit, serves=region)
    Course.objects.create(
        provider=provider,
        code="C1",
        name="课程",
        kind="training_day",
        categories=["required"],
        amount=1,
        starts_on=today - dt.timedelta(days=365),
    )
    staff = f.user("pat", Role.PROVIDER, unit)
    lines = ["身份证号,姓名,课程代码,完成日期"]
    for day in range(days):
        done = (today - dt.timedelta(days=30 + day)).isoformat()
        lines += [f"{p.id_number},{p.name},C1,{done}" for p in people]
    upload = SimpleUploadedFile("roster.csv", ("\r\n".join(lines) + "\r\n").encode())
    batch = submit_batch(staff, provider, upload=upload, source="upload")
    print(batch.pk)


if __name__ == "__main__":
    main()
