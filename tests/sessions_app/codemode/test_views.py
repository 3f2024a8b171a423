import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from sessions_app.codemode.services import capture_code_keep, digest_of
from sessions_app.models import CaptureCode, MakeupRoute
from tests.personas import Personas
from tests.sessions_app.codemode import images
from tests.sessions_app.codemode.support import CodePersonas
from tests.sessions_app.support import pdf_pages

PAGES = {
    "codemode:my_code": {"student", "monitor", "other_student", "other_monitor"},
    "codemode:class_codes": {"monitor", "other_monitor"},
    "codemode:staff_readiness": {"staff"},
}


class PermissionTests(CodePersonas):
    def test_each_page_opens_for_its_people_only(self):
        for name, allowed in PAGES.items():
            for persona, user in self.personas().items():
                with self.subTest(page=name, persona=persona):
                    self.client.logout()
                    if user is not None:
                        self.client.force_login(user)
                    response = self.client.get(reverse(name))
                    if user is None:
                        self.assertEqual(response.status_code, 302)
                        self.assertIn(reverse("login"), response["Location"])
                    elif persona in allowed:
                        self.assertEqual(response.status_code, 200)
                    else:
                        self.assertEqual(response.status_code, 403)

    def test_the_makeup_route_is_staff_only(self):
        url = reverse("codemode:makeup_route", args=[self.student.pk])
        for persona, user in self.personas().items():
            with self.subTest(persona=persona):
                self.client.logout()
                if user is not None:
                    self.client.force_login(user)
                response = self.client.post(url, {"route": "onsite", "deadline": "2026-06-30"})
                if user is None:
                    self.assertEqual(response.status_code, 302)
                elif persona == "staff":
                    self.assertRedirects(
                        response,
                        reverse("shootday:makeup") + "?campaign=%d" % self.campaign.pk,
                        fetch_redirect_response=False,
                    )
                else:
                    self.assertEqual(response.status_code, 403)
        route = MakeupRoute.objects.get(student=self.student)
        self.assertEqual(route.route, "onsite")
        self.assertEqual(route.deadline.isoformat(), "2026-06-30")

    def test_a_bad_makeup_route_changes_nothing(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("codemode:makeup_route", args=[self.student.pk]),
            {"route": "moon", "deadline": "x"},
            follow=True,
        )
        self.assertContains(response, "请选择补采方式")
        self.assertFalse(MakeupRoute.objects.exists())


