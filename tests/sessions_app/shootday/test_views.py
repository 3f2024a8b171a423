"""Shoot-day pages: who may open them, what they show, and bad input answered with a
message that changes nothing."""

import io
from urllib.parse import quote

from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from openpyxl import load_workbook

from sessions_app.models import CardCorrection, ChsiCheck, College, Shot, ShotAbsence
from sessions_app.shootday import services as shootday
from sessions_app.shootday.selectors import (
    CHSI_PER_PAGE,
    NUMBERS_PER_PAGE,
    class_queue_status,
    student_shoot_panel,
)
from tests.cards_app.factories import make_card_check
from tests.factories import make_staff, make_student, make_student_user
from tests.personas import Personas
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day
from tests.sessions_app.support import pdf_pages

T = at("2018-11-11", "08:05")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


class ShootPageTestCase(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(3, 2), names=["会计1171", "会计1172"])
        self.students = self.day.roster(0)
        self.student = self.students[0]
        self.student.name = "欧阳娜娜"
        self.student.save()
        self.crew = self.day.crew
        self.staff = make_staff()
        self.student_user = make_student_user(self.student)


class PermissionTests(Personas):
    def crew_pages(self):
        return [
            reverse("shootday:desk"),
            reverse("shootday:numbers"),
            reverse("shootday:makeup"),
            reverse("shootday:class_close", args=[self.school_class.pk]),
        ]

    def test_anonymous_users_are_sent_to_login(self):
        for url in self.crew_pages() + [reverse("shootday:chsi")]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])

    def test_students_monitors_and_outsiders_get_403_on_crew_pages(self):
        for user in (self.student_user, self.monitor_user, self.other_monitor_user, self.outsider):
            self.client.force_login(user)
            for url in self.crew_pages():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)

    def test_crew_and_staff_open_the_crew_pages(self):
        for user in (self.crew, self.staff):
            self.client.force_login(user)
            for url in self.crew_pages():
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_crew_cannot_post_as_a_student_and_students_cannot_post_at_the_desk(self):
        self.client.force_login(self.student_user)
        response = self.client.post(reverse("shootday:assign"), {"student": self.student.pk})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Shot.objects.exists())

    def test_the_chsi_overview_is_for_staff_only(self):
        self.client.force_login(self.crew)
        self.assertEqual(self.client.get(reverse("shootday:chsi")).status_code, 403)
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(reverse("shootday:chsi")).status_code, 200)

    def test_the_chsi_handling_is_for_staff_only(self):
        make_photographed(self.student, by=self.crew, when=T)
        report = shootday.chsi_check_confirm(
            student=self.student, ok=False, problem="照片不是我", by=self.student_user
        )
        url = reverse("shootday:chsi_handle", args=[report.pk])
        for name, user in self.personas().items():
            if name == "staff":
                continue
            with self.subTest(persona=name):
                self.login_as(user)
                response = self.client.post(url, {"note": "已处理"})
                if user is None:
                    self.assertIn(reverse("login"), response["Location"])
                else:
                    self.assertEqual(response.status_code, 403)
        report.refresh_from_db()
        self.assertIsNone(report.handled_at)
        self.login_as(self.staff)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.client.post(url, {"note": "已提交勘误"})
        report.refresh_from_db()
        self.assertEqual(report.handled_by, self.staff)

    def test_the_chsi_list_and_its_exports_are_for_staff_only(self):
        for params in ({}, {"format": "xlsx"}, {"format": "pdf"}):
            for name, user in self.personas().items():
                with self.subTest(persona=name, params=params):
                    self.login_as(user)
                    response = self.client.get(reverse("shootday:chsi"), params)
                    if user is None:
                        self.assertIn(reverse("login"), response["Location"])
                    else:
                        self.assertEqual(response.status_code, 200 if name == "staff" else 403)
                    if name == "staff" and params:
                        self.assertTrue(response["Content-Disposition"].startswith("attachment"))


