"""The import template: an empty roster workbook with the headers the import reads and
one filled example row, for colleges whose academic system exports nothing usable.

The example row is a made-up student (the 身份证号 is GB 11643's own example). The
import recognises it by its 学号, 姓名 and 身份证号 together and skips it with a note,
so a template sent back with the example still in it never puts a fake student on the
sign-in sheets and the 缴费名单.
"""

import io

from django.utils.translation import gettext as _

from capture_portal.exports import as_plain_text, formula_like
from sessions_app.models import Campaign, EducationType, SchoolClass, SchoolType, StudentCategory
from sessions_app.roster.table import FIELD_LABELS, TEXT_FIELDS

# The columns in the order of the roster export, which imports back the same way.
TEMPLATE_FIELDS = (
    "student_id",
    "name",
    "id_number",
    "gender",
    "class_name",
    "college",
    "category",
    "education_type",
    "school_type",
)
EXAMPLE = {
    "student_id": "9990101001",
    "name": "示例学生",
    "id_number": "11010519491231002X",
    "gender": "女",  # the 17th digit of the ID number is even
}
EXAMPLE_KEYS = ("student_id", "name", "id_number")
COLUMN_WIDTHS = {"student_id": 14, "name": 12, "id_number": 22, "college": 18, "category": 20}


def is_example(values: dict[str, str]) -> bool:
    """Return whether a row's 学号, 姓名 and 身份证号 are the template's example."""
    return all(values.get(key, "").strip().upper() == EXAMPLE[key] for key in EXAMPLE_KEYS)


def _example_row(campaign: Campaign) -> dict[str, str]:
    school_class = (
        SchoolClass.objects.filter(campaign=campaign, status=SchoolClass.Status.SCHEDULED)
        .select_related("college")
        .order_by("name")
        .first()
    )
    return EXAMPLE | {
        "class_name": school_class.name if school_class else "会计1171",
        "college": str(school_class.college or "") if school_class else "经济管理学院",
        "category": str(StudentCategory.CURRENT.label),
        "education_type": str(EducationType.REGULAR_JUNIOR.label),
        "school_type": str(SchoolType.REGULAR.label),
    }


def _notes() -> list[tuple[str, str]]:
    def labels(choices):
        return "、".join(str(label) for label in choices.labels)

    return [
        (FIELD_LABELS["student_id"], _("必填。设为文本格式，从左到右照抄，不留空格。")),
        (FIELD_LABELS["name"], _("必填。与身份证一致；少数民族姓名的间隔号“·”照写。")),
        (
            FIELD_LABELS["id_number"],
            _("必填，18 位，末位 X 用大写。必须是文本格式：存成数字会丢掉后几位。"),
        ),
        (FIELD_LABELS["gender"], _("男 或 女；可不填，按身份证号第 17 位核对。")),
        (FIELD_LABELS["class_name"], _("班级名称，如 会计1171；个人（往届生、成教生等）可不填。")),
        (FIELD_LABELS["college"], _("可不填。")),
        (
            FIELD_LABELS["category"],
            _("可不填（默认应届在校生）；可填：%s。") % labels(StudentCategory),
        ),
        (FIELD_LABELS["education_type"], _("可不填；可填：%s。") % labels(EducationType)),
        (FIELD_LABELS["school_type"], _("可不填；可填：%s。") % labels(SchoolType)),
        ("", ""),
        (
            _("示例行"),
            _("第 2 行“示例学生”只是示例：导入时按学号、姓名、身份证号认出并跳过，删不删都行。"),
        ),
    ]


def roster_template(*, campaign: Campaign) -> bytes:
    """Return the template as an .xlsx workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("学生名单")
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    example = _example_row(campaign)
    for column, name in enumerate(TEMPLATE_FIELDS, start=1):
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = COLUMN_WIDTHS.get(name, 11)
        if name in TEXT_FIELDS:
            # The whole column is text, so what staff type or paste stays text: Excel
            # keeps 15 significant digits of a number, and a 身份证号 has 18.
            sheet.column_dimensions[letter].number_format = "@"
        header = sheet.cell(row=1, column=column, value=FIELD_LABELS[name])
        header.font, header.fill = header_font, header_fill
        header.alignment = Alignment(horizontal="center")
        cell = sheet.cell(row=2, column=column, value=example[name])
        if formula_like(cell.value):
            as_plain_text(cell)
        cell.font = Font(italic=True, color="7F7F7F")
        if name in TEXT_FIELDS:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("填写说明"))
    notes.column_dimensions["A"].width = 12
    notes.column_dimensions["B"].width = 80
    for row in _notes():
        notes.append(row)
    for cell in notes["A"]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
