"""Pages of the schedule: who may see them, what they show, what bad input does."""

import datetime
import re
from urllib.parse import quote

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cards_app.models import CardCheck
from sessions_app.models import RosterCorrection, Student, TimeSlot
from tests.cards_app.factories import make_card_check
from tests.factories import (
    make_campaign,
    make_class,
    make_id_number,
    make_monitor,
    make_slot,
    make_staff,
    make_student,
    make_venue,
)
from tests.personas import Personas


class PermissionMatrixTests(Personas):
    def staff_urls(self):
        return [
            reverse("sessions:staff_board"),
            reverse("sessions:campaign_create"),
            reverse("sessions:campaign_edit", args=[self.campaign.pk]),
            reverse("sessions:venue_create"),
            reverse("sessions:venue_edit", args=[self.venue.pk]),
            reverse("sessions:slot_create", args=[self.campaign.pk]),
            reverse("sessions:slot_edit", args=[self.slot.pk]),
            reverse("sessions:schedule_edit", args=[self.campaign.pk]),
            reverse("sessions:schedule_history", args=[self.campaign.pk]),
            reverse("sessions:class_create", args=[self.campaign.pk]),
            reverse("sessions:class_detail", args=[self.school_class.pk]),
            reverse("sessions:class_edit", args=[self.school_class.pk]),
            reverse("sessions:student_correct", args=[self.student.pk]),
        ]

    def staff_post_urls(self):
        pk = self.school_class.pk
        return [
            reverse("sessions:slot_delete", args=[self.other_slot.pk]),
            reverse("sessions:class_up", args=[pk]),
            reverse("sessions:class_down", args=[pk]),
            reverse("sessions:class_move", args=[pk]),
            reverse("sessions:class_defer", args=[pk]),
            reverse("sessions:class_monitor", args=[pk]),
            reverse("sessions:class_passwords", args=[pk]),
            reverse("sessions:class_swap", args=[self.campaign.pk]),
            reverse("sessions:schedule_apply", args=[self.campaign.pk]),
        ]

    def test_anonymous_users_are_sent_to_login_from_every_protected_page(self):
        protected = self.staff_urls() + [
            reverse("sessions:student_home"),
            reverse("sessions:monitor_home"),
        ]
        for url in protected:
            response = self.client.get(url)
            self.assertRedirects(
                response, "%s?next=%s" % (reverse("login"), url), fetch_redirect_response=False
            )

    def test_students_monitors_and_crew_get_403_on_staff_pages(self):
        for user in (self.student_user, self.monitor_user, self.crew):
            self.client.force_login(user)
            for url in self.staff_urls():
                self.assertEqual(self.client.get(url).status_code, 403, (user, url))
            for url in self.staff_post_urls():
                self.assertEqual(self.client.post(url).status_code, 403, (user, url))
        # Nothing moved, nothing was deferred, no account was issued.
        self.school_class.refresh_from_db()
        self.assertEqual(
            (self.school_class.slot_id, self.school_class.status), (self.slot.pk, "scheduled")
        )
        self.assertTrue(TimeSlot.objects.filter(pk=self.other_slot.pk).exists())

    def test_staff_can_open_every_staff_page(self):
        self.client.force_login(self.staff)
        for url in self.staff_urls():
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_the_student_page_is_for_students_only(self):
        for user in (self.staff, self.crew):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("sessions:student_home")).status_code, 403)

    def test_the_monitor_page_refuses_a_plain_student(self):
        self.client.force_login(self.student_user)
        self.assertEqual(self.client.get(reverse("sessions:monitor_home")).status_code, 403)

    def test_a_monitor_sees_their_own_class_and_no_other(self):
        self.client.force_login(self.other_monitor_user)
        response = self.client.get(reverse("sessions:monitor_home"))
        self.assertContains(response, "造价1171")
        self.assertContains(response, self.other_student.student_id)
        self.assertNotContains(response, self.student.student_id)
        self.assertNotContains(response, "会计1171")