class CardModeHasNoCodePagesTests(Personas):
    def test_code_pages_are_404_in_card_mode(self):
        for name, persona in (
            ("codemode:my_code", self.student_user),
            ("codemode:class_codes", self.monitor_user),
            ("codemode:staff_readiness", self.staff),
        ):
            with self.subTest(page=name):
                self.client.force_login(persona)
                self.assertEqual(self.client.get(reverse(name)).status_code, 404)

    def test_an_upload_in_card_mode_stores_nothing(self):
        self.client.force_login(self.student_user)
        response = self.client.post(
            reverse("codemode:my_code"), {"image": SimpleUploadedFile("c.png", images.qr_png())}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(CaptureCode.objects.exists())


def upload(data: bytes, name="code.png"):
    return SimpleUploadedFile(name, data, content_type="image/png")


class MyCodeTests(CodePersonas):
    def test_a_readable_code_is_kept_as_a_keyed_hash_only(self):
        self.client.force_login(self.student_user)
        response = self.client.post(
            reverse("codemode:my_code"), {"image": upload(images.qr_png())}, follow=True
        )
        self.assertContains(response, "采集码可以识别")
        self.assertContains(response, "已上传可识别的采集码")
        code = CaptureCode.objects.get(student=self.student)
        self.assertEqual(code.digest, digest_of(images.CODE.encode()))
        self.assertNotIn(images.CODE, code.digest)
        self.assertNotContains(response, images.CODE)

    def test_an_unreadable_upload_says_why_and_keeps_an_earlier_code(self):
        self.client.force_login(self.student_user)
        self.client.post(reverse("codemode:my_code"), {"image": upload(images.qr_png())})
        response = self.client.post(
            reverse("codemode:my_code"), {"image": upload(images.poor_screenshot())}, follow=True
        )
        self.assertContains(response, "长按二维码")
        self.assertTrue(CaptureCode.objects.filter(student=self.student).exists())

    def test_each_bad_upload_has_its_message_and_stores_nothing(self):
        self.client.force_login(self.student_user)
        for data, text in (
            (b"text", "这不是图片文件"),
            (images.two_codes_png(), "不止一个二维码"),
            (images.huge_png(), "图片太大"),
        ):
            with self.subTest(text=text):
                response = self.client.post(
                    reverse("codemode:my_code"), {"image": upload(data)}, follow=True
                )
                self.assertContains(response, text)
        response = self.client.post(reverse("codemode:my_code"), {}, follow=True)
        self.assertContains(response, "请选择保存的采集码图片")
        self.assertFalse(CaptureCode.objects.exists())

    def test_two_students_with_one_code_are_both_flagged(self):
        for user in (self.student_user, self.other_student_user):
            self.client.force_login(user)
            self.client.post(reverse("codemode:my_code"), {"image": upload(images.qr_png())})
        for user in (self.student_user, self.other_student_user):
            self.client.force_login(user)
            response = self.client.get(reverse("codemode:my_code"))
            self.assertContains(response, "与他人的采集码相同")
            self.assertContains(response, "一个学籍只有一个采集码")

    def test_the_page_shows_the_steps_and_the_countdown(self):
        self.client.force_login(self.student_user)
        response = self.client.get(reverse("codemode:my_code"))
        self.assertContains(response, "获取图像采集码")
        self.assertContains(response, 'id="code-countdown"')


class StudentHomeTests(CodePersonas):
    def test_me_shows_the_code_steps_and_nothing_of_the_card(self):
        self.client.force_login(self.student_user)
        response = self.client.get(reverse("sessions:student_home"))
        self.assertContains(response, "我的图像采集码")
        self.assertContains(response, "获取图像采集码")
        self.assertContains(response, 'id="code-countdown"')
        for card_text in ("区位码", "采集卡", "2B 铅笔", "填涂"):
            self.assertNotContains(response, card_text)

    def test_home_shows_the_code_rules_and_nothing_of_the_card(self):
        response = self.client.get(reverse("sessions:home"))
        self.assertContains(response, "图像采集码：拍摄前要做的事")
        self.assertContains(response, "按全班实际拍摄人数")
        for card_text in ("区位码", "采集卡", "2B 铅笔"):
            self.assertNotContains(response, card_text)


class CardModeShowsNoCodeTests(Personas):
    def test_card_pages_say_nothing_of_the_code(self):
        self.client.force_login(self.student_user)
        for url in (reverse("sessions:home"), reverse("sessions:student_home")):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(response, "采集卡")
                self.assertNotContains(response, "采集码")


class ReadinessTests(CodePersonas):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from django.utils import timezone

        now = timezone.now()
        capture_code_keep(student=cls.student, digest=digest_of(b"A"), now=now)
        capture_code_keep(student=cls.other_student, digest=digest_of(b"B"), now=now)

    def test_the_monitor_sees_who_lacks_a_code_and_a_message(self):
        self.client.force_login(self.monitor_user)
        response = self.client.get(reverse("codemode:class_codes"))
        readiness = response.context["readiness"]
        self.assertEqual((readiness.total, readiness.ready), (2, 1))
        self.assertEqual([r.student for r in readiness.not_ready_rows], [self.monitor])
        self.assertContains(response, 'id="code-reminder"')
        self.assertIn(self.monitor.name, response.context["reminder"])
        self.assertIn("长按", response.context["reminder"])

    def test_the_monitor_home_shows_codes_not_cards(self):
        self.client.force_login(self.monitor_user)
        response = self.client.get(reverse("sessions:monitor_home"))
        self.assertContains(response, 'id="codes-ok"')
        self.assertNotContains(response, "采集卡")

    def test_staff_see_counts_by_college_class_and_slot(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("codemode:staff_readiness"))
        readiness = response.context["readiness"]
        self.assertEqual((readiness.total, readiness.ready), (4, 2))
        by_class = {g.label: (g.total, g.ready) for g in readiness.by_class}
        self.assertEqual(by_class, {"会计1171": (2, 1), "造价1171": (2, 1)})
        self.assertEqual(sum(g.not_ready for g in readiness.by_slot), 2)
        filtered = self.client.get(
            reverse("codemode:staff_readiness"), {"school_class": self.school_class.pk}
        )
        self.assertEqual(filtered.context["readiness"].total, 2)

    def test_the_not_ready_list_comes_a_page_at_a_time_with_its_filters(self):
        from tests.factories import make_student

        extra = [make_student(self.school_class) for _ in range(110)]
        self.client.force_login(self.staff)
        url = reverse("codemode:staff_readiness")
        first = self.client.get(url, {"school_class": self.school_class.pk})
        rows = first.content.decode().split('id="not-ready"')[1].split("</table>")[0]
        self.assertEqual(rows.count("<tr>") - 1, 100)  # the header row aside
        self.assertEqual(first.context["readiness"].total, 112)
        pager = 'href="?campaign=%d&amp;school_class=%d&amp;page=2"' % (
            self.campaign.pk,
            self.school_class.pk,
        )
        self.assertContains(first, pager)
        second = self.client.get(url, {"school_class": self.school_class.pk, "page": 2})
        self.assertEqual(len(second.context["not_ready"].page.object_list), 11)
        found = self.client.get(url, {"q": extra[-1].student_id})
        self.assertEqual(
            [r.student for r in found.context["not_ready"].page.object_list], [extra[-1]]
        )

    def test_a_bad_filter_shows_everyone_with_a_message(self):
        self.client.force_login(self.staff)
        response = self.client.get(
            reverse("codemode:staff_readiness"), {"college": "x"}, follow=True
        )
        self.assertContains(response, "筛选条件有误")
        self.assertEqual(response.context["readiness"].total, 4)

    def test_the_not_ready_list_exports_to_xlsx_and_pdf(self):
        self.client.force_login(self.staff)
        url = reverse("sessions:export_download", args=[self.campaign.pk, "notready"])
        response = self.client.get(url, {"format": "xlsx"})
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        ids = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]
        self.assertIn(self.monitor.student_id, ids)
        self.assertIn(self.other_monitor.student_id, ids)
        self.assertNotIn(self.student.student_id, ids)
        pdf = self.client.get(url, {"format": "pdf"})
        text = "".join(pdf_pages(pdf.content))
        self.assertIn(self.monitor.student_id, text)

    def test_the_not_ready_export_is_refused_in_card_mode(self):
        self.campaign.mode = "card"
        self.campaign.save()
        self.client.force_login(self.staff)
        url = reverse("sessions:export_download", args=[self.campaign.pk, "notready"])
        response = self.client.get(url, {"format": "xlsx"}, follow=True)
        self.assertContains(response, "本次采集使用采集卡")


