"""No timing oracle at login: a wrong password costs the same hashing work whether the
account still has its printed first password, has its own, or does not exist."""

from unittest import mock

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import TestCase, override_settings
from django.urls import reverse

from sessions_app import services
from tests.factories import make_campaign, make_class, make_slot, make_student, make_student_user


class DefaultHasher(PBKDF2PasswordHasher):
    """Django's default, with a tenth of its work so the test stays quick."""

    iterations = PBKDF2PasswordHasher.iterations // 10


REAL_HASHERS = [
    "tests.capture_portal.test_hashers.DefaultHasher",
    "capture_portal.hashers.InitialPasswordHasher",
]


@override_settings(PASSWORD_HASHERS=REAL_HASHERS)
class LoginWorkTests(TestCase):
    def setUp(self):
        campaign = make_campaign()
        school_class = make_class(campaign, make_slot(campaign))
        first = make_student(school_class, student_id="1703010101")
        services.student_accounts_issue(students=[first])
        own = make_student(school_class, student_id="1703010102")
        make_student_user(own, password="Zq8-kaoshi-2018")

    def iterations_for_a_wrong_password(self, username: str) -> int:
        """Return the PBKDF2 iterations one failed login through the form runs."""
        done = []

        def counted(password, salt, iterations, dklen=0, digest=None):
            done.append(iterations)
            return b"\x00" * 32  # never the stored hash: the login fails

        with (
            mock.patch("django.contrib.auth.hashers.pbkdf2", counted),
            mock.patch("capture_portal.hashers.pbkdf2", counted),
        ):
            response = self.client.post(
                reverse("login"), {"username": username, "password": "wrong-guess-1"}
            )
        self.assertContains(response, "学号（或用户名）与密码不匹配")
        return sum(done)

    def test_a_wrong_password_costs_the_same_on_every_kind_of_account(self):
        default = DefaultHasher.iterations
        self.assertEqual(self.iterations_for_a_wrong_password("1703010101"), default)
        self.assertEqual(self.iterations_for_a_wrong_password("1703010102"), default)
        self.assertEqual(self.iterations_for_a_wrong_password("1703019999"), default)

    def test_the_printed_password_still_logs_in_and_is_upgraded(self):
        from django.contrib.auth.models import User

        student = make_student(make_class(make_campaign()), student_id="1703010103")
        [(_, password)] = services.student_accounts_issue(students=[student])
        response = self.client.post(
            reverse("login"), {"username": "1703010103", "password": password}
        )
        self.assertRedirects(response, reverse("dashboard"), fetch_redirect_response=False)
        self.assertTrue(
            User.objects.get(username="1703010103").password.startswith("pbkdf2_sha256$")
        )
