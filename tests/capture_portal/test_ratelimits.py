"""Rate limits on the anonymous and cheap-to-abuse requests: past its limit a request
gets HTTP 429 and a Chinese message, and nothing is done; other addresses and accounts
go on. The fill guide is drawn once per distinct card."""

from unittest import mock

from django.test import TestCase, override_settings
from django.urls import reverse

from cards_app import fill_guide
from cards_app.models import CardCheck
from sessions_app.models.shootday import ChsiCheck
from tests.cards_app.factories import card_data, sample_card
from tests.factories import (
    make_campaign,
    make_class,
    make_crew,
    make_slot,
    make_student,
    make_student_user,
)
from tests.sessions_app.shootday.factories import at, make_photographed

A, B = "203.0.113.9", "198.51.100.7"
OFF = {
    "lookup": "",
    "lookup-student-id": "",
    "card-check": "",
    "card-api": "",
    "code-check": "",
    "login": "",
    "card-save": "",
    "chsi-report": "",
}


def limits(**rates):
    return override_settings(
        RATE_LIMITS={**OFF, **{k.replace("_", "-"): v for k, v in rates.items()}}
    )


class RateLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.campaign = make_campaign()
        cls.school_class = make_class(cls.campaign, make_slot(cls.campaign))
        cls.student = make_student(cls.school_class, student_id="1703010101", name="王堃")
        cls.user = make_student_user(cls.student)

    def assertLimited(self, response, json=False):
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")
        if json:
            self.assertEqual(response.json()["error"]["code"], "rate_limited")
            self.assertIn("操作太频繁", response.json()["error"]["message"])
        else:
            self.assertContains(response, "操作太频繁，请稍等一分钟再试", status_code=429)

    @limits(lookup="3/m")
    def test_lookups_from_one_address_are_limited_and_others_go_on(self):
        url = reverse("sessions:lookup")
        data = {"student_id": "1703010101", "name": "猜"}
        for _ in range(3):
            self.assertEqual(self.client.post(url, data, REMOTE_ADDR=A).status_code, 200)
        self.assertLimited(self.client.post(url, data, REMOTE_ADDR=A))
        found = self.client.post(url, {**data, "name": "王堃"}, REMOTE_ADDR=B)
        self.assertContains(found, self.school_class.name)
        # Reading the page is not counted.
        self.assertEqual(self.client.get(url, REMOTE_ADDR=A).status_code, 200)

    @limits(lookup_student_id="2/h")
    def test_guesses_for_one_student_id_are_limited_from_any_address(self):
        url = reverse("sessions:lookup")
        for address in ("192.0.2.1", "192.0.2.2"):
            self.client.post(url, {"student_id": "1703010101", "name": "猜"}, REMOTE_ADDR=address)
        response = self.client.post(
            url, {"student_id": " 1703010101 ", "name": "王堃"}, REMOTE_ADDR="192.0.2.3"
        )
        self.assertLimited(response)
        other = self.client.post(url, {"student_id": "1703010199", "name": "猜"}, REMOTE_ADDR=A)
        self.assertEqual(other.status_code, 200)

    @limits(card_check="2/m")
    def test_the_card_check_and_its_pictures_share_one_limit(self):
        self.client.post(reverse("cards:check"), sample_card(), REMOTE_ADDR=A)
        self.client.post(reverse("cards:guide_png"), sample_card(), REMOTE_ADDR=A)
        self.assertLimited(
            self.client.post(reverse("cards:guide_png"), sample_card(), REMOTE_ADDR=A)
        )
        self.assertLimited(
            self.client.post(reverse("cards:guide_pdf"), sample_card(), REMOTE_ADDR=A)
        )
        self.assertLimited(self.client.post(reverse("cards:check"), sample_card(), REMOTE_ADDR=A))
        page = self.client.post(reverse("cards:check"), sample_card(), REMOTE_ADDR=B)
        self.assertContains(page, "data:image/png;base64,")

    @limits(card_api="1/m")
    def test_the_api_answers_json_past_its_limit(self):
        url = reverse("cards_api:check")
        body = '{"name": "王堃"}'
        self.assertEqual(
            self.client.post(url, body, content_type="application/json", REMOTE_ADDR=A).status_code,
            200,
        )
        self.assertLimited(
            self.client.post(url, body, content_type="application/json", REMOTE_ADDR=A), json=True
        )

    @limits(code_check="1/m")
    def test_the_capture_code_api_answers_json_past_its_limit(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        url = reverse("capture_code_api:check")

        def post(address):
            image = SimpleUploadedFile("code.png", b"not an image", content_type="image/png")
            return self.client.post(url, {"image": image}, REMOTE_ADDR=address)

        self.assertEqual(post(A).json()["error"]["code"], "not_an_image")
        self.assertLimited(post(A), json=True)
        self.assertEqual(post(B).json()["error"]["code"], "not_an_image")

    @limits(login="2/m")
    def test_login_posts_are_limited_per_address(self):
        url = reverse("login")
        for _ in range(2):
            self.client.post(url, {"username": "x", "password": "y"}, REMOTE_ADDR=A)
        self.assertLimited(
            self.client.post(
                url, {"username": "1703010101", "password": "pw-for-tests-123"}, REMOTE_ADDR=A
            )
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        ok = self.client.post(
            url, {"username": "1703010101", "password": "pw-for-tests-123"}, REMOTE_ADDR=B
        )
        self.assertRedirects(ok, reverse("dashboard"), fetch_redirect_response=False)

    @limits(card_save="2/h")
    def test_a_student_saves_a_card_check_a_limited_number_of_times(self):
        self.client.force_login(self.user)
        data = {**card_data(self.student), "action": "save"}
        for address in (A, B):
            self.client.post(reverse("cards:check"), data, REMOTE_ADDR=address)
        self.assertEqual(CardCheck.objects.count(), 2)
        self.assertLimited(self.client.post(reverse("cards:check"), data, REMOTE_ADDR="192.0.2.9"))
        self.assertEqual(CardCheck.objects.count(), 2)
        # Checking without saving goes on.
        page = self.client.post(reverse("cards:check"), card_data(self.student), REMOTE_ADDR=A)
        self.assertEqual(page.status_code, 200)

    @limits(chsi_report="1/h")
    def test_a_student_reports_to_the_chsi_follow_up_a_limited_number_of_times(self):
        make_photographed(self.student, by=make_crew(), when=at("2018-11-11", "08:05"))
        self.client.force_login(self.user)
        url = reverse("shootday:chsi_confirm")
        self.client.post(url, {"result": "problem", "problem": "照片不是我"})
        self.assertLimited(self.client.post(url, {"result": "problem", "problem": "还是不对"}))
        self.assertEqual(ChsiCheck.objects.count(), 1)


class FillGuideCacheTests(TestCase):
    def test_the_same_card_is_drawn_once(self):
        with mock.patch.object(fill_guide, "render_png", wraps=fill_guide.render_png) as draw:
            first = self.client.post(reverse("cards:guide_png"), sample_card())
            # The same card written differently normalises to the same guide.
            again = self.client.post(
                reverse("cards:guide_png"), sample_card(id_number="43010320010512102X")
            )
            self.assertEqual(first.content, again.content)
            self.assertEqual(draw.call_count, 1)
            self.client.post(reverse("cards:guide_png"), sample_card(name="王坤"))
            self.assertEqual(draw.call_count, 2)
