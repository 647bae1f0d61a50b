"""The exams pages: who sees what, the check-in and the paper over HTTP, and list pages whose
query count does not grow with their rows."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories as f
from tests.exams import helpers as h
from xuefen.exams import actions, codes
from xuefen.exams.models import AnswerLog, CheckIn, CheckInStatus


def test_the_candidate_checks_in_with_the_camera_photo_and_the_proctor_sees_both(client, cast):
    exam = h.exam(cast)
    (candidate,) = actions.register_candidates(cast.carol, exam, [cast.lena_person])
    actions.register_photo(cast.carol, cast.lena_person, h.face(), exam.node)
    client.force_login(cast.lena)
    page = client.get(reverse("exams:checkin", args=[candidate.pk]))
    assert "一次性" in page.content.decode() or page.status_code == 200
    url = reverse("exams:checkin", args=[candidate.pk])
    refused = client.post(
        url,
        {"code": codes.code_for(candidate.pk, exam.pk),
         "photo": SimpleUploadedFile("c.jpg", h.two_faces(), "image/jpeg")},
        HTTP_USER_AGENT="TestPhone",
    )  # fmt: skip
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "many_faces"
    taken = client.post(
        url,
        {"code": codes.code_for(candidate.pk, exam.pk),
         "photo": SimpleUploadedFile("c.jpg", h.face(), "image/jpeg")},
        HTTP_USER_AGENT="TestPhone",
    )  # fmt: skip
    assert taken.json()["checkin"] == CheckInStatus.PENDING
    checkin = CheckIn.objects.get()
    assert checkin.device == "TestPhone"
    client.force_login(cast.carol)
    proctor = client.get(reverse("exams:proctor", args=[exam.pk])).content.decode()
    assert reverse("exams:photo", args=[candidate.pk]) in proctor
    assert reverse("exams:checkin_photo", args=[checkin.pk]) in proctor
    assert client.get(reverse("exams:checkin_photo", args=[checkin.pk]))["Content-Type"] == (
        "image/jpeg"
    )
    client.post(reverse("exams:decide", args=[checkin.pk]), {"decision": "confirm"})
    client.force_login(cast.lena)
    assert client.get(reverse("exams:status", args=[candidate.pk])).json()["admitted"] is True
    started = client.post(reverse("exams:start", args=[candidate.pk]))
    assert started.status_code == 302 and "/attempts/" in started.url


def test_the_paper_autosaves_and_logs_the_device_and_address(client, cast):
    candidate = h.admitted(cast, h.exam(cast))
    attempt = actions.start_attempt(candidate)
    client.force_login(cast.lena)
    page = client.get(reverse("exams:take", args=[attempt.pk])).content.decode()
    assert "单选题" in page and "简答题" in page
    question = int(attempt.questions[0]["id"])
    saved = client.post(
        reverse("exams:save", args=[attempt.pk]),
        json.dumps({"question": question, "response": [1]}),
        content_type="application/json",
        HTTP_USER_AGENT="Laptop",
        REMOTE_ADDR="10.3.3.3",
    )
    assert saved.status_code == 200 and 0 < saved.json()["left"] <= 3600
    assert list(AnswerLog.objects.values_list("device", "address")) == [("Laptop", "10.3.3.3")]
    beat = client.post(reverse("exams:save", args=[attempt.pk]), "{}", "application/json")
    assert beat.json()["closed"] is False
    done = client.post(reverse("exams:submit", args=[attempt.pk]))
    assert done.status_code == 302
    result = client.get(done.url).content.decode()
    assert 'data-testid="attempt-score">20<' in result  # the short answer left empty scores 0


def test_someone_elses_attempt_is_not_found(client, cast):
    attempt = actions.start_attempt(h.admitted(cast, h.exam(cast)))
    other = f.user("other", person=cast.person_a)
    client.force_login(other)
    assert client.get(reverse("exams:take", args=[attempt.pk])).status_code == 404
    assert client.post(reverse("exams:submit", args=[attempt.pk])).status_code == 404


def test_the_auditor_reads_results_but_runs_nothing(client, cast):
    exam = h.exam(cast)
    client.force_login(cast.dave)
    assert client.get(reverse("exams:exams")).status_code == 200
    assert client.get(reverse("exams:exam_detail", args=[exam.pk])).status_code == 200
    assert client.get(reverse("exams:proctor", args=[exam.pk])).status_code == 404
    assert client.get(reverse("exams:grading", args=[exam.pk])).status_code == 404
    assert client.get(reverse("exams:questions")).status_code == 404


def test_the_office_schedules_a_session_on_the_form(client, cast):
    paper = actions.make_paper(cast.carol, cast.region, "试卷", questions=h.bank(cast))
    client.force_login(cast.carol)
    assert client.get(reverse("exams:exam_new")).status_code == 200
    response = client.post(
        reverse("exams:exam_new"),
        {
            "name": "年度考试", "kind": "annual", "paper": paper.pk,
            "starts_at": "2026-12-01T09:00", "ends_at": "2026-12-01T08:00",
            "duration_minutes": 90, "seats": 30, "pass_mark": 60, "credit_amount": 6,
            "credit_unit": "hours",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "关闭" in response.content.decode() or "close" in response.content.decode()


def test_registering_by_id_number(client, cast):
    exam = h.exam(cast)
    client.force_login(cast.carol)
    client.post(
        reverse("exams:register", args=[exam.pk]),
        {"id_numbers": f"{cast.person_a.id_number}\n{cast.lena_person.id_number}"},
    )
    assert list(exam.candidates.values_list("seat", flat=True)) == [1, 2]


def test_list_pages_do_not_grow_their_queries_with_rows(
    client, cast, django_assert_max_num_queries
):
    exam = h.exam(cast)
    people = [f.person(cast.unit_a, f"考生{i}") for i in range(8)]
    actions.register_candidates(cast.carol, exam, people)
    for _ in range(3):
        h.exam(cast)
    client.force_login(cast.carol)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("exams:exams")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("exams:exam_detail", args=[exam.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("exams:questions")).status_code == 200
    client.force_login(cast.lena)
    actions.register_candidates(cast.carol, h.exam(cast), [cast.lena_person])
    with django_assert_max_num_queries(10):
        assert client.get(reverse("exams:mine")).status_code == 200


def test_the_office_adds_a_question_on_the_bank_page(client, cast):
    client.force_login(cast.carol)
    client.post(
        reverse("exams:questions"),
        {"subject": "法规", "kind": "multiple", "text": "哪些对？", "options": "甲\n乙\n丙",
         "answer": "AC", "points": "5"},
    )  # fmt: skip
    refused = client.post(
        reverse("exams:questions"),
        {"subject": "法规", "kind": "single", "text": "哪个对？", "options": "甲\n乙",
         "answer": "D", "points": "5"},
    )  # fmt: skip
    assert refused.status_code == 200  # the form again, with the error on the answer
    from xuefen.exams.models import Question

    assert list(Question.objects.values_list("kind", "answer")) == [("multiple", [0, 2])]


def test_staff_read_each_answer_submission_with_address_and_device(client, cast):
    attempt = actions.start_attempt(h.admitted(cast, h.exam(cast)))
    actions.save_answer(
        attempt, attempt.questions[0]["id"], [1], address="10.7.7.7", device="考场机"
    )
    client.force_login(cast.dave)
    page = client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
    assert "10.7.7.7" in page and "考场机" in page
    client.force_login(cast.lena)
    assert "10.7.7.7" not in client.get(reverse("exams:result", args=[attempt.pk])).content.decode()
