"""The check-in: the one-time code, a live photo with exactly one face, the proctor's decision."""

import pytest

from tests.exams import helpers as h
from xuefen.exams import actions, codes
from xuefen.exams.errors import ExamError
from xuefen.exams.models import CheckIn, CheckInStatus


@pytest.fixture
def candidate(cast):
    exam = h.exam(cast)
    (found,) = actions.register_candidates(cast.carol, exam, [cast.lena_person])
    actions.register_photo(cast.carol, cast.lena_person, h.face(), exam.node)
    return found


def _code(candidate):
    return codes.code_for(candidate.pk, candidate.exam_id)


def test_a_photo_with_one_face_waits_for_the_proctor(candidate):
    checkin = actions.check_in(
        candidate, _code(candidate), h.face(), address="10.0.0.5", device="Phone"
    )
    assert checkin.status == CheckInStatus.PENDING
    assert (checkin.address, checkin.device) == ("10.0.0.5", "Phone")


@pytest.mark.parametrize(("photo", "code"), [(h.no_face, "no_face"), (h.two_faces, "many_faces")])
def test_a_photo_without_exactly_one_face_is_refused(candidate, photo, code):
    with pytest.raises(ExamError) as caught:
        actions.check_in(candidate, _code(candidate), photo())
    assert caught.value.code == code
    assert not CheckIn.objects.exists()


def test_a_registered_photo_needs_one_face_too(cast, candidate):
    with pytest.raises(ExamError) as caught:
        actions.register_photo(cast.carol, cast.person_a, h.two_faces(), candidate.exam.node)
    assert caught.value.code == "many_faces"
    with pytest.raises(ExamError) as caught:
        actions.register_photo(cast.carol, cast.person_a, b"not an image", candidate.exam.node)
    assert caught.value.code == "photo_invalid"


def test_a_wrong_code_is_refused(candidate):
    wrong = "000000" if _code(candidate) != "000000" else "111111"
    with pytest.raises(ExamError) as caught:
        actions.check_in(candidate, wrong, h.face())
    assert caught.value.code == "code_invalid"


def test_the_proctor_admits_and_the_code_is_spent(cast, candidate):
    checkin = actions.check_in(candidate, _code(candidate), h.face())
    with pytest.raises(ExamError) as caught:
        actions.start_attempt(candidate)
    assert caught.value.code == "not_admitted"
    actions.decide_checkin(cast.carol, checkin, True)
    candidate.refresh_from_db()
    assert candidate.admitted_at is not None and candidate.admitted_by == cast.carol
    with pytest.raises(ExamError) as caught:
        actions.check_in(candidate, _code(candidate), h.face())
    assert caught.value.code == "code_used"
    with pytest.raises(ExamError) as caught:
        actions.decide_checkin(cast.carol, checkin, False)
    assert caught.value.code == "already_decided"


def test_a_refused_check_in_admits_no_one(cast, candidate):
    checkin = actions.check_in(candidate, _code(candidate), h.face())
    actions.decide_checkin(cast.carol, checkin, False)
    candidate.refresh_from_db()
    assert candidate.admitted_at is None


def test_only_the_credit_office_decides(cast, candidate):
    checkin = actions.check_in(candidate, _code(candidate), h.face())
    with pytest.raises(ExamError) as caught:
        actions.decide_checkin(cast.alice, checkin, True)
    assert caught.value.code == "forbidden"