def page_text(response) -> str:
    """Return what a reader sees of the page: no tags, one space between words."""
    return " ".join(strip_tags(response.content.decode()).split())


class DeskIdNumberTests(Personas):
    """The crew verify the card's 身份证号 against the roster at the desk, and nowhere else."""

    def setUp(self):
        self.other_student.id_number = "430103200105121038"
        self.other_student.save()
        make_photographed(self.other_student, by=self.crew, when=T)
        shootday.shot_mark_absent(student=self.student, by=self.crew)
        self.client.force_login(self.crew)

    def desk(self, **params):
        return self.client.get(reverse("shootday:desk"), params)

    def test_the_crew_see_the_full_number_of_the_student_being_served(self):
        response = self.desk(student=self.student.pk)
        self.assertContains(
            response,
            '<span class="id-group">430103</span><span class="id-group">20010512</span>'
            '<span class="id-group">102X</span>',
        )
        self.assertIn("身份证号43010320010512102X X 涂在字母处", page_text(response))

    def test_no_x_note_for_a_number_ending_in_a_digit(self):
        response = self.desk(student=self.other_student.pk)
        self.assertIn("身份证号430103200105121038 学历类别", page_text(response))
        self.assertNotContains(response, "X 涂在字母处")
        self.assertNotContains(response, "涂在字母处")

    def test_the_crew_see_no_full_number_on_any_other_page(self):
        pages = [
            self.desk(),
            self.desk(q="17"),  # a list of several students
            self.client.get(reverse("shootday:numbers")),
            self.client.get(reverse("shootday:makeup")),
            self.client.get(reverse("shootday:class_close", args=[self.school_class.pk])),
            self.client.get(reverse("shootday:class_close", args=[self.other_class.pk])),
            # Another student open at the desk shows that student's number only.
            self.desk(student=self.other_student.pk),
        ]
        for response in pages:
            with self.subTest(
                url=response.request["PATH_INFO"], query=response.request["QUERY_STRING"]
            ):
                self.assertIn(response.status_code, (200, 302))
                self.assertNotIn(self.student.id_number, page_text(response))
                self.assertNotIn("20010512102X", page_text(response).replace(" ", ""))


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


