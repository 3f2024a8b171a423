"""The planner's pages, in the ``sessions`` namespace (sessions_app/urls.py includes them)."""

from django.urls import path

from sessions_app.planner import views

urlpatterns = [
    path("staff/campaigns/<int:campaign_pk>/planner/", views.planner, name="planner"),
    path("staff/campaigns/<int:campaign_pk>/planner/pins/", views.pin, name="planner_pin"),
    path(
        "staff/campaigns/<int:campaign_pk>/planner/pins/<int:class_pk>/clear/",
        views.unpin,
        name="planner_unpin",
    ),
    path("staff/campaigns/<int:campaign_pk>/planner/busy/", views.busy, name="planner_busy"),
    path(
        "staff/campaigns/<int:campaign_pk>/planner/busy/<int:pk>/delete/",
        views.busy_delete,
        name="planner_busy_delete",
    ),
]
