"""The planner's forms: plan (from the current schedule or from scratch), pin a class to
a slot, import busy periods."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.models import SchoolClass, TimeSlot
from sessions_app.roster.reader import upload_size_problem


def _slot_label(slot: TimeSlot) -> str:
    return "%s %s" % (slot, slot.venue)


class PlanForm(forms.Form):
    from_scratch = forms.BooleanField(
        label=_("从头排（不考虑现在的安排，不尽量少调整学生）"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class PinForm(forms.Form):
    school_class = forms.ModelChoiceField(
        label=_("班级"),
        queryset=SchoolClass.objects.none(),
        error_messages={
            "required": _("请选择班级。"),
            "invalid_choice": _("请选择本次采集的班级。"),
        },
    )
    slot = forms.ModelChoiceField(
        label=_("固定在时段"),
        queryset=TimeSlot.objects.none(),
        error_messages={
            "required": _("请选择时段。"),
            "invalid_choice": _("请选择本次采集的时段。"),
        },
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(
            campaign=campaign
        ).exclude(status=SchoolClass.Status.DEFERRED)
        self.fields["slot"].queryset = TimeSlot.objects.filter(campaign=campaign).select_related(
            "venue"
        )
        self.fields["slot"].label_from_instance = _slot_label
        for name in ("school_class", "slot"):
            self.fields[name].widget.attrs["class"] = "form-select"


class BusyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("忙碌时段文件（.xlsx、.xls 或 .csv）"),
        error_messages={"required": _("请选择文件。"), "empty": _("文件是空的。")},
    )
    replace = forms.BooleanField(
        label=_("替换本次采集已有的全部忙碌时段（不勾选则追加）"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "form-control"
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,.xls,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
            "application/vnd.ms-excel,text/csv"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = upload_size_problem(upload.size)
        if problem:
            raise forms.ValidationError(problem)
        return upload
