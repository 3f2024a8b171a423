from django.urls import path

from sessions_app.roster import views

app_name = "roster"
urlpatterns = [
    path("staff/campaigns/<int:campaign_pk>/roster/import/", views.upload, name="import"),
    path(
        "staff/campaigns/<int:campaign_pk>/roster/template.xlsx",
        views.template,
        name="import_template",
    ),
    path("staff/roster/import/<str:token>/", views.job, name="import_job"),
    path("staff/roster/import/<str:token>/status/", views.status, name="import_status"),
    path("staff/roster/import/<str:token>/errors.xlsx", views.errors, name="import_errors"),
    path("staff/roster/import/<str:token>/confirm/", views.confirm, name="import_confirm"),
]
