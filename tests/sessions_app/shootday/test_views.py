"""Shoot-day pages: who may open them, what they show, and bad input answered with a
message that changes nothing."""

from django.template.loader import render_to_string
from django.test import RequestFactory, TestCase
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import CardCorrection, ChsiCheck, Shot, ShotAbsence
from sessions_app.shootday import services as shootday
from sessions_app.shootday.selectors import class_queue_status, student_shoot_panel
from tests.cards_app.factories import make_card_check
from tests.factories import make_staff, make_student_user
from tests.personas import Personas
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day

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

    def test_the_desk_shows_the_full_id_number_to_staff_only(self):
        url = "%s?student=%d" % (reverse("shootday:desk"), self.student.pk)
        self.client.force_login(self.crew)
        response = self.client.get(url)
        self.assertContains(response, self.student.id_number_masked)
        self.assertNotContains(response, self.student.id_number)
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(url), self.student.id_number)


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
