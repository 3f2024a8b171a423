"""Demo payments for seed_demo: part of the demo class paid, every other class paid
and, once its day is recorded, handed over to the crew."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from payments_app.models import Handover, Payment, PaymentStatus
from payments_app.selectors import money_of_classes
from payments_app.services import handover_record, payments_record
from sessions_app.models import Campaign, ClassClose, SchoolClass, Student, StudentCategory

DEMO_CLASS = "会计1171"
STAFF_USERNAME = "jwc"
RECEIVER = "拍摄组 李师傅"
HANDOVER_DELAY = datetime.timedelta(minutes=5)
COLLECTED_BEFORE = datetime.timedelta(days=3)


def _payers(school_class: SchoolClass) -> list[Student]:
    return list(
        Student.objects.filter(school_class=school_class, category=StudentCategory.CURRENT)
        .select_related("school_class__slot")
        .order_by("student_id")
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
    recorded = payments_record(students=todo, by=by).recorded
    slot = todo[0].school_class.slot
    if slot is not None and slot.date < timezone.localdate():
        # Collected in the week before the class's day, as the monitors do.
        when = timezone.make_aware(
            datetime.datetime.combine(slot.date - COLLECTED_BEFORE, datetime.time(12, 30))
        )
        Payment.objects.filter(pk__in=[p.pk for p in recorded]).update(recorded_at=when)
    return len(recorded)


def _other_classes(campaign: Campaign) -> list[SchoolClass]:
    """Return the classes of the schedule but the demo class, in schedule order."""
    return list(
        SchoolClass.objects.filter(
            campaign=campaign, status=SchoolClass.Status.SCHEDULED, slot__isnull=False
        )
        .exclude(name=DEMO_CLASS)
        .order_by("slot__date", "slot__start", "slot__venue_id", "position")
    )


def seed_demo_payments(campaign: Campaign) -> int:
    """Record the demo payments once; return how many were recorded by this call.

    The demo monitor records three of every four classmates (the demo student among
    them), leaving some unpaid to try the monitor's page on. Every other class has paid
    in full, recorded by 教务处's demo user for its monitor. Running it again records
    nothing new.
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
        if staff is not None:
            handed = set(
                Handover.objects.filter(campaign=campaign).values_list("school_class", flat=True)
            )
            for other in _other_classes(campaign):
                if other.pk not in handed:
                    recorded += _record(_payers(other), staff)
    return recorded


def seed_demo_handover(campaign: Campaign, *, by) -> int:
    """Record the hand-over of every class but the demo class once its day is done:
    what the photographed owe, received by the crew member ``by``. Return how many
    were made. The demo class, with unpaid classmates photographed, is left for the
    demo monitor to settle and hand over."""
    made = 0
    with transaction.atomic():
        classes = _other_classes(campaign)
        moneys = money_of_classes(classes=classes)
        closed = dict(
            ClassClose.objects.filter(school_class__in=classes).values_list(
                "school_class", "closed_at"
            )
        )
        for other in classes:
            money_ = moneys[other.pk]
            count, amount = money_.to_hand_over
            done = not money_.pending_count and not money_.unpaid_count
            if money_.handover_recorded or not count or not done:
                continue
            handover_record(
                school_class=other,
                by=by,
                student_count=count,
                amount=amount,
                receiver_name=RECEIVER,
                # At the desk, a few minutes after the class's last student.
                handed_over_at=closed[other.pk] + HANDOVER_DELAY if other.pk in closed else None,
            )
            made += 1
    return made
