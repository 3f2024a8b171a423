"""The people the permission tests walk through, built once per test class.

A published campaign with two slots at one venue and a class in each: 会计1171, with a
student who has a login and a monitor; 造价1171, with its own monitor and student (the
outsiders of 会计1171). Beside them a user with no role, the crew and 教务处 staff.
Anonymous is the test client before any login.
"""

from django.test import TestCase

from tests.factories import (
    make_campaign,
    make_class,
    make_crew,
    make_monitor,
    make_slot,
    make_staff,
    make_student,
    make_student_user,
    make_user,
    make_venue,
)


class Personas(TestCase):
    """Anonymous, a student, a monitor, a student and monitor of another class, a user
    with no role, crew, staff."""

    @classmethod
    def setUpTestData(cls):
        cls.campaign = make_campaign(title="2020届毕业生图像采集")
        cls.venue = make_venue(name="明理楼(南栋)109教室")
        cls.slot = make_slot(cls.campaign, cls.venue, "10:30", "12:00")
        cls.other_slot = make_slot(cls.campaign, cls.venue, "13:30", "14:30")
        cls.school_class = make_class(cls.campaign, cls.slot, name="会计1171")
        cls.other_class = make_class(cls.campaign, cls.other_slot, name="造价1171")
        cls.student = make_student(
            cls.school_class, name="王堃", id_number="43010320010512102X", student_id="1703010101"
        )
        cls.student_user = make_student_user(cls.student)
        cls.monitor, cls.monitor_user = make_monitor(cls.school_class)
        cls.other_monitor, cls.other_monitor_user = make_monitor(cls.other_class)
        cls.other_student = make_student(cls.other_class, student_id="1701010199")
        cls.other_student_user = make_student_user(cls.other_student)
        cls.outsider = make_user()
        cls.staff = make_staff()
        cls.crew = make_crew()

    def personas(self) -> dict:
        """Return every persona by name; None is anonymous."""
        return {
            "anonymous": None,
            "outsider": self.outsider,
            "student": self.student_user,
            "monitor": self.monitor_user,
            "other_student": self.other_student_user,
            "other_monitor": self.other_monitor_user,
            "crew": self.crew,
            "staff": self.staff,
        }

    def login_as(self, user) -> None:
        if user is None:
            self.client.logout()
        else:
            self.client.force_login(user)
