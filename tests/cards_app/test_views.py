"""The card pages: owner, monitor, staff and outsider; bad input never a 500."""

import base64
import io
import re
from urllib.parse import quote

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from cards_app.models import CardCheck
from tests.cards_app.factories import card_data, make_card_check
from tests.factories import (
    make_campaign,
    make_class,
    make_monitor,
    make_staff,
    make_student,
    make_student_user,
)
from tests.personas import Personas

CHECK = reverse("cards:check")


class CheckPageTests(TestCase):
    def setUp(self):
        self.school_class = make_class(make_campaign())
        self.student = make_student(self.school_class, name="王堃")
        self.user = make_student_user(self.student)

    def test_anyone_can_check_without_saving(self):
        response = self.client.post(CHECK, {**card_data(self.student), "action": "check"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "没有发现错误")
        self.assertContains(response, "0000")
        self.assertContains(response, "旁写 kun")
        self.assertContains(response, 'src="data:image/png;base64,')
        self.assertNotContains(response, "保存核对结果")
        self.assertFalse(CardCheck.objects.exists())

    def test_the_inline_guide_is_a_png(self):
        response = self.client.post(CHECK, {**card_data(self.student), "action": "check"})
        encoded = re.search(r'data:image/png;base64,([A-Za-z0-9+/=]+)"', response.content.decode())
        self.assertEqual(base64.b64decode(encoded.group(1))[:8], b"\x89PNG\r\n\x1a\n")

    def test_a_student_sees_the_form_prefilled_from_the_roster(self):
        self.client.force_login(self.user)
        response = self.client.get(CHECK)
        self.assertContains(response, 'value="%s"' % self.student.id_number)
        self.assertContains(response, "未核对")
        self.assertContains(response, "保存核对结果")

    def test_a_student_saves_and_sees_the_state_with_a_time(self):
        self.client.force_login(self.user)
        response = self.client.post(
            CHECK, {**card_data(self.student), "action": "save"}, follow=True
        )
        self.assertContains(response, "已保存核对结果")
        self.assertContains(response, "核对无误")
        self.assertContains(response, "上次保存")
        check = CardCheck.objects.get()
        self.assertEqual((check.student, check.created_by), (self.student, self.user))

    def test_a_disagreement_with_the_roster_names_the_field_never_the_value(self):
        self.client.force_login(self.user)
        other = "11010519491231002X"
        response = self.client.post(
            CHECK, {**card_data(self.student, id_number=other), "action": "check"}
        )
        self.assertContains(response, "你填写的<strong>身份证号</strong>与教务处名册不一致")
        self.assertNotContains(response, self.student.id_number)
        response = self.client.post(
            CHECK, {**card_data(self.student, id_number=other), "action": "save"}, follow=True
        )
        self.assertContains(response, "已转教务处核实")
        self.assertContains(response, "有问题：身份证号")
        self.assertNotContains(response, self.student.id_number)

    def test_bad_input_gets_chinese_messages_not_a_500(self):
        for data in (
            {"name": "x" * 500, "action": "check"},
            {"name": "张\x00三", "id_number": "١٢", "education_type": "bogus", "action": "check"},
            {"action": "save"},
        ):
            with self.subTest(data=str(data)[:30]):
                self.client.force_login(self.user)
                response = self.client.post(CHECK, data, follow=True)
                self.assertEqual(response.status_code, 200)
        response = self.client.post(CHECK, {"name": "张3", "action": "check"})
        self.assertContains(response, "姓名只能是汉字")
        response = self.client.post(CHECK, {"action": "save"}, follow=True)
        self.assertContains(response, "请先填写")


class UnknownReadingPageTests(TestCase):
    """A name with 𠮷 (U+20BB7), whose reading pypinyin does not know."""

    def setUp(self):
        self.student = make_student(make_class(make_campaign()), name="王𠮷")
        self.user = make_student_user(self.student)

    def test_the_page_asks_for_the_pinyin_and_shows_no_blank_reading(self):
        response = self.client.post(CHECK, {**card_data(self.student), "action": "check"})
        self.assertContains(response, "有 1 处错误")
        self.assertContains(response, 'data-code="pinyin_unknown"')
        self.assertContains(response, "“𠮷”的读音无法自动识别，请在“0000 旁的拼音”里填写它的拼音。")
        self.assertNotContains(response, 'class="pinyin"')
        self.assertContains(response, "0000 旁的拼音")  # the form field it points to

    def test_the_supplied_pinyin_is_shown_beside_the_0000(self):
        data = {**card_data(self.student), "name_pinyin": "ji", "action": "check"}
        response = self.client.post(CHECK, data)
        self.assertContains(response, "没有发现错误")
        self.assertContains(response, "旁写 ji")

    def test_a_saved_check_without_the_reading_is_a_problem_of_the_name(self):
        self.client.force_login(self.user)
        response = self.client.post(
            CHECK, {**card_data(self.student), "action": "save"}, follow=True
        )
        self.assertContains(response, "有问题：姓名")
        check = CardCheck.objects.get()
        self.assertEqual(check.name, "王𠮷")
        self.assertEqual([e["code"] for e in check.errors], ["pinyin_unknown"])
        self.assertEqual(check.name_codes, [])
        make_card_check(self.student, name_pinyin="ji")
        check = CardCheck.objects.get(is_current=True)
        self.assertIs(check.ok, True)
        self.assertEqual(check.name_pinyin, "ji")
        self.assertEqual(check.name_codes[1], {"char": "𠮷", "code": "0000", "pinyin": "ji"})


class GuideDownloadTests(TestCase):
    def setUp(self):
        self.student = make_student(make_class(make_campaign()), name="王頔")
        self.user = make_student_user(self.student)

    def test_anyone_gets_a_png_or_pdf_of_posted_data(self):
        response = self.client.post(reverse("cards:guide_png"), card_data(self.student))
        self.assertEqual((response.status_code, response["Content-Type"]), (200, "image/png"))
        response = self.client.post(reverse("cards:guide_pdf"), card_data(self.student))
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        self.assertIn("姓名：王頔", text)

    def test_a_get_of_the_posted_guide_is_refused(self):
        self.assertEqual(self.client.get(reverse("cards:guide_png")).status_code, 405)

    def test_overlong_input_is_a_400_in_chinese(self):
        response = self.client.post(reverse("cards:guide_png"), {"name": "王" * 200})
        self.assertEqual(response.status_code, 400)
        self.assertIn("过长", response.content.decode())

    def test_my_guide_is_the_rosters_until_a_check_is_saved(self):
        url = reverse("cards:my_guide_pdf")
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(make_staff())
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.user)

        page = self.client.get(reverse("cards:check"))
        self.assertContains(page, "没有发现错误，可以照下图涂卡。")
        self.assertContains(page, 'src="%s?v=roster"' % reverse("cards:my_guide_png"))
        self.assertNotContains(page, 'd-none" alt="采集卡填涂示意图')
        self.assertEqual(self.client.get(reverse("cards:my_guide_png")).content[:4], b"\x89PNG")
        roster = PdfReader(io.BytesIO(self.client.get(url).content)).pages[0].extract_text()
        self.assertIn("身份证号：%s" % self.student.id_number, roster)

        check = make_card_check(self.student)
        page = self.client.get(reverse("cards:check"))
        self.assertContains(page, 'src="%s?v=%d"' % (reverse("cards:my_guide_png"), check.pk))
        self.assertIn(
            "身份证号：%s" % self.student.id_number,
            PdfReader(io.BytesIO(self.client.get(url).content)).pages[0].extract_text(),
        )


