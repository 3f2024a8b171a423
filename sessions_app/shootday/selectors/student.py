"""What a student sees of the day on their own page: the shoot status, the 学信网
deadline with their answers and reports, or where to go for a make-up."""

import datetime
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.utils import timezone

from sessions_app.models import ChsiCheck, MakeupRoute, Student
from sessions_app.selectors import student_place
from sessions_app.shootday import rules
from sessions_app.shootday.status import shoot_status_by_student, slot_over


@dataclass
class StudentShootPanel:
    """What a student sees about the day and after it on their own page."""

    student: Student
    status: rules.ShootStatus
    deferred: bool
    deadline: datetime.date | None
    deadline_exact: bool
    chsi: ChsiCheck | None
    makeup: bool
    slot_over: bool
    today: datetime.date
    reports: list[ChsiCheck] = dataclass_field(default_factory=list)  # newest first
    route: MakeupRoute | None = None  # code mode: the make-up route staff set

    @property
    def campaign(self):
        return self.student.campaign

    @property
    def photographed(self) -> bool:
        return self.status.state == rules.STATE_PHOTOGRAPHED

    @property
    def deadline_passed(self) -> bool:
        return self.deadline is not None and self.today > self.deadline

    @property
    def overdue(self) -> bool:
        """Return whether the deadline has passed without an answer from the student."""
        return self.deadline_passed and self.chsi is None


def student_shoot_panel(*, student: Student, now=None) -> StudentShootPanel:
    """Return the student's shoot status, 学信网 deadline, answer and reported problems,
    or make-up advice."""
    now = now or timezone.now()
    student = Student.objects.select_related("campaign", "school_class__shoot_close").get(
        pk=student.pk
    )
    status = shoot_status_by_student(students=[student])[student.pk]
    school_class = student.school_class
    deadline, exact = None, True
    if status.last_photographed_at is not None:
        shoot_date = timezone.localdate(status.last_photographed_at)
        deadline = rules.chsi_deadline(
            shoot_date=shoot_date, working_days=student.campaign.chsi_check_working_days
        )
        exact = rules.calendar_knows(shoot_date) and rules.calendar_knows(deadline)
    place = student_place(student=student)
    over = slot_over(place.slot, now)
    reason = rules.makeup_reason(
        state=status.state,
        class_closed=school_class is not None and hasattr(school_class, "shoot_close"),
        slot_over=over,
    )
    checks = list(ChsiCheck.objects.filter(student=student).order_by("-created_at", "-id"))
    makeup = bool(reason) and not place.deferred
    route = None
    if makeup and student.campaign.is_code_mode:
        route = MakeupRoute.objects.filter(student=student).first()
    return StudentShootPanel(
        student=student,
        status=status,
        deferred=place.deferred,
        deadline=deadline,
        deadline_exact=exact,
        chsi=checks[0] if checks else None,
        makeup=makeup,
        slot_over=over,
        today=timezone.localdate(now),
        reports=[c for c in checks if c.is_problem],
        route=route,
    )
