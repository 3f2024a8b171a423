"""The make-up list, with ``now`` passed explicitly."""

from django.test import TestCase

from sessions_app.models import SchoolClass
from sessions_app.shootday import services as shootday
from sessions_app.shootday.rules import REASON_ABSENT, REASON_CLASS_CLOSED, REASON_SLOT_OVER
from sessions_app.shootday.selectors.makeup import makeup_students
from tests.factories import make_class, make_student
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day


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
