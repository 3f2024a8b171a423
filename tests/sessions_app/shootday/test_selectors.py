"""Reads of the shoot day against the database, with ``now`` passed explicitly."""

import datetime

from django.test import TestCase

from sessions_app.models import College, SchoolClass, StudentCategory
from sessions_app.shootday import services as shootday
from sessions_app.shootday.rules import (
    CHSI_HANDLED,
    CHSI_OK,
    CHSI_OPEN,
    CHSI_UNANSWERED,
    REASON_ABSENT,
    REASON_CLASS_CLOSED,
    REASON_SLOT_OVER,
)
from sessions_app.shootday.selectors import (
    chsi_counts,
    chsi_overview,
    class_queue_status,
    makeup_students,
    number_log,
    queue_board,
    student_search,
    student_shoot_panel,
)
from tests.factories import (
    make_campaign,
    make_category_rule,
    make_class,
    make_slot,
    make_staff,
    make_student,
)
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
        with self.assertNumQueries(8):
            queue_board(campaign=self.day.campaign, now=now)
        for school_class in self.day.classes:
            for _ in range(10):
                make_student(school_class)
        with self.assertNumQueries(8):
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


class ChsiOverviewTests(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(3, 2), names=["会计1171", "造价1171"])
        self.college = College.objects.create(name="经济管理学院")
        self.day.classes[0].college = self.college
        self.day.classes[0].save()
        self.a, self.b, self.c = self.day.roster(0)
        self.d, self.e = self.day.roster(1)
        for student in (self.a, self.b, self.c, self.d):
            make_photographed(student, by=self.day.crew, when=at("2018-11-11", "08:10"))
        self.staff = make_staff()

    def answer(self, student, problem="", when="2018-11-13"):
        return shootday.chsi_check_confirm(
            student=student,
            ok=not problem,
            problem=problem,
            by=self.day.crew,
            now=at(when, "20:00"),
        )

    def test_a_report_followed_by_ok_stays_open_with_its_whole_history(self):
        report = self.answer(self.b, problem="毕业年份不对")
        later = self.answer(self.b, when="2018-11-14")
        overview = chsi_overview(campaign=self.day.campaign, state=CHSI_OPEN)
        [row] = overview.rows
        self.assertEqual(row.student, self.b)
        self.assertEqual(row.checks, [later, report])
        self.assertEqual(row.answer, later)
        self.assertEqual(row.open_reports, [report])
        self.assertEqual(row.deadline, datetime.date(2018, 11, 15))

    def test_each_photographed_student_is_in_one_state(self):
        self.answer(self.a)
        self.answer(self.b, problem="毕业年份不对")
        handled = self.answer(self.c, problem="照片不是我")
        shootday.chsi_report_handle(report=handled, note="已提交勘误", by=self.staff)
        self.answer(self.c)
        campaign = self.day.campaign
        self.assertEqual(
            chsi_counts(campaign=campaign),
            {"open": 1, "handled": 1, "unanswered": 1, "ok": 1, "all": 4},
        )
        for state, students in [
            (CHSI_OK, [self.a]),
            (CHSI_OPEN, [self.b]),
            (CHSI_HANDLED, [self.c]),
            (CHSI_UNANSWERED, [self.d]),
            ("", [self.a, self.b, self.c, self.d]),
        ]:
            with self.subTest(state=state):
                rows = chsi_overview(campaign=campaign, state=state).rows
                self.assertEqual([r.student for r in rows], students)
                # The database's filter and the pure rule agree on every row.
                for row in rows:
                    self.assertEqual(row.state, state or row.state)
        # e was never photographed: not in the follow-up at all.
        self.assertNotIn(self.e, [r.student for r in chsi_overview(campaign=campaign).rows])

    def test_it_filters_by_college_class_and_search(self):
        campaign = self.day.campaign
        by_college = chsi_overview(campaign=campaign, college=self.college)
        self.assertEqual([r.student for r in by_college.rows], [self.a, self.b, self.c])
        self.assertEqual(by_college.counts["all"], 3)
        by_class = chsi_overview(campaign=campaign, school_class=self.day.classes[1])
        self.assertEqual([r.student for r in by_class.rows], [self.d])
        both = chsi_overview(
            campaign=campaign, college=self.college, school_class=self.day.classes[1]
        )
        self.assertEqual(both.rows, [])
        self.assertEqual(
            [r.student for r in chsi_overview(campaign=campaign, query=self.c.student_id).rows],
            [self.c],
        )
        self.d.name = "欧阳娜娜"
        self.d.save()
        self.assertEqual(
            [r.student for r in chsi_overview(campaign=campaign, query="欧阳 娜").rows], [self.d]
        )

    def test_it_pages_the_list_with_a_fixed_number_of_queries(self):
        for student in (self.a, self.b, self.c, self.d):
            self.answer(student, problem="照片模糊")
            self.answer(student)
        with self.assertNumQueries(4):  # counts, page count, the page's students, answers
            overview = chsi_overview(campaign=self.day.campaign, per_page=2, page=2)
            rows = overview.rows
            [c.handled_by for row in rows for c in row.checks]
        self.assertEqual([r.student for r in rows], [self.c, self.d])
        self.assertEqual(overview.page.paginator.num_pages, 2)

    def test_a_hostile_page_number_falls_back_to_a_real_page(self):
        for page, expected in [(None, 1), ("²", 1), ("x", 1), (10**30, 1), (-1, 1)]:
            with self.subTest(page=page):
                overview = chsi_overview(campaign=self.day.campaign, page=page)
                self.assertEqual(overview.page.number, expected)


