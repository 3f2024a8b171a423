"""A long list a page at a time: with its length known from the tallies, the pager
reads only the page; filtered or searched, the database counts what was found."""

from django.db import connection
from django.db.models import Q
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from sessions_app.listing import listing_queryset
from sessions_app.models import Student
from tests.factories import make_campaign, make_class, make_student


class ListingQuerysetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        campaign = make_campaign()
        cls.school_class = make_class(campaign)
        cls.students = [
            make_student(cls.school_class, gender="F" if i % 3 == 0 else "M") for i in range(7)
        ]

    def roster(self):
        return Student.objects.filter(school_class=self.school_class).order_by("student_id")

    def test_a_known_total_pages_without_counting_the_list(self):
        with CaptureQueriesContext(connection) as queries:
            result = listing_queryset(self.roster(), {"page": "2"}, shows={}, total=7, per_page=3)
        self.assertFalse([q for q in queries if "COUNT(" in q["sql"].upper()])
        self.assertEqual(len(queries), 1)  # the page's students, nothing else
        self.assertEqual(result.page.paginator.num_pages, 3)
        self.assertEqual(
            [s.pk for s in result.page.object_list], [s.pk for s in self.roster()[3:6]]
        )
        self.assertEqual(result.total, 7)

    def test_a_filter_is_counted_by_the_database(self):
        shows = {"women": Q(gender="F")}
        result = listing_queryset(
            self.roster(), {"show": "women"}, shows=shows, total=7, per_page=2
        )
        women = [s for s in self.roster() if s.gender == "F"]
        self.assertEqual(result.page.paginator.count, len(women))
        self.assertEqual(result.total, 7)
        self.assertEqual(result.show, "women")
