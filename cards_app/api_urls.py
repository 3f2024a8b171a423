"""The public API, mounted at /api/cards/ by the root URLconf."""

from django.urls import path

from cards_app import api

app_name = "cards_api"
urlpatterns = [
    path("check/", api.card_check, name="check"),
]
