"""The 学信网 follow-up list against the database."""

import datetime

from django.test import TestCase

from sessions_app.models import College
from sessions_app.shootday import services as shootday
from sessions_app.shootday.rules import CHSI_HANDLED, CHSI_OK, CHSI_OPEN, CHSI_UNANSWERED
from sessions_app.shootday.selectors.chsi import chsi_counts, chsi_overview
from tests.factories import make_staff
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day


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
        with self.assertNumQueries(3):  # the counts (tallies), the page's students, answers
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
