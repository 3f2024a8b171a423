"""The kept figures never drift from the records.

A campaign is driven through a long random sequence of the services the real day uses
(payments, reversals, refunds, carries, hand-overs, numbers, photos, voided numbers,
absences, card checks, codes, logins, 学信网 answers, schedule moves, roster imports);
after it, counting every standing, tally and pace again from the ledger and the day's
records (what ``manage.py rebuild_summaries`` does) finds nothing to change. The same
with desks and monitors writing at once, on PostgreSQL.
"""

import datetime
import random
import unittest

from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from capture_portal.services import ServiceError
from cards_app.services import card_check_save, card_discrepancy_resolve
from payments_app.models import Payment, PaymentStatus
from payments_app.selectors import money_of_class
from payments_app.services import (
    handover_record,
    payment_carry,
    payment_refund,
    payment_reverse,
    payments_record,
)
from sessions_app.changes import rules as change_rules
from sessions_app.changes.selectors import schedule_state
from sessions_app.changes.services import schedule_apply
from sessions_app.codemode.services import capture_code_keep
from sessions_app.models import (
    CaptureMode,
    ChsiCheck,
    SchoolClass,
    Shot,
    Student,
    StudentCategory,
    TallyCell,
)
from sessions_app.roster.reader import table_read
from sessions_app.roster.services import roster_import
from sessions_app.services import student_accounts_issue, student_password_changed
from sessions_app.shootday import services as shootday
from sessions_app.summary.services import summaries_drift, summaries_rebuild
from tests.cards_app.factories import card_data
from tests.concurrency import run_at_once
from tests.factories import (
    make_campaign,
    make_category_rule,
    make_class,
    make_crew,
    make_id_number,
    make_slot,
    make_staff,
    make_student,
    make_student_user,
    make_venue,
)
from tests.sessions_app.roster.support import HEADER, xlsx

STEPS = 400


def _world(mode=CaptureMode.CARD):
    """A campaign of three classes in two slots (one already over), a deferred class,
    individuals, monitors with logins and a staff and a crew account."""
    campaign = make_campaign(mode=mode)
    venue = make_venue()
    today = timezone.localdate()
    past = make_slot(
        campaign, venue, "08:00", "09:00", (today - datetime.timedelta(days=1)).isoformat()
    )
    later = make_slot(campaign, venue, "08:00", "23:59", today.isoformat())
    classes = [
        make_class(campaign, past, name="会计1171"),
        make_class(campaign, later, name="会计1172"),
        make_class(campaign, later, name="造价1171"),
    ]
    deferred = make_class(campaign, name="工商1171", status=SchoolClass.Status.DEFERRED)
    make_category_rule(campaign, StudentCategory.ALUMNI, slot=later)
    students = []
    for school_class in (*classes, deferred):
        students += [make_student(school_class) for _ in range(6)]
    students += [make_student(campaign=campaign, category=StudentCategory.ALUMNI) for _ in range(3)]
    monitors = []
    for school_class in classes:
        monitor = students[[s.school_class_id for s in students].index(school_class.pk)]
        user = make_student_user(monitor)
        SchoolClass.objects.filter(pk=school_class.pk).update(monitor=monitor)
        monitors.append(user)
    return campaign, classes, monitors, make_staff(), make_crew()


