"""What the tests of the shoot-day pages share: a day to open them on, and how a page
is read."""

from django.test import TestCase
from django.utils.html import strip_tags

from tests.factories import make_staff, make_student_user
from tests.sessions_app.shootday.factories import at, make_shoot_day

T = at("2018-11-11", "08:05")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


class ShootPageTestCase(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(3, 2), names=["会计1171", "会计1172"])
        self.students = self.day.roster(0)
        self.student = self.students[0]
        self.student.name = "欧阳娜娜"
        self.student.save()
        self.crew = self.day.crew
        self.staff = make_staff()
        self.student_user = make_student_user(self.student)


def page_text(response) -> str:
    """Return what a reader sees of the page: no tags, one space between words."""
    return " ".join(strip_tags(response.content.decode()).split())
