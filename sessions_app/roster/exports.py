"""Lists of the roster: the sign-in sheets of each slot and the full roster.

Each exporter builds a Report of plain rows; capture_portal.exports renders it.
"""

import dataclasses
from dataclasses import dataclass

from django.utils.translation import gettext as _

from capture_portal.exports import Column, Report, Section
from cards_app.selectors import card_state_by_student
from payments_app.selectors import MONEY_FIELDS, payment_label_reader, payment_state_by_student
from sessions_app.codemode.selectors import code_state_by_student
from sessions_app.models import Campaign, SchoolClass, Student, TimeSlot
from sessions_app.selectors import schedule_for_campaign, students_by_place

# Sign-in sheets ----------------------------------------------------------------------

SIGNIN_COLUMNS = [
    Column("序号", 4, align="center"),
    Column("学号", 11, text=True, keep=True),
    Column("姓名", 8, keep=True),
    Column("班级", 9),
    Column("拍摄序号", 7),
    Column("签名", 12),
    Column("已缴费", 5, align="center"),
]


def signin_report(*, campaign: Campaign, slot: TimeSlot | None = None) -> Report:
    """Return one section per class (then per individual group) of each slot, in the
    order of shooting; students in 学号 order. 拍摄序号 and 签名 are left blank."""
    schedule = schedule_for_campaign(campaign=campaign)
    by_class, individuals = students_by_place(campaign=campaign)
    paid = payment_state_by_student(students=Student.objects.filter(campaign=campaign))

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

    def section(title, students, group, where):
        return Section(
            title=title,
            rows=rows(students, group),
            notes=[_("时段：%(where)s") % {"where": where}],
            page_header="%s　%s" % (where, group),
            totals=_signin_totals(students, paid),
        )

    def sections():
        for row in schedule.rows:
            if slot is not None and row.slot.pk != slot.pk:
                continue
            where = "%s　%s" % (row.slot, row.slot.venue.name)
            count = len(row.classes) + len(row.groups)
            for position, school_class in enumerate(row.classes, start=1):
                students = by_class.get(school_class.pk, [])
                title = _("%(name)s　（本时段第 %(n)d 个，共 %(count)d 个；%(people)d 人）") % {
                    "name": school_class.name,
                    "n": position,
                    "count": count,
                    "people": len(students),
                }
                yield section(title, students, school_class.name, where)
            for group in row.groups:
                students = individuals.get(group.category, [])
                title = _("%(label)s（个人）　%(people)d 人") % {
                    "label": group.label,
                    "people": len(students),
                }
                yield section(title, students, group.label, where)

    title = _("%(title)s　签到表") % {"title": campaign.title}
    columns, subtitle = SIGNIN_COLUMNS, _("拍摄序号在现场填写；签名即确认本人已拍摄。")
    if campaign.is_code_mode:
        # The studio's reader gives the 拍摄号; the sheet keeps a box for it.
        columns = [
            dataclasses.replace(c, title=_("拍摄号")) if c.title == "拍摄序号" else c
            for c in SIGNIN_COLUMNS
        ]
        subtitle = _("拍摄号为学生扫采集码后拍摄方给出的号码，现场填写；签名即确认本人已拍摄。")
    return Report(
        title=title,
        columns=columns,
        sections=sections(),
        subtitle=subtitle,
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
    Column("学号", 13, text=True, keep=True),
    Column("姓名", 10, keep=True),
    Column("身份证号", 21, text=True, keep=True),
    Column("性别", 5),
    Column("班级", 11),
    Column("学院", 16, optional=True),
    Column("类别", 12),
    Column("学历类别", 9),
    Column("所在校别", 9),
    Column("拍摄时段", 20),
    Column("地点", 18),
    Column("班级顺序", 7, optional=True),
    # Empty until the card checks and payments start: the PDF then leaves them out.
    Column("采集卡核对", 12, optional=True),
    Column("缴费", 8, optional=True),
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
        label, venue = str(row.slot), row.slot.venue.name
        for school_class in row.classes:
            by_class[school_class.pk] = _Place(label, venue, school_class.position)
        for group in row.groups:
            by_category[group.category] = _Place(label, venue, "")
    for school_class in schedule.deferred:
        by_class[school_class.pk] = _Place(_("推迟至下一年"), "", "")
    return by_class, by_category


def _choices(name: str) -> dict:
    """Return the labels of a Student field's choices, as get_FOO_display() gives them."""
    return {value: str(label) for value, label in Student._meta.get_field(name).flatchoices}


def roster_report(*, campaign: Campaign) -> Report:
    """Return every student with class, slot, venue, card check and payment state.

    The columns are those the import reads, so the file can be edited and imported back.
    """
    places_by_class, places_by_category = _places(campaign)
    everyone = Student.objects.filter(campaign=campaign)
    if campaign.is_code_mode:
        codes = code_state_by_student(campaign=campaign, students=everyone)

        def card_label(pk):
            state = codes.get(pk)
            return state.label if state is not None else ""

    else:
        cards = card_state_by_student(students=everyone)
        card_labels: dict[tuple, str] = {}

        def card_label(pk):
            # A label per kind of state, not per student: most share a handful.
            card = cards.get(pk)
            if card is None:
                return ""
            key = (card.status, card.fields)
            if key not in card_labels:
                card_labels[key] = card.label
            return card_labels[key]

    payment_label = payment_label_reader(campaign_id=campaign.pk)
    classes = {
        pk: (name, college or "")
        for pk, name, college in SchoolClass.objects.filter(campaign=campaign).values_list(
            "pk", "name", "college__name"
        )
    }
    genders, categories = _choices("gender"), _choices("category")
    education_types, school_types = _choices("education_type"), _choices("school_type")
    # Plain columns, not model instances: the per-row cost is the export's cost.
    students = everyone.order_by("student_id").values_list(
        "pk",
        "student_id",
        "name",
        "id_number",
        "gender",
        "education_type",
        "school_type",
        *MONEY_FIELDS,
    )
    nowhere = _Place(_("未安排"), "", "")

    def rows():
        for pk, student_id, name, id_number, gender, education, school, *money in students.iterator(
            chunk_size=2000
        ):
            class_id, category = money[0], money[1]
            if class_id is not None and class_id in places_by_class:
                place = places_by_class[class_id]
            else:
                place = places_by_category.get(category, nowhere)
            class_name, college = classes[class_id] if class_id is not None else ("", "")
            yield (
                student_id,
                name,
                id_number,
                genders.get(gender, gender),
                class_name,
                college,
                categories.get(category, category),
                education_types.get(education, education),
                school_types.get(school, school),
                place.slot,
                place.venue,
                place.position,
                card_label(pk),
                payment_label(tuple(money)),
            )

    return Report(
        title=_("%(title)s　学生名单") % {"title": campaign.title},
        columns=(
            [
                dataclasses.replace(c, title=_("采集码")) if c.title == "采集卡核对" else c
                for c in ROSTER_COLUMNS
            ]
            if campaign.is_code_mode
            else ROSTER_COLUMNS
        ),
        sections=[Section(title=_("学生名单"), rows=rows())],
    )