class Driver:
    """Random steps of the day's services on one campaign; a refusal is a step too."""

    def __init__(self, campaign, classes, monitors, staff, crew, seed):
        self.campaign, self.classes, self.monitors = campaign, classes, monitors
        self.staff, self.crew = staff, crew
        self.random = random.Random(seed)
        self.imports = 0

    def students(self):
        return list(Student.objects.filter(campaign=self.campaign).order_by("pk"))

    def pick(self, items):
        return self.random.choice(items) if items else None

    def step(self):
        action = self.random.choice(
            [
                self.pay,
                self.pay,
                self.reverse,
                self.refund_or_carry,
                self.hand_over,
                self.number,
                self.number,
                self.photograph,
                self.photograph,
                self.void,
                self.absent,
                self.card,
                self.code,
                self.login,
                self.chsi,
                self.move_classes,
                self.reimport,
            ]
        )
        try:
            action()
        except ServiceError:
            pass  # refused, as a person would be told: nothing was written

    def pay(self):
        school_class = self.pick(self.classes)
        members = list(school_class.students.all())
        chosen = self.random.sample(members, k=min(len(members), self.random.randint(1, 3)))
        payments_record(students=chosen, by=self.staff)

    def active_payment(self):
        return self.pick(
            list(Payment.objects.filter(campaign=self.campaign, status=PaymentStatus.ACTIVE))
        )

    def reverse(self):
        payment = self.active_payment()
        if payment is not None:
            payment_reverse(payment=payment, by=self.staff, reason="误记")

    def refund_or_carry(self):
        payment = self.active_payment()
        if payment is not None:
            if self.random.random() < 0.5:
                payment_refund(payment=payment, by=self.staff)
            else:
                payment_carry(payment=payment, by=self.staff)

    def hand_over(self):
        school_class = self.pick(self.classes)
        count, amount = money_of_class(school_class=school_class).to_hand_over
        handover_record(
            school_class=school_class,
            by=self.crew,
            student_count=count,
            amount=amount,
        )

    def number(self):
        student = self.pick(self.students())
        retake = "眨眼" if self.random.random() < 0.2 else ""
        shootday.shot_number_assign(
            student=student, desk="1号台", by=self.crew, retake_reason=retake
        )

    def open_shot(self):
        return self.pick(
            list(Shot.objects.filter(campaign=self.campaign, status=Shot.Status.ASSIGNED))
        )

    def photograph(self):
        shot = self.open_shot()
        if shot is not None:
            # Now and then a desk's photo is registered after a later one (two desks
            # committing out of order, or a photo registered long after, across a
            # break): the pace places it between its neighbours in time.
            late = datetime.timedelta(seconds=self.random.choice([0, 0, 0, -30, -900]))
            shootday.shot_mark_photographed(shot=shot, by=self.crew, now=timezone.now() + late)

    def void(self):
        shot = self.open_shot()
        if shot is not None:
            shootday.shot_void(shot=shot, by=self.crew, reason="学生离开")

    def absent(self):
        shootday.shot_mark_absent(student=self.pick(self.students()), by=self.crew)

    def card(self):
        student = self.pick(self.students())
        bad = self.random.random() < 0.3
        check = card_check_save(
            student=student,
            data=card_data(student, id_number="430103200102301234" if bad else student.id_number),
            by=None,
        )
        if check.mismatch_fields and self.random.random() < 0.5:
            card_discrepancy_resolve(check=check, by=self.staff, note="已核对身份证")

    def code(self):
        student = self.pick(self.students())
        # Few distinct codes: two students now and then show the same one.
        digest = "code-%d" % self.random.randint(0, 12)
        capture_code_keep(student=student, digest=digest)

    def login(self):
        student = self.pick(self.students())
        if self.random.random() < 0.5:
            student_accounts_issue(students=[student])
        elif student.user_id is not None:
            student_password_changed(user=student.user)

    def chsi(self):
        photographed = list(
            Student.objects.filter(campaign=self.campaign, shoot_state="photographed")
        )
        student = self.pick(photographed)
        if student is None:
            return
        if self.random.random() < 0.7:
            ok = self.random.random() < 0.5
            shootday.chsi_check_confirm(
                student=student, ok=ok, problem="" if ok else "毕业年份不对", by=self.staff
            )
        else:
            report = ChsiCheck.objects.filter(
                student__campaign=self.campaign, result="problem", handled_at__isnull=True
            ).first()
            if report is not None:
                shootday.chsi_report_handle(report=report, note="已提交勘误", by=self.staff)

    def move_classes(self):
        state = schedule_state(campaign=self.campaign)
        slot_ids = [pk for pk, classes in state.plan.items() if len(classes) >= 2]
        if not slot_ids:
            return
        first, second = state.plan[slot_ids[0]][:2]
        schedule_apply(
            campaign=self.campaign,
            plan=change_rules.plan_swapped(state.plan, first, second),
            statuses={},
            kind="swap",
            fingerprint=state.fingerprint,
            by=self.staff,
        )

    def reimport(self):
        """Import a roster that moves a student to another class and adds one."""
        self.imports += 1
        students = [s for s in self.students() if s.school_class_id is not None]
        moved = self.pick(students)
        target = self.pick(self.classes)
        rows = [
            (moved.student_id, moved.name, moved.id_number, target.name, "", ""),
            (
                "18%08d" % (self.imports * 100 + self.random.randint(0, 99)),
                "李四",
                make_id_number("11010520000101%03d" % self.imports),
                target.name,
                "",
                "",
            ),
        ]
        table = table_read(xlsx(rows, header=HEADER), filename="roster.xlsx")
        roster_import(campaign=self.campaign, table=table)


class NoDriftTests(TestCase):
    def drive(self, mode, seed):
        campaign, classes, monitors, staff, crew = _world(mode)
        driver = Driver(campaign, classes, monitors, staff, crew, seed)
        for number in range(STEPS):
            driver.step()
            if number % 100 == 99:
                self.assertEqual(summaries_drift(campaign=campaign), [], "after %d steps" % number)
        self.assertEqual(summaries_drift(campaign=campaign), [])
        return campaign

    def test_a_card_day_of_random_writes_keeps_every_figure(self):
        campaign = self.drive(CaptureMode.CARD, seed=1)
        # The sequence did reach the cases that matter.
        self.assertTrue(Shot.objects.filter(campaign=campaign, status="photographed").exists())
        self.assertTrue(Payment.objects.filter(campaign=campaign, status="reversed").exists())
        self.assertTrue(Student.objects.filter(campaign=campaign, card_state="problem").exists())

    def test_a_code_day_of_random_writes_keeps_every_figure(self):
        campaign = self.drive(CaptureMode.CODE, seed=2)
        self.assertTrue(Student.objects.filter(campaign=campaign, code_state="duplicate").exists())

    def test_the_check_sees_a_figure_changed_behind_the_services(self):
        campaign, *_ = _world()
        self.assertEqual(summaries_drift(campaign=campaign), [])
        cell = TallyCell.objects.filter(campaign=campaign, counter="members").first()
        TallyCell.objects.filter(pk=cell.pk).update(value=cell.value + 1)
        Student.objects.filter(campaign=campaign).update(shoot_state="absent")
        drift = summaries_drift(campaign=campaign)
        self.assertTrue(any(line.startswith("tally") for line in drift))
        self.assertTrue(any(line.startswith("student") for line in drift))
        summaries_rebuild(campaign=campaign)
        self.assertEqual(summaries_drift(campaign=campaign), [])


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "SQLite has one writer and serialises all transactions, so no race can happen; "
    "this test runs in CI's PostgreSQL pass.",
)
class ConcurrentWritersTests(TransactionTestCase):
    def test_desks_and_monitors_writing_at_once_keep_every_figure(self):
        campaign, classes, monitors, staff, crew = _world()

        def work(i):
            driver = Driver(campaign, classes, monitors, staff, crew, seed=100 + i)
            driver.reimport = lambda: None  # an import locks the campaign: serial anyway
            for _ in range(40):
                driver.step()

        self.assertEqual(run_at_once(work, 6), [])
        self.assertEqual(summaries_drift(campaign=campaign), [])