class NotReadyExportPermissionTests(CodePersonas):
    def test_only_staff_download_the_not_ready_list(self):
        url = reverse("sessions:export_download", args=[self.campaign.pk, "notready"])
        for persona, user in self.personas().items():
            if user is None or persona == "staff":
                continue
            with self.subTest(persona=persona):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url, {"format": "xlsx"}).status_code, 403)


class CampaignFormTests(TestCase):
    def test_staff_create_a_code_campaign_with_ten_working_days(self):
        from tests.factories import make_staff

        self.client.force_login(make_staff())
        response = self.client.post(
            reverse("sessions:campaign_create"),
            {
                "title": "2026届图像采集",
                "mode": "code",
                "payment_way": "student",
                "graduation_year": 2026,
                "fee": "15",
                "makeup_centre_name": "门店",
                "makeup_centre_address": "地址",
                "makeup_centre_phone": "0731-1",
                "chsi_check_working_days": 4,
                "issued_by": "教务处",
            },
        )
        self.assertEqual(response.status_code, 302)
        from sessions_app.models import Campaign

        campaign = Campaign.objects.get(title="2026届图像采集")
        self.assertEqual((campaign.mode, campaign.payment_way), ("code", "student"))
        self.assertEqual(campaign.chsi_check_working_days, 10)


class NoticeTests(CodePersonas):
    def test_the_code_notice_has_the_code_steps_and_nothing_of_the_card(self):
        self.client.force_login(self.staff)
        url = reverse("sessions:export_download", args=[self.campaign.pk, "notice"])
        text = "".join(pdf_pages(self.client.get(url, {"format": "pdf"}).content))
        compact = "".join(text.split())
        self.assertIn("获取图像采集码", compact)
        self.assertIn("拍摄号", compact)
        self.assertIn("按全班实际拍摄人数", compact)
        for card_text in ("区位码", "采集卡", "2B铅笔", "填涂"):
            self.assertNotIn(card_text, compact)


class CardNoticeTests(Personas):
    def test_the_card_notice_has_nothing_of_the_code(self):
        self.client.force_login(self.staff)
        url = reverse("sessions:export_download", args=[self.campaign.pk, "notice"])
        compact = "".join(
            "".join(pdf_pages(self.client.get(url, {"format": "pdf"}).content)).split()
        )
        self.assertIn("区位码", compact)
        self.assertNotIn("采集码", compact)