def lookup_result(response) -> str:
    """Return the HTML of the lookup's answer box."""
    match = re.search(r'<div[^>]*id="lookup-result".*?</div>', response.content.decode(), re.S)
    return match.group(0) if match else ""


class PublicPageTests(Personas):
    def test_the_home_page_shows_the_schedule_venues_and_rules(self):
        response = self.client.get(reverse("sessions:home"))
        self.assertContains(response, "2020届毕业生图像采集")
        self.assertContains(response, "10:30—12:00")
        self.assertContains(response, "会计1171")
        self.assertContains(response, "明理楼(南栋)109教室")
        self.assertContains(response, "2B 铅笔")
        self.assertContains(response, "0731-82250811")
        self.assertNotContains(response, self.student.name)

    def test_an_unpublished_campaign_is_not_shown(self):
        type(self.campaign).objects.update(published=False)
        response = self.client.get(reverse("sessions:home"))
        self.assertContains(response, "尚未发布")
        self.assertNotContains(response, "会计1171")

    def test_the_lookup_shows_slot_venue_and_position_only(self):
        response = self.client.post(
            reverse("sessions:lookup"), {"student_id": "1703010101", "name": "王堃"}
        )
        self.assertContains(response, "10:30—12:00")
        self.assertContains(response, "明理楼(南栋)109教室")
        self.assertContains(response, "本时段第 <strong>1</strong> 个班")
        self.assertNotContains(response, "43010320010512102X")
        self.assertNotContains(response, "102X")

    def test_a_wrong_name_and_an_unknown_id_get_the_same_answer(self):
        wrong_name = self.client.post(
            reverse("sessions:lookup"), {"student_id": "1703010101", "name": "王五"}
        )
        unknown_id = self.client.post(
            reverse("sessions:lookup"), {"student_id": "1799999999", "name": "王堃"}
        )
        self.assertContains(wrong_name, "没有找到与此学号和姓名相符的记录")
        self.assertEqual(lookup_result(wrong_name), lookup_result(unknown_id))

    def test_the_lookup_takes_the_name_in_either_script_and_with_any_separator(self):
        make_student(self.school_class, student_id="1703010102", name="張偉")
        make_student(self.school_class, student_id="1703010103", name="买买提·艾力")
        for student_id, typed in (
            ("1703010102", "张伟"),
            ("1703010103", "买买提•艾力"),
            ("1703010103", "买买提艾力"),
        ):
            with self.subTest(typed=typed):
                response = self.client.post(
                    reverse("sessions:lookup"), {"student_id": student_id, "name": typed}
                )
                self.assertContains(response, "10:30—12:00")
                self.assertNotContains(response, "没有找到与此学号和姓名相符的记录")

    def test_an_empty_lookup_asks_for_both_fields(self):
        response = self.client.post(reverse("sessions:lookup"), {"student_id": "  ", "name": ""})
        self.assertContains(response, "这个字段是必填项")
        self.assertNotContains(response, "lookup-result")

    def test_a_phone_set_to_english_still_gets_every_text_in_chinese(self):
        english = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
        home = self.client.get(reverse("sessions:home"), **english)
        self.assertContains(home, "（星期日）")
        self.assertNotContains(home, "Sunday")
        empty = self.client.post(
            reverse("sessions:lookup"), {"student_id": "", "name": ""}, **english
        )
        self.assertContains(empty, "这个字段是必填项")
        self.assertNotContains(empty, "This field is required")


