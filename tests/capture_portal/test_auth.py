"""Logging in with 学号, first-login password change, lockout, role landing pages."""

from django.test import TestCase, override_settings
from django.urls import reverse

from sessions_app import services
from sessions_app.models import Student
from tests.factories import (
    make_campaign,
    make_class,
    make_slot,
    make_student,
)
from tests.personas import Personas


class LoginTests(TestCase):
    def setUp(self):
        campaign = make_campaign()
        self.school_class = make_class(campaign, make_slot(campaign))
        self.student = make_student(self.school_class, student_id="1703010101")

    def login(self, username, password):
        return self.client.post(reverse("login"), {"username": username, "password": password})

    def test_a_student_logs_in_with_the_issued_password_and_must_change_it_first(self):
        [(_, password)] = services.student_accounts_issue(students=[self.student])
        response = self.login("1703010101", password)
        self.assertRedirects(response, reverse("dashboard"), fetch_redirect_response=False)
        # Every page but the password form sends the student back to it.
        for url in (
            reverse("dashboard"),
            reverse("sessions:student_home"),
            reverse("sessions:home"),
        ):
            self.assertRedirects(self.client.get(url), reverse("password_change"))
        response = self.client.post(
            reverse("password_change"),
            {
                "old_password": password,
                "new_password1": "Zq8-kaoshi-2018",
                "new_password2": "Zq8-kaoshi-2018",
            },
        )
        self.assertRedirects(response, reverse("dashboard"), target_status_code=302)
        self.student.refresh_from_db()
        self.assertIs(self.student.must_change_password, False)
        self.assertEqual(self.client.get(reverse("sessions:student_home")).status_code, 200)

    def test_the_printed_password_cannot_be_kept_as_the_new_one(self):
        [(_, password)] = services.student_accounts_issue(students=[self.student])
        self.login("1703010101", password)
        response = self.client.post(
            reverse("password_change"),
            {"old_password": password, "new_password1": password, "new_password2": password},
        )
        self.assertContains(response, "新密码不能与当前密码（如发放的初始密码）相同")
        self.student.refresh_from_db()
        self.assertIs(self.student.must_change_password, True)

    def test_the_forced_change_asks_only_for_the_new_password(self):
        [(_, password)] = services.student_accounts_issue(students=[self.student])
        self.login("1703010101", password)
        form = self.client.get(reverse("password_change")).context["form"]
        self.assertEqual(list(form.fields), ["new_password1", "new_password2"])

    def test_a_student_with_their_own_password_must_give_it_to_change_it(self):
        [(_, password)] = services.student_accounts_issue(students=[self.student])
        self.login("1703010101", password)
        own = "Zq8-kaoshi-2018"
        self.client.post(reverse("password_change"), {"new_password1": own, "new_password2": own})
        form = self.client.get(reverse("password_change")).context["form"]
        self.assertEqual(list(form.fields), ["old_password", "new_password1", "new_password2"])
        response = self.client.post(
            reverse("password_change"),
            {
                "old_password": "not-mine-1",
                "new_password1": "Zq8-x-2019",
                "new_password2": "Zq8-x-2019",
            },
        )
        self.assertIn("old_password", response.context["form"].errors)
        response = self.client.post(
            reverse("password_change"),
            {"old_password": own, "new_password1": own, "new_password2": own},
        )
        self.assertContains(response, "新密码不能与当前密码（如发放的初始密码）相同")
        response = self.client.post(
            reverse("password_change"),
            {"old_password": own, "new_password1": "Zq8-x-2019", "new_password2": "Zq8-x-2019"},
        )
        self.assertRedirects(response, reverse("dashboard"), target_status_code=302)
        self.client.logout()
        response = self.login("1703010101", "Zq8-x-2019")
        self.assertRedirects(response, reverse("dashboard"), fetch_redirect_response=False)

    def test_a_wrong_password_gets_a_chinese_message(self):
        services.student_accounts_issue(students=[self.student])
        response = self.login("1703010101", "wrong")
        self.assertContains(response, "学号（或用户名）与密码不匹配")

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_repeated_failures_lock_the_account_even_for_the_right_password(self):
        [(_, password)] = services.student_accounts_issue(students=[self.student])
        for _ in range(3):
            self.login("1703010101", "wrong")
        response = self.login("1703010101", password)
        self.assertContains(response, "登录失败次数过多", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)


