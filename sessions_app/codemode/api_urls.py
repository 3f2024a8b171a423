"""The public API, mounted at /api/capture-code/ by the root URLconf."""

from django.urls import path

from sessions_app.codemode import api

app_name = "capture_code_api"
urlpatterns = [
    path("check/", api.capture_code_check, name="check"),
]
