"""The crew's desk: search, the student's card, numbers, photos, voids and corrections,
and bad input answered with a message that changes nothing."""

from django.urls import reverse

from sessions_app.models import CardCorrection, Shot, ShotAbsence
from sessions_app.shootday import services as shootday
from tests.cards_app.factories import make_card_check
from tests.personas import Personas
from tests.sessions_app.shootday.factories import make_photographed
from tests.sessions_app.shootday.views.pages import ShootPageTestCase, T, messages_of, page_text


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
