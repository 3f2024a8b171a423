"""Forms of the shoot-day pages: parse and bound the input, leave the rules to the
services (shootday/services.py) and the card rules (cards_app.rules)."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sessions_app.models import CardCorrection, ChsiCheck
from sessions_app.shootday import rules
from sessions_app.shootday.services import (
    CHSI_NOTE_MAX_LENGTH,
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


class DeskScanForm(forms.Form):
    """A scanned 图像采集码: the text a keyboard-wedge scanner typed, or a camera photo
    (a plain FileField: the code reader applies its own limits before Pillow decodes)."""

    code = forms.CharField(
        max_length=4000,
        required=False,
        error_messages={"max_length": _("扫码内容过长，请重新扫码。")},
    )
    photo = forms.FileField(required=False, error_messages={"empty": _("照片是空的，请重拍。")})

    def clean(self):
        data = super().clean()
        if not data.get("code", "").strip() and not data.get("photo"):
            raise forms.ValidationError(_("请扫码、拍下采集码，或输入学号、姓名。"))
        return data


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
    kind = forms.ChoiceField(
        label=_("问题类别"),
        choices=[("", "")] + ChsiCheck.Kind.choices,
        required=False,
        error_messages={"invalid_choice": _("请选择问题类别。")},
    )


class ChsiHandleForm(forms.Form):
    note = forms.CharField(
        label=_("处理说明"),
        max_length=CHSI_NOTE_MAX_LENGTH,
        error_messages={
            "required": _("请写明处理结果（如已提交勘误、已通知学生）。"),
            "max_length": _limit_message(_("处理说明")),
        },
    )


class ChsiFilterForm(forms.Form):
    """The follow-up list's filters. Colleges and classes are the campaign's, offered
    as choices: a value that is not one of them is refused, never looked up."""

    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部"))] + [(k, v) for k, v in rules.CHSI_STATE_LABELS.items()],
    )
    college = forms.ChoiceField(label=_("学院"), required=False)
    school_class = forms.ChoiceField(label=_("班级"), required=False)
    q = forms.CharField(label=_("学号或姓名"), max_length=50, required=False)

    def __init__(self, *args, colleges, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.colleges = {str(c.pk): c for c in colleges}
        self.classes = {str(c.pk): c for c in classes}
        self.fields["college"].choices = [("", _("全部学院"))] + [
            (pk, c.name) for pk, c in self.colleges.items()
        ]
        self.fields["school_class"].choices = [("", _("全部班级"))] + [
            (pk, c.name) for pk, c in self.classes.items()
        ]
        for name in ("state", "college", "school_class"):
            self.fields[name].error_messages["invalid_choice"] = _("筛选条件不对，已显示全部。")
        self.fields["q"].error_messages["max_length"] = _limit_message(_("查询内容"))

    def filters(self) -> dict:
        """Return the valid filters as the selectors take them; a bad one is dropped."""
        data = self.cleaned_data if self.is_bound else {}
        return {
            "state": data.get("state") or "",
            "college": self.colleges.get(data.get("college") or ""),
            "school_class": self.classes.get(data.get("school_class") or ""),
            "query": data.get("q") or "",
        }
