from django.urls import include, path

from sessions_app import views

app_name = "sessions"
urlpatterns = [
    path("", views.home, name="home"),
    path("lookup/", views.lookup, name="lookup"),
    path("me/", views.student_home, name="student_home"),
    path("monitor/", views.monitor_home, name="monitor_home"),
    path("staff/", views.staff_board, name="staff_board"),
    path("staff/campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("staff/campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("staff/campaigns/<int:campaign_pk>/slots/new/", views.slot_edit, name="slot_create"),
    path("staff/campaigns/<int:campaign_pk>/classes/new/", views.class_edit, name="class_create"),
    path("staff/slots/<int:pk>/edit/", views.slot_edit, name="slot_edit"),
    path("staff/slots/<int:pk>/delete/", views.slot_delete, name="slot_delete"),
    path("staff/venues/new/", views.venue_edit, name="venue_create"),
    path("staff/venues/<int:pk>/edit/", views.venue_edit, name="venue_edit"),
    path("staff/groups/<int:pk>/edit/", views.category_rule_edit, name="category_rule_edit"),
    path("staff/classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("staff/classes/<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("staff/classes/<int:pk>/monitor/", views.class_monitor, name="class_monitor"),
    path("staff/classes/<int:pk>/passwords/", views.class_passwords, name="class_passwords"),
    path("staff/students/<int:pk>/correct/", views.student_correct, name="student_correct"),
]

urlpatterns += [
    path("", include("sessions_app.changes.urls")),
    path("", include("sessions_app.planner.urls")),
    path("staff/campaigns/<int:campaign_pk>/exports/", views.exports_page, name="exports"),
    path(
        "staff/campaigns/<int:campaign_pk>/exports/<str:kind>/",
        views.export_download,
        name="export_download",
    ),
]