class DeskTests(ShootPageTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.crew)

    def test_a_search_by_name_with_one_match_opens_the_student(self):
        response = self.client.get(reverse("shootday:desk"), {"q": "欧阳"})
        self.assertEqual(response.status_code, 302)
        response = self.client.get(response["Location"])
        self.assertContains(response, "3723")  # 欧
        self.assertContains(response, "3640")  # 娜

    def test_a_search_in_simplified_finds_a_traditional_roster_name(self):
        self.students[1].name = "張偉"
        self.students[1].save()
        response = self.client.get(reverse("shootday:desk"), {"q": "张伟"})
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.client.get(response["Location"]), "張偉")

    def test_a_search_by_student_id_prefix_lists_the_matches(self):
        prefix = self.students[1].student_id[:-1]
        response = self.client.get(reverse("shootday:desk"), {"q": prefix})
        self.assertContains(response, self.students[1].student_id)

    def test_a_search_without_a_match_says_so(self):
        response = self.client.get(reverse("shootday:desk"), {"q": "不存在"})
        self.assertContains(response, "没有找到“不存在”")

    def test_an_unknown_reading_is_flagged_until_a_pinyin_is_known(self):
        self.student.name = "王𠮷"
        self.student.save()
        url = reverse("shootday:desk")
        response = self.client.get(url, {"student": self.student.pk})
        self.assertContains(response, "读音待填")
        self.assertContains(response, "姓名中“𠮷”的读音无法自动识别")
        self.assertNotContains(response, "旁注")
        # The student's own saved check gives it…
        make_card_check(self.student, name_pinyin="ji")
        response = self.client.get(url, {"student": self.student.pk})
        self.assertContains(response, "旁注 ji")
        self.assertNotContains(response, "读音待填")
        # …and a reading logged at the desk wins over it.
        shootday.card_correction_record(
            student=self.student, field="name_pinyin", kind="fill", value="jie", by=self.crew
        )
        response = self.client.get(url, {"student": self.student.pk})
        self.assertContains(response, "旁注 jie")

    def test_assign_then_photograph_through_the_desk(self):
        response = self.client.post(
            reverse("shootday:assign"), {"student": self.student.pk}, follow=True
        )
        self.assertIn("拍摄序号 1：请 欧阳娜娜 在采集卡上填涂 1。", messages_of(response))
        shot = Shot.objects.get()
        self.assertEqual(shot.desk, "1号台")
        response = self.client.post(
            reverse("shootday:photographed"), {"shot": shot.pk}, follow=True
        )
        self.assertIn("序号 1 欧阳娜娜 已拍摄。请查找下一位。", messages_of(response))
        shot.refresh_from_db()
        self.assertEqual((shot.status, shot.photographed_by), (Shot.Status.PHOTOGRAPHED, self.crew))

    def test_the_desk_name_is_kept_for_the_session(self):
        self.client.post(reverse("shootday:desk_name"), {"desk": "2号台"})
        self.client.post(reverse("shootday:assign"), {"student": self.student.pk})
        self.assertEqual(Shot.objects.get().desk, "2号台")
        response = self.client.post(reverse("shootday:desk_name"), {"desk": ""}, follow=True)
        self.assertIn("请填写本工作台的名称（如“1号台”）。", messages_of(response))

    def test_bad_ids_are_answered_with_a_message_and_change_nothing(self):
        cases = [
            ("shootday:assign", {"student": "abc"}, "没有找到这名学生，未取号。"),
            ("shootday:assign", {"student": "99999"}, "没有找到这名学生，未取号。"),
            ("shootday:photographed", {"shot": ""}, "没有这个拍摄序号。"),
            ("shootday:void", {"shot": "1e3", "reason": "x"}, "没有这个拍摄序号。"),
            ("shootday:absent", {}, "没有找到这名学生。"),
            ("shootday:correction", {"student": "-1"}, "没有找到这名学生。"),
        ]
        for name, data, message in cases:
            with self.subTest(name=name, data=data):
                response = self.client.post(reverse(name), data, follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, messages_of(response))
        self.assertFalse(Shot.objects.exists())
        self.assertFalse(ShotAbsence.objects.exists())
        self.assertFalse(CardCorrection.objects.exists())

    def test_bad_query_parameters_never_fail(self):
        for params in (
            {"student": "x"},
            {"student": "123456789012345"},
            {"slot": "x"},
            {"slot": "999"},
        ):
            with self.subTest(params=params):
                self.assertEqual(self.client.get(reverse("shootday:desk"), params).status_code, 200)
        response = self.client.get(reverse("shootday:desk"), {"q": "x" * 60})
        self.assertIn("查询内容过长，请输入学号或姓名。", messages_of(response))

    def test_a_service_refusal_becomes_the_message(self):
        make_photographed(self.student, by=self.crew, when=T)
        response = self.client.post(
            reverse("shootday:assign"), {"student": self.student.pk}, follow=True
        )
        self.assertIn("如需重拍，请填写重拍原因", messages_of(response)[0])
        self.assertEqual(Shot.objects.count(), 1)

    def test_void_without_reason_is_refused(self):
        shot = shootday.shot_number_assign(student=self.student, desk="1号台", by=self.crew)
        response = self.client.post(
            reverse("shootday:void"), {"shot": shot.pk, "reason": ""}, follow=True
        )
        self.assertIn("作废序号须填写原因：请填写原因。", messages_of(response))
        shot.refresh_from_db()
        self.assertEqual(shot.status, Shot.Status.ASSIGNED)

    def test_a_correction_is_recorded_and_a_wrong_one_refused(self):
        url = reverse("shootday:correction")
        data = {"student": self.student.pk, "field": "id_number", "kind": "amend"}
        response = self.client.post(url, dict(data, value="123"), follow=True)
        self.assertIn("更正后仍不正确", messages_of(response)[0])
        self.assertFalse(CardCorrection.objects.exists())
        response = self.client.post(url, dict(data, value=self.student.id_number), follow=True)
        self.assertIn("已登记改填：身份证号。", messages_of(response))
        self.assertEqual(CardCorrection.objects.get().recorded_by, self.crew)
        response = self.client.post(url, dict(data, field="photo", value="1"), follow=True)
        self.assertIn("未登记更正：请选择更正的项目。", messages_of(response))

    def test_a_shot_number_correction_in_other_scripts_digits_is_refused_with_a_message(self):
        shootday.shot_number_assign(student=self.student, desk="1号台", by=self.crew)
        url = reverse("shootday:correction")
        data = {"student": self.student.pk, "field": "shot_number", "kind": "amend"}
        for value in ("𐩀", "²", "99999999999999999999"):
            response = self.client.post(url, dict(data, value=value), follow=True)
            self.assertEqual(response.status_code, 200)
            self.assertIn("拍摄序号应改为该生自己的序号", messages_of(response)[0])
        self.assertFalse(CardCorrection.objects.exists())

    def test_a_correction_that_settles_the_students_discrepancy_says_so(self):
        check = make_card_check(self.student, student_id="1799999999")
        self.assertEqual(check.mismatch_fields, ["student_id"])
        data = {"student": self.student.pk, "field": "student_id", "kind": "amend"}
        response = self.client.post(
            reverse("shootday:correction"), dict(data, value=self.student.student_id), follow=True
        )
        self.assertIn(
            "已登记改填：学号。该生自查时与名册不一致的记录已一并关闭。", messages_of(response)
        )
        check.refresh_from_db()
        self.assertEqual(check.resolved_by, self.crew)

    def test_get_is_not_allowed_on_actions(self):
        self.assertEqual(self.client.get(reverse("shootday:assign")).status_code, 405)

    def test_the_number_log_explains_a_skipped_number(self):
        shot = shootday.shot_number_assign(student=self.student, desk="1号台", by=self.crew)
        shootday.shot_void(shot=shot, by=self.crew, reason="学生离开")
        response = self.client.get(reverse("shootday:numbers"))
        self.assertContains(response, "作废（跳号）：学生离开")


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


