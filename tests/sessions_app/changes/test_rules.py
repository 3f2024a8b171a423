"""The pure rules of changing the schedule: new plans, what changed, undo, warnings."""

from django.test import SimpleTestCase

from sessions_app.changes import rules
from sessions_app.changes.rules import PlanError, Spot

S, D = "scheduled", "deferred"
PLAN = {1: [10, 11, 12], 2: [20]}
STATUSES = {10: S, 11: S, 12: S, 20: S, 30: S, 40: D}


class NewPlanTests(SimpleTestCase):
    def test_a_move_goes_last_or_at_the_position_and_the_input_is_untouched(self):
        self.assertEqual(rules.plan_moved(PLAN, 10, 2), {1: [11, 12], 2: [20, 10]})
        self.assertEqual(rules.plan_moved(PLAN, 20, 1, 2), {1: [10, 20, 11, 12], 2: []})
        self.assertEqual(rules.plan_moved(PLAN, 30, 1, 99), {1: [10, 11, 12, 30], 2: [20]})
        self.assertEqual(rules.plan_moved(PLAN, 11, None), {1: [10, 12], 2: [20]})
        self.assertEqual(PLAN, {1: [10, 11, 12], 2: [20]})

    def test_a_move_to_a_slot_of_another_campaign_is_refused(self):
        with self.assertRaisesMessage(PlanError, "不属于本次采集"):
            rules.plan_moved(PLAN, 10, 99)

    def test_a_shift_swaps_with_the_neighbour_and_stops_at_the_edge(self):
        self.assertEqual(rules.plan_shifted(PLAN, 11, -1, name="乙")[1], [11, 10, 12])
        with self.assertRaisesMessage(PlanError, "乙 已在本时段的首位或末位"):
            rules.plan_shifted(PLAN, 12, 1, name="乙")
        with self.assertRaisesMessage(PlanError, "尚未安排时段"):
            rules.plan_shifted(PLAN, 30, 1, name="丙")

    def test_a_swap_exchanges_slots_and_positions(self):
        self.assertEqual(rules.plan_swapped(PLAN, 10, 20), {1: [20, 11, 12], 2: [10]})
        with self.assertRaisesMessage(PlanError, "两个不同的班级"):
            rules.plan_swapped(PLAN, 10, 10)
        with self.assertRaisesMessage(PlanError, "都须已安排时段"):
            rules.plan_swapped(PLAN, 10, 30)


class ChangesTests(SimpleTestCase):
    def test_only_classes_whose_place_changes_are_listed_in_the_new_order(self):
        before = rules.plan_spots(PLAN, STATUSES)
        after = rules.plan_spots(rules.plan_moved(PLAN, 10, 2), STATUSES)

        changes = rules.plan_changes(before, after)

        self.assertEqual([c.class_id for c in changes], [11, 12, 10])
        self.assertEqual([c.moved for c in changes], [False, False, True])
        self.assertEqual(changes[2].before, Spot(1, 1, S))
        self.assertEqual(changes[2].after, Spot(2, 2, S))

    def test_a_class_taken_off_is_unassigned_unless_deferred(self):
        before = rules.plan_spots(PLAN, STATUSES)
        off = rules.plan_changes(
            before, rules.plan_spots(rules.plan_moved(PLAN, 20, None), STATUSES)
        )
        deferred = rules.plan_changes(
            before,
            rules.plan_spots(rules.plan_moved(PLAN, 20, None), {**STATUSES, 20: D}),
        )
        self.assertTrue(off[0].unassigned)
        self.assertFalse(deferred[0].unassigned)

    def test_problems_name_the_class(self):
        problems = rules.plan_problems_of(
            {1: [10, 40], 2: [10, 99]}, STATUSES, {10: "甲", 40: "丁"}
        )
        self.assertEqual(
            problems,
            [
                "班级 丁 已推迟至下一年，不能安排时段。",
                "班级 甲 被安排了两次。",
                "计划中有不属于本次采集的班级。",
            ],
        )


class WarningTests(SimpleTestCase):
    def change(self, before_slot, after_slot, after_status=S):
        return rules.ClassChange(
            1, Spot(before_slot, 1, S), Spot(after_slot, 1 if after_slot else None, after_status)
        )

    def test_a_move_warns_of_photos_passed_slots_and_students_left_without_a_time(self):
        warnings = rules.change_warnings(
            self.change(1, None),
            photographed=3,
            student_count=40,
            before_over=True,
            after_over=False,
        )
        self.assertEqual(
            warnings,
            [
                "该班已有 3 人拍摄，移动后他们的记录仍留在原时段。",
                "原时段已结束。",
                "40 名学生将没有拍摄时间。",
            ],
        )
        self.assertEqual(
            rules.change_warnings(
                self.change(1, 2),
                photographed=0,
                student_count=40,
                before_over=False,
                after_over=True,
            ),
            ["新时段已结束，学生无法按时拍摄。"],
        )

    def test_a_reorder_in_the_same_slot_only_warns_of_photos(self):
        change = rules.ClassChange(1, Spot(1, 1, S), Spot(1, 2, S))
        self.assertEqual(
            rules.change_warnings(
                change, photographed=0, student_count=40, before_over=True, after_over=True
            ),
            [],
        )


class UndoTests(SimpleTestCase):
    def lines(self, before_plan, after_plan, before_statuses=STATUSES, after_statuses=STATUSES):
        before = rules.plan_spots(before_plan, before_statuses)
        after = rules.plan_spots(after_plan, after_statuses)
        return [
            rules.LineBack(
                class_id=c.class_id,
                name="班%d" % c.class_id,
                from_slot_id=c.before.slot_id,
                from_position=c.before.position,
                from_status=c.before.status,
                to_slot_id=c.after.slot_id,
                to_status=c.after.status,
            )
            for c in rules.plan_changes(before, after)
        ]

    def test_every_kind_of_change_undoes_to_the_exact_plan_before(self):
        cases = [
            rules.plan_moved(PLAN, 10, 2),
            rules.plan_moved(PLAN, 20, 1, 1),
            rules.plan_moved(PLAN, 11, None),
            rules.plan_shifted(PLAN, 12, -1, name="x"),
            rules.plan_swapped(PLAN, 12, 20),
            {1: [20, 12], 2: [11]},  # a batch edit that also left 10 out
        ]
        for after in cases:
            with self.subTest(after=after):
                undone, statuses = rules.plan_undone(after, STATUSES, self.lines(PLAN, after))
                self.assertEqual(undone, PLAN)
                self.assertEqual(statuses, STATUSES)

    def test_a_deferral_undoes_to_the_slot_position_and_status(self):
        after_statuses = {**STATUSES, 11: D}
        after = rules.plan_moved(PLAN, 11, None)
        lines = self.lines(PLAN, after, STATUSES, after_statuses)

        undone, statuses = rules.plan_undone(after, after_statuses, lines)

        self.assertEqual((undone, statuses[11]), (PLAN, S))

    def test_a_class_changed_again_since_is_refused(self):
        after = rules.plan_moved(PLAN, 10, 2)
        lines = self.lines(PLAN, after)
        later = rules.plan_moved(after, 10, None)
        with self.assertRaisesMessage(PlanError, "班10 此后又调整过"):
            rules.plan_undone(later, STATUSES, lines)

    def test_a_deleted_former_slot_is_refused(self):
        line = rules.LineBack(10, "甲", None, 1, S, 2, S, from_slot_gone=True)
        with self.assertRaisesMessage(PlanError, "甲 原来的时段已删除"):
            rules.plan_undone({1: [], 2: [10]}, STATUSES, [line])
