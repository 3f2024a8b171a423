"""Lists of the day and after it, as Reports of plain rows for capture_portal.exports:
the make-up list (who must go to the make-up centre, then the classes deferred to next
year) and the 学信网 follow-up list (every photographed student's answers and what
教务处 did about each reported problem)."""

import itertools

from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.exports import CONTENT_TYPES, Column, Report, Section, render
from sessions_app import campaign_texts
from sessions_app.codemode.selectors import makeup_routes
from sessions_app.models import Campaign
from sessions_app.selectors import students_by_place
from sessions_app.shootday import rules
from sessions_app.shootday.selectors.chsi import CHSI_STATES, chsi_counts, chsi_rows, chsi_students
from sessions_app.shootday.selectors.makeup import makeup_students

MAKEUP_COLUMNS = [
    Column("序号", 4, align="center"),
    Column("学号", 12, text=True, keep=True),
    Column("姓名", 9, keep=True),
    Column("性别", 4),
    Column("班级", 10),
    Column("类别", 12),
    Column("原因", 22),
]


def makeup_report(*, campaign: Campaign, now=None) -> Report:
    """Return the make-up list: who must go to the centre, then the deferred classes.

    A student is listed once the desk marked them absent, or when they were not
    photographed by the time their class closed or their slot ended.
    """
    makeup = makeup_students(campaign=campaign, now=now)
    by_class, _individuals = students_by_place(campaign=campaign)
    centre = _("补拍地点：%(name)s，%(address)s，电话 %(phone)s。补拍的学生在该中心自行缴费。") % {
        "name": campaign.makeup_centre_name,
        "address": campaign.makeup_centre_address,
        "phone": campaign.makeup_centre_phone,
    }

    code_mode = campaign.is_code_mode
    routes = {}
    if code_mode:
        # Code mode: each student's make-up route and deadline, as staff set them.
        routes = makeup_routes(students=[row.student for row in makeup.rows])
        centre = _(
            "补采方式：%(routes)s（%(name)s，%(address)s，电话 %(phone)s）。"
            "补采时仍须出示图像采集码。"
        ) % {
            "routes": campaign_texts.makeup_routes(agency=True),
            "name": campaign.makeup_centre_name,
            "address": campaign.makeup_centre_address,
            "phone": campaign.makeup_centre_phone,
        }

    def route_cell(student) -> tuple:
        if not code_mode:
            return ()
        route = routes.get(student.pk)
        if route is None:
            return ("",)
        deadline = _("，%s 前") % route.deadline.isoformat() if route.deadline else ""
        return (route.get_route_display() + deadline,)

    def rows():
        for number, row in enumerate(makeup.rows, start=1):
            student = row.student
            yield (
                number,
                student.student_id,
                student.name,
                student.get_gender_display(),
                row.group,
                student.get_category_display(),
                row.reason,
                *route_cell(student),
            )

    def deferred_rows(school_class, students):
        for number, student in enumerate(students, start=1):
            yield (
                number,
                student.student_id,
                student.name,
                student.get_gender_display(),
                school_class.name,
                student.get_category_display(),
                _("班级推迟至明年，不必补拍"),
                *(("",) if code_mode else ()),
            )

    sections = [
        Section(
            title=_("须到中心补拍　%(n)d 人") % {"n": makeup.count},
            rows=rows(),
            notes=[centre],
            page_header=_("补拍"),
        )
    ]
    for school_class, count in makeup.deferred:
        sections.append(
            Section(
                title=_("%(name)s（班级推迟至下一年）　%(n)d 人")
                % {"name": school_class.name, "n": count},
                rows=deferred_rows(school_class, by_class.get(school_class.pk, [])),
                page_header=school_class.name,
            )
        )
    return Report(
        title=_("%(title)s　补拍名单") % {"title": campaign.title},
        columns=MAKEUP_COLUMNS + ([Column(_("补采方式"), 22)] if code_mode else []),
        sections=sections,
        subtitle=_("按拍摄当天的登记：缺席，或所在班级结束、时段结束时仍未拍摄的学生。"),
    )


# The 学信网 follow-up ----------------------------------------------------------------------

