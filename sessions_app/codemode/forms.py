"""Forms of code mode. The image is a plain FileField: Django's ImageField would hand
the bytes to Pillow before the reader's limits (codemode/rules.py) apply."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.models import MakeupRoute


class CodeImageForm(forms.Form):
    image = forms.FileField(
        label=_("采集码图片"),
        error_messages={
            "required": _("请选择保存的采集码图片。"),
            "empty": _("上传的文件是空的，请重新选择采集码图片。"),
            "invalid": _("请选择保存的采集码图片。"),
        },
    )


class MakeupRouteForm(forms.Form):
    route = forms.ChoiceField(
        label=_("补采方式"),
        choices=MakeupRoute.Route.choices,
        error_messages={"required": _("请选择补采方式。"), "invalid_choice": _("请选择补采方式。")},
    )
    deadline = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("截止日期格式应为 2026-06-30。")},
    )


class ReadinessFilterForm(forms.Form):
    college = forms.IntegerField(required=False, min_value=1)
    school_class = forms.IntegerField(required=False, min_value=1)
