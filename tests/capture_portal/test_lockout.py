"""Login lockout keyed on the real client: guesses from one place never lock the owner
out from another, behind the documented proxy or without one."""

from django.test import TestCase, override_settings
from django.urls import reverse

from capture_portal.http import client_ip
from sessions_app import services
from tests.factories import make_campaign, make_class, make_slot, make_student

PROXY = "127.0.0.1"
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


class ClientAddressTests(TestCase):
    def request(self, remote, forwarded=None):
        from django.test import RequestFactory

        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **extra)

    def test_without_a_trusted_proxy_the_header_is_ignored(self):
        self.assertEqual(client_ip(self.request(ATTACKER, OWNER)), ATTACKER)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_one_proxy_the_address_it_appended_counts_not_the_forged_ones(self):
        forged = "%s, 10.0.0.1, %s" % (OWNER, ATTACKER)
        self.assertEqual(client_ip(self.request(PROXY, forged)), ATTACKER)
        self.assertEqual(client_ip(self.request(PROXY, "garbage, %s" % ATTACKER)), ATTACKER)
        self.assertEqual(client_ip(self.request(PROXY, "10.1.2.3")), "10.1.2.3")
        # Not through the proxy: only the peer is known.
        self.assertEqual(client_ip(self.request(ATTACKER)), ATTACKER)

    @override_settings(TRUSTED_PROXY_COUNT=2)
    def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(self):
        chain = "%s, %s, 192.0.2.50" % (OWNER, ATTACKER)
        self.assertEqual(client_ip(self.request(PROXY, chain)), ATTACKER)


@override_settings(AXES_FAILURE_LIMIT=5, LOGIN_ADDRESS_FAILURE_LIMIT=8)
class LockoutThroughTheLoginFormTests(TestCase):
    def setUp(self):
        campaign = make_campaign()
        school_class = make_class(campaign, make_slot(campaign))
        self.students = [
            make_student(school_class, student_id="17030101%02d" % n) for n in range(1, 11)
        ]
        self.passwords = dict(services.student_accounts_issue(students=self.students[:1]))
        self.owner_id = self.students[0].student_id

    def login(self, username, password, *, remote, forwarded=None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        self.client.logout()
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, **extra
        )

    def owner_password(self):
        [password] = self.passwords.values()
        return password

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_the_proxy_an_attacker_locks_only_himself(self):
        for _ in range(5):
            # The attacker even forges the owner's address in front of his own.
            self.login(self.owner_id, "wrong", remote=PROXY, forwarded="%s, %s" % (OWNER, ATTACKER))
        locked = self.login(self.owner_id, self.owner_password(), remote=PROXY, forwarded=ATTACKER)
        self.assertContains(locked, "登录失败次数过多，账号已暂时锁定", status_code=429)
        owner = self.login(self.owner_id, self.owner_password(), remote=PROXY, forwarded=OWNER)
        self.assertRedirects(owner, reverse("dashboard"), fetch_redirect_response=False)
        self.assertIn("_auth_user_id", self.client.session)

    def test_without_a_trusted_proxy_a_forged_header_does_not_move_the_lock(self):
        for _ in range(5):
            self.login(self.owner_id, "wrong", remote=ATTACKER, forwarded=OWNER)
        owner = self.login(self.owner_id, self.owner_password(), remote=OWNER)
        self.assertRedirects(owner, reverse("dashboard"), fetch_redirect_response=False)
        locked = self.login(self.owner_id, self.owner_password(), remote=ATTACKER)
        self.assertEqual(locked.status_code, 429)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_an_address_sweeping_the_student_ids_is_refused_every_login(self):
        # Two guesses for each of four 学号: under axes' five per 学号, eight in all.
        for student in self.students[1:5]:
            for _ in range(2):
                response = self.login(student.student_id, "wrong", remote=PROXY, forwarded=ATTACKER)
                self.assertEqual(response.status_code, 200)
        refused = self.login(self.owner_id, self.owner_password(), remote=PROXY, forwarded=ATTACKER)
        self.assertContains(refused, "你所在的网络登录失败次数过多", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        owner = self.login(self.owner_id, self.owner_password(), remote=PROXY, forwarded=OWNER)
        self.assertRedirects(owner, reverse("dashboard"), fetch_redirect_response=False)
