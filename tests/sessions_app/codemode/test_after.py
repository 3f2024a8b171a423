"""After the day in code mode: the 学信网 check with its fixes, and the make-up routes."""

import datetime

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sessions_app.codemode import services as code_services
from sessions_app.models import ChsiCheck
from sessions_app.shootday import services as shootday
from tests.personas import Personas
from tests.sessions_app.codemode.support import CodePersonas


class ChsiFixTests(CodePersonas):
    def setUp(self):
        now = timezone.now()
        shot = shootday.shot_number_assign(
            student=self.student, desk="1号台", by=self.crew, studio_number="A-17", now=now
        )
        shootday.shot_mark_photographed(shot=shot, by=self.crew, now=now)
        self.client.force_login(self.student_user)

    def test_me_shows_the_studios_number_and_the_ten_working_day_deadline(self):
        response = self.client.get(reverse("sessions:student_home"))
        self.assertContains(response, '拍摄号 <span class="font-monospace">A-17</span>')
        self.assertContains(response, "第 10 个工作日）前后出现在")

    def test_an_identity_problem_says_the_college_files_a_correction(self):
        response = self.client.post(
            reverse("shootday:chsi_confirm"),
            {"result": "problem", "kind": "identity", "problem": "找不到学籍"},
            follow=True,
        )
        self.assertContains(response, "由学院向学信网提交勘误申请")
        check = ChsiCheck.objects.get(student=self.student)
        self.assertEqual((check.kind, check.is_open), ("identity", True))
        self.client.force_login(self.staff)
        page = self.client.get(reverse("shootday:chsi"), {"state": "open"})
        self.assertContains(page, "找不到学籍或姓名、身份证号不对")

    def test_a_missing_photo_says_contact_the_office(self):
        response = self.client.post(
            reverse("shootday:chsi_confirm"),
            {"result": "problem", "kind": "photo", "problem": "没有照片"},
            follow=True,
        )
        self.assertContains(response, "教务处联系拍摄方核查")

    def test_an_unknown_kind_changes_nothing(self):
        response = self.client.post(
            reverse("shootday:chsi_confirm"),
            {"result": "problem", "kind": "moon", "problem": "x"},
            follow=True,
        )
        self.assertContains(response, "请选择问题类别")
        self.assertFalse(ChsiCheck.objects.exists())


class MakeupRouteTests(CodePersonas):
    def setUp(self):
        shootday.shot_mark_absent(student=self.student, by=self.crew)

    def test_staff_set_a_route_with_its_deadline_and_the_student_sees_it(self):
        self.client.force_login(self.staff)
        page = self.client.get(reverse("shootday:makeup"))
        self.assertContains(page, "第二轮现场补采")
        self.assertContains(page, reverse("codemode:makeup_route", args=[self.student.pk]))
        self.client.post(
            reverse("codemode:makeup_route", args=[self.student.pk]),
            {"route": "online", "deadline": "2026-05-31"},
        )
        self.client.force_login(self.student_user)
        response = self.client.get(reverse("sessions:student_home"))
        self.assertContains(response, "线上个人采集（中国图片社）")
        self.assertContains(response, "2026年5月31日")

    def test_the_crew_see_routes_but_do_not_set_them(self):
        code_services.makeup_route_set(
            student=self.student, route="store", deadline=datetime.date(2026, 6, 1), by=self.staff
        )
        self.client.force_login(self.crew)
        page = self.client.get(reverse("shootday:makeup"))
        self.assertContains(page, "新华社门店补采")
        self.assertNotContains(page, reverse("codemode:makeup_route", args=[self.student.pk]))


class CardMakeupTests(Personas):
    def test_the_card_makeup_page_has_no_routes(self):
        shootday.shot_mark_absent(student=self.student, by=self.crew)
        self.client.force_login(self.staff)
        page = self.client.get(reverse("shootday:makeup"))
        self.assertContains(page, 'id="centre"')
        self.assertNotContains(page, "补采方式")


class ServiceTests(TestCase):
    def test_a_route_outside_the_list_is_refused(self):
        from tests.factories import make_campaign, make_staff, make_student

        student = make_student(campaign=make_campaign(mode="code"))
        with self.assertRaisesMessage(code_services.CodeModeError, "请选择补采方式"):
            code_services.makeup_route_set(
                student=student, route="moon", deadline=None, by=make_staff()
            )


class MakeupExportTests(CodePersonas):
    def test_the_makeup_list_carries_each_route_and_deadline(self):
        import io

        import openpyxl

        shootday.shot_mark_absent(student=self.student, by=self.crew)
        code_services.makeup_route_set(
            student=self.student, route="onsite", deadline=datetime.date(2026, 6, 15), by=self.staff
        )
        self.client.force_login(self.staff)
        response = self.client.get(reverse("shootday:makeup"), {"format": "xlsx"})
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        rows = [
            [str(v) for v in r if v is not None] for r in book.active.iter_rows(values_only=True)
        ]
        self.assertIn("补采方式", next(r for r in rows if "学号" in r))
        mine = next(r for r in rows if self.student.student_id in r)
        self.assertIn("第二轮现场补采，2026-06-15 前", mine)
        pdf = self.client.get(reverse("shootday:makeup"), {"format": "pdf"})
        self.assertEqual(pdf.status_code, 200)
