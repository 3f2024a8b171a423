"""The queue, the board and a monitor's class on the day, with ``now`` passed explicitly."""

import datetime

from django.test import TestCase

from sessions_app.models import SchoolClass, StudentCategory
from sessions_app.shootday.selectors.queue import class_queue_status, queue_board
from tests.factories import make_category_rule, make_class, make_slot, make_student
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
        with self.assertNumQueries(6):
            queue_board(campaign=self.day.campaign, now=now)
        for school_class in self.day.classes:
            for _ in range(10):
                make_student(school_class)
        with self.assertNumQueries(6):
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


class SecondSlotTests(TestCase):
    def test_a_class_of_the_afternoon_is_not_expected_before_its_slot(self):
        day = make_shoot_day(sizes=(2,))
        afternoon = make_slot(day.campaign, venue=day.slot.venue, start="13:30", end="14:30")
        late = make_class(day.campaign, slot=afternoon)
        make_student(late)
        board = queue_board(campaign=day.campaign, now=at("2018-11-11", "08:30"))
        self.assertEqual(board.upcoming[-1].expected_start, at("2018-11-11", "13:30"))