# Widths are in proportion to what each column holds at the PDF's 9.5 pt on landscape A4,
# so a 学号, an 18-character 身份证号 and a name print whole; the answers take the rest.
CHSI_COLUMNS = [
    Column("序号", 5, align="center"),
    Column("学号", 13, text=True),
    Column("姓名", 11),
    Column("身份证号", 20, text=True),
    Column("班级", 12),
    Column("核对截止", 10.5),
    Column("学生的答复（最新在前）", 46),
    Column("教务处处理", 36.5),
]
# Students whose answers are loaded at once: the rows stream, memory stays flat.
CHSI_EXPORT_CHUNK = 1000


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _chsi_cells(row) -> tuple[str, str]:
    """Return every answer and what was done about each problem, newest first (the
    student's answer is what a cut-short PDF cell keeps), as the text of two cells."""
    checks = row.checks
    answers = "；".join(
        _("%(when)s 有问题：%(problem)s") % {"when": _when(c.created_at), "problem": c.problem}
        if c.is_problem
        else _("%(when)s 无误") % {"when": _when(c.created_at)}
        for c in checks
    )
    reports = [c for c in checks if c.is_problem]
    handling = "；".join(_handling(c, name_the_report=len(reports) > 1) for c in reports)
    return answers, handling


def _handling(report, *, name_the_report: bool) -> str:
    """Return what 教务处 did about a report; with several, say which one by its time."""
    if report.handled_at:
        text = _("%(who)s %(when)s 已处理：%(note)s") % {
            "who": report.handled_by.first_name or report.handled_by.username,
            "when": _when(report.handled_at),
            "note": report.handled_note,
        }
    else:
        text = _("待处理")
    if name_the_report:
        text = _("%(reported)s 的问题：%(text)s") % {
            "reported": _when(report.created_at),
            "text": text,
        }
    return text


def chsi_report(
    *, campaign: Campaign, state: str = "", college=None, school_class=None, query: str = ""
) -> Report:
    """Return the follow-up list: a section per state asked for (all four without
    one), every student with the full 身份证号 for the 勘误 requests staff send.

    Times are month, day and hour: the days of one campaign's follow-up.
    """
    filters = {"college": college, "school_class": school_class, "query": query}
    counts = chsi_counts(campaign=campaign, **filters)

    def rows(state):
        students = chsi_students(campaign=campaign, state=state, **filters).iterator(
            chunk_size=CHSI_EXPORT_CHUNK
        )
        number = itertools.count(1)
        while chunk := list(itertools.islice(students, CHSI_EXPORT_CHUNK)):
            for row in chsi_rows(campaign=campaign, students=chunk):
                student = row.student
                group = student.school_class
                yield (
                    next(number),
                    student.student_id,
                    student.name,
                    student.id_number,
                    group.name if group else student.get_category_display(),
                    row.deadline.strftime("%Y-%m-%d"),
                    *_chsi_cells(row),
                )

    scope = [c.name for c in (college, school_class) if c is not None]
    if query:
        scope.append(_("查询“%(q)s”") % {"q": query})
    sections = [
        Section(
            title=_("%(state)s　%(n)d 人") % {"state": rules.CHSI_STATE_LABELS[s], "n": counts[s]},
            rows=rows(s),
            page_header=str(rules.CHSI_STATE_LABELS[s]),
        )
        for s in ([state] if state else CHSI_STATES)
    ]
    subtitle = (
        _(
            "已拍摄 %(all)d 人：有问题待处理 %(open)d，问题已处理 %(handled)d，"
            "未答复 %(unanswered)d，核对无误 %(ok)d。学生后来答复“无误”不会关闭已反映的问题；"
            "PDF 中过长的文字以“…”结尾，Excel 中为全文。"
        )
        % counts
    )
    if scope:
        subtitle = "%s　%s" % ("、".join(scope), subtitle)
    return Report(
        title=_("%(title)s　学信网核对情况") % {"title": campaign.title},
        columns=CHSI_COLUMNS,
        sections=sections,
        subtitle=subtitle,
        landscape=True,
    )


def chsi_export(*, campaign: Campaign, fmt: str, **filters) -> tuple[str, str, bytes]:
    """Return (file name, content type, content) of the follow-up list."""
    content = render(chsi_report(campaign=campaign, **filters), fmt)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return (
        "%s-学信网核对-%s.%s" % (campaign.title, stamp, fmt),
        CONTENT_TYPES[fmt],
        content,
    )
