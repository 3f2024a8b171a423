"""The number log against the database."""

from django.test import TestCase

from sessions_app.shootday import services as shootday
from sessions_app.shootday.selectors.numbers import number_log
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day


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
