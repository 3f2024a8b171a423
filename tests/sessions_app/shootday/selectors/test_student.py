"""What a student sees of the day on their own page, with ``now`` passed explicitly."""

import datetime

from django.test import TestCase

from sessions_app.models import SchoolClass
from sessions_app.shootday import services as shootday
from sessions_app.shootday.selectors.student import student_shoot_panel
from tests.factories import make_class, make_student
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day


class StudentShootPanelTests(TestCase):
    def test_a_photographed_student_gets_the_working_day_deadline(self):
        day = make_shoot_day(sizes=(1,), day="2018-09-28", chsi_check_working_days=4)
        student = day.roster(0)[0]
        make_photographed(student, by=day.crew, when=at("2018-09-28", "08:10"))
        panel = student_shoot_panel(student=student, now=at("2018-09-28", "10:00"))
        self.assertIs(panel.photographed, True)
        self.assertEqual(panel.deadline, datetime.date(2018, 10, 9))
        self.assertIs(panel.deadline_exact, True)
        self.assertIs(panel.makeup, False)

    def test_the_deadline_passes_by_the_clock_given(self):
        day = make_shoot_day(sizes=(1,))
        student = day.roster(0)[0]
        make_photographed(student, by=day.crew, when=at("2018-11-11", "08:10"))
        on_the_day = student_shoot_panel(student=student, now=at("2018-11-15", "23:59"))
        self.assertEqual((on_the_day.deadline_passed, on_the_day.overdue), (False, False))
        after = student_shoot_panel(student=student, now=at("2018-11-16", "00:00"))
        self.assertEqual((after.deadline_passed, after.overdue), (True, True))
        shootday.chsi_check_confirm(student=student, ok=True, by=day.crew)
        answered = student_shoot_panel(student=student, now=at("2018-11-16", "00:00"))
        self.assertEqual((answered.deadline_passed, answered.overdue), (True, False))

    def test_the_student_sees_every_report_newest_first(self):
        day = make_shoot_day(sizes=(1,))
        student = day.roster(0)[0]
        make_photographed(student, by=day.crew, when=at("2018-11-11", "08:10"))
        first = shootday.chsi_check_confirm(
            student=student, ok=False, problem="照片", by=day.crew, now=at("2018-11-12", "09:00")
        )
        second = shootday.chsi_check_confirm(
            student=student, ok=False, problem="姓名", by=day.crew, now=at("2018-11-13", "09:00")
        )
        ok = shootday.chsi_check_confirm(
            student=student, ok=True, by=day.crew, now=at("2018-11-14", "09:00")
        )
        panel = student_shoot_panel(student=student, now=at("2018-11-14", "10:00"))
        self.assertEqual(panel.chsi, ok)
        self.assertEqual(panel.reports, [second, first])

    def test_an_absent_student_is_sent_to_the_makeup_centre(self):
        day = make_shoot_day(sizes=(1,))
        student = day.roster(0)[0]
        shootday.shot_mark_absent(student=student, by=day.crew)
        panel = student_shoot_panel(student=student, now=at("2018-11-11", "08:30"))
        self.assertIs(panel.makeup, True)
        self.assertIsNone(panel.deadline)

    def test_a_student_not_shot_after_the_slot_goes_to_makeup_too(self):
        day = make_shoot_day(sizes=(1,))
        student = day.roster(0)[0]
        self.assertIs(
            student_shoot_panel(student=student, now=at("2018-11-11", "08:30")).makeup, False
        )
        self.assertIs(
            student_shoot_panel(student=student, now=at("2018-11-11", "09:00")).makeup, True
        )

    def test_a_deferred_student_is_not_sent_to_makeup(self):
        day = make_shoot_day(sizes=(0,))
        deferred = make_class(day.campaign, status=SchoolClass.Status.DEFERRED)
        student = make_student(deferred)
        panel = student_shoot_panel(student=student, now=at("2018-11-12", "09:00"))
        self.assertEqual((panel.deferred, panel.makeup), (True, False))
