"""The 学信网 answer of a student and 教务处's follow-up list, its exports and handling."""

import io
from urllib.parse import quote

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sessions_app.models import ChsiCheck, College
from sessions_app.shootday import services as shootday
from sessions_app.shootday.selectors.chsi import CHSI_PER_PAGE
from tests.factories import make_student
from tests.sessions_app.shootday.factories import at, make_photographed
from tests.sessions_app.shootday.views.pages import ShootPageTestCase, T, messages_of, page_text
from tests.sessions_app.support import pdf_pages


class ChsiConfirmViewTests(ShootPageTestCase):
    def test_a_photographed_student_confirms_and_staff_see_it(self):
        make_photographed(self.student, by=self.crew, when=T)
        self.client.force_login(self.student_user)
        response = self.client.post(
            reverse("shootday:chsi_confirm"),
            {"result": "problem", "problem": "照片不是我"},
            follow=True,
        )
        self.assertIn("已记录你反映的问题，教务处会联系你。", messages_of(response))
        self.assertEqual(ChsiCheck.objects.get().created_by, self.student_user)
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(reverse("shootday:chsi")), "照片不是我")

    def test_bad_answers_are_refused_with_a_message(self):
        self.client.force_login(self.student_user)
        for data, message in [
            ({"result": "maybe"}, "请选择核对结果。"),
            ({"result": "ok"}, "拍摄登记之后才能核对学信网信息。"),
            ({"result": "problem", "problem": "x" * 301}, "问题说明最多 300 个字。"),
        ]:
            with self.subTest(data=data):
                response = self.client.post(reverse("shootday:chsi_confirm"), data, follow=True)
                self.assertIn(message, messages_of(response))
        self.assertFalse(ChsiCheck.objects.exists())

    def test_crew_who_are_not_students_cannot_confirm(self):
        self.client.force_login(self.crew)
        self.assertEqual(
            self.client.post(reverse("shootday:chsi_confirm"), {"result": "ok"}).status_code, 403
        )


