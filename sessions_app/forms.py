"""Forms of the schedule pages: parse and normalise input, leave rules to services."""

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from cards_app.rules import normalise_text
from sessions_app.changes.rules import plan_problems_of
from sessions_app.models import (
    Campaign,
    CaptureMode,
    CategoryRule,
    Gender,
    RosterCorrection,
    SchoolClass,
    TimeSlot,
    Venue,
    schedule_order,
)

CODE_MODE_CHSI_WORKING_DAYS = 10


def _helper(submit_label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


class LookupForm(forms.Form):
    student_id = forms.CharField(label=_("学号"), max_length=30)
    name = forms.CharField(label=_("姓名"), max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("查询"))
        self.fields["student_id"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off"}
        )

    def clean_student_id(self):
        value = normalise_text(self.cleaned_data["student_id"])
        if not value:
            raise forms.ValidationError(_("请输入学号。"))
        return value

    def clean_name(self):
        value = normalise_text(self.cleaned_data["name"])
        if not value:
            raise forms.ValidationError(_("请输入姓名。"))
        return value


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "mode",
            "payment_way",
            "graduation_year",
            "college_code",
            "scope",
            "fee",
            "fee_includes",
            "makeup_centre_name",
            "makeup_centre_address",
            "makeup_centre_phone",
            "chsi_check_working_days",
            "dress_rules",
            "bring_items",
            "issued_by",
            "issued_on",
            "published",
        ]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "scope": forms.Textarea(attrs={"rows": 2}),
            "dress_rules": forms.Textarea(attrs={"rows": 3}),
            "bring_items": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("保存"))

    def clean(self):
        data = super().clean()
        # 学信网 shows a code-mode photo about 10 working days after the shoot (the
        # 2018 card notice said 4): a new code campaign gets 10 unless staff chose.
        if (
            self.instance.pk is None
            and data.get("mode") == CaptureMode.CODE
            and "chsi_check_working_days" not in self.changed_data
        ):
            data["chsi_check_working_days"] = CODE_MODE_CHSI_WORKING_DAYS
        return data

    def clean_graduation_year(self):
        year = self.cleaned_data["graduation_year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("毕业年份应在 2000 至 2100 之间。"))
        return year

    def clean_chsi_check_working_days(self):
        days = self.cleaned_data["chsi_check_working_days"]
        if not 1 <= days <= 30:
            raise forms.ValidationError(_("工作日数应在 1 至 30 之间。"))
        return days


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["name", "note", "shots_per_hour"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("保存"))

    def clean_shots_per_hour(self):
        rate = self.cleaned_data["shots_per_hour"]
        if not 1 <= rate <= 2000:
            raise forms.ValidationError(_("每小时拍摄人数应在 1 至 2000 之间。"))
        return rate


class SlotForm(forms.ModelForm):
    class Meta:
        model = TimeSlot
        fields = ["date", "start", "end", "venue"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("保存"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", _("结束时间必须晚于开始时间。"))
        return cleaned


class SchoolClassForm(forms.ModelForm):
    class Meta:
        model = SchoolClass
        fields = ["name", "major", "entry_year", "college", "venue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("保存"))

    def clean_name(self):
        name = normalise_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("请输入班级名称。"))
        # campaign is not a form field, so ModelForm cannot check this constraint itself.
        clash = SchoolClass.objects.filter(campaign_id=self.instance.campaign_id, name=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("本次采集已有名为“%(name)s”的班级。") % {"name": name})
        return name


class ClassMoveForm(forms.Form):
    slot = forms.ModelChoiceField(
        label=_("移到时段"),
        queryset=TimeSlot.objects.none(),
        required=False,
        empty_label=_("（不安排时段）"),
    )
    position = forms.IntegerField(
        label=_("位置（留空为最后）"), min_value=1, max_value=200, required=False
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = TimeSlot.objects.filter(campaign=campaign).select_related(
            "venue"
        )
        self.fields["slot"].label_from_instance = lambda s: "%s %s" % (s, s.venue)


class ClassSwapForm(forms.Form):
    first = forms.ModelChoiceField(label=_("班级甲"), queryset=SchoolClass.objects.none())
    second = forms.ModelChoiceField(label=_("班级乙"), queryset=SchoolClass.objects.none())

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        qs = SchoolClass.objects.filter(campaign=campaign, slot__isnull=False).order_by(
            *schedule_order()
        )
        self.fields["first"].queryset = qs
        self.fields["second"].queryset = qs
        self.helper = _helper(_("互换"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("first") and cleaned.get("first") == cleaned.get("second"):
            raise forms.ValidationError(_("请选择两个不同的班级。"))
        return cleaned


_SEPARATORS = re.compile(r"[、，,；;\s]+")


class ScheduleForm(forms.Form):
    """One text field per slot: its classes in shooting order, separated by 、 as in the notice."""

    def __init__(self, *args, campaign, rows, **kwargs):
        """``rows`` are the schedule's SlotRows: each slot with its classes in order."""
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.slots = [row.slot for row in rows]
        self.classes_by_name = {c.name: c for c in SchoolClass.objects.filter(campaign=campaign)}
        for row in rows:
            slot = row.slot
            names = [c.name for c in row.classes]
            self.fields["slot_%d" % slot.pk] = forms.CharField(
                label="%s %s" % (slot, slot.venue),
                required=False,
                initial="、".join(names),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        cleaned = super().clean()
        plan = {}
        unknown = []
        for slot in self.slots:
            text = cleaned.get("slot_%d" % slot.pk) or ""
            names = [normalise_text(n) for n in _SEPARATORS.split(text) if n]
            unknown += [n for n in names if n not in self.classes_by_name]
            plan[slot] = [self.classes_by_name[n] for n in names if n in self.classes_by_name]
        errors = [_("没有名为“%(name)s”的班级。") % {"name": name} for name in unknown]
        classes = self.classes_by_name.values()
        errors += plan_problems_of(
            {slot.pk: [c.pk for c in placed] for slot, placed in plan.items()},
            {c.pk: c.status for c in classes},
            {c.pk: c.name for c in classes},
        )
        if errors:
            raise forms.ValidationError(errors)
        cleaned["plan"] = plan
        return cleaned


class ExportForm(forms.Form):
    """Which list, in which format, for which slot (sign-in sheets only)."""

    format = forms.ChoiceField(choices=[("pdf", "PDF"), ("xlsx", "Excel")], required=False)
    slot = forms.ModelChoiceField(queryset=TimeSlot.objects.none(), required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = TimeSlot.objects.filter(campaign=campaign)


class CategoryRuleForm(forms.ModelForm):
    """Where a category of individuals (往届生, 成教生 …) is shot, and its card bubbles."""

    class Meta:
        model = CategoryRule
        fields = ["slot", "education_type", "school_type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = TimeSlot.objects.filter(
            campaign_id=self.instance.campaign_id
        ).select_related("venue")
        self.fields["slot"].label_from_instance = lambda s: "%s %s" % (s, s.venue)
        self.fields["slot"].empty_label = _("（暂不安排）")
        self.helper = _helper(_("保存"))


class StudentCorrectForm(forms.Form):
    """A student's roster entry as it should be, and why; the card rules are the
    service's (roster.services.student_correct)."""

    student_id = forms.CharField(label=_("学号"), max_length=30)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=40)
    gender = forms.ChoiceField(
        label=_("性别"), choices=[("", _("（未填）")), *Gender.choices], required=False
    )
    reason = forms.CharField(
        label=_("原因"),
        max_length=RosterCorrection._meta.get_field("reason").max_length,
        help_text=_("必填，会记入更正记录，例如：已核对身份证原件，名册录入有误。"),
        error_messages={"required": _("请写明更正原因。")},
    )

    def __init__(self, *args, student, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "student_id": student.student_id,
                "name": student.name,
                "id_number": student.id_number,
                "gender": student.gender,
            },
        )
        super().__init__(*args, **kwargs)
        for name in ("student_id", "id_number"):
            self.fields[name].widget.attrs.update(
                {"autocomplete": "off", "spellcheck": "false", "class": "font-monospace"}
            )
        self.fields["student_id"].widget.attrs["inputmode"] = "numeric"
        self.helper = _helper(_("更正"))
