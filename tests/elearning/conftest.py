import pytest

from tests.elearning import helpers as h
from xuefen.orgs.models import Person


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def lesson(cast):
    """Region R's rule set for lena (cadre_township), a 600-second video and an article in
    course C1, and a second course C2 with another video."""
    Person.objects.filter(pk=cast.lena_person.pk).update(category=Person.Category.TOWNSHIP)
    cast.lena.refresh_from_db()
    h.rules(cast)
    video = h.video(cast, "十分钟视频", 600)
    other = h.video(cast, "另一视频", 600)
    return {
        "video": video,
        "other": other,
        "course": h.course(cast, "C1", video),
        "course2": h.course(cast, "C2", other),
    }
