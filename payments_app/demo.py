"""Demo payments for seed_demo: part of the demo class paid, one other class handed over."""

from django.contrib.auth import get_user_model
from django.db import transaction

from payments_app.models import Handover, Payment, PaymentStatus
from payments_app.selectors import class_collected
from payments_app.services import handover_record, payments_record
from sessions_app.models import Campaign, SchoolClass, Student, StudentCategory

DEMO_CLASS = "会计1171"
STAFF_USERNAME = "jwc"
RECEIVER = "拍摄组 李师傅"


def _payers(school_class: SchoolClass) -> list[Student]:
    return list(
        Student.objects.filter(
            school_class=school_class, category=StudentCategory.CURRENT
        ).order_by("student_id")
    )


def _record(students, by) -> int:
    paid = set(
        Payment.objects.filter(student__in=students, status=PaymentStatus.ACTIVE).values_list(
            "student_id", flat=True
        )
    )
    todo = [s for s in students if s.pk not in paid]
    if not todo:
        return 0
    return len(payments_record(students=todo, by=by).recorded)


def seed_demo_payments(campaign: Campaign) -> int:
    """Record the demo payments once; return how many were recorded by this call.

    The demo monitor records three of every four classmates (the demo student among
    them), leaving some unpaid to try the monitor's page on. 教务处's demo user records
    the whole of the next class in the schedule and its hand-over to the crew. Running
    it again records nothing new.
    """
    recorded = 0
    with transaction.atomic():
        demo_class = (
            SchoolClass.objects.filter(campaign=campaign, name=DEMO_CLASS)
            .select_related("monitor__user")
            .first()
        )
        if demo_class is not None and demo_class.monitor and demo_class.monitor.user:
            if not Handover.objects.filter(school_class=demo_class).exists():
                students = [s for i, s in enumerate(_payers(demo_class)) if i % 4 != 3]
                recorded += _record(students, demo_class.monitor.user)

        staff = get_user_model().objects.filter(username=STAFF_USERNAME).first()
        other = (
            SchoolClass.objects.filter(
                campaign=campaign, status=SchoolClass.Status.SCHEDULED, slot__isnull=False
            )
            .exclude(name=DEMO_CLASS)
            .order_by("slot__date", "slot__start", "slot__venue_id", "position")
            .first()
        )
        if staff is not None and other is not None:
            if not Handover.objects.filter(school_class=other).exists():
                recorded += _record(_payers(other), staff)
                count, amount = class_collected(school_class=other)
                if count:
                    handover_record(
                        school_class=other,
                        by=staff,
                        student_count=count,
                        amount=amount,
                        receiver_name=RECEIVER,
                    )
    return recorded
