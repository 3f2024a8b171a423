"""拍摄序号 with several desks at once, on PostgreSQL: every desk is a thread with its
own database connection, all taking numbers for one campaign at the same moment; and
two staff members answering one 学信网 report together."""

import queue
import unittest

from django.db import connection
from django.test import TransactionTestCase

from sessions_app.models import Shot, ShotCounter
from sessions_app.shootday import services as shootday
from sessions_app.shootday.selectors.numbers import number_log
from sessions_app.shootday.services import ShootDayError
from tests.concurrency import run_at_once
from tests.factories import make_staff
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day

DESKS = 4
STUDENTS = 240


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "Row locks (select_for_update) only serialise desks on PostgreSQL; SQLite runs one "
    "writer at a time. CI runs this in its PostgreSQL pass.",
)
class ShotNumberConcurrencyTests(TransactionTestCase):
    def test_desks_at_once_give_every_number_once_without_a_gap(self):
        day = make_shoot_day(sizes=(STUDENTS // 4,) * 4)
        students = [s for school_class in day.classes for s in day.students[school_class.pk]]
        todo = queue.Queue()
        for student in students:
            todo.put(student)
        voided = []

        def work(index):
            taken = 0
            while True:
                try:
                    student = todo.get_nowait()
                except queue.Empty:
                    return
                shot = shootday.shot_number_assign(
                    student=student, desk="%d号台" % (index + 1), by=day.crew
                )
                taken += 1
                if taken % 15 == 0:
                    # A spoiled card: the number is skipped with a reason, the student
                    # takes the next one.
                    shootday.shot_void(shot=shot, by=day.crew, reason="卡面污损")
                    voided.append(shot.number)
                    shot = shootday.shot_number_assign(
                        student=student, desk="%d号台" % (index + 1), by=day.crew
                    )
                shootday.shot_mark_photographed(shot=shot, by=day.crew)

        self.assertEqual(run_at_once(work, DESKS), [])
        numbers = list(Shot.objects.order_by("number").values_list("number", flat=True))
        total = STUDENTS + len(voided)
        self.assertGreater(len(voided), 0)
        self.assertEqual(numbers, list(range(1, total + 1)))
        self.assertEqual(ShotCounter.objects.get(campaign=day.campaign).last_number, total)
        # Every desk really took part: the numbers are interleaved between desks.
        self.assertEqual(
            set(Shot.objects.values_list("desk", flat=True)),
            {"%d号台" % (i + 1) for i in range(DESKS)},
        )
        photographed = Shot.objects.filter(status=Shot.Status.PHOTOGRAPHED)
        self.assertEqual(photographed.count(), STUDENTS)
        self.assertEqual(photographed.values("student").distinct().count(), STUDENTS)
        log = number_log(campaign=day.campaign)
        self.assertEqual([r.number for r in log.rows if r.shot is None], [])
        self.assertEqual(log.problems, [])
        self.assertEqual(log.void_count, len(voided))

    def test_two_desks_calling_the_same_student_give_one_number(self):
        day = make_shoot_day(sizes=(1,))
        student = day.roster(0)[0]
        refused = []

        def work(index):
            try:
                shootday.shot_number_assign(student=student, desk="%d号台" % index, by=day.crew)
            except ShootDayError as error:
                refused.append(str(error))

        self.assertEqual(run_at_once(work, 2), [])
        self.assertEqual(Shot.objects.filter(student=student).count(), 1)
        self.assertEqual(len(refused), 1)
        self.assertIn("已取号 1，尚未拍摄", refused[0])
        self.assertEqual(ShotCounter.objects.get(campaign=day.campaign).last_number, 1)


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "Row locks (select_for_update) only serialise staff on PostgreSQL; SQLite runs one "
    "writer at a time. CI runs this in its PostgreSQL pass.",
)
class ChsiReportConcurrencyTests(TransactionTestCase):
    def test_two_staff_handling_one_report_at_once_record_one_note(self):
        day = make_shoot_day(sizes=(1,))
        student = day.roster(0)[0]
        make_photographed(student, by=day.crew, when=at("2018-11-11", "08:05"))
        report = shootday.chsi_check_confirm(
            student=student, ok=False, problem="毕业年份不对", by=day.crew
        )
        staff = [make_staff(first_name="甲"), make_staff(first_name="乙")]
        refused = []

        def work(index):
            try:
                shootday.chsi_report_handle(
                    report=report, note="第%d位处理" % index, by=staff[index]
                )
            except ShootDayError as error:
                refused.append(str(error))

        self.assertEqual(run_at_once(work, 2), [])
        self.assertEqual(len(refused), 1)
        report.refresh_from_db()
        self.assertIn("这个问题已由 %s 于" % report.handled_by.first_name, refused[0])