class ChsiListViewTests(ShootPageTestCase):
    def setUp(self):
        super().setUp()
        self.college = College.objects.create(name="经济管理学院")
        self.day.classes[0].college = self.college
        self.day.classes[0].save()
        for student in self.students + self.day.roster(1):
            make_photographed(student, by=self.crew, when=T)
        self.client.force_login(self.staff)
        self.url = reverse("shootday:chsi")

    def report(self, student, problem="毕业年份显示2019", when="2018-11-13"):
        return shootday.chsi_check_confirm(
            student=student, ok=not problem, problem=problem, by=self.crew, now=at(when, "20:00")
        )

    def test_a_report_followed_by_ok_stays_on_the_open_list_with_both_answers(self):
        self.report(self.student)
        self.report(self.student, problem="", when="2018-11-14")
        response = self.client.get(self.url, {"state": "open"})
        text = page_text(response)
        self.assertIn("有问题待处理 1", text)
        self.assertIn("2018-11-14 20:00 无误", text)
        self.assertIn("2018-11-13 20:00 有问题 毕业年份显示2019", text)
        self.assertContains(response, 'id="student-%d"' % self.student.pk)
        self.assertContains(
            response,
            reverse(
                "shootday:chsi_handle", args=[ChsiCheck.objects.filter(result="problem").get().pk]
            ),
        )

    def test_staff_mark_a_report_handled_and_return_to_the_same_list(self):
        report = self.report(self.student)
        back = "%s?state=open&college=%d&page=1" % (self.url, self.college.pk)
        response = self.client.post(
            reverse("shootday:chsi_handle", args=[report.pk]),
            {"note": "已提交勘误", "back": back},
        )
        self.assertRedirects(
            response,
            "%s?state=open&college=%d&page=1&campaign=%d#student-%d"
            % (self.url, self.college.pk, self.day.campaign.pk, self.student.pk),
            fetch_redirect_response=False,
        )
        response = self.client.get(self.url, {"state": "handled"})
        self.assertIn(
            "已标记为已处理：%s 反映的“毕业年份显示2019”。" % self.student, messages_of(response)
        )
        self.assertIn(
            "已处理 · %s · %s：已提交勘误"
            % (
                self.staff.username,
                timezone.localtime(ChsiCheck.objects.get().handled_at).strftime("%Y-%m-%d %H:%M"),
            ),
            page_text(response),
        )
        self.assertNotContains(self.client.get(self.url, {"state": "open"}), 'id="student-')

    def test_it_filters_by_college_class_and_search(self):
        others = self.day.roster(1)
        by_college = self.client.get(self.url, {"college": self.college.pk})
        self.assertEqual(
            [r.student for r in by_college.context["overview"].rows],
            sorted(self.students, key=lambda s: s.student_id),
        )
        by_class = self.client.get(self.url, {"school_class": self.day.classes[1].pk})
        self.assertEqual([r.student for r in by_class.context["overview"].rows], others)
        # The class list follows the college chosen.
        self.assertNotContains(by_college, '<option value="%d">会计1172' % self.day.classes[1].pk)
        found = self.client.get(self.url, {"q": "欧阳"})
        self.assertEqual([r.student for r in found.context["overview"].rows], [self.student])

    def test_the_list_is_paged(self):
        extra = [make_student(self.day.classes[1]) for _ in range(CHSI_PER_PAGE)]
        for student in extra:
            make_photographed(student, by=self.crew, when=T)
        response = self.client.get(self.url)
        self.assertEqual(len(response.context["overview"].rows), CHSI_PER_PAGE)
        self.assertIn("共 %d 条 · 第 1 / 2 页" % (CHSI_PER_PAGE + 5), page_text(response))
        second = self.client.get(self.url, {"page": "2"})
        self.assertEqual(len(second.context["overview"].rows), 5)

    def test_the_page_costs_the_same_queries_whatever_the_number_of_students(self):
        def queries():
            with CaptureQueriesContext(connection) as context:
                self.assertEqual(self.client.get(self.url).status_code, 200)
            return len(context)

        before = queries()
        for student in [make_student(self.day.classes[1]) for _ in range(6)]:
            make_photographed(student, by=self.crew, when=T)
            self.report(student)
            self.report(student, problem="")
        self.assertEqual(queries(), before)

    def test_the_export_keeps_ids_as_text_and_every_report(self):
        report = self.report(self.student)
        shootday.chsi_report_handle(report=report, note="已提交勘误", by=self.staff)
        self.report(self.student, problem="照片偏暗", when="2018-11-16")
        response = self.client.get(self.url, {"format": "xlsx", "state": "open"})
        self.assertEqual(response.status_code, 200)
        self.assertIn(quote("学信网核对"), response["Content-Disposition"])
        book = load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        rows = [[c for c in row] for row in sheet.iter_rows()]
        header = [c.value for c in rows[2]]
        self.assertEqual(header[:4], ["序号", "学号", "姓名", "身份证号"])
        [data] = [r for r in rows[3:] if r[1].value == self.student.student_id]
        self.assertEqual(data[3].value, self.student.id_number)
        self.assertEqual((data[1].data_type, data[1].number_format), ("s", "@"))
        self.assertEqual((data[3].data_type, data[3].number_format), ("s", "@"))
        self.assertEqual(
            data[6].value,
            "2018-11-16 20:00 有问题：照片偏暗；2018-11-13 20:00 有问题：毕业年份显示2019",
        )
        self.assertRegex(
            data[7].value,
            r"^2018-11-16 20:00 的问题：待处理；"
            r"2018-11-13 20:00 的问题：user\d+ \d{4}-\d\d-\d\d \d\d:\d\d 已处理：已提交勘误$",
        )
        pdf = self.client.get(self.url, {"format": "pdf"})
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        text = "\n".join(pdf_pages(pdf.content))
        self.assertIn("有问题待处理　1 人", text)
        self.assertIn("未答复　4 人", text)
        # The PDF prints 学号, name and 身份证号 whole, not cut short with "…".
        for value in (self.student.student_id, "欧阳娜娜", self.student.id_number):
            self.assertIn(value, text)

    def test_hostile_parameters_never_fail(self):
        for params in (
            {"state": "²"},
            {"state": "nonsense"},
            {"college": "²"},
            {"college": "9" * 30},
            {"college": "-1"},
            {"school_class": "abc"},
            {"school_class": "1e3"},
            {"q": "²"},
            {"q": "x" * 60},
            {"q": ""},
            {"page": "²"},
            {"page": "9" * 30},
            {"page": "-1"},
            {"page": "0"},
            {"page": "1.5"},
        ):
            with self.subTest(params=params):
                self.assertEqual(self.client.get(self.url, params).status_code, 200)
        response = self.client.get(self.url, {"college": "9" * 30})
        self.assertIn("筛选条件不对，已显示全部。", messages_of(response))
        self.assertEqual(response.context["overview"].counts["all"], 5)
        response = self.client.get(self.url, {"format": "doc"}, follow=True)
        self.assertIn("学信网核对名单只能导出为 XLSX 或 PDF。", messages_of(response))
        self.assertEqual(self.client.get(self.url, {"campaign": "²"}).status_code, 404)

    def test_bad_handling_is_refused_with_a_message(self):
        report = self.report(self.student)
        url = reverse("shootday:chsi_handle", args=[report.pk])
        for data, message in [
            ({"note": ""}, "请写明处理结果（如已提交勘误、已通知学生）。"),
            ({"note": "x" * 201}, "处理说明最多 200 个字。"),
        ]:
            with self.subTest(data=data):
                self.assertIn(message, messages_of(self.client.post(url, data, follow=True)))
        report.refresh_from_db()
        self.assertIsNone(report.handled_at)
        # The way back never leaves the list, whatever was posted.
        response = self.client.post(
            url, {"note": "好", "back": "https://evil.example/x?state=open"}
        )
        self.assertTrue(response["Location"].startswith(self.url + "?state=open&campaign="))
        response = self.client.post(url, {"note": "再处理"}, follow=True)
        self.assertIn("标记为已处理", messages_of(response)[0])
        for pk in ("99999", "9" * 30):
            with self.subTest(pk=pk):
                response = self.client.post("/shoot/chsi/reports/%s/handle/" % pk, {"note": "x"})
                self.assertEqual(response.status_code, 404)