class ClassCardsTests(TestCase):
    def setUp(self):
        self.school_class = make_class(make_campaign())
        self.monitor, self.monitor_user = make_monitor(self.school_class)
        self.ok = make_student(self.school_class, name="李四")
        self.bad = make_student(self.school_class, name="王五")
        make_card_check(self.ok)
        make_card_check(self.bad, id_number="110105194912310021")

    def test_the_monitor_sees_each_classmates_state_without_id_numbers(self):
        self.client.force_login(self.monitor_user)
        response = self.client.get(reverse("cards:class_cards"))
        self.assertContains(
            response, '<tr data-student="%s" data-status="ok">' % self.ok.student_id
        )
        self.assertContains(response, "有问题：身份证号")
        self.assertContains(
            response, '<tr data-student="%s" data-status="unchecked">' % self.monitor.student_id
        )
        self.assertNotContains(response, self.bad.id_number)

    def test_the_page_costs_the_same_queries_for_a_bigger_class(self):
        self.client.force_login(self.monitor_user)
        self.client.get(reverse("cards:class_cards"))
        with self.assertNumQueries(9) as before:
            self.client.get(reverse("cards:class_cards"))
        for _ in range(10):
            make_card_check(make_student(self.school_class))
        with self.assertNumQueries(len(before.captured_queries)):
            self.client.get(reverse("cards:class_cards"))


class StaffPagesTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        self.school_class = make_class(self.campaign, name="会计1171")
        self.bad = make_student(self.school_class, name="李四", id_number="110105194912310021")
        self.rare = make_student(self.school_class, name="王堃", student_id="0017000001")
        self.staff = make_staff()

    def test_the_bulk_page_shows_counts_the_list_and_the_names(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("cards:staff_bulk"))
        self.assertContains(response, "身份证号校验位错")
        self.assertContains(response, self.bad.student_id)
        self.assertContains(response, "填 0000 并写拼音：堃 kun")
        response = self.client.get(reverse("cards:staff_bulk"), {"problem": "name:invalid_chars"})
        self.assertContains(response, "没有符合条件的问题")

    def test_bad_filter_values_are_harmless(self):
        self.client.force_login(self.staff)
        for params in ({"campaign": "abc"}, {"campaign": "999"}, {"page": "x", "problem": "<b>"}):
            with self.subTest(params=params):
                status = self.client.get(reverse("cards:staff_bulk"), params).status_code
                self.assertIn(status, (200, 404))
        self.assertEqual(
            self.client.get(reverse("cards:staff_bulk_export", args=["x.xlsx"])).status_code, 404
        )

    def test_the_excel_report_keeps_ids_as_text_and_has_a_problem_column(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("cards:staff_bulk_export", args=["problems.xlsx"]))
        book = load_workbook(io.BytesIO(response.content))
        sheet = book["问题清单"]
        rows = list(sheet.iter_rows(values_only=False))
        header = [c.value for c in rows[2]]
        self.assertEqual(header, ["班级", "学号", "姓名", "身份证号", "问题项", "问题"])
        first = rows[3]
        self.assertEqual(first[1].value, self.bad.student_id)
        self.assertEqual(first[1].number_format, "@")
        self.assertEqual(first[3].value, "110105194912310021")
        self.assertEqual(first[3].data_type, "s")
        self.assertIn("校验位", first[5].value)
        names = list(book["姓名需0000或手写"].iter_rows(values_only=True))
        header_at = [row[1] for row in names].index("学号")
        values = names[header_at + 1]
        self.assertEqual(values[1], "0017000001")
        self.assertIn("堃 kun", values[5])

    def test_the_name_list_downloads_as_excel_and_pdf(self):
        self.client.force_login(self.staff)
        response = self.client.get(reverse("cards:staff_bulk_export", args=["names.pdf"]))
        text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        self.assertIn("王堃", text)
        response = self.client.get(reverse("cards:staff_bulk_export", args=["names.xlsx"]))
        self.assertEqual(response.status_code, 200)

    def test_staff_see_and_resolve_an_open_discrepancy(self):
        student = make_student(self.school_class, name="张三")
        check = make_card_check(student, name="張三")
        self.client.force_login(self.staff)
        response = self.client.get(reverse("cards:staff_discrepancies"))
        self.assertContains(response, 'data-check="%d"' % check.pk)
        url = reverse("cards:staff_discrepancy_resolve", args=[check.pk])
        response = self.client.post(url, {"note": ""}, follow=True)
        self.assertContains(response, "请写明处理结果")
        response = self.client.post(url, {"note": "身份证为繁体，名册已更正"}, follow=True)
        self.assertContains(response, "已处理")
        self.assertContains(response, "没有待处理的不一致")
        check.refresh_from_db()
        self.assertEqual(check.resolved_by, self.staff)

    def test_each_open_discrepancy_links_to_the_roster_correction_and_back(self):
        student = make_student(self.school_class, name="张三")
        make_card_check(student, name="張三")
        self.client.force_login(self.staff)
        response = self.client.get(
            "%s?campaign=%d" % (reverse("cards:staff_discrepancies"), self.campaign.pk)
        )
        back = "%s?campaign=%d&page=1" % (reverse("cards:staff_discrepancies"), self.campaign.pk)
        link = "%s?next=%s" % (
            reverse("sessions:student_correct", args=[student.pk]),
            quote(back, safe="/"),
        )
        self.assertContains(response, 'href="%s">更正名册</a>' % link.replace("&", "&amp;"))
        self.assertContains(response, "点“更正名册”更正")

    def test_a_student_cannot_resolve(self):
        student = make_student(self.school_class)
        check = make_card_check(student, name="張三")
        self.client.force_login(make_student_user(student))
        response = self.client.post(
            reverse("cards:staff_discrepancy_resolve", args=[check.pk]), {"note": "x"}
        )
        self.assertEqual(response.status_code, 403)


