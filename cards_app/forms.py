"""Forms of the card pages: parse and normalise input; the rules live in rules.py."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from cards_app import rules
from cards_app.models import CardCheck

# Generous limits: the rules say what is wrong with a long value; these only keep a
# pasted novel out of the page.
MAX_LENGTH = 100
RESOLUTION_MAX_LENGTH = CardCheck._meta.get_field("resolution_note").max_length


class CardCheckForm(forms.Form):
    student_id = forms.CharField(label=_("学号"), max_length=MAX_LENGTH, required=False)
    name = forms.CharField(label=_("姓名"), max_length=MAX_LENGTH, required=False)
    name_pinyin = forms.CharField(
        label=_("0000 旁的拼音"),
        max_length=MAX_LENGTH,
        required=False,
        help_text=_(
            "姓名里区位码为 0000 的字，系统读不出或读错时才填：按字序写这些字的拼音，"
            "不标声调，空格隔开。"
        ),
    )
    id_number = forms.CharField(label=_("身份证号"), max_length=MAX_LENGTH, required=False)
    education_type = forms.ChoiceField(
        label=_("学历类别"),
        choices=[("", _("——请选择——"))] + list(rules.EDUCATION_TYPES.items()),
        required=False,
    )
    school_type = forms.ChoiceField(
        label=_("所在校别"),
        choices=[("", _("——请选择——"))] + list(rules.SCHOOL_TYPES.items()),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student_id"].widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        )
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        )
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})
        self.fields["name_pinyin"].widget.attrs.update(
            {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("student_id"),
            Field("name"),
            Field("id_number"),
            Field("education_type"),
            Field("school_type"),
            Field("name_pinyin"),
        )

    def card_data(self) -> dict:
        """Return the entered values for the rules (call after is_valid)."""
        return {name: self.cleaned_data.get(name, "") for name in self.fields}


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("处理说明"),
        max_length=RESOLUTION_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("例如：名册已更正 / 学生已按身份证改正")}),
    )
