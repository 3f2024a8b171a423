"""Reads of the shoot day against the database, with ``now`` passed explicitly."""

import datetime

from django.test import TestCase

from sessions_app.models import SchoolClass, StudentCategory
from sessions_app.shootday import services as shootday
from sessions_app.shootday.rules import REASON_ABSENT, REASON_CLASS_CLOSED, REASON_SLOT_OVER
from sessions_app.shootday.selectors import (
    chsi_overview,
    class_queue_status,
    makeup_students,
    queue_board,
    student_search,
    student_shoot_panel,
)
from tests.factories import make_campaign, make_category_rule, make_class, make_slot, make_student
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day


def shoot_every(students, *, by, start, seconds):
    when = start
    for student in students:
        make_photographed(student, by=by, when=when, seconds=0)
        when += datetime.timedelta(seconds=seconds)
    return when


class QueueBoardTests(TestCase):
    def setUp(self):
        # Three classes of 10, 20 and 10 in the 08:00–09:00 slot; 300 an hour planned.
        self.day = make_shoot_day(sizes=(10, 20, 10), names=["会计1171", "会计1172", "会计1173"])
        self.first, self.second, self.third = self.day.classes

    def test_it_projects_the_next_classes_from_the_measured_pace(self):
        # The first class: 10 photos, one every 30 s from 08:10 (two a minute).
        shoot_every(
            self.day.roster(0), by=self.day.crew, start=at("2018-11-11", "08:10"), seconds=30
        )
        # The second class: 6 photos so far at the same pace.
        last = shoot_every(
            self.day.roster(1)[:6], by=self.day.crew, start=at("2018-11-11", "08:15"), seconds=30
        )
        now = last - datetime.timedelta(seconds=30)  # the moment of the last photo, 08:17:30
        board = queue_board(campaign=self.day.campaign, now=now)
        self.assertEqual(board.current.name, "会计1172")
        self.assertEqual(board.current.photographed, 6)
        self.assertEqual([e.name for e in board.finished], ["会计1171"])
        self.assertEqual([e.name for e in board.upcoming], ["会计1173"])
        self.assertIs(board.pace.measured, True)
        # 15 intervals: 9 of 30 s, the 30 s step to the second class, 5 of 30 s = 7.5 min.
        self.assertAlmostEqual(board.pace.per_minute, 2.0)
        # 14 left in 会计1172 at 2 a minute: 会计1173 at 08:24:30, planned 08:06.
        self.assertEqual(board.upcoming[0].expected_start, at("2018-11-11", "08:24:30"))
        self.assertEqual(board.upcoming[0].planned_start, at("2018-11-11", "08:06"))
        self.assertEqual(board.delay, 19)
        self.assertEqual(board.delay_label, "比通知时间晚约 19 分钟")

    def test_before_the_day_the_board_shows_the_plan(self):
        board = queue_board(campaign=self.day.campaign, now=at("2018-11-10", "18:00"))
        self.assertIsNone(board.current)
        self.assertIs(board.pace.measured, False)
        self.assertEqual(
            [e.expected_start for e in board.upcoming],
            [at("2018-11-11", "08:00"), at("2018-11-11", "08:02"), at("2018-11-11", "08:06")],
        )

    def test_after_the_day_nothing_is_waiting(self):
        board = queue_board(campaign=self.day.campaign, now=at("2018-11-12", "09:00"))
        self.assertIs(board.over, True)
        self.assertEqual(board.upcoming, [])
        self.assertIsNone(board.current)

    def test_the_board_costs_the_same_queries_for_more_students(self):
        now = at("2018-11-11", "08:30")
        shoot_every(
            self.day.roster(0), by=self.day.crew, start=at("2018-11-11", "08:10"), seconds=30
        )
        with self.assertNumQueries(7):
            queue_board(campaign=self.day.campaign, now=now)
        for school_class in self.day.classes:
            for _ in range(10):
                make_student(school_class)
        with self.assertNumQueries(7):
            queue_board(campaign=self.day.campaign, now=now)

    def test_individual_groups_of_a_slot_queue_after_its_classes(self):
        make_category_rule(
            self.day.campaign, StudentCategory.ALUMNI, slot=self.day.slot, label="往届生"
        )
        make_student(campaign=self.day.campaign)
        board = queue_board(campaign=self.day.campaign, now=at("2018-11-11", "07:00"))
        self.assertEqual(board.upcoming[-1].name, "往届生")
        self.assertEqual(board.upcoming[-1].total, 1)


class ClassQueueStatusTests(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(3, 3, 3))

    def test_the_monitor_is_told_the_class_is_next(self):
        make_photographed(self.day.roster(0)[0], by=self.day.crew, when=at("2018-11-11", "08:01"))
        now = at("2018-11-11", "08:02")
        status = class_queue_status(school_class=self.day.classes[1], now=now)
        self.assertEqual(status.state, "next")
        self.assertIn("下一个就是本班", status.message)
        later = class_queue_status(school_class=self.day.classes[2], now=now)
        self.assertEqual((later.state, later.classes_ahead), ("waiting", 1))
        self.assertEqual(
            class_queue_status(school_class=self.day.classes[0], now=now).state, "shooting"
        )

    def test_the_day_before_the_monitor_sees_the_time_and_place(self):
        status = class_queue_status(school_class=self.day.classes[1], now=at("2018-11-10", "12:00"))
        self.assertEqual(status.state, "later")
        self.assertIn("2018-11-11 08:00", status.message)

    def test_a_finished_class_and_a_deferred_class(self):
        for student in self.day.roster(0):
            make_photographed(student, by=self.day.crew, when=at("2018-11-11", "08:01"))
        done = class_queue_status(school_class=self.day.classes[0], now=at("2018-11-11", "08:05"))
        self.assertEqual(done.state, "done")
        deferred = make_class(self.day.campaign, status=SchoolClass.Status.DEFERRED)
        self.assertEqual(class_queue_status(school_class=deferred).state, "deferred")


