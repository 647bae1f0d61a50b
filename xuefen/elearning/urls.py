from django.urls import path

from xuefen.elearning import views

app_name = "elearning"
urlpatterns = [
    # learners
    path("", views.courses, name="courses"),
    path("courses/<int:course_id>/", views.course, name="course"),
    path("courses/<int:course_id>/<int:resource_id>/", views.player, name="player"),
    path("courses/<int:course_id>/<int:resource_id>/start/", views.start, name="start"),
    path("courses/<int:course_id>/test/", views.test, name="test"),
    path("events/", views.event, name="event"),
    path("media/<int:resource_id>/", views.media, name="media"),
    path("record/", views.record, name="record"),
    # the office
    path("manage/", views.manage, name="manage"),
    path("manage/videos/new/", views.video_new, name="video_new"),
    path("manage/articles/new/", views.article_new, name="article_new"),
    path("manage/courses/new/", views.course_new, name="course_new"),
    path("manage/resources/<int:resource_id>/", views.resource, name="resource"),
    path("manage/resources/<int:resource_id>/edit/", views.resource_edit, name="resource_edit"),
    path(
        "manage/resources/<int:resource_id>/retire/", views.resource_retire, name="resource_retire"
    ),
    path("manage/courses/<int:course_id>/edit/", views.course_edit, name="course_edit"),
    path("manage/courses/<int:course_id>/test/", views.course_test, name="course_test"),
    # auditors
    path("audit/", views.audit, name="audit"),
    path("audit/people/<int:person_id>/", views.person, name="person"),
]
