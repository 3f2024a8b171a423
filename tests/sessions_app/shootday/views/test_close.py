"""The class close page."""

from django.urls import reverse

from sessions_app.shootday import services as shootday
from tests.sessions_app.shootday.factories import make_photographed
from tests.sessions_app.shootday.views.pages import ShootPageTestCase, T, messages_of


class ClassCloseViewTests(ShootPageTestCase):
    def test_closing_a_class_shows_the_counts_and_refuses_twice(self):
        self.client.force_login(self.crew)
        make_photographed(self.students[0], by=self.crew, when=T)
        shootday.shot_mark_absent(student=self.students[1], by=self.crew)
        url = reverse("shootday:class_close", args=[self.day.classes[0].pk])
        response = self.client.post(url, follow=True)
        self.assertIn("会计1171 已结束拍摄，数据已记录。", messages_of(response))
        self.assertContains(response, 'id="count-photographed">1<')
        self.assertContains(response, 'id="count-absent">1<')
        response = self.client.post(url, follow=True)
        self.assertIn("会计1171 已结束拍摄。", messages_of(response))

    def test_an_unknown_class_is_a_404(self):
        self.client.force_login(self.crew)
        self.assertEqual(self.client.get("/shoot/classes/99999/close/").status_code, 404)