class DayOverTests(Personas):
    """The personas' campaign is the notice's 2018 day, long over."""

    def test_home_says_the_capture_is_over_and_where_to_go_instead(self):
        response = self.client.get(reverse("sessions:home"))
        self.assertContains(response, "本次图像采集已于 2018年11月11日 结束。")
        self.assertContains(response, self.campaign.makeup_centre_phone)

    def test_a_lookup_says_the_slot_has_ended(self):
        response = self.client.post(
            reverse("sessions:lookup"),
            {"student_id": self.student.student_id, "name": self.student.name},
        )
        self.assertContains(response, "这个时段已于 11月11日 12:00 结束。如果你没有拍摄，请联系")

    def test_before_the_day_nothing_is_said_to_be_over(self):
        TimeSlot.objects.filter(campaign=self.campaign).update(
            date=timezone.localdate() + datetime.timedelta(days=3)
        )
        self.assertNotContains(self.client.get(reverse("sessions:home")), "day-over")
        response = self.client.post(
            reverse("sessions:lookup"),
            {"student_id": self.student.student_id, "name": self.student.name},
        )
        self.assertNotContains(response, "place-over")


class StudentPageTests(Personas):
    def test_a_student_sees_slot_queue_and_own_full_id(self):
        self.client.force_login(self.student_user)
        response = self.client.get(reverse("sessions:student_home"))
        self.assertContains(response, "10:30—12:00")
        self.assertContains(response, "本时段第 <strong>1</strong> 个班")
        self.assertContains(response, "43010320010512102X")
        self.assertContains(response, "← 我的班")

    def test_a_monitor_sees_who_paid_and_whose_card_is_checked(self):
        from payments_app.services import payment_record

        # Before the day: once the slot is over, a payer nobody photographed is 待退款.
        self.slot.date = timezone.localdate() + datetime.timedelta(days=7)
        self.slot.save()
        payment_record(student=self.student, by=self.monitor_user)
        self.client.force_login(self.monitor_user)
        response = self.client.get(reverse("sessions:monitor_home"))
        rows = {
            r.student.student_id: (r.card.label, r.payment.label)
            for r, _code in response.context["rows"]
        }
        self.assertEqual(rows[self.student.student_id], ("未核对", "已缴"))
        self.assertEqual(rows[self.monitor.student_id], ("未核对", "未缴"))
        self.assertContains(response, '<div class="big-number" id="paid-count">1</div>', html=True)

    def test_a_monitor_sees_classmates_ids_masked(self):
        self.client.force_login(self.monitor_user)
        response = self.client.get(reverse("sessions:monitor_home"))
        self.assertContains(response, "4301**********102X")
        self.assertNotContains(response, "43010320010512102X")
        self.assertContains(response, self.monitor.id_number)


