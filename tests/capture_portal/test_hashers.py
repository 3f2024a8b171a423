"""No timing oracle at login: a wrong password costs the same hashing work whether the
account still has its printed first password, has its own, or does not exist. And no
redundant work: a first login and its forced change hash one password slowly, the new one."""

from unittest import mock

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils.crypto import pbkdf2

from capture_portal.hashers import InitialPasswordHasher
from sessions_app import services
from sessions_app.models import Student
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

    def test_the_printed_password_logs_in_and_keeps_its_light_hash_until_the_change(self):
        student = make_student(make_class(make_campaign()), student_id="1703010103")
        [(_, password)] = services.student_accounts_issue(students=[student])
        response = self.client.post(
            reverse("login"), {"username": "1703010103", "password": password}
        )
        self.assertRedirects(response, reverse("dashboard"), fetch_redirect_response=False)
        self.assertTrue(stored_hash("1703010103").startswith("pbkdf2_sha256_initial$"))
        self.client.post(
            reverse("password_change"),
            {"new_password1": "Zq8-kaoshi-2018", "new_password2": "Zq8-kaoshi-2018"},
        )
        self.assertTrue(stored_hash("1703010103").startswith("pbkdf2_sha256$"))

    def test_a_printed_hash_the_account_need_not_change_is_upgraded_at_login(self):
        student = make_student(make_class(make_campaign()), student_id="1703010103")
        [(_, password)] = services.student_accounts_issue(students=[student])
        Student.objects.filter(pk=student.pk).update(must_change_password=False)
        self.client.post(reverse("login"), {"username": "1703010103", "password": password})
        self.assertTrue(stored_hash("1703010103").startswith("pbkdf2_sha256$"))


@override_settings(PASSWORD_HASHERS=REAL_HASHERS)
class FirstLoginWorkTests(TestCase):
    """A first login is one slow hash: the new password's. Signing in with the printed
    password and the forced change check it with the light hash only."""

    def test_a_first_login_and_its_forced_change_hash_the_new_password_once(self):
        campaign = make_campaign()
        student = make_student(make_class(campaign, make_slot(campaign)), student_id="1703010101")
        [(_, printed)] = services.student_accounts_issue(students=[student])
        new = "Zq8-kaoshi-2018"
        done = []
        real = pbkdf2

        def counted(password, salt, iterations, dklen=0, digest=None):
            done.append((password, iterations))
            return real(password, salt, iterations, dklen, digest)

        with (
            mock.patch("django.contrib.auth.hashers.pbkdf2", counted),
            mock.patch("capture_portal.hashers.pbkdf2", counted),
        ):
            response = self.client.post(
                reverse("login"), {"username": "1703010101", "password": printed}
            )
            self.assertRedirects(response, reverse("dashboard"), fetch_redirect_response=False)
            page = self.client.get(reverse("password_change"))
            self.assertContains(page, "请先设置自己的新密码")
            self.assertNotContains(page, "old_password")
            response = self.client.post(
                reverse("password_change"), {"new_password1": new, "new_password2": new}
            )
            self.assertRedirects(response, reverse("dashboard"), target_status_code=302)
            self.assertEqual(self.client.get(reverse("sessions:student_home")).status_code, 200)

        slow = [password for password, n in done if n == DefaultHasher.iterations]
        light = [password for password, n in done if n == InitialPasswordHasher.iterations]
        self.assertEqual(slow, [new])
        # The login's check of the printed password, then the change's check that the
        # new one is not it.
        self.assertEqual(light, [printed, new])
        self.assertEqual(len(done), 3)
        self.client.logout()
        response = self.client.post(reverse("login"), {"username": "1703010101", "password": new})
        self.assertRedirects(response, reverse("dashboard"), fetch_redirect_response=False)


def stored_hash(username: str) -> str:
    return User.objects.get(username=username).password