class PasswordChangeMessageTests(TestCase):
    """What is wrong with a new password is said in Chinese, under 新密码."""

    def setUp(self):
        campaign = make_campaign()
        student = make_student(make_class(campaign, make_slot(campaign)), student_id="1703010101")
        [(_, self.password)] = services.student_accounts_issue(students=[student])
        self.client.post(reverse("login"), {"username": "1703010101", "password": self.password})

    def errors_of(self, new1, new2=None):
        response = self.client.post(
            reverse("password_change"),
            {"old_password": self.password, "new_password1": new1, "new_password2": new2 or new1},
        )
        form = response.context["form"]
        return form.errors.get("new_password1", []), form.errors.get("new_password2", [])

    def test_each_rule_is_said_in_chinese_under_the_new_password(self):
        cases = {
            "abc": "密码太短，至少需要 8 个字符。",
            "12345678901": "密码不能全是数字。",
            "password123": "这个密码太常见，很容易被猜到。",
            "1703010101a": "密码与用户名太相似。",
        }
        for password, message in cases.items():
            with self.subTest(password=password):
                under_new, under_again = self.errors_of(password)
                self.assertIn(message, under_new)
                self.assertEqual(under_again, [])
                self.assertFalse(
                    any("password" in e.lower() and "密码" not in e for e in under_new)
                )

    def test_a_mismatch_is_said_under_the_confirmation(self):
        under_new, under_again = self.errors_of("Zq8-kaoshi-2018", "Zq8-kaoshi-2019")
        self.assertEqual(under_new, [])
        self.assertEqual(len(under_again), 1)
        self.assertRegex(under_again[0], "[\u4e00-\u9fff]")

    def test_the_help_text_is_chinese(self):
        page = self.client.get(reverse("password_change")).content.decode()
        self.assertIn("至少 8 个字符。", page)
        self.assertNotIn("Your password", page)


class DashboardTests(Personas):
    def landing(self, user):
        self.client.force_login(user)
        return self.client.get(reverse("dashboard"))["Location"]

    def test_each_role_lands_on_its_own_page(self):
        self.assertEqual(self.landing(self.staff), reverse("sessions:staff_board"))
        self.assertEqual(self.landing(self.monitor_user), reverse("sessions:monitor_home"))
        self.assertEqual(self.landing(self.student_user), reverse("sessions:student_home"))
        self.assertEqual(self.landing(self.crew), reverse("shootday:desk"))
        self.assertEqual(self.landing(self.outsider), reverse("sessions:home"))

    def test_the_crew_signs_in_and_lands_on_the_desk(self):
        self.client.logout()
        response = self.client.post(
            reverse("login"),
            {"username": self.crew.username, "password": "pw-for-tests-123"},
            follow=True,
        )
        self.assertEqual(response.redirect_chain[-1][0], reverse("shootday:desk"))
        self.assertTemplateUsed(response, "sessions_app/shootday/desk.html")

    def test_a_monitor_moved_to_another_class_no_longer_sees_the_old_one(self):
        Student.objects.filter(pk=self.monitor.pk).update(school_class=self.other_class)
        self.client.force_login(self.monitor_user)
        self.assertEqual(self.client.get(reverse("sessions:monitor_home")).status_code, 403)


class AdminInChineseTests(TestCase):
    """Everywhere staff go is in Chinese, django-axes' admin pages included."""

    def test_the_lockout_records_are_named_in_chinese(self):
        from axes.models import AccessAttempt
        from django.contrib.auth.models import User
        from django.utils import timezone

        AccessAttempt.objects.create(
            username="1703010101",
            ip_address="10.0.0.1",
            user_agent="x",
            attempt_time=timezone.now(),
            failures_since_start=3,
        )
        self.client.force_login(User.objects.create_superuser("root", "", "Zq8-root-2018"))
        index = self.client.get("/admin/").content.decode()
        attempts = self.client.get("/admin/axes/accessattempt/").content.decode()

        self.assertIn("图像采集 管理后台", index)
        self.assertIn("登录保护", index)
        self.assertIn("登录失败记录", index)
        self.assertIn("IP 地址", attempts)
        for english in ("Access attempts", "Access logs", "Access failures", "Axes"):
            self.assertNotIn(english, index)
        self.assertNotIn("IP Address", attempts)
