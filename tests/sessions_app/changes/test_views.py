"""Staff change the schedule only after seeing what changes; the history keeps it and
can undo it; students see their class's new time."""

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import ScheduleChange, SchoolClass
from tests.factories import (
    make_campaign,
    make_class,
    make_crew,
    make_slot,
    make_staff,
    make_student,
    make_student_user,
    make_venue,
)
from tests.personas import Personas
from tests.sessions_app.shootday.factories import make_photographed


def order(slot):
    return list(slot.classes.order_by("position").values_list("name", flat=True))


class ChangeViewTestCase(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        self.venue = make_venue()
        self.morning = make_slot(self.campaign, self.venue, "08:00", "09:00", date="2030-06-01")
        self.noon = make_slot(self.campaign, self.venue, "09:00", "10:00", date="2030-06-01")
        self.classes = []
        for i, slot in enumerate([self.morning] * 5 + [self.noon] * 2):
            school_class = make_class(self.campaign, slot, name="会计11%02d" % (71 + i))
            for _ in range(40 + i):
                make_student(school_class)
            self.classes.append(school_class)
        self.staff = make_staff(first_name="王老师")
        self.client.force_login(self.staff)

    def confirm(self, response, **changes):
        """Press 确认保存 on a confirmation page (with ``changes`` to its hidden fields)."""
        self.assertTemplateUsed(response, "sessions_app/changes/confirm.html")
        form = response.context["form"]
        data = {name: form.initial.get(name) or "" for name in form.fields}
        data.update(changes)
        return self.client.post(
            reverse("sessions:schedule_apply", args=[self.campaign.pk]), data, follow=True
        )

    def messages(self, response):
        return [str(m) for m in response.context["messages"]]


class BatchEditorTests(ChangeViewTestCase):
    def test_emptying_a_slot_shows_what_it_would_change_and_saves_nothing(self):
        response = self.client.post(
            reverse("sessions:schedule_edit", args=[self.campaign.pk]),
            {
                "slot_%d" % self.morning.pk: "",
                "slot_%d" % self.noon.pk: "会计1176、会计1177",
            },
        )

        self.assertContains(response, "确认调整：批量编排")
        self.assertContains(
            response, "<strong>5</strong> 个班级（<strong>210</strong> 名学生）的拍摄时段改变"
        )
        self.assertContains(response, "5 个班级将没有拍摄时间")
        counts = response.content.decode().split('id="slot-counts"')[1].split("</table>")[0]
        self.assertIn("5 个班 · 210 人", counts)
        self.assertIn("0 个班 · 0 人", counts)
        self.assertContains(response, "41 名学生将没有拍摄时间")
        self.assertEqual(
            order(self.morning), ["会计1171", "会计1172", "会计1173", "会计1174", "会计1175"]
        )
        self.assertFalse(ScheduleChange.objects.exists())

    def test_confirming_saves_and_the_history_says_who_when_and_what(self):
        response = self.client.post(
            reverse("sessions:schedule_edit", args=[self.campaign.pk]),
            {
                "slot_%d" % self.morning.pk: "会计1172、会计1171、会计1173、会计1174、会计1175",
                "slot_%d" % self.noon.pk: "会计1176、会计1177",
            },
        )
        saved = self.confirm(response)

        self.assertEqual(order(self.morning)[:2], ["会计1172", "会计1171"])
        self.assertIn(
            "已保存：2 个班级调整，其中 0 个班级（0 名学生）换了时段。 如有误，可在“调整记录”中撤销。",
            self.messages(saved),
        )
        history = self.client.get(reverse("sessions:schedule_history", args=[self.campaign.pk]))
        self.assertContains(history, "批量编排：会计1172、会计1171")
        self.assertContains(history, "王老师")
        self.assertContains(
            history, "会计1171</strong>（40 人）：6月1日 08:00—09:00 %s 第 1 个班" % self.venue.name
        )

    def test_a_confirmation_is_refused_once_someone_else_saved(self):
        stale = self.client.post(
            reverse("sessions:class_move", args=[self.classes[0].pk]), {"slot": self.noon.pk}
        )
        self.confirm(self.client.post(reverse("sessions:class_up", args=[self.classes[6].pk])))

        response = self.confirm(stale)

        self.assertIn("排期已被修改", " ".join(self.messages(response)))
        self.assertEqual(order(self.morning)[0], "会计1171")
        self.assertEqual(ScheduleChange.objects.count(), 1)


class MoveTests(ChangeViewTestCase):
    def test_a_move_says_from_where_to_where(self):
        response = self.client.post(
            reverse("sessions:class_move", args=[self.classes[0].pk]), {"slot": self.noon.pk}
        )
        self.assertContains(response, "确认调整：移动班级")
        saved = self.confirm(response)

        self.assertEqual(order(self.noon), ["会计1176", "会计1177", "会计1171"])
        message = self.messages(saved)[0]
        self.assertIn(
            "会计1171 从 6月1日 08:00—09:00 %s 第 1 个班（约 08:00 开始） 调整为 6月1日 09:00—10:00"
            % self.venue.name,
            message,
        )

    def test_a_class_moved_back_takes_its_old_place(self):
        third = self.classes[2]
        self.confirm(
            self.client.post(
                reverse("sessions:class_move", args=[third.pk]), {"slot": self.noon.pk}
            )
        )
        self.confirm(
            self.client.post(
                reverse("sessions:class_move", args=[third.pk]), {"slot": self.morning.pk}
            )
        )

        self.assertEqual(order(self.morning)[2], "会计1173")

    def test_moving_a_photographed_class_or_into_a_passed_slot_warns(self):
        past = make_slot(self.campaign, self.venue, "08:00", "09:00", date="2018-11-11")
        make_photographed(self.classes[0].students.first(), by=make_crew(), when=timezone.now())

        response = self.client.post(
            reverse("sessions:class_move", args=[self.classes[0].pk]), {"slot": past.pk}
        )

        self.assertContains(response, "该班已有 1 人拍摄")
        self.assertContains(response, "新时段已结束，学生无法按时拍摄。")

    def test_up_and_down_ask_before_saving(self):
        response = self.client.post(reverse("sessions:class_down", args=[self.classes[0].pk]))
        self.assertContains(response, "确认调整：调整顺序")
        self.assertEqual(order(self.morning)[0], "会计1171")
        self.confirm(response)
        self.assertEqual(order(self.morning)[:2], ["会计1172", "会计1171"])

    def test_an_unplaced_class_is_placed_from_its_own_page(self):
        imported = make_class(self.campaign, name="新导入1171")
        page = self.client.get(reverse("sessions:class_detail", args=[imported.pk]))
        self.assertContains(page, "安排到时段")
        back = reverse("sessions:class_detail", args=[imported.pk])

        response = self.client.post(
            reverse("sessions:class_move", args=[imported.pk]),
            {"slot": self.noon.pk, "position": "1", "next": back},
        )
        saved = self.confirm(response)

        self.assertRedirects(saved, back)
        self.assertEqual(order(self.noon)[0], "新导入1171")
        self.assertContains(saved, "本班调整记录")

    def test_deferring_and_restoring_go_through_the_confirmation(self):
        url = reverse("sessions:class_defer", args=[self.classes[6].pk])
        response = self.client.post(url, {"deferred": "1"})
        self.assertContains(response, "推迟至下一年")
        self.confirm(response)
        self.classes[6].refresh_from_db()
        self.assertEqual((self.classes[6].status, self.classes[6].slot_id), ("deferred", None))

        self.confirm(self.client.post(url, {"deferred": "0"}))
        self.classes[6].refresh_from_db()
        self.assertEqual(self.classes[6].status, "scheduled")

    def test_nothing_to_change_says_so(self):
        response = self.client.post(
            reverse("sessions:class_move", args=[self.classes[6].pk]),
            {"slot": self.noon.pk, "position": "2"},
            follow=True,
        )
        self.assertIn("排期没有变化。", self.messages(response))


class UndoTests(ChangeViewTestCase):
    def test_the_history_undoes_a_change_after_showing_it(self):
        self.confirm(
            self.client.post(
                reverse("sessions:schedule_edit", args=[self.campaign.pk]),
                {"slot_%d" % self.morning.pk: "", "slot_%d" % self.noon.pk: "会计1176、会计1177"},
            )
        )
        change = ScheduleChange.objects.get()

        response = self.client.post(reverse("sessions:schedule_undo", args=[change.pk]))
        self.assertContains(response, "确认调整：撤销调整")
        self.assertContains(
            response, "<strong>5</strong> 个班级（<strong>210</strong> 名学生）的拍摄时段改变"
        )
        self.confirm(response)

        self.assertEqual(
            order(self.morning), ["会计1171", "会计1172", "会计1173", "会计1174", "会计1175"]
        )
        history = self.client.get(reverse("sessions:schedule_history", args=[self.campaign.pk]))
        self.assertContains(history, "已于")
        again = self.client.post(reverse("sessions:schedule_undo", args=[change.pk]), follow=True)
        self.assertIn("这次调整已经撤销过了。", self.messages(again))

    def test_an_undo_of_another_campaign_is_refused(self):
        self.confirm(self.client.post(reverse("sessions:class_down", args=[self.classes[0].pk])))
        change = ScheduleChange.objects.get()
        other = make_campaign()

        response = self.client.post(
            reverse("sessions:schedule_apply", args=[other.pk]),
            {
                "payload": '{"plan":{}}',
                "fingerprint": "0" * 24,
                "kind": "undo",
                "undoes": change.pk,
            },
            follow=True,
        )

        self.assertIn("要撤销的调整不存在。", self.messages(response))


class HostileConfirmationTests(ChangeViewTestCase):
    def test_a_forged_confirmation_is_refused_without_a_server_error(self):
        good = self.client.post(reverse("sessions:class_down", args=[self.classes[0].pk]))
        stranger = make_class(make_campaign(), name="外校1171")
        forged = [
            {"payload": "not json"},
            {"payload": "[]"},
            {"payload": '{"plan": {"x": [1]}}'},
            {"payload": '{"plan": {"%d": [true]}}' % self.morning.pk},
            {"payload": '{"plan": {"%d": [-3]}}' % self.morning.pk},
            {"payload": '{"plan": {"%d": "1"}}' % self.morning.pk},
            {"payload": '{"plan": {}, "statuses": {"1": "gone"}}'},
            {"payload": "[" * 100000},
            {
                "payload": '{"plan": {"%d": [%d], "%d": []}}'
                % (self.morning.pk, stranger.pk, self.noon.pk)
            },
            {"fingerprint": "<script>"},
            {"kind": "drop"},
            {"undoes": "abc"},
            {"next": "https://evil.example/"},
        ]
        for change in forged:
            with self.subTest(change=str(change)[:60]):
                response = self.confirm(good, **change)
                self.assertEqual(response.status_code, 200)
                if "next" in change:
                    self.assertEqual(response.redirect_chain[-1][0].startswith("/"), True)
                    continue
                self.assertTrue(
                    any("未保存" in m or "不属于" in m for m in self.messages(response))
                )
        self.assertEqual(ScheduleChange.objects.count(), 1)  # only the one with a harmless next
        self.assertEqual(SchoolClass.objects.get(pk=stranger.pk).slot_id, None)


class StudentNoticeTests(ChangeViewTestCase):
    def test_students_of_a_moved_class_see_from_where_to_where(self):
        student = self.classes[0].students.first()
        user = make_student_user(student)
        self.confirm(
            self.client.post(
                reverse("sessions:class_move", args=[self.classes[0].pk]), {"slot": self.noon.pk}
            )
        )

        self.client.force_login(user)
        page = self.client.get(reverse("sessions:student_home"))

        self.assertContains(page, "你班的拍摄时间已调整：")
        notice = page.content.decode().split('id="schedule-notice"')[1].split("</div>")[0]
        self.assertIn("6月1日 08:00—09:00 %s 第 1 个班（约 08:00 开始）" % self.venue.name, notice)
        self.assertIn("6月1日 09:00—10:00 %s 第 3 个班" % self.venue.name, notice)

    def test_students_of_an_unchanged_class_see_nothing(self):
        user = make_student_user(self.classes[6].students.first())
        self.client.force_login(user)
        self.assertNotContains(self.client.get(reverse("sessions:student_home")), "schedule-notice")


class PermissionTests(Personas):
    def test_only_staff_change_or_undo_the_schedule(self):
        self.client.force_login(self.staff)
        response = self.client.post(reverse("sessions:class_down", args=[self.school_class.pk]))
        # The personas' slot holds one class: nothing to move down.
        self.assertEqual(response.status_code, 302)
        change = ScheduleChange.objects.create(
            campaign=self.campaign,
            kind="move",
            summary="x",
            made_by=self.staff,
            made_at=timezone.now(),
        )
        for user in (self.student_user, self.monitor_user, self.crew, self.outsider):
            self.client.force_login(user)
            for url in (
                reverse("sessions:schedule_undo", args=[change.pk]),
                reverse("sessions:schedule_apply", args=[self.campaign.pk]),
            ):
                self.assertEqual(self.client.post(url).status_code, 403, (user, url))
            self.assertEqual(
                self.client.get(
                    reverse("sessions:schedule_history", args=[self.campaign.pk])
                ).status_code,
                403,
            )
