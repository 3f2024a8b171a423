"""Forms of the shoot-day pages: parse and bound the input, leave the rules to the
services (sessions_app.shootday) and the card rules (cards_app.rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.models import CardCorrection


class DeskNameForm(forms.Form):
    desk = forms.CharField(
        label=_("工作台"),
        max_length=20,
        error_messages={
            "required": _("请填写本工作台的名称（如“1号台”）。"),
            "max_length": _("工作台名称最多 20 个字。"),
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
        max_length=100,
        error_messages={
            "required": _("请填写更正后卡上的内容。"),
            "max_length": _("更正内容最多 100 个字。"),
        },
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("说明最多 200 个字。")},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        error_messages={"required": _("请填写原因。"), "max_length": _("原因最多 200 个字。")},
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
        max_length=300,
        required=False,
        error_messages={"max_length": _("问题说明最多 300 个字。")},
    )
