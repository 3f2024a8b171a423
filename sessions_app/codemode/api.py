"""The public 图像采集码 check: POST /api/capture-code/check/, documented in
docs/capture-code-check-api.md.

It stores nothing, so it needs neither a login nor a CSRF token. The answer never holds
the code's content. 200 with ``{"ok": true}`` or ``{"ok": false, "error": …}`` for an
image that was looked at; 400 without a field ``image``; 405 for another method. Never
a 500: whatever the bytes, the reader answers with one of its codes.
"""

from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from capture_portal import ratelimits
from sessions_app.codemode import rules
from sessions_app.codemode.services import reading_limits

# The multipart envelope around the image: boundary lines and part headers.
ENVELOPE_BYTES = 64 * 1024


def declared_length(request) -> int:
    """Return the body's declared Content-Length (0 if absent or malformed)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _error(code: str, message: str, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(
        {"ok": False, "error": {"code": code, "message": message}}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@ratelimits.limit("code-check")
def capture_code_check(request):
    if request.method != "POST":
        response = _error(
            "method_not_allowed", _("请用 POST 以 multipart/form-data 提交字段 image。"), status=405
        )
        response["Allow"] = "POST"
        return response
    limits = reading_limits()
    if declared_length(request) > limits.max_bytes + ENVELOPE_BYTES:
        # Refused before a byte of the body is parsed.
        return _error(rules.TOO_LARGE, rules.message_of(rules.TOO_LARGE, limits))
    try:
        upload = request.FILES.get("image")
    except (MultiPartParserError, ValueError, OSError):
        upload = None
    if upload is None:
        return _error(
            "image_required",
            _("请以 multipart/form-data 提交字段 image（采集码图片）。"),
            status=400,
        )
    if upload.size > limits.max_bytes:
        return _error(rules.TOO_LARGE, rules.message_of(rules.TOO_LARGE, limits))
    reading = rules.read_code(upload.read(), limits=limits)
    if reading.readable:
        response = JsonResponse({"ok": True})
        response["Cache-Control"] = "no-store"
        return response
    return _error(reading.result, reading.message)
