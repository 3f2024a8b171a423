"""Saving a confirmed schedule change, its history and its undo."""

import datetime

from django.test import TestCase
from django.utils import timezone

from sessions_app.changes import rules
from sessions_app.changes.selectors import (
    return_position,
    schedule_notice,
    schedule_state,
    undo_proposal,
)
from sessions_app.changes.services import schedule_apply, slot_edit
from sessions_app.models import ScheduleChange, SchoolClass
from sessions_app.services import ScheduleError
from tests.factories import (
    make_campaign,
    make_class,
    make_crew,
    make_slot,
    make_staff,
    make_student,
    make_venue,
)
from tests.sessions_app.shootday.factories import make_photographed

MOVE = ScheduleChange.Kind.MOVE


def order(slot):
    return list(slot.classes.order_by("position").values_list("name", flat=True))


class ChangeTestCase(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        self.venue = make_venue()
        self.morning = make_slot(self.campaign, self.venue, "08:00", "09:00")
        self.noon = make_slot(self.campaign, self.venue, "09:00", "10:00")
        self.a = make_class(self.campaign, self.morning, name="甲1171")
        self.b = make_class(self.campaign, self.morning, name="乙1171")
        self.c = make_class(self.campaign, self.noon, name="丙1171")
        for school_class, n in ((self.a, 3), (self.b, 2), (self.c, 4)):
            for _ in range(n):
                make_student(school_class)
        self.staff = make_staff()

    def apply(self, propose, kind=MOVE, undoes=None, by=None):
        state = schedule_state(campaign=self.campaign)
        proposed = propose(state)
        plan, statuses = proposed if isinstance(proposed, tuple) else (proposed, {})
        return schedule_apply(
            campaign=self.campaign,
            plan=plan,
            statuses=statuses,
            kind=kind,
            fingerprint=state.fingerprint,
            by=by or self.staff,
            undoes=undoes,
        )


class ApplyTests(ChangeTestCase):
    def test_a_move_is_saved_with_who_when_and_each_class_before_and_after(self):
        change = self.apply(lambda s: rules.plan_moved(s.plan, self.a.pk, self.noon.pk))

        self.assertEqual(order(self.morning), ["乙1171"])
        self.assertEqual(order(self.noon), ["丙1171", "甲1171"])
        self.assertEqual((change.made_by, change.kind), (self.staff, MOVE))
        self.assertEqual(change.summary, "移动班级：甲1171（3 名学生调整时段）")
        lines = {line.school_class.name: line for line in change.lines.all()}
        self.assertEqual(set(lines), {"甲1171", "乙1171"})  # 乙 moves up to first
        self.assertEqual(
            lines["甲1171"].from_label,
            "11月11日 08:00—09:00 %s 第 1 个班（约 08:00 开始）" % self.venue.name,
        )
        self.assertEqual(
            lines["甲1171"].to_label,
            "11月11日 09:00—10:00 %s 第 2 个班（约 09:00 开始）" % self.venue.name,
        )
        self.assertEqual(lines["甲1171"].student_count, 3)
        self.assertEqual((lines["乙1171"].from_position, lines["乙1171"].to_position), (2, 1))

    def test_a_stale_confirmation_is_refused_and_nothing_changes(self):
        state = schedule_state(campaign=self.campaign)
        plan = rules.plan_moved(state.plan, self.a.pk, None)
        self.apply(lambda s: rules.plan_moved(s.plan, self.c.pk, self.morning.pk))  # someone else

        with self.assertRaisesMessage(ScheduleError, "排期已被修改"):
            schedule_apply(
                campaign=self.campaign,
                plan=plan,
                statuses={},
                kind=MOVE,
                fingerprint=state.fingerprint,
                by=self.staff,
            )
        self.assertEqual(order(self.morning), ["甲1171", "乙1171", "丙1171"])
        self.assertEqual(ScheduleChange.objects.count(), 1)

    def test_bad_plans_are_refused_whole(self):
        state = schedule_state(campaign=self.campaign)
        stranger = make_class(make_campaign(), name="外校1171")
        deferred = make_class(self.campaign, name="工商17级", status=SchoolClass.Status.DEFERRED)
        state = schedule_state(campaign=self.campaign)
        cases = [
            ({self.morning.pk: [self.a.pk], self.noon.pk: [self.a.pk]}, {}, "甲1171 被安排了两次"),
            ({self.morning.pk: [stranger.pk], self.noon.pk: []}, {}, "不属于本次采集"),
            ({self.morning.pk: [deferred.pk], self.noon.pk: []}, {}, "工商17级 已推迟至下一年"),
            ({self.morning.pk: []}, {}, "排期已被修改"),  # a slot left out
            (state.plan, {}, "没有变化"),
            (state.plan, {stranger.pk: "deferred"}, "不属于本次采集"),
        ]
        for plan, statuses, message in cases:
            with self.subTest(message=message), self.assertRaisesMessage(ScheduleError, message):
                schedule_apply(
                    campaign=self.campaign,
                    plan=plan,
                    statuses=statuses,
                    kind=MOVE,
                    fingerprint=state.fingerprint,
                    by=self.staff,
                )
        self.assertFalse(ScheduleChange.objects.exists())
        self.assertEqual(order(self.morning), ["甲1171", "乙1171"])

    def test_a_deferral_takes_the_class_off_and_marks_it(self):
        self.apply(
            lambda s: (rules.plan_moved(s.plan, self.a.pk, None), {self.a.pk: "deferred"}),
            kind=ScheduleChange.Kind.DEFER,
        )
        self.a.refresh_from_db()
        self.assertEqual((self.a.status, self.a.slot_id, self.a.position), ("deferred", None, None))
        self.assertEqual(order(self.morning), ["乙1171"])


class UndoAndReturnTests(ChangeTestCase):
    def test_an_undo_restores_every_class_to_its_exact_place(self):
        batch = self.apply(
            lambda s: {self.morning.pk: [self.c.pk], self.noon.pk: [self.b.pk]},  # 甲 dropped
            kind=ScheduleChange.Kind.EDIT,
        )
        self.assertEqual(order(self.morning), ["丙1171"])

        undo = self.apply(
            lambda s: undo_proposal(state=s, change=batch),
            kind=ScheduleChange.Kind.UNDO,
            undoes=batch,
        )

        self.assertEqual(order(self.morning), ["甲1171", "乙1171"])
        self.assertEqual(order(self.noon), ["丙1171"])
        self.assertEqual(ScheduleChange.objects.get(pk=batch.pk).undone_by, undo)
        batch = ScheduleChange.objects.get(pk=batch.pk)
        with self.assertRaisesMessage(rules.PlanError, "已经撤销过了"):
            undo_proposal(state=schedule_state(campaign=self.campaign), change=batch)

    def test_an_undo_after_a_later_change_of_the_same_class_is_refused(self):
        first = self.apply(lambda s: rules.plan_moved(s.plan, self.a.pk, self.noon.pk))
        self.apply(lambda s: rules.plan_moved(s.plan, self.a.pk, None))
        with self.assertRaisesMessage(rules.PlanError, "甲1171 此后又调整过"):
            undo_proposal(state=schedule_state(campaign=self.campaign), change=first)

    def test_a_class_moved_away_and_back_takes_its_old_position(self):
        self.assertIsNone(return_position(school_class=self.b, slot=self.morning))
        self.apply(lambda s: rules.plan_moved(s.plan, self.a.pk, self.noon.pk))

        position = return_position(school_class=self.a, slot=self.morning)
        self.apply(lambda s: rules.plan_moved(s.plan, self.a.pk, self.morning.pk, position))

        self.assertEqual(position, 1)
        self.assertEqual(order(self.morning), ["甲1171", "乙1171"])


class NoticeTests(ChangeTestCase):
    def test_a_student_is_told_from_where_to_where_and_nothing_once_moved_back(self):
        student = self.a.students.first()
        self.assertIsNone(schedule_notice(student=student))

        first = self.apply(lambda s: rules.plan_moved(s.plan, self.a.pk, self.noon.pk))
        notice = schedule_notice(student=student)
        self.assertIn("08:00—09:00", notice.before)
        self.assertIn("09:00—10:00", notice.after)

        self.apply(lambda s: undo_proposal(state=s, change=first), kind="undo", undoes=first)
        self.assertIsNone(schedule_notice(student=student))

    def test_a_class_reordered_in_its_slot_is_told_its_new_start(self):
        student = self.b.students.first()
        self.apply(
            lambda s: rules.plan_shifted(s.plan, self.b.pk, -1, name="乙1171"),
            kind=ScheduleChange.Kind.SHIFT,
        )
        notice = schedule_notice(student=student)
        self.assertIn("第 2 个班（约 08:00 开始）", notice.before)
        self.assertIn("第 1 个班（约 08:00 开始）", notice.after)

    def test_editing_a_slot_is_recorded_and_told(self):
        slot_edit(
            campaign=self.campaign,
            slot=self.noon,
            by=self.staff,
            venue=self.venue,
            date=datetime.date(2018, 11, 12),
            start=datetime.time(14, 0),
            end=datetime.time(15, 0),
        )

        change = ScheduleChange.objects.get()
        self.assertEqual(change.kind, "slot")
        notice = schedule_notice(student=self.c.students.first())
        self.assertIn("11月11日 09:00—10:00", notice.before)
        self.assertIn("11月12日 14:00—15:00", notice.after)
        with self.assertRaisesMessage(rules.PlanError, "请再次编辑该时段"):
            undo_proposal(state=schedule_state(campaign=self.campaign), change=change)


class PreviewWarningTests(ChangeTestCase):
    def test_the_preview_counts_students_per_slot_and_warns_of_photos_and_passed_slots(self):
        from sessions_app.changes.selectors import schedule_preview

        make_photographed(self.a.students.first(), by=make_crew(), when=timezone.now())
        state = schedule_state(campaign=self.campaign)

        preview = schedule_preview(state=state, plan=rules.plan_moved(state.plan, self.a.pk, None))

        counts = {s.slot.pk: s for s in preview.slots}
        morning = counts[self.morning.pk]
        self.assertEqual(
            (
                morning.classes_before,
                morning.students_before,
                morning.classes_after,
                morning.students_after,
            ),
            (2, 5, 1, 2),
        )
        self.assertFalse(counts[self.noon.pk].changed)
        moved = preview.moved[0]
        self.assertEqual(moved.school_class, self.a)
        self.assertEqual(
            moved.warnings,
            [
                "该班已有 1 人拍摄，移动后他们的记录仍留在原时段。",
                "原时段已结束。",  # the 2018 slot is long over
                "3 名学生将没有拍摄时间。",
            ],
        )
        self.assertEqual((preview.unassigned_after, preview.students_moved), (1, 3))
