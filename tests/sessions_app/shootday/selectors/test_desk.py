"""The desk's reads against the database."""

from django.test import TestCase

from sessions_app.shootday.selectors.desk import student_search
from tests.factories import make_campaign, make_class, make_student
from tests.sessions_app.shootday.factories import make_shoot_day


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
