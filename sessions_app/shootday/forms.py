"""Forms of the shoot-day pages: parse and bound the input, leave the rules to the
services (shootday/services.py) and the card rules (cards_app.rules)."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sessions_app.models import CardCorrection
from sessions_app.shootday.services import (
    CHSI_PROBLEM_MAX_LENGTH,
    DESK_MAX_LENGTH,
    REASON_MAX_LENGTH,
    VALUE_MAX_LENGTH,
)


def _limit_message(what):
    return format_lazy(_("{what}最多 %(limit_value)d 个字。"), what=what)


class DeskNameForm(forms.Form):
    desk = forms.CharField(
        label=_("工作台"),
        max_length=DESK_MAX_LENGTH,
        error_messages={
            "required": _("请填写本工作台的名称（如“1号台”）。"),
            "max_length": _limit_message(_("工作台名称")),
        },
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("学号或姓名"), max_length=50, required=False)


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(
        label=_("项目"),
        choices=CardCorrection.Field.choices,
        error_messages={
            "required": _("请选择更正的项目。"),
            "invalid_choice": _("请选择更正的项目。"),
        },
    )
    kind = forms.ChoiceField(
        label=_("改填/补填"),
        choices=CardCorrection.Kind.choices,
        initial=CardCorrection.Kind.AMEND,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择改填或补填。"),
            "invalid_choice": _("请选择改填或补填。"),
        },
    )
    value = forms.CharField(
        label=_("更正后卡上的内容"),
        max_length=VALUE_MAX_LENGTH,
        error_messages={
            "required": _("请填写更正后卡上的内容。"),
            "max_length": _limit_message(_("更正内容")),
        },
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _limit_message(_("说明"))},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("请填写原因。"), "max_length": _limit_message(_("原因"))},
    )


class ChsiForm(forms.Form):
    RESULT_OK = "ok"
    RESULT_PROBLEM = "problem"

    result = forms.ChoiceField(
        choices=[(RESULT_OK, _("已核对无误")), (RESULT_PROBLEM, _("有问题"))],
        error_messages={"required": _("请选择核对结果。"), "invalid_choice": _("请选择核对结果。")},
    )
    problem = forms.CharField(
        label=_("问题说明"),
        max_length=CHSI_PROBLEM_MAX_LENGTH,
        required=False,
        error_messages={"max_length": _limit_message(_("问题说明"))},
    )
