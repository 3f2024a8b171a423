"""The roster upload form: a file of the right kind and size; its content is judged by
reader.py and checker.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions_app.roster.reader import upload_size_problem
from sessions_app.roster.table import header_rule


class RosterUploadForm(forms.Form):
    """The roster file: .xlsx, .xls or .csv."""

    file = forms.FileField(
        label=_("名单文件（.xlsx、.xls 或 .csv）"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = "%s%s" % (
            header_rule(),
            _("学号和身份证号列请设为“文本”格式。"),
        )
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
