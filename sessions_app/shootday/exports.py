"""The make-up list: who must go to the make-up centre after the day, then the classes
deferred to next year. A Report of plain rows for capture_portal.exports."""

from django.utils.translation import gettext as _

from capture_portal.exports import Column, Report, Section
from sessions_app.models import Campaign
from sessions_app.selectors import students_by_place
from sessions_app.shootday.selectors import makeup_students

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
