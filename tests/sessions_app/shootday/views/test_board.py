"""The public queue board."""

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sessions_app.shootday import services as shootday
from tests.sessions_app.shootday.factories import make_photographed, make_shoot_day
from tests.sessions_app.shootday.views.pages import T


class BoardTests(TestCase):
    def setUp(self):
        # The board reads the clock: the shoot day is today, so its classes are shown.
        self.day = make_shoot_day(
            sizes=(3, 2), names=["会计1171", "会计1172"], day=timezone.localdate().isoformat()
        )
        self.students = self.day.roster(0)
        self.crew = self.day.crew

    def test_the_board_is_public_and_shows_class_names_without_personal_data(self):
        for student in self.students:
            make_photographed(student, by=self.crew, when=T)
        shootday.shot_mark_absent(student=self.day.roster(1)[0], by=self.crew)
        response = self.client.get(reverse("shootday:board"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "会计1172")
        html = response.content.decode()
        for student in self.students + self.day.roster(1):
            with self.subTest(student=student.student_id):
                self.assertNotIn(student.student_id, html)
                self.assertNotIn(student.name, html)
                self.assertNotIn(student.id_number, html)
                self.assertNotIn(student.id_number[-4:] + "<", html)

    def test_the_partial_is_the_body_only_for_the_refresh(self):
        response = self.client.get(reverse("shootday:board"), {"partial": "1"})
        self.assertNotContains(response, "<html")
        self.assertContains(response, "board-header")
        full = self.client.get(reverse("shootday:board"))
        self.assertContains(full, "shootday/board.")

    def test_an_unknown_venue_is_a_404(self):
        self.assertEqual(
            self.client.get(reverse("shootday:board"), {"venue": "x"}).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("shootday:board"), {"venue": "999"}).status_code, 404
        )


class BoardAfterTheDayTests(TestCase):
    def test_a_past_day_says_it_is_over_without_a_slot_header(self):
        day = make_shoot_day(
            sizes=(2,), names=["会计1171"], day="2018-11-11", start="14:30", end="15:30"
        )
        day.campaign.published = True
        day.campaign.save()

        response = self.client.get(reverse("shootday:board"))

        self.assertContains(response, "拍摄已结束")
        self.assertContains(response, "2018年11月11日的图像采集已全部结束")
        self.assertContains(response, "未拍摄的同学请联系<strong>图像采集中心</strong>")
        header = response.content.decode().split("board-header")[1].split("</header>")[0]
        self.assertNotIn("14:30", header)
        self.assertNotContains(response, "今日拍摄")
