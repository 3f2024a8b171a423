"""Lists of the capture day: sign-in sheets, the full roster, the make-up list.

Each exporter builds a Report of plain rows; capture_portal.exports renders it. The
notice itself is a document rather than a table: see sessions_app.notice_pdf.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.exports import CONTENT_TYPES, Column, Report, Section, render
from sessions_app.models import Campaign, Student, TimeSlot
from sessions_app.selectors import schedule_for_campaign

KINDS = {
    "signin": _("签到表"),
    "roster": _("学生名单"),
    "makeup": _("补拍名单"),
    "notice": _("采集通知"),
}
FORMATS = {"signin": ("pdf", "xlsx"), "roster": ("xlsx", "pdf"), "makeup": ("pdf", "xlsx")}
FORMATS["notice"] = ("pdf",)


class ExportError(Exception):
    """An export that cannot be made; the message is for the user."""


def _slot_label(slot: TimeSlot) -> str:
    return "%s %s—%s" % (
        slot.date.strftime("%Y-%m-%d"),
        slot.start.strftime("%H:%M"),
        slot.end.strftime("%H:%M"),
    )


def _students_by_class(campaign: Campaign) -> tuple[dict[int, list], dict[str, list]]:
    """Return the campaign's students grouped by class pk, and those without a class by
    category; each list in 学号 order. One query."""
    by_class: dict[int, list] = {}
    loose: dict[str, list] = {}
    students = Student.objects.filter(campaign=campaign).order_by("student_id")
    for student in students.only(
        "pk", "student_id", "name", "gender", "school_class_id", "category", "id_number"
    ):
        if student.school_class_id is None:
            loose.setdefault(student.category, []).append(student)
        else:
            by_class.setdefault(student.school_class_id, []).append(student)
    return by_class, loose


def _payment_states(campaign: Campaign) -> dict:
    from payments_app.selectors import payment_state_by_student

    return payment_state_by_student(students=Student.objects.filter(campaign=campaign))


def _card_states(campaign: Campaign) -> dict:
    from cards_app.selectors import card_state_by_student

    return card_state_by_student(students=Student.objects.filter(campaign=campaign))


# Sign-in sheets ----------------------------------------------------------------------

SIGNIN_COLUMNS = [
    Column("序号", 4, align="center"),
    Column("学号", 11, text=True),
    Column("姓名", 8),
    Column("班级", 9),
    Column("拍摄序号", 7),
    Column("签名", 12),
    Column("已缴费", 5, align="center"),
]


def signin_report(*, campaign: Campaign, slot: TimeSlot | None = None) -> Report:
    """Return one section per class (then per individual group) of each slot, in the
    order of shooting; students in 学号 order. 拍摄序号 and 签名 are left blank."""
    schedule = schedule_for_campaign(campaign=campaign)
    by_class, loose = _students_by_class(campaign)
    paid = _payment_states(campaign)

    def rows(students, group):
        for number, student in enumerate(students, start=1):
            state = paid.get(student.pk)
            yield (
                number,
                student.student_id,
                student.name,
                group,
                "",
                "",
                "✓" if state is not None and state.paid else "",
            )

    def sections():
        for row in schedule.rows:
            if slot is not None and row.slot.pk != slot.pk:
                continue
            where = "%s　%s" % (_slot_label(row.slot), row.slot.venue.name)
            count = len(row.classes) + len(row.groups)
            for position, school_class in enumerate(row.classes, start=1):
                students = by_class.get(school_class.pk, [])
                yield Section(
                    title=_("%(name)s　（本时段第 %(n)d 个，共 %(count)d 个；%(people)d 人）")
                    % {
                        "name": school_class.name,
                        "n": position,
                        "count": count,
                        "people": len(students),
                    },
                    rows=rows(students, school_class.name),
                    notes=[_("时段：%(where)s") % {"where": where}],
                    page_header="%s　%s" % (where, school_class.name),
                    totals=_signin_totals(students, paid),
                )
            for group in row.groups:
                students = loose.get(group.category, [])
                yield Section(
                    title=_("%(label)s（个人）　%(people)d 人")
                    % {"label": group.label, "people": len(students)},
                    rows=rows(students, group.label),
                    notes=[_("时段：%(where)s") % {"where": where}],
                    page_header="%s　%s" % (where, group.label),
                    totals=_signin_totals(students, paid),
                )

    title = _("%(title)s　签到表") % {"title": campaign.title}
    return Report(
        title=title,
        columns=SIGNIN_COLUMNS,
        sections=sections(),
        subtitle=_("拍摄序号在现场填写；签名即确认本人已拍摄。"),
        row_height=22,
        grid=True,
    )


def _signin_totals(students, paid):
    def totals():
        count = sum(1 for s in students if (paid.get(s.pk) and paid[s.pk].paid))
        return ("", _("合计"), _("%d 人") % len(students), "", "", "", _("%d 人") % count)

    return totals


# The full roster ---------------------------------------------------------------------

ROSTER_COLUMNS = [
    Column("学号", 13, text=True),
    Column("姓名", 10),
    Column("身份证号", 21, text=True),
    Column("性别", 5),
    Column("班级", 11),
    Column("学院", 16),
    Column("类别", 12),
    Column("学历类别", 9),
    Column("所在校别", 9),
    Column("拍摄时段", 20),
    Column("地点", 18),
    Column("班级顺序", 7),
    Column("采集卡核对", 12),
    Column("缴费", 8),
]


@dataclass(frozen=True)
class _Place:
    slot: str
    venue: str
    position: object


def _places(campaign: Campaign) -> tuple[dict[int, _Place], dict[str, _Place]]:
    """Return where each class, and each category of individuals, is shot."""
    schedule = schedule_for_campaign(campaign=campaign)
    by_class, by_category = {}, {}
    for row in schedule.rows:
        label, venue = _slot_label(row.slot), row.slot.venue.name
        for school_class in row.classes:
            by_class[school_class.pk] = _Place(label, venue, school_class.position)
        for group in row.groups:
            by_category[group.category] = _Place(label, venue, "")
    for school_class in schedule.deferred:
        by_class[school_class.pk] = _Place(_("推迟至下一年"), "", "")
    return by_class, by_category


def roster_report(*, campaign: Campaign) -> Report:
    """Return every student with class, slot, venue, card check and payment state.

    The columns are those the import reads, so the file can be edited and imported back.
    """
    places_by_class, places_by_category = _places(campaign)
    cards = _card_states(campaign)
    paid = _payment_states(campaign)
    students = (
        Student.objects.filter(campaign=campaign)
        .select_related("school_class__college")
        .order_by("student_id")
    )
    nowhere = _Place(_("未安排"), "", "")

    def rows():
        for student in students.iterator(chunk_size=2000):
            school_class = student.school_class
            if school_class is not None and school_class.pk in places_by_class:
                place = places_by_class[school_class.pk]
            else:
                place = places_by_category.get(student.category, nowhere)
            card = cards.get(student.pk)
            payment = paid.get(student.pk)
            yield (
                student.student_id,
                student.name,
                student.id_number,
                student.get_gender_display(),
                school_class.name if school_class else "",
                school_class.college.name if school_class and school_class.college else "",
                student.get_category_display(),
                student.get_education_type_display(),
                student.get_school_type_display(),
                place.slot,
                place.venue,
                place.position,
                card.label if card is not None else "",
                payment.label if payment is not None else "",
            )

    return Report(
        title=_("%(title)s　学生名单") % {"title": campaign.title},
        columns=ROSTER_COLUMNS,
        sections=[Section(title=_("学生名单"), rows=rows())],
        landscape=True,
    )


# The make-up list --------------------------------------------------------------------

MAKEUP_COLUMNS = [
    Column("序号", 4, align="center"),
    Column("学号", 12, text=True),
    Column("姓名", 9),
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
    from sessions_app.shootday_selectors import makeup_students

    makeup = makeup_students(campaign=campaign, now=now)
    by_class, _loose = _students_by_class(campaign)
    centre = _("补拍地点：%(name)s，%(address)s，电话 %(phone)s。补拍的学生在该中心自行缴费。") % {
        "name": campaign.makeup_centre_name,
        "address": campaign.makeup_centre_address,
        "phone": campaign.makeup_centre_phone,
    }

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
            )

    sections = [
        Section(
            title=_("须到中心补拍　%(n)d 人") % {"n": len(makeup.rows)},
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
        columns=MAKEUP_COLUMNS,
        sections=sections,
        subtitle=_("按拍摄当天的登记：缺席，或所在班级结束、时段结束时仍未拍摄的学生。"),
    )


# One entry point for the views and the command ---------------------------------------


def export_file(
    *, campaign: Campaign, kind: str, fmt: str, slot: TimeSlot | None = None, now=None
) -> tuple[str, str, bytes]:
    """Return (file name, content type, content) of one export."""
    if kind not in KINDS:
        raise ExportError(_("没有这种导出：%(kind)s。") % {"kind": kind})
    if fmt not in FORMATS[kind]:
        raise ExportError(
            _("%(kind)s只能导出为 %(formats)s。")
            % {"kind": KINDS[kind], "formats": "、".join(f.upper() for f in FORMATS[kind])}
        )
    if kind == "notice":
        from sessions_app.notice_pdf import notice_pdf

        content = notice_pdf(campaign=campaign)
    elif kind == "signin":
        content = render(signin_report(campaign=campaign, slot=slot), fmt)
    elif kind == "roster":
        content = render(roster_report(campaign=campaign), fmt)
    else:
        content = render(makeup_report(campaign=campaign, now=now), fmt)
    stamp = timezone.localtime().strftime("%Y%m%d")
    name = "%s-%s" % (campaign.title, KINDS[kind])
    if slot is not None:
        name += "-%s" % slot.start.strftime("%H%M")
    return "%s-%s.%s" % (name, stamp, fmt), CONTENT_TYPES[fmt], content
