from django.urls import path

from xuefen.exams.views import learner, staff

app_name = "exams"
urlpatterns = [
    # candidates
    path("mine/", learner.mine, name="mine"),
    path("mine/<int:candidate_id>/check-in/", learner.checkin, name="checkin"),
    path("mine/<int:candidate_id>/status/", learner.status, name="status"),
    path("mine/<int:candidate_id>/start/", learner.start, name="start"),
    path("attempts/<int:attempt_id>/", learner.take, name="take"),
    path("attempts/<int:attempt_id>/save/", learner.save, name="save"),
    path("attempts/<int:attempt_id>/submit/", learner.submit, name="submit"),
    path("attempts/<int:attempt_id>/result/", learner.result, name="result"),
    path("attempts/<int:attempt_id>/certificate/", learner.certificate, name="certificate"),
    path(
        "attempts/<int:attempt_id>/certificate.pdf",
        learner.certificate_pdf,
        name="certificate_pdf",
    ),
    path("verify/", learner.verify, name="verify"),
    # the exam office
    path("", staff.exams, name="exams"),
    path("new/", staff.exam_new, name="exam_new"),
    path("<int:exam_id>/", staff.exam_detail, name="exam_detail"),
    path("<int:exam_id>/register/", staff.register, name="register"),
    path("<int:exam_id>/proctor/", staff.proctor, name="proctor"),
    path("<int:exam_id>/grading/", staff.grading, name="grading"),
    path("candidates/<int:candidate_id>/photo/", staff.photo, name="photo"),
    path("candidates/<int:candidate_id>/unlock/", staff.unlock, name="unlock"),
    path("check-ins/<int:checkin_id>/photo/", staff.checkin_photo, name="checkin_photo"),
    path("check-ins/<int:checkin_id>/decide/", staff.decide, name="decide"),
    path("questions/", staff.questions, name="questions"),
    path("questions/import/", staff.question_import, name="question_import"),
    path("questions/<int:question_id>/edit/", staff.question_edit, name="question_edit"),
    path("papers/", staff.papers, name="papers"),
    path("papers/new/", staff.paper_new, name="paper_new"),
    path("papers/<int:paper_id>/", staff.paper, name="paper"),
    path("papers/<int:paper_id>/edit/", staff.paper_edit, name="paper_edit"),
]