class PermissionTests(Personas):
    def test_an_anonymous_visitor_checks_but_cannot_save(self):
        response = self.client.post(
            CHECK, {**card_data(self.student), "action": "save"}, follow=True
        )
        self.assertContains(response, "只有登录的学生可以保存")
        self.assertFalse(CardCheck.objects.exists())

    def test_crew_and_staff_without_a_roster_entry_cannot_save_either(self):
        for user in (self.crew, self.staff, self.outsider):
            self.client.force_login(user)
            data = {**card_data(self.student), "action": "save"}
            response = self.client.post(CHECK, data, follow=True)
            self.assertContains(response, "只有登录的学生可以保存")
        self.assertFalse(CardCheck.objects.exists())

    def test_only_the_monitor_sees_the_class_cards(self):
        url = reverse("cards:class_cards")
        self.assertEqual(self.client.get(url).status_code, 302)
        for user in (self.student_user, self.outsider, self.crew):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.other_monitor_user)
        response = self.client.get(url)
        self.assertContains(response, self.other_class.name)
        self.assertNotContains(response, self.student.name)

    def test_only_staff_reach_the_staff_pages(self):
        urls = [
            reverse("cards:staff_bulk"),
            reverse("cards:staff_discrepancies"),
            reverse("cards:staff_bulk_export", args=["problems.xlsx"]),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.client.logout()
                self.assertEqual(self.client.get(url).status_code, 302)
                for user in (self.student_user, self.monitor_user, self.crew, self.outsider):
                    self.client.force_login(user)
                    self.assertEqual(self.client.get(url).status_code, 403)
                self.client.force_login(self.staff)
                self.assertEqual(self.client.get(url).status_code, 200)


class CollegeCodeTests(Personas):
    """The 院校代码 is the campaign's: staff enter it once, every card guide draws it."""

    def test_the_guide_draws_the_campaigns_code_and_the_notice_names_it(self):
        self.campaign.college_code = "10538"
        self.campaign.save()
        self.client.force_login(self.student_user)

        page = self.client.get(reverse("cards:check"))

        self.assertEqual(page.context["guide"].college_code, "10538")
        home = self.client.get(reverse("sessions:home"))
        self.assertContains(home, '“院校代码”填 <strong class="font-monospace">10538</strong>')

    def test_without_a_code_staff_are_asked_for_it_and_the_guide_leaves_it_blank(self):
        self.client.force_login(self.staff)
        self.assertContains(
            self.client.get(reverse("sessions:staff_board")), "还没有填写<strong>院校代码</strong>"
        )
        self.client.force_login(self.student_user)
        self.assertEqual(self.client.get(reverse("cards:check")).context["guide"].college_code, "")

    def test_a_code_that_is_not_five_digits_is_refused(self):
        self.client.force_login(self.staff)
        form = self.client.get(reverse("sessions:campaign_edit", args=[self.campaign.pk])).context[
            "form"
        ]
        data = {k: v for k, v in form.initial.items() if v is not None and k != "id"}
        for bad in ("1053", "1053８", "abcde", "105380"):
            data["college_code"] = bad
            response = self.client.post(
                reverse("sessions:campaign_edit", args=[self.campaign.pk]), data
            )
            self.assertContains(response, "院校代码", msg_prefix=bad)
            self.campaign.refresh_from_db()
            self.assertEqual(self.campaign.college_code, "", bad)