class NumberLogTests(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(7,))
        self.students = self.day.roster(0)
        crew = self.day.crew
        for index, student in enumerate(self.students[:6]):
            make_photographed(student, by=crew, when=at("2018-11-11", "08:%02d" % (10 + index)))
        # 7 is left open while nothing later was shot; then a lost row leaves 8 a gap.
        shootday.shot_number_assign(student=self.students[6], desk="2号台", by=crew)
        self.students[2].name = "欧阳娜娜"
        self.students[2].save()

    def log(self, **kwargs):
        return number_log(campaign=self.day.campaign, **kwargs)

    def test_it_pages_the_numbers_and_keeps_the_problems_of_every_page(self):
        counter = self.day.campaign.shot_counter
        counter.last_number = 8
        counter.save()
        first = self.log(per_page=3)
        self.assertEqual([r.number for r in first.rows], [1, 2, 3])
        self.assertEqual(first.page.paginator.num_pages, 3)
        self.assertEqual([r.number for r in first.problems], [8])
        last = self.log(per_page=3, page=3)
        self.assertEqual([(r.number, r.shot is None) for r in last.rows], [(7, False), (8, True)])
        self.assertEqual(last.last_number, 8)

    def test_it_finds_a_number_a_student_id_or_a_name(self):
        for query, numbers in [
            ("5", [5]),
            (self.students[3].student_id, [4]),
            ("17", []),  # a number, not every 学号 beginning with 17
            (self.students[0].student_id[:6], [1, 2, 3, 4, 5, 6, 7]),
            ("欧阳", [3]),
            (" 欧阳 娜娜 ", [3]),
            ("０５", [5]),  # full-width digits, as a Chinese keyboard types them
            ("不存在", []),
            ("²", [2]),  # NFKC reads it as 2; nothing breaks
            ("9" * 30, []),
        ]:
            with self.subTest(query=query):
                self.assertEqual([r.number for r in self.log(query=query).rows], numbers)

    def test_a_gap_is_found_by_its_number(self):
        counter = self.day.campaign.shot_counter
        counter.last_number = 8
        counter.save()
        [row] = self.log(query="8").rows
        self.assertEqual((row.number, row.shot, row.problem), (8, None, True))
        self.assertEqual(self.log(query="9").rows, [])

    def test_a_page_costs_the_same_queries_whatever_the_number_of_shots(self):
        # Totals, the counter, late numbers, the page, the students photographed twice.
        with self.assertNumQueries(5):
            log = self.log(per_page=2)
            [(r.shot.student.school_class, r.shot.assigned_by) for r in log.rows]
        for student in self.students[:3]:
            retake = shootday.shot_number_assign(
                student=student, desk="1号台", by=self.day.crew, retake_reason="闭眼"
            )
            shootday.shot_mark_photographed(shot=retake, by=self.day.crew)
        with self.assertNumQueries(5):
            log = self.log(per_page=2)
            [(r.shot.student.school_class, r.shot.assigned_by) for r in log.rows]
        self.assertEqual(len(log.twice), 3)


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
