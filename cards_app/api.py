"""The public card check API: POST /api/cards/check/, documented in docs/card-check-api.md.

It stores nothing, so it needs neither a login nor a CSRF token. Whatever arrives, the
answer is JSON: 200 with the check, 400 for a body that is not a JSON object of strings,
405 for another method. Never a 500.
"""

import json

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from capture_portal import ratelimits
from cards_app import rules, services

MAX_BODY_BYTES = 4096
API_FIELDS = rules.FIELDS + (rules.NAME_PINYIN,)


def _bad_request(code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, **extra}}, status=400)


def parse_card_request(body: bytes) -> tuple[dict | None, JsonResponse | None]:
    """Return (data, None) for a valid body, or (None, a 400 response)."""
    try:
        text = body.decode("utf-8-sig")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, _bad_request("invalid_json", _("请求体不是有效的 UTF-8 JSON。"))
    if not isinstance(data, dict):
        return None, _bad_request(
            "not_an_object", _('请求体须为 JSON 对象，例如 {"name": "张三"}。')
        )
    for key in API_FIELDS:
        if key in data and not isinstance(data[key], str):
            return None, _bad_request(
                "not_a_string",
                _("字段“%s”须为字符串。") % key,
                field=key,
            )
    return {key: data[key] for key in API_FIELDS if key in data}, None


@csrf_exempt
@ratelimits.limit("card-api")
def card_check(request):
    if request.method != "POST":
        response = JsonResponse(
            {"error": {"code": "method_not_allowed", "message": _("请用 POST 提交 JSON。")}},
            status=405,
        )
        response["Allow"] = "POST"
        return response
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return _bad_request("too_large", _("请求体不能超过 %d 字节。") % MAX_BODY_BYTES)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _bad_request("too_large", _("请求体不能超过 %d 字节。") % MAX_BODY_BYTES)
    data, error = parse_card_request(body)
    if error is not None:
        return error
    result = services.card_check_run(student=None, data=data)
    response = JsonResponse(result.as_dict())
    response["Cache-Control"] = "no-store"
    return response
