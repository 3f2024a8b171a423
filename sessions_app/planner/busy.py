"""The busy periods staff import (an exam, an internship day): a list with the columns
班级, 日期, 开始, 结束, 原因, read by the roster's reader (reader.py with the layout
below) and checked row by row. Every problem of every row is reported; nothing is
saved unless there is none (services.busy_periods_save)."""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cards_app.rules import normalise_text
from sessions_app.models import Campaign, SchoolClass
from sessions_app.models.planner import REASON_MAX_LENGTH
from sessions_app.roster.checker import Problem
from sessions_app.roster.table import Layout, Table, cell_text, filled


def busy_rule() -> str:
    return _("表头须有 班级、日期、开始、结束；原因 可选。日期如 2018-11-11，时间如 8:00。")


BUSY_LABELS = {
    "class_name": "班级",
    "date": "日期",
    "start": "开始",
    "end": "结束",
    "reason": "原因",
}
BUSY = Layout(
    aliases={
        "class_name": ("班级", "班级名称", "班名", "行政班", "行政班级"),
        "date": ("日期", "忙碌日期"),
        "start": ("开始", "开始时间", "起始时间"),
        "end": ("结束", "结束时间", "截止时间"),
        "reason": ("原因", "事由", "说明", "备注"),
    },
    labels=BUSY_LABELS,
    required=("class_name", "date", "start", "end"),
    anchors=("class_name", "date"),
    rule=busy_rule,
)


@dataclass(frozen=True)
class BusyRow:
    row: int
    school_class: SchoolClass
    date: datetime.date
    start: datetime.time
    end: datetime.time
    reason: str


@dataclass
class BusyReport:
    filename: str
    rows: list[BusyRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_TIME = re.compile(r"^(\d{1,2})\s*[:：点时]\s*(\d{2})?\s*分?$")


def parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = normalise_text(cell_text(value)[0])
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_time(value) -> datetime.time | None:
    if isinstance(value, datetime.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, datetime.timedelta):
        minutes = int(value.total_seconds() // 60)
        return datetime.time(minutes // 60, minutes % 60) if 0 <= minutes < 24 * 60 else None
    if isinstance(value, float) and 0 <= value < 1:
        # A time Excel stored as a fraction of a day.
        minutes = round(value * 24 * 60)
        return datetime.time(minutes // 60, minutes % 60) if minutes < 24 * 60 else None
    text = normalise_text(cell_text(value)[0])
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def busy_check(*, campaign: Campaign, table: Table) -> BusyReport:
    """Return every busy period of the table, checked, and every problem found."""
    report = BusyReport(filename=table.filename)
    classes = {c.name: c for c in SchoolClass.objects.filter(campaign=campaign)}
    columns = table.columns

    def cell(cells, name):
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    for number, cells in table.rows():
        if not any(filled(c) for c in cells):
            continue
        problems = []

        def problem(name, value, message, number=number, problems=problems):
            problems.append(
                Problem(number, BUSY_LABELS[name], cell_text(value)[0] if value else "", message)
            )

        raw_class = cell(cells, "class_name")
        name = normalise_text(cell_text(raw_class)[0])
        school_class = classes.get(name)
        if not name:
            problem("class_name", raw_class, _("请填写班级。"))
        elif school_class is None:
            problem("class_name", raw_class, _("本次采集没有这个班级。"))
        raw_date = cell(cells, "date")
        date = parse_date(raw_date)
        if date is None:
            problem("date", raw_date, _("日期无法识别，请写成 2018-11-11。"))
        raw_start, raw_end = cell(cells, "start"), cell(cells, "end")
        start, end = parse_time(raw_start), parse_time(raw_end)
        if start is None:
            problem("start", raw_start, _("时间无法识别，请写成 8:00。"))
        if end is None:
            problem("end", raw_end, _("时间无法识别，请写成 12:00。"))
        if start is not None and end is not None and end <= start:
            problem("end", raw_end, _("结束须晚于开始。"))
        reason = normalise_text(cell_text(cell(cells, "reason"))[0])
        if len(reason) > REASON_MAX_LENGTH:
            problem(
                "reason",
                reason[:20] + "…",
                _("原因最多 %(n)d 个字。") % {"n": REASON_MAX_LENGTH},
            )
        if problems:
            report.problems.extend(problems)
        else:
            report.rows.append(BusyRow(number, school_class, date, start, end, reason))
    if not report.rows and not report.problems:
        report.problems.append(Problem(0, "", "", _("文件中没有忙碌时段。")))
    return report
