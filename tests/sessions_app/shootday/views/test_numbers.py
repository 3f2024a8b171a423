"""The number log page."""

from django.urls import reverse

from sessions_app.shootday.selectors.numbers import NUMBERS_PER_PAGE
from tests.sessions_app.shootday.factories import make_photographed
from tests.sessions_app.shootday.views.pages import ShootPageTestCase, T, messages_of, page_text


class NumbersViewTests(ShootPageTestCase):
    def setUp(self):
        super().setUp()
        make_photographed(self.student, by=self.crew, when=T)
        self.client.force_login(self.crew)
        self.url = reverse("shootday:numbers")

    def test_times_show_the_date(self):
        text = page_text(self.client.get(self.url))
        self.assertIn("2018-11-11 08:05:00", text)
        self.assertIn("2018-11-11 08:05:20", text)

    def test_it_pages_the_numbers(self):
        counter = self.day.campaign.shot_counter
        counter.last_number = NUMBERS_PER_PAGE + 50  # a lost run of rows: every gap listed
        counter.save()
        response = self.client.get(self.url)
        self.assertEqual(len(response.context["log"].rows), NUMBERS_PER_PAGE)
        total = NUMBERS_PER_PAGE + 50
        self.assertIn("共 %d 条 · 第 1 / 2 页" % total, page_text(response))
        last = self.client.get(self.url, {"page": "2"})
        self.assertContains(last, 'id="number-%d"' % total)
        self.assertNotContains(last, 'id="number-1"')
        # Numbers 2 to the last are gaps; the box lists the first hundred.
        self.assertIn("……另有 %d 个序号有问题，请按序号查找。" % (total - 1 - 100), page_text(last))

    def test_it_finds_by_number_student_id_or_name(self):
        make_photographed(self.students[1], by=self.crew, when=T)
        for query in ("1", self.student.student_id, "欧阳娜娜"):
            with self.subTest(query=query):
                rows = self.client.get(self.url, {"q": query}).context["log"].rows
                self.assertEqual([r.shot.student for r in rows], [self.student])
        self.assertIn(
            "没有找到“无此人”的序号。", page_text(self.client.get(self.url, {"q": "无此人"}))
        )

    def test_hostile_parameters_never_fail(self):
        for params in (
            {"q": "²"},
            {"q": "9" * 40},
            {"q": ""},
            {"q": "%"},
            {"q": "_"},
            {"page": "²"},
            {"page": "9" * 30},
            {"page": "-5"},
        ):
            with self.subTest(params=params):
                self.assertEqual(self.client.get(self.url, params).status_code, 200)
        response = self.client.get(self.url, {"q": "x" * 60})
        self.assertIn("查询内容过长，请输入拍摄序号、学号或姓名。", messages_of(response))