class StaffScheduleFormTests(Personas):
    def setUp(self):
        self.client.force_login(self.staff)

    def test_a_class_named_twice_is_a_form_error_and_nothing_is_saved(self):
        response = self.client.post(
            reverse("sessions:schedule_edit", args=[self.campaign.pk]),
            {
                "slot_%d" % self.slot.pk: "造价1171",
                "slot_%d" % self.other_slot.pk: "造价1171、会计1171",
            },
        )
        self.assertContains(response, "班级 造价1171 被安排了两次")
        self.school_class.refresh_from_db()
        self.other_class.refresh_from_db()
        self.assertEqual(self.school_class.slot_id, self.slot.pk)
        self.assertEqual(self.other_class.slot_id, self.other_slot.pk)

    def test_an_unknown_class_name_is_reported(self):
        response = self.client.post(
            reverse("sessions:schedule_edit", args=[self.campaign.pk]),
            {"slot_%d" % self.slot.pk: "会计1171、不存在1171"},
        )
        self.assertContains(response, "没有名为“不存在1171”的班级")

    def test_an_overlapping_slot_is_a_form_error_and_nothing_is_saved(self):
        response = self.client.post(
            reverse("sessions:slot_create", args=[self.campaign.pk]),
            {"date": "2018-11-11", "start": "11:00", "end": "13:45", "venue": self.venue.pk},
        )
        self.assertContains(response, "重叠")
        self.assertEqual(TimeSlot.objects.filter(campaign=self.campaign).count(), 2)

    def test_a_slot_ending_before_it_starts_is_a_form_error(self):
        response = self.client.post(
            reverse("sessions:slot_create", args=[self.campaign.pk]),
            {"date": "2018-11-11", "start": "18:00", "end": "17:00", "venue": self.venue.pk},
        )
        self.assertContains(response, "结束时间必须晚于开始时间")
        self.assertEqual(TimeSlot.objects.filter(campaign=self.campaign).count(), 2)

    def test_garbage_in_a_slot_form_is_reported_not_a_500(self):
        response = self.client.post(
            reverse("sessions:slot_create", args=[self.campaign.pk]),
            {"date": "11/31/2018", "start": "25:00", "end": "x", "venue": "999"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "invalid-feedback", count=4)

    def test_a_new_slot_is_saved(self):
        response = self.client.post(
            reverse("sessions:slot_create", args=[self.campaign.pk]),
            {"date": "2018-11-11", "start": "15:30", "end": "16:30", "venue": self.venue.pk},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(TimeSlot.objects.filter(campaign=self.campaign).count(), 3)

    def test_a_campaign_with_a_negative_fee_is_refused(self):
        response = self.client.post(
            reverse("sessions:campaign_edit", args=[self.campaign.pk]),
            {
                "title": "x",
                "graduation_year": 2020,
                "fee": "-1",
                "makeup_centre_name": "a",
                "makeup_centre_address": "b",
                "makeup_centre_phone": "c",
                "chsi_check_working_days": 4,
                "issued_by": "教务处",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.campaign.refresh_from_db()
        self.assertEqual(str(self.campaign.fee), "20.00")

    def test_swapping_a_class_with_itself_is_refused(self):
        response = self.client.post(
            reverse("sessions:class_swap", args=[self.campaign.pk]),
            {"first": self.school_class.pk, "second": self.school_class.pk},
            follow=True,
        )
        self.assertContains(response, "请选择两个不同的班级")

    def test_moving_to_a_slot_of_another_campaign_is_refused(self):
        foreign = make_slot(make_campaign(), self.venue, "06:00", "07:00")
        response = self.client.post(
            reverse("sessions:class_move", args=[self.school_class.pk]),
            {"slot": foreign.pk},
            follow=True,
        )
        self.assertContains(response, "移动失败")
        self.school_class.refresh_from_db()
        self.assertEqual(self.school_class.slot_id, self.slot.pk)

    def test_the_board_warns_when_a_slot_is_over_capacity(self):
        TimeSlot.objects.filter(pk=self.slot.pk).update()
        self.venue.shots_per_hour = 1
        self.venue.save()
        response = self.client.get(reverse("sessions:staff_board"))
        self.assertContains(response, "超出容量")

    def test_printing_password_slips_shows_each_password_once_and_uncached(self):
        response = self.client.post(
            reverse("sessions:class_passwords", args=[self.school_class.pk])
        )
        self.assertEqual(response["Cache-Control"], "no-store")
        codes = re.findall(r"<code>([^<]+)</code>", response.content.decode())
        pairs = dict(zip(codes[::2], codes[1::2], strict=True))
        self.assertEqual(set(pairs), {self.student.student_id, self.monitor.student_id})
        for student_id, password in pairs.items():
            user = User.objects.get(username=student_id)
            self.assertIs(user.check_password(password), True)

    def test_a_non_numeric_campaign_parameter_is_a_404(self):
        response = self.client.get(reverse("sessions:staff_board") + "?campaign=abc")
        self.assertEqual(response.status_code, 404)


class QueryCountTests(TestCase):
    """List pages cost the same queries for 2 classes as for 20."""

    def build(self, n_classes, per_class):
        campaign = make_campaign()
        venue = make_venue()
        slots = [make_slot(campaign, venue, "%02d:00" % h, "%02d:00" % (h + 1)) for h in (8, 9)]
        classes = []
        for i in range(n_classes):
            school_class = make_class(campaign, slots[i % 2])
            for _ in range(per_class):
                make_student(school_class)
            classes.append(school_class)
        return campaign, classes

    def count(self, url, user=None):
        """Return the queries of a page computed afresh (no public copy shared yet)."""
        if user is not None:
            self.client.force_login(user)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_the_staff_board_and_home_page_do_not_grow_with_classes(self):
        staff = make_staff()
        self.build(2, 1)
        small = (
            self.count(reverse("sessions:staff_board"), staff),
            self.count(reverse("sessions:home")),
        )
        # A newer campaign becomes the one both pages show.
        self.build(20, 3)
        large = (self.count(reverse("sessions:staff_board")), self.count(reverse("sessions:home")))
        self.assertEqual(small, large)

    def test_the_monitor_page_does_not_grow_with_students(self):
        _, [small_class, large_class] = self.build(2, 0)
        make_student(small_class)
        for _ in range(40):
            make_student(large_class)
        _, small_user = make_monitor(small_class)
        _, large_user = make_monitor(large_class)
        small = self.count(reverse("sessions:monitor_home"), small_user)
        large = self.count(reverse("sessions:monitor_home"), large_user)
        self.assertEqual(small, large)
        with self.assertNumQueries(large):
            self.client.get(reverse("sessions:monitor_home"))


class StaffClassAndVenueFormTests(Personas):
    def setUp(self):
        self.client.force_login(self.staff)

    def test_a_duplicate_class_name_in_the_campaign_is_a_form_error(self):
        response = self.client.post(
            reverse("sessions:class_create", args=[self.campaign.pk]), {"name": " 会计 1171 "}
        )
        self.assertContains(response, "本次采集已有名为“会计1171”的班级")
        self.assertEqual(self.campaign.classes.filter(name="会计1171").count(), 1)

    def test_a_new_class_is_created_unassigned(self):
        response = self.client.post(
            reverse("sessions:class_create", args=[self.campaign.pk]),
            {"name": "会计1178", "major": "会计", "entry_year": 2017},
        )
        created = self.campaign.classes.get(name="会计1178")
        self.assertRedirects(response, reverse("sessions:class_detail", args=[created.pk]))
        self.assertIsNone(created.slot_id)

    def test_a_venue_needs_a_positive_rate_and_a_unique_name(self):
        response = self.client.post(
            reverse("sessions:venue_create"), {"name": "明理楼(南栋)109教室", "shots_per_hour": 0}
        )
        self.assertContains(response, "每小时拍摄人数应在 1 至 2000 之间")
        self.assertContains(response, "已存在")

    def test_setting_a_student_of_another_class_as_monitor_is_refused(self):
        response = self.client.post(
            reverse("sessions:class_monitor", args=[self.school_class.pk]),
            {"student": self.other_student.pk},
            follow=True,
        )
        self.assertContains(response, "不能任班长")
        self.school_class.refresh_from_db()
        self.assertEqual(self.school_class.monitor_id, self.monitor.pk)

    def test_a_garbage_monitor_id_is_a_message_not_a_500(self):
        response = self.client.post(
            reverse("sessions:class_monitor", args=[self.school_class.pk]),
            {"student": "abc"},
            follow=True,
        )
        self.assertContains(response, "没有这名学生")


class CategoryRuleEditTests(Personas):
    def setUp(self):
        from tests.factories import make_category_rule

        self.rule = make_category_rule(self.campaign, "alumni", slot=self.slot, label="往届生")
        self.url = reverse("sessions:category_rule_edit", args=[self.rule.pk])

    def test_staff_move_a_group_of_individuals_to_another_slot(self):
        self.client.force_login(self.staff)
        response = self.client.post(
            self.url,
            {
                "slot": self.other_slot.pk,
                "education_type": "adult_junior",
                "school_type": "regular",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.rule.refresh_from_db()
        self.assertEqual(
            (self.rule.slot_id, self.rule.education_type), (self.other_slot.pk, "adult_junior")
        )

    def test_a_group_taken_off_the_schedule_is_listed_as_unassigned(self):
        self.client.force_login(self.staff)
        self.client.post(
            self.url, {"slot": "", "education_type": "regular_junior", "school_type": "regular"}
        )
        response = self.client.get(reverse("sessions:staff_board"))
        self.assertContains(response, "未安排时段的个人类别")
        self.assertContains(response, "往届生")

    def test_a_slot_of_another_campaign_is_refused(self):
        foreign = make_slot(make_campaign(), self.venue, "06:00", "07:00")
        self.client.force_login(self.staff)
        response = self.client.post(
            self.url,
            {"slot": foreign.pk, "education_type": "regular_junior", "school_type": "regular"},
        )
        self.assertEqual(response.status_code, 200)
        self.rule.refresh_from_db()
        self.assertEqual(self.rule.slot_id, self.slot.pk)

    def test_only_staff_may_edit_a_group(self):
        for user in (self.student_user, self.monitor_user, self.crew):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 403)


class StudentCorrectPageTests(Personas):
    """The student of the personas is 王堃, 1703010101, with a login named by that 学号."""

    def setUp(self):
        self.url = reverse("sessions:student_correct", args=[self.student.pk])
        self.class_url = reverse("sessions:class_detail", args=[self.school_class.pk])

    def form_data(self, **changes) -> dict:
        return {
            "student_id": self.student.student_id,
            "name": self.student.name,
            "id_number": self.student.id_number,
            "gender": self.student.gender,
            "reason": "已核对身份证原件",
            **changes,
        }

    def entry(self) -> dict:
        return Student.objects.filter(pk=self.student.pk).values().get()

    def test_everyone_but_staff_is_refused_and_nothing_changes(self):
        before = self.entry()
        data = self.form_data(name="王昆")
        for name, user in self.personas().items():
            if name == "staff":
                continue
            with self.subTest(persona=name):
                self.login_as(user)
                get, post = self.client.get(self.url), self.client.post(self.url, data)
                if user is None:
                    login = "%s?next=%s" % (reverse("login"), self.url)
                    self.assertRedirects(get, login, fetch_redirect_response=False)
                    self.assertRedirects(post, login, fetch_redirect_response=False)
                else:
                    self.assertEqual((get.status_code, post.status_code), (403, 403))
                    self.assertNotContains(get, self.student.id_number, status_code=403)
        self.assertEqual(self.entry(), before)
        self.assertIs(RosterCorrection.objects.exists(), False)

    def test_staff_see_the_entry_with_the_full_id_number_in_a_prefilled_form(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.url)
        html = response.content.decode()
        entry = re.search(r'<table[^>]*id="roster-entry".*?</table>', html, re.S).group(0)
        for value in ("1703010101", "王堃", "43010320010512102X", "男", "普通专科", "会计1171"):
            self.assertIn(value, html)
        self.assertIn("43010320010512102X", entry)
        self.assertIn("1703010101", entry)  # the login's name
        self.assertContains(response, 'name="id_number" value="43010320010512102X"')
        self.assertContains(response, 'name="student_id" value="1703010101"')
        self.assertContains(response, 'name="name" value="王堃"')
        self.assertRegex(html, r'<option value="M"[^>]*selected')
        self.assertRegex(html, r'<input[^>]*name="reason"[^>]*required')
        self.assertContains(response, "尚无更正记录")

    def test_a_correction_is_saved_logged_and_staff_go_back_to_the_class_page(self):
        self.client.force_login(self.staff)
        response = self.client.post(self.url, self.form_data(name="王昆"), follow=True)
        self.assertRedirects(response, self.class_url)
        self.assertContains(response, "已更正 1703010101 王昆 的姓名。")
        self.assertRegex(response.content.decode(), r"<td>王昆 <a [^>]*>更正</a></td>")
        self.assertEqual(self.entry()["name"], "王昆")
        correction = RosterCorrection.objects.get()
        self.assertEqual(
            (correction.field, correction.old_value, correction.new_value, correction.reason),
            ("name", "王堃", "王昆", "已核对身份证原件"),
        )
        self.assertEqual(correction.corrected_by, self.staff)
        # The page now lists it: who, which field, old → new, why.
        html = self.client.get(self.url).content.decode()
        history = re.search(r'<table[^>]*id="roster-corrections".*?</table>', html, re.S).group(0)
        for value in (self.staff.username, "姓名", "王堃 → 王昆", "已核对身份证原件"):
            self.assertIn(value, history)

    def test_a_new_student_id_renames_the_login_and_the_message_says_so(self):
        self.client.force_login(self.staff)
        response = self.client.post(self.url, self.form_data(student_id="1703010199"), follow=True)
        self.assertContains(response, "登录账号已随学号改为 1703010199，密码不变")
        self.student_user.refresh_from_db()
        self.assertEqual(self.student_user.username, "1703010199")

    def test_a_refused_correction_shows_why_and_keeps_what_was_typed(self):
        self.client.force_login(self.staff)
        before = self.entry()
        wrong = "430103200105121021"
        response = self.client.post(self.url, self.form_data(id_number=wrong))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "身份证号校验位不对")
        self.assertContains(response, 'name="id_number" value="%s"' % wrong)
        self.assertEqual(self.entry(), before)
        self.assertIs(RosterCorrection.objects.exists(), False)

    def test_a_correction_without_a_reason_or_with_nothing_changed_is_refused(self):
        self.client.force_login(self.staff)
        before = self.entry()
        response = self.client.post(self.url, self.form_data(name="王昆", reason="  "))
        self.assertContains(response, "请写明更正原因")
        response = self.client.post(self.url, self.form_data())
        self.assertContains(response, "没有改动")
        self.assertEqual(self.entry(), before)
        self.assertIs(RosterCorrection.objects.exists(), False)

    def test_from_the_discrepancies_page_staff_come_back_to_it_with_the_case_closed(self):
        typed = make_id_number("43010320010512103")  # odd 17th digit, as the roster's 男
        check = make_card_check(self.student, id_number=typed)
        back = "%s?campaign=%d&page=1" % (reverse("cards:staff_discrepancies"), self.campaign.pk)
        self.client.force_login(self.staff)
        response = self.client.post(
            "%s?next=%s" % (self.url, quote(back)),
            self.form_data(id_number=typed, reason="身份证原件为学生所填号码"),
            follow=True,
        )
        self.assertRedirects(response, back)
        self.assertContains(response, "不一致已一并标为已处理")
        self.assertNotContains(response, 'data-check="%d"' % check.pk)
        self.assertContains(response, "名册已更正：身份证号")
        self.assertIsNotNone(CardCheck.objects.get(pk=check.pk).resolved_at)

    def test_a_next_to_another_site_is_ignored(self):
        self.client.force_login(self.staff)
        for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
            with self.subTest(next=target):
                name = "王昆" if self.entry()["name"] != "王昆" else "王堃"
                response = self.client.post(
                    "%s?next=%s" % (self.url, quote(target)), self.form_data(name=name)
                )
                self.assertRedirects(response, self.class_url, fetch_redirect_response=False)

    def test_an_individual_without_a_class_goes_back_to_the_staff_board(self):
        alumnus = make_student(campaign=self.campaign, name="赵往届", student_id="1530101001")
        self.client.force_login(self.staff)
        url = reverse("sessions:student_correct", args=[alumnus.pk])
        response = self.client.post(
            url,
            {
                "student_id": alumnus.student_id,
                "name": "赵往杰",
                "id_number": alumnus.id_number,
                "gender": alumnus.gender,
                "reason": "学生证与身份证一致",
            },
        )
        self.assertRedirects(
            response,
            "%s?campaign=%d" % (reverse("sessions:staff_board"), self.campaign.pk),
            fetch_redirect_response=False,
        )
        self.assertEqual(Student.objects.get(pk=alumnus.pk).name, "赵往杰")

    def test_an_unknown_student_is_a_404(self):
        self.client.force_login(self.staff)
        url = reverse("sessions:student_correct", args=[999999])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_class_page_links_each_student_to_their_correction(self):
        self.client.force_login(self.staff)
        response = self.client.get(self.class_url)
        for student in (self.student, self.monitor):
            url = reverse("sessions:student_correct", args=[student.pk])
            self.assertContains(response, 'href="%s"' % url)
        self.assertContains(response, ">更正</a>")


class LongClassListTests(Personas):
    """A class of hundreds on the monitor's page and the staff's class page: a hundred
    rows at a time, searched by 学号 or name in either script, filtered by what is left
    to do, and never a page over 300 KB."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for i in range(127):
            make_student(cls.school_class, student_id="17039%05d" % i, name="学生%03d" % i)
        make_student(cls.school_class, student_id="1703990001", name="張偉")

    def row_ids(self, response, table_id):
        table = re.search(
            r'<table[^>]*id="%s".*?</table>' % table_id, response.content.decode(), re.S
        ).group(0)
        return re.findall(r'<td class="font-monospace">(\d{6,14})</td>', table)

    def test_the_monitor_pages_filters_and_searches(self):
        self.client.force_login(self.monitor_user)
        url = reverse("sessions:monitor_home")
        first, second = self.client.get(url), self.client.get(url, {"page": "2"})
        total = self.school_class.students.count()

        self.assertEqual(len(self.row_ids(first, "roster")), 100)
        self.assertEqual(len(self.row_ids(second, "roster")), total - 100)
        self.assertFalse(set(self.row_ids(first, "roster")) & set(self.row_ids(second, "roster")))
        self.assertLess(len(first.content), 300_000)
        # The counts above the list are over the whole class, not the page.
        self.assertEqual(first.context["readiness"].total, total)

        by_name = self.client.get(url, {"q": "张伟"})
        self.assertEqual(self.row_ids(by_name, "roster"), ["1703990001"])
        by_id = self.client.get(url, {"q": "1703900012"})
        self.assertEqual(self.row_ids(by_id, "roster"), ["1703900012"])
        # Only the student user has logged in: everyone else shows under 未登录.
        not_logged_in = self.client.get(url, {"show": "login"})
        self.assertNotIn(self.student.student_id, self.row_ids(not_logged_in, "roster"))
        self.assertIn(
            "1703990001",
            self.row_ids(self.client.get(url, {"show": "login", "page": "2"}), "roster"),
        )
        hostile = self.client.get(url, {"show": "x", "page": "²", "q": "<b>" * 50})
        self.assertContains(hostile, "没有符合条件的同学。")
        self.assertNotContains(hostile, "<b><b>")

    def test_the_staff_class_page_pages_and_searches(self):
        self.client.force_login(self.staff)
        url = reverse("sessions:class_detail", args=[self.school_class.pk])
        first, second = self.client.get(url), self.client.get(url, {"page": "2"})

        self.assertEqual(len(self.row_ids(first, "class-roster")), 100)
        self.assertContains(first, "本班学生（%d 人）" % self.school_class.students.count())
        self.assertIn("1703990001", self.row_ids(second, "class-roster"))
        found = self.client.get(url, {"q": "张伟"})
        self.assertEqual(self.row_ids(found, "class-roster"), ["1703990001"])
        self.assertContains(found, "更正 1703990001 張偉 的名册")
        self.assertContains(self.client.get(url, {"q": "无此人"}), "没有符合条件的学生。")