class MakeupViewTests(ShootPageTestCase):
    def test_the_makeup_list_shows_the_centre_and_exports(self):
        self.client.force_login(self.crew)
        shootday.shot_mark_absent(student=self.students[1], by=self.crew)
        response = self.client.get(reverse("shootday:makeup"))
        self.assertContains(response, "长沙市迎宾路175号")
        self.assertContains(response, self.students[1].student_id)
        xlsx = self.client.get(reverse("shootday:makeup"), {"format": "xlsx"})
        self.assertEqual(xlsx.status_code, 200)
        self.assertTrue(xlsx.content.startswith(b"PK"))
        pdf = self.client.get(reverse("shootday:makeup"), {"format": "pdf"})
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        bad = self.client.get(reverse("shootday:makeup"), {"format": "doc"}, follow=True)
        self.assertIn("补拍名单只能导出为 XLSX 或 PDF。", messages_of(bad))


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


class PanelTemplateTests(ShootPageTestCase):
    def render(self, template, **context):
        request = RequestFactory().get("/")
        request.user = self.student_user
        return render_to_string(template, context, request=request)

    def test_the_student_panel_shows_the_deadline_and_the_graduation_year(self):
        make_photographed(self.student, by=self.crew, when=T)
        html = self.render(
            "sessions_app/shootday/_student_panel.html",
            shoot_panel=student_shoot_panel(student=self.student, now=T),
        )
        self.assertIn("2018年11月15日", html)
        self.assertIn("“毕业年份”必须是 2020", html)
        self.assertIn(reverse("shootday:chsi_confirm"), html)

    def panel_text(self, now) -> str:
        html = self.render(
            "sessions_app/shootday/_student_panel.html",
            shoot_panel=student_shoot_panel(student=self.student, now=now),
        )
        return " ".join(strip_tags(html).split())

    def test_before_the_deadline_the_panel_asks_to_check_by_that_day(self):
        make_photographed(self.student, by=self.crew, when=T)
        text = self.panel_text(at("2018-11-15", "18:00"))
        self.assertIn(
            "请在 2018年11月15日（拍摄后第 4 个工作日）前登录 学信网 chsi.com.cn "
            "核对本人照片和全部信息。",
            text,
        )
        self.assertNotIn("已过", text)

    def test_after_the_deadline_the_panel_says_it_has_passed(self):
        make_photographed(self.student, by=self.crew, when=T)
        text = self.panel_text(at("2018-11-16", "08:00"))
        self.assertIn(
            "核对期限 2018年11月15日 已过，请尽快登录 学信网 chsi.com.cn 核对本人照片和全部信息",
            text,
        )
        self.assertNotIn("请在", text)

    def test_after_the_deadline_an_answered_student_is_not_hurried(self):
        make_photographed(self.student, by=self.crew, when=T)
        shootday.chsi_check_confirm(
            student=self.student, ok=True, by=self.student_user, now=at("2018-11-14", "20:00")
        )
        text = self.panel_text(at("2018-11-20", "08:00"))
        self.assertIn("核对期限 2018年11月15日 已过。", text)
        self.assertNotIn("请尽快", text)

    def test_the_student_sees_a_report_stay_open_after_saying_ok(self):
        make_photographed(self.student, by=self.crew, when=T)
        report = shootday.chsi_check_confirm(
            student=self.student,
            ok=False,
            problem="照片不是我",
            by=self.student_user,
            now=at("2018-11-13", "20:00"),
        )
        shootday.chsi_check_confirm(
            student=self.student, ok=True, by=self.student_user, now=at("2018-11-14", "20:00")
        )
        text = self.panel_text(at("2018-11-14", "21:00"))
        self.assertIn("你的答复：已核对无误 11月14日 20:00", text)
        self.assertIn("11月13日 20:00 反映：照片不是我 — 教务处处理中", text)
        shootday.chsi_report_handle(
            report=report, note="已提交勘误", by=self.staff, now=at("2018-11-15", "09:00")
        )
        text = self.panel_text(at("2018-11-15", "10:00"))
        self.assertIn("11月13日 20:00 反映：照片不是我 — 教务处已于 11月15日 处理", text)

    def test_the_student_panel_sends_an_absent_student_to_the_centre(self):
        shootday.shot_mark_absent(student=self.student, by=self.crew)
        html = self.render(
            "sessions_app/shootday/_student_panel.html",
            shoot_panel=student_shoot_panel(student=self.student, now=T),
        )
        self.assertIn("长沙市迎宾路175号", html)
        self.assertIn("0731-82250811", html)
        self.assertIn("自行缴纳", html)

    def test_the_monitor_panel_says_the_class_is_next(self):
        make_photographed(self.students[0], by=self.crew, when=T)
        status = class_queue_status(school_class=self.day.classes[1], now=T)
        html = self.render("sessions_app/shootday/_monitor_panel.html", class_queue=status)
        self.assertIn("下一个就是本班", html)
        self.assertIn('data-state="next"', html)


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
            cache.clear()  # count the building of the page, not a copy from the cache
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

    def test_it_pages_two_hundred_numbers(self):
        counter = self.day.campaign.shot_counter
        counter.last_number = NUMBERS_PER_PAGE + 50  # a lost run of rows: every gap listed
        counter.save()
        response = self.client.get(self.url)
        self.assertEqual(len(response.context["log"].rows), NUMBERS_PER_PAGE)
        self.assertIn("共 250 条 · 第 1 / 2 页", page_text(response))
        last = self.client.get(self.url, {"page": "2"})
        self.assertContains(last, 'id="number-250"')
        self.assertNotContains(last, 'id="number-1"')
        self.assertIn("……另有 149 个序号有问题，请按序号查找。", page_text(last))

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
