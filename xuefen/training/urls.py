from django.urls import path

from xuefen.training.views import attendance, checkin, config, learner, manage, teachers

app_name = "training"
urlpatterns = [
    # learners
    path("menu/", learner.menu_page, name="menu"),
    path("mine/", learner.mine, name="mine"),
    path("classes/<int:class_id>/sign-up/", learner.sign_up, name="sign_up"),
    path("classes/<int:class_id>/wait-list/", learner.wait_list, name="wait_list"),
    path("classes/<int:class_id>/withdraw/", learner.withdraw, name="withdraw"),
    path("classes/<int:class_id>/leave/", learner.leave, name="leave"),
    path(
        "classes/<int:class_id>/evaluate/",
        learner.answer,
        {"kind": "evaluation"},
        name="evaluate",
    ),
    path(
        "classes/<int:class_id>/follow-up/",
        learner.answer,
        {"kind": "follow_up"},
        name="follow_up",
    ),
    path("c/<str:token>/", checkin.checkin, name="checkin"),
    # classes
    path("classes/", manage.classes, name="classes"),
    path("classes/new/", manage.class_new, name="class_new"),
    path("classes/<int:class_id>/", manage.class_detail, name="class_detail"),
    path("classes/<int:class_id>/edit/", manage.class_edit, name="class_edit"),
    path("classes/<int:class_id>/step/", manage.class_step, name="class_step"),
    path("classes/<int:class_id>/sessions/new/", manage.session_new, name="session_new"),
    path("classes/<int:class_id>/quotas/", manage.quotas, name="quotas"),
    path("classes/<int:class_id>/roster/", manage.roster, name="roster"),
    path("classes/<int:class_id>/assign/", manage.assign, name="assign"),
    path("classes/<int:class_id>/nominate/", manage.nominate, name="nominate"),
    path(
        "classes/<int:class_id>/roster/<int:person_id>/take-off/",
        manage.take_off,
        name="take_off",
    ),
    path("classes/<int:class_id>/scores/", manage.scores, name="scores"),
    path("classes/<int:class_id>/report/", manage.report, name="report"),
    path("leave/<int:leave_id>/decide/", manage.leave_decide, name="leave_decide"),
    # sessions and attendance
    path("sessions/<int:session_id>/", attendance.session_detail, name="session_detail"),
    path("sessions/<int:session_id>/edit/", manage.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/screen/", attendance.screen, name="screen"),
    path("sessions/<int:session_id>/code/", attendance.screen_code, name="screen_code"),
    path("sessions/<int:session_id>/correct/", attendance.correct, name="correct"),
    path("sessions/<int:session_id>/sheet.pdf", attendance.sheet_pdf, name="sheet_pdf"),
    path("sessions/<int:session_id>/sheet/", attendance.sheet_upload, name="sheet_upload"),
    path("sheets/<int:sheet_id>/", attendance.sheet_file, name="sheet_file"),
    path("sessions/<int:session_id>/review/", teachers.peer_review, name="peer_review"),
    # teachers
    path("teachers/", teachers.teachers, name="teachers"),
    path("teachers/part-time/", teachers.archive, name="archive"),
    path("teachers/new/", teachers.teacher_new, name="teacher_new"),
    path("teachers/<int:teacher_id>/", teachers.teacher_detail, name="teacher_detail"),
    path("teachers/<int:teacher_id>/edit/", teachers.teacher_edit, name="teacher_edit"),
    path("teaching/", teachers.teaching, name="teaching"),
    # the menu's courses and the questionnaires
    path("courses/", config.courses, name="courses"),
    path("courses/<int:course_id>/", config.course_menu, name="course_menu"),
    path("questionnaires/", config.questionnaires, name="questionnaires"),
    path(
        "questionnaires/<int:questionnaire_id>/",
        config.questionnaire_edit,
        name="questionnaire_edit",
    ),
]
