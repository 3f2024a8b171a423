"""The confirmation of a schedule change: the new plan travels in the page staff
confirm, and is read back strictly (it is input like any other)."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.changes.rules import Plan
from sessions_app.models import ScheduleChange, SchoolClass

PAYLOAD_MAX_LENGTH = 200_000  # about 20,000 class pks: far above any campaign
BAD_PAYLOAD = _("调整内容无法识别，未保存。请回到排期页面重新操作。")


def encode_payload(plan: Plan, statuses: dict[int, str] | None = None) -> str:
    """Return the plan (and the statuses that change) as the confirmation carries them."""
    return json.dumps(
        {
            "plan": {str(slot): classes for slot, classes in plan.items()},
            "statuses": {str(pk): status for pk, status in (statuses or {}).items()},
        },
        separators=(",", ":"),
    )


def _pk(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(value)
    return value


def decode_payload(text: str) -> tuple[Plan, dict[int, str]]:
    """Return (plan, statuses) from encode_payload's text; ValueError if it is not one."""
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("plan"), dict):
        raise ValueError("no plan")
    plan = {}
    for slot, classes in data["plan"].items():
        if not isinstance(classes, list):
            raise ValueError("classes")
        plan[_pk(int(slot))] = [_pk(pk) for pk in classes]
    statuses = {}
    raw = data.get("statuses") or {}
    if not isinstance(raw, dict):
        raise ValueError("statuses")
    for pk, status in raw.items():
        if status not in SchoolClass.Status.values:
            raise ValueError(status)
        statuses[_pk(int(pk))] = status
    return plan, statuses


class ApplyForm(forms.Form):
    payload = forms.CharField(max_length=PAYLOAD_MAX_LENGTH, widget=forms.HiddenInput)
    fingerprint = forms.RegexField(regex=r"^[0-9a-f]{8,64}$", widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=ScheduleChange.Kind.choices, widget=forms.HiddenInput)
    undoes = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update(
                {
                    "required": BAD_PAYLOAD,
                    "invalid": BAD_PAYLOAD,
                    "invalid_choice": BAD_PAYLOAD,
                    "max_length": BAD_PAYLOAD,
                    "min_value": BAD_PAYLOAD,
                }
            )

    def clean_payload(self):
        try:
            return decode_payload(self.cleaned_data["payload"])
        except (ValueError, TypeError, RecursionError):
            raise forms.ValidationError(BAD_PAYLOAD) from None
