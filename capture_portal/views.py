"""The portal's own answers that belong to no app: a rate limit's 429."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

RATE_LIMITED_MESSAGE = gettext_lazy("操作太频繁，请稍等一分钟再试。")


def rate_limited(request, exception):
    """Answer a request past its rate limit: 429 with a Chinese page, or JSON for the
    API."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"error": {"code": "rate_limited", "message": str(RATE_LIMITED_MESSAGE)}},
            status=429,
        )
    else:
        response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response