class MakeupStudentsTests(TestCase):
    def test_absent_closed_and_slot_over_students_are_listed_with_their_reason(self):
        day = make_shoot_day(sizes=(3, 2))
        crew = day.crew
        a, b, c = day.roster(0)
        d, e = day.roster(1)
        make_photographed(a, by=crew, when=at("2018-11-11", "08:01"))
        shootday.shot_mark_absent(student=b, by=crew)
        shootday.class_close(school_class=day.classes[0], by=crew)
        make_photographed(d, by=crew, when=at("2018-11-11", "08:03"))
        deferred = make_class(day.campaign, status=SchoolClass.Status.DEFERRED, name="工商1171")
        make_student(deferred)

        during = makeup_students(campaign=day.campaign, now=at("2018-11-11", "08:30"))
        # e's class is still being shot and its slot runs until 09:00: e is not listed yet.
        self.assertEqual(
            [(r.student, r.reason) for r in during.rows],
            [(b, REASON_ABSENT), (c, REASON_CLASS_CLOSED)],
        )
        after = makeup_students(campaign=day.campaign, now=at("2018-11-11", "09:00"))
        self.assertIn((e, REASON_SLOT_OVER), [(r.student, r.reason) for r in after.rows])
        self.assertNotIn(a, [r.student for r in after.rows])
        self.assertEqual([(c.name, n) for c, n in after.deferred], [("工商1171", 1)])


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


class ChsiOverviewTests(TestCase):
    def test_staff_see_who_confirmed_reported_or_is_silent(self):
        day = make_shoot_day(sizes=(3,))
        a, b, c = day.roster(0)
        for student in (a, b, c):
            make_photographed(student, by=day.crew, when=at("2018-11-11", "08:10"))
        shootday.chsi_check_confirm(student=a, ok=True, by=day.crew)
        shootday.chsi_check_confirm(student=b, ok=False, problem="毕业年份不对", by=day.crew)
        overview = chsi_overview(campaign=day.campaign)
        self.assertEqual([r.student for r in overview.confirmed], [a])
        self.assertEqual(
            [(r.student, r.check.problem) for r in overview.problems], [(b, "毕业年份不对")]
        )
        self.assertEqual([r.student for r in overview.unconfirmed], [c])
        self.assertEqual(overview.rows[0].deadline, datetime.date(2018, 11, 15))


class SecondSlotTests(TestCase):
    def test_a_class_of_the_afternoon_is_not_expected_before_its_slot(self):
        day = make_shoot_day(sizes=(2,))
        afternoon = make_slot(day.campaign, venue=day.slot.venue, start="13:30", end="14:30")
        late = make_class(day.campaign, slot=afternoon)
        make_student(late)
        board = queue_board(campaign=day.campaign, now=at("2018-11-11", "08:30"))
        self.assertEqual(board.upcoming[-1].expected_start, at("2018-11-11", "13:30"))


class StudentSearchTests(TestCase):
    """The desk's search: by 学号 prefix, or by any part of the name in either script."""

    def setUp(self):
        self.day = make_shoot_day(sizes=(3,))
        self.traditional, self.simplified, self.uyghur = self.day.roster(0)
        for student, name in (
            (self.traditional, "張偉"),
            (self.simplified, "刘德华"),
            (self.uyghur, "买买提·艾力"),
        ):
            student.name = name
            student.save()
        # The same names in another campaign are never found.
        other = make_class(make_campaign())
        make_student(other, name="張偉")
        make_student(other, name="刘德华")

    def search(self, query):
        return student_search(campaign=self.day.campaign, query=query)

    def test_a_name_in_one_script_finds_the_roster_name_in_the_other(self):
        for query, student in (
            ("张伟", self.traditional),
            ("伟", self.traditional),
            ("張偉", self.traditional),
            ("劉德華", self.simplified),
            ("德華", self.simplified),
            ("刘德华", self.simplified),
        ):
            with self.subTest(query=query):
                self.assertEqual(self.search(query), [student])

    def test_a_separated_name_is_found_with_any_separator(self):
        for query in ("买买提·艾力", "买买提•艾力", "買買提.艾力", "艾力", "买买提"):
            with self.subTest(query=query):
                self.assertEqual(self.search(query), [self.uyghur])
        self.assertEqual(self.search("·"), [])

    def test_it_is_one_query_whatever_the_roster_size(self):
        for _ in range(30):
            make_student(self.day.classes[0], name="張三")
        with self.assertNumQueries(1):
            found = self.search("张三")
        self.assertEqual(len(found), 20)
