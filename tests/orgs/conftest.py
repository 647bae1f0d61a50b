import io

import pytest

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
