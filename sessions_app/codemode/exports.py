"""The not-ready list of code mode: students without a readable 图像采集码 yet."""

from django.utils.translation import gettext as _

from capture_portal.exports import Column, Report, Section
from sessions_app import campaign_texts
from sessions_app.codemode.selectors import (
    campaign_readiness,
    not_ready_students,
    readiness_rows,
)
from sessions_app.models import Campaign


def not_ready_report(*, campaign: Campaign, college_id=None, class_id=None) -> Report:
    readiness = campaign_readiness(campaign=campaign, college_id=college_id, class_id=class_id)
    students = not_ready_students(campaign=campaign, college_id=college_id, class_id=class_id)

    def lines():
        for number, row in enumerate(readiness_rows(students.iterator(chunk_size=2000)), start=1):
            student = row.student
            school_class = student.school_class
            slot = school_class.slot if school_class else None
            yield (
                number,
                student.student_id,
                student.name,
                school_class.college.name if school_class and school_class.college else "",
                school_class.name if school_class else student.get_category_display(),
                "%s %s" % (slot, slot.venue) if slot else "",
                row.code.label,
            )

    return Report(
        title=_("%(title)s 未准备好图像采集码的学生") % {"title": campaign.title},
        subtitle=_("共 %(total)d 人，已准备 %(ready)d 人，未准备 %(missing)d 人")
        % {"total": readiness.total, "ready": readiness.ready, "missing": readiness.not_ready},
        columns=[
            Column(_("序号"), 6, align="right"),
            Column(_("学号"), 14, text=True, keep=True),
            Column(_("姓名"), 12, keep=True),
            Column(_("学院"), 18),
            Column(_("班级"), 12),
            Column(_("拍摄时段"), 26),
            Column(_("采集码"), 18),
        ],
        sections=[
            Section(
                title=_("未准备　%(n)d 人") % {"n": readiness.not_ready},
                rows=lines(),
                notes=[
                    _(
                        "请这些同学在学信网 → 学籍 → 获取图像采集码，长按保存二维码图片，"
                        "并在门户“我的采集码”上传核验；至少在%(before)s完成。"
                    )
                    % {"before": campaign_texts.fetch_before()}
                ],
            )
        ],
    )