class CodeExportsTests(CodePersonas):
    def rows(self, kind):
        self.client.force_login(self.staff)
        url = reverse("sessions:export_download", args=[self.campaign.pk, kind])
        response = self.client.get(url, {"format": "xlsx"})
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return [
            [str(v) for v in row if v is not None]
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]

    def test_the_roster_shows_the_code_state_not_the_card(self):

        capture_code_keep(student=self.student, digest=digest_of(b"A"))
        rows = self.rows("roster")
        header = next(r for r in rows if "学号" in r)
        self.assertIn("采集码", header)
        self.assertNotIn("采集卡核对", header)
        mine = next(r for r in rows if self.student.student_id in r)
        self.assertIn("已上传可识别的采集码", mine)

    def test_the_signin_sheet_has_a_box_for_the_studios_number(self):
        cells = [c for r in self.rows("signin") for c in r]
        self.assertIn("拍摄号", cells)
        self.assertNotIn("拍摄序号", cells)


class CardPagesInCodeModeTests(CodePersonas):
    def test_a_code_student_and_monitor_are_sent_to_the_code_pages(self):
        self.client.force_login(self.student_user)
        self.assertRedirects(self.client.get(reverse("cards:check")), reverse("codemode:my_code"))
        self.client.force_login(self.monitor_user)
        self.assertRedirects(
            self.client.get(reverse("cards:class_cards")), reverse("codemode:class_codes")
        )


class UploadLimitTests(CodePersonas):
    def test_a_declared_body_over_the_limit_is_refused_unread(self):
        self.client.force_login(self.student_user)
        response = self.client.generic(
            "POST",
            reverse("codemode:my_code"),
            b"x",
            content_type="multipart/form-data; boundary=xx",
            CONTENT_LENGTH=str(500 * 1024 * 1024),
        )
        self.assertRedirects(response, reverse("codemode:my_code"), fetch_redirect_response=False)
        page = self.client.get(reverse("codemode:my_code"))
        self.assertContains(page, "图片太大")
        self.assertFalse(CaptureCode.objects.exists())

    def test_the_desk_scan_refuses_it_too_and_goes_back_to_the_desk(self):
        self.client.force_login(self.crew)
        response = self.client.generic(
            "POST",
            reverse("shootday:desk_scan"),
            b"x",
            content_type="multipart/form-data; boundary=xx",
            CONTENT_LENGTH=str(500 * 1024 * 1024),
        )
        self.assertRedirects(response, reverse("shootday:desk"), fetch_redirect_response=False)

    def test_the_csrf_check_still_applies(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.student_user)
        response = client.post(
            reverse("codemode:my_code"), {"image": SimpleUploadedFile("c.png", images.qr_png())}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(CaptureCode.objects.exists())
        client.force_login(self.crew)
        self.assertEqual(
            client.post(reverse("shootday:desk_scan"), {"code": images.CODE}).status_code, 403
        )


class StaffPagesTests(CodePersonas):
    def test_the_board_and_the_exports_page_speak_of_the_code(self):
        self.client.force_login(self.staff)
        board = self.client.get(reverse("sessions:staff_board"), {"campaign": self.campaign.pk})
        self.assertContains(board, 'id="code-mode-note"')
        self.assertNotContains(board, "填涂")
        exports = self.client.get(reverse("sessions:exports", args=[self.campaign.pk]))
        self.assertContains(exports, "未准备采集码名单")
        # Staff's menu keeps the card tools of card campaigns; the page itself has none.
        main = exports.content.decode().split("<main", 1)[1]
        self.assertNotIn("采集卡", main)
        self.assertNotIn("填卡", main)


class PaymentWayPagesTests(CodePersonas):
    def test_students_paying_the_studio_see_no_class_payments(self):
        self.campaign.payment_way = "student"
        self.campaign.save()
        self.client.force_login(self.monitor_user)
        page = self.client.get(reverse("sessions:monitor_home"))
        self.assertNotContains(page, "收费登记")
        self.assertNotContains(page, 'id="paid-count"')
        self.client.force_login(self.student_user)
        home = self.client.get(reverse("sessions:student_home"))
        self.assertNotContains(home, reverse("payments:mine"))
        self.assertContains(home, "在拍摄方的小程序里自行缴纳")


class ReadinessQueryTests(CodePersonas):
    def test_the_staff_list_does_not_grow_queries_with_the_students(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tests.factories import make_student

        self.client.force_login(self.staff)
        url = reverse("codemode:staff_readiness")
        self.client.get(url)
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for _ in range(5):
            make_student(self.school_class)
        with self.assertNumQueries(len(before.captured_queries)):
            response = self.client.get(url)
        self.assertEqual(response.context["readiness"].total, 9)
