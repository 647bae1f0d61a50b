import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories as f
from xuefen.core.tabular import write_xlsx
from xuefen.orgs.importing import HEADERS


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def person_row(id_number: str, name: str = "赵六", unit: str = "A", **extra: str) -> list[str]:
    values = {
        "sex": "",
        "birth": "",
        "category": "一般干部",
        "title": "",
        "position": "",
        "phone": "",
        "status": "",
        "hired": "",
    }
    values.update(extra)
    return [
        id_number,
        name,
        values["sex"],
        values["birth"],
        unit,
        values["category"],
        values["title"],
        values["position"],
        values["phone"],
        values["status"],
        values["hired"],
    ]


def xlsx_bytes(rows: list[list[object]], headers: list[str] | None = None) -> bytes:
    buf = io.BytesIO()
    write_xlsx(buf, headers or HEADERS, rows)
    return buf.getvalue()


def csv_bytes(
    rows: list[list[object]], encoding: str = "utf-8-sig", headers: list[str] | None = None
) -> bytes:
    lines = [",".join(headers or HEADERS)] + [",".join(str(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def new_id():
    return lambda sex="M": f.valid_id(sex=sex)


def upload_and_check(client, data: bytes, name: str = "people.xlsx"):
    """Uploads a people file as the logged-in user, runs the background worker's check as the
    worker would, and returns the import's page (or the upload page, if the head was refused)."""
    from xuefen.orgs.actions import check_people_import
    from xuefen.orgs.models import PeopleImport

    response = client.post(reverse("orgs:people_import"), {"file": SimpleUploadedFile(name, data)})
    if response.status_code != 302:
        return response
    imp = PeopleImport.objects.latest("id")
    check_people_import(imp.pk)
    return client.get(reverse("orgs:people_import_detail", args=[imp.pk]))
