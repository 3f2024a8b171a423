"""Rows of the bulk check for Excel and PDF; capture_portal.exports renders them."""

from django.utils.translation import gettext as _

from capture_portal.exports import CONTENT_TYPES, Column, Report, Section, render
from cards_app import rules
from cards_app.selectors import BulkCheck, RosterRow

PROBLEM_COLUMNS = [
    Column("班级", 14),
    Column("学号", 14, text=True, keep=True),
    Column("姓名", 12, keep=True),
    Column("身份证号", 22, text=True, keep=True),
    Column("问题项", 16),
    Column("问题", 70),
]

NAME_COLUMNS = [
    Column("班级", 14),
    Column("学号", 14, text=True, keep=True),
    Column("姓名", 14, keep=True),
    Column("身份证号", 22, text=True, keep=True),
    Column("区位码", 22),
    Column("卡上填法", 40),
]


def _problem_text(row: RosterRow) -> str:
    return "；".join(
        (_("（提示）") if issue.level != "error" else "") + issue.message for issue in row.problems
    )


def problem_rows(rows):
    for row in rows:
        fields = dict.fromkeys(i.field for i in row.problems)
        yield (
            row.class_name,
            row.student_id,
            row.name,
            row.id_number,
            rules.field_labels(fields),
            _problem_text(row),
        )


def name_rows(rows):
    for row in rows:
        codes = " ".join(c.code for c in row.name_codes) if row.name_codes else "不填"
        yield (row.class_name, row.student_id, row.name, row.id_number, codes, row.name_note)


def bulk_check_report(*, bulk: BulkCheck, campaign, rows=None) -> Report:
    """Return the problems of the roster (all, or ``rows`` when filtered), then the
    names the centre must be told of."""
    rows = bulk.problem_rows if rows is None else rows
    return Report(
        title=_("%s 采集卡预检问题清单") % campaign.title,
        subtitle=_("名册 %d 人，有问题 %d 人，姓名需特殊填写 %d 人")
        % (bulk.total, bulk.with_problems, bulk.name_note_count),
        columns=PROBLEM_COLUMNS,
        landscape=True,
        sections=[
            Section(
                title=_("问题清单"),
                rows=problem_rows(rows),
                totals=(_("合计"), "", _("%d 人") % len(rows), "", "", ""),
            ),
            Section(
                title=_("姓名需0000或手写"),
                rows=(
                    (r.class_name, r.student_id, r.name, r.id_number, _("姓名填法"), r.name_note)
                    for r in bulk.name_rows
                ),
                notes=[_("区位码 0000 的字须在卡上写拼音；超过四字的姓名正楷手写全名")],
            ),
        ],
    )


def name_list_report(*, bulk: BulkCheck, campaign) -> Report:
    """Return the students whose names need 0000 + pinyin or handwriting, for the centre."""
    return Report(
        title=_("%s 姓名需特殊填写名单") % campaign.title,
        subtitle=_("共 %d 人：区位码 0000 的字旁写拼音；超过四个汉字的姓名正楷手写全名")
        % bulk.name_note_count,
        columns=NAME_COLUMNS,
        landscape=True,
        sections=[Section(title=_("姓名需特殊填写"), rows=name_rows(bulk.name_rows))],
    )


# File name and format of each download of the bulk check page.
BULK_EXPORTS = {
    "problems.xlsx": ("采集卡预检问题清单.xlsx", "xlsx"),
    "problems.pdf": ("采集卡预检问题清单.pdf", "pdf"),
    "names.xlsx": ("姓名需特殊填写名单.xlsx", "xlsx"),
    "names.pdf": ("姓名需特殊填写名单.pdf", "pdf"),
}


def bulk_check_export(
    *, kind: str, bulk: BulkCheck, campaign, problem: str = "", class_name: str = ""
) -> tuple[str, str, bytes]:
    """Return (file name, content type, content) of one of BULK_EXPORTS; the problem
    report holds the rows the page's filter shows."""
    filename, fmt = BULK_EXPORTS[kind]
    if kind.startswith("problems."):
        rows = bulk.filtered(problem=problem, class_name=class_name)
        report = bulk_check_report(bulk=bulk, campaign=campaign, rows=rows)
    else:
        report = name_list_report(bulk=bulk, campaign=campaign)
    return filename, CONTENT_TYPES[fmt], render(report, fmt)
