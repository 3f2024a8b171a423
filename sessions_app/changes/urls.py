"""The schedule's change pages, in the ``sessions`` namespace (sessions_app/urls.py
includes them): the board's buttons and the batch editor keep their names."""

from django.urls import path

from sessions_app.changes import views

urlpatterns = [
    path("staff/campaigns/<int:campaign_pk>/schedule/", views.schedule_edit, name="schedule_edit"),
    path(
        "staff/campaigns/<int:campaign_pk>/schedule/apply/",
        views.apply,
        name="schedule_apply",
    ),
    path(
        "staff/campaigns/<int:campaign_pk>/schedule/history/",
        views.history,
        name="schedule_history",
    ),
    path("staff/schedule/changes/<int:pk>/undo/", views.undo, name="schedule_undo"),
    path("staff/campaigns/<int:campaign_pk>/swap/", views.class_swap, name="class_swap"),
    path("staff/classes/<int:pk>/up/", views.class_up, name="class_up"),
    path("staff/classes/<int:pk>/down/", views.class_down, name="class_down"),
    path("staff/classes/<int:pk>/move/", views.class_move, name="class_move"),
    path("staff/classes/<int:pk>/defer/", views.class_defer, name="class_defer"),
]
