"""Forms of the payment pages: parse and normalise input; the ledger rules live in services."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from payments_app.models import PaymentMethod
from payments_app.services import REASON_MAX_LENGTH, RECEIVER_MAX_LENGTH

FORMAT_CHOICES = [("xlsx", "Excel"), ("pdf", "PDF")]
LIST_CHOICES = [("all", _("缴费名单")), ("unpaid", _("未缴费名单"))]


def _reason_field(required: bool) -> forms.CharField:
    return forms.CharField(
        label=_("原因"),
        max_length=REASON_MAX_LENGTH,
        required=required,
        strip=True,
        error_messages={
            "required": _("请填写原因。"),
            "max_length": _("原因最多 %(limit_value)d 个字。"),
        },
    )


class RecordForm(forms.Form):
    """One tap (``one``) or a ticked set (``students``) of one class's students."""

    one = forms.IntegerField(required=False)
    students = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    method = forms.ChoiceField(choices=PaymentMethod.choices, initial=PaymentMethod.CASH)
    reason = _reason_field(required=False)

    def __init__(self, *args, students=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._by_pk = {s.pk: s for s in students}
        self.fields["students"].choices = [(s.pk, s.name) for s in students]
        self.fields["students"].error_messages["invalid_choice"] = _(
            "所选学生不在本班名单中，请刷新页面后重试。"
        )
        self.fields["method"].error_messages["invalid_choice"] = _("未知的缴费方式。")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        one = data.get("one")
        if one is not None:
            if one not in self._by_pk:
                raise forms.ValidationError(_("所选学生不在本班名单中，请刷新页面后重试。"))
            data["chosen"] = [self._by_pk[one]]
        else:
            data["chosen"] = [self._by_pk[pk] for pk in data.get("students") or []]
        if not data["chosen"]:
            raise forms.ValidationError(_("请先勾选要登记缴费的学生。"))
        return data


class ReasonForm(forms.Form):
    reason = _reason_field(required=True)


class HandoverForm(forms.Form):
    student_count = forms.IntegerField(
        label=_("交接人数"),
        min_value=0,
        max_value=10000,
        error_messages={
            "required": _("请填写交接人数。"),
            "invalid": _("人数须为整数。"),
            "min_value": _("人数不能为负数。"),
            "max_value": _("人数不能超过 %(limit_value)s。"),
        },
    )
    amount = forms.DecimalField(
        label=_("交接金额（元）"),
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        error_messages={
            "required": _("请填写交接金额。"),
            "invalid": _("金额须为数字，例如 800 或 800.00。"),
            "min_value": _("金额不能为负数。"),
            "max_digits": _("金额过大。"),
            "max_decimal_places": _("金额最多两位小数。"),
            "max_whole_digits": _("金额过大。"),
        },
    )
    receiver_name = forms.CharField(
        label=_("收款人（拍摄组）"),
        max_length=RECEIVER_MAX_LENGTH,
        required=False,
        error_messages={
            "required": _("请填写收款人姓名。"),
            "max_length": _("收款人姓名最多 %(limit_value)d 个字。"),
        },
    )
    handed_over_at = forms.DateTimeField(
        label=_("交接时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("留空则为现在。"),
        error_messages={"invalid": _("时间格式不对，例如 2018-11-11 10:30。")},
    )

    def __init__(self, *args, receiving: bool = False, **kwargs):
        """``receiving``: the crew records what it received, and is the receiver."""
        super().__init__(*args, **kwargs)
        receiver = self.fields["receiver_name"]
        if receiving:
            receiver.help_text = _("可不填，记为本人。")
        else:
            receiver.required = True
            receiver.help_text = _("接收现金的拍摄组人员姓名。")
        self.fields["student_count"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal"})


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="xlsx")
    list = forms.ChoiceField(choices=LIST_CHOICES, initial="all", required=False)
    college = forms.IntegerField(required=False)
    school_class = forms.IntegerField(required=False)
    one_sheet = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("format", "list"):
            self.fields[name].error_messages["invalid_choice"] = _("不支持的导出选项。")
        for name in ("college", "school_class"):
            self.fields[name].error_messages["invalid"] = _("学院或班级编号不对。")
