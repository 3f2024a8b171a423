"""The planner on the notice's day with the demo roster: valid by an independent
checker, no worse than the notice's hand-made plan, re-planning moves fewer students
than planning from scratch, and the classes it cannot place are named with the reason."""

import datetime
import math

from django.test import TestCase

from sessions_app.changes.services import schedule_apply
from sessions_app.demo.seed import seed_demo
from sessions_app.models import BusyPeriod, ScheduleChange, SchoolClass, TimeSlot
from sessions_app.planner import rules
from sessions_app.planner.selectors import campaign_problem, plan_proposal
from sessions_app.planner.solver import plan_solve
from sessions_app.summary.services import summaries_rebuild
from tests.factories import (
    make_campaign,
    make_class,
    make_slot,
    make_staff,
    make_student,
    make_venue,
)
from tests.sessions_app.planner.checker import plan_broken_rules, plan_of_campaign


class NoticeDayTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.campaign = seed_demo().campaign
        cls.staff = make_staff()

    def hand_measures(self):
        _state, problem = campaign_problem(campaign=self.campaign)
        return rules.plan_measures(problem, plan_of_campaign(self.campaign))

    def test_the_hand_made_plan_keeps_the_rules(self):
        self.assertEqual(plan_broken_rules(self.campaign, plan_of_campaign(self.campaign)), [])

    def test_the_plan_is_valid_optimal_and_no_worse_than_the_notice_on_every_measure(self):
        hand = self.hand_measures()
        for replan in (True, False):
            proposal = plan_proposal(campaign=self.campaign, replan=replan)
            result = proposal.result
            self.assertEqual(plan_broken_rules(self.campaign, result.plan), [])
            self.assertIs(result.optimal, True)
            self.assertEqual(result.unplaced, [])
            self.assertEqual(result.measures.placed, hand.placed)
            self.assertLessEqual(result.measures.split_cohorts, hand.split_cohorts)
            self.assertLessEqual(result.measures.max_load_ratio, hand.max_load_ratio)
        # The notice splits 环艺, 市营 and 机械 over two slots; the planner needs none.
        self.assertEqual(hand.split_cohorts, 3)
        self.assertEqual(result.measures.split_cohorts, 0)

    def test_the_planner_keeps_the_bound_classes_at_their_venue(self):
        result = plan_proposal(campaign=self.campaign).result
        dongligu = TimeSlot.objects.get(campaign=self.campaign, venue__name="动力谷")
        bound = set(
            SchoolClass.objects.filter(campaign=self.campaign, name__startswith="机电").values_list(
                "pk", flat=True
            )
        )
        self.assertEqual(len(bound), 5)
        self.assertLessEqual(bound, set(result.plan[dongligu.pk]))

    def test_the_same_schedule_gives_the_same_plan(self):
        first = plan_proposal(campaign=self.campaign).result.plan
        second = plan_proposal(campaign=self.campaign).result.plan
        self.assertEqual(first, second)

    def test_a_deferred_class_is_replanned_moving_fewer_students_than_from_scratch(self):
        # Start from the planner's own plan, so that it is balanced.
        proposal = plan_proposal(campaign=self.campaign)
        schedule_apply(
            campaign=self.campaign,
            plan=proposal.result.plan,
            statuses={},
            kind=ScheduleChange.Kind.PLAN,
            fingerprint=proposal.state.fingerprint,
            by=self.staff,
        )
        deferred = SchoolClass.objects.get(campaign=self.campaign, name="会计1171")
        state, _problem = campaign_problem(campaign=self.campaign)
        plan = {s: [c for c in classes if c != deferred.pk] for s, classes in state.plan.items()}
        schedule_apply(
            campaign=self.campaign,
            plan=plan,
            statuses={deferred.pk: SchoolClass.Status.DEFERRED},
            kind=ScheduleChange.Kind.DEFER,
            fingerprint=state.fingerprint,
            by=self.staff,
        )
        replanned = plan_proposal(campaign=self.campaign).result
        scratch = plan_proposal(campaign=self.campaign, replan=False).result
        for result in (replanned, scratch):
            self.assertEqual(plan_broken_rules(self.campaign, result.plan), [])
            self.assertNotIn(deferred.pk, rules.plan_assignment(result.plan))
        self.assertLess(replanned.measures.students_moved, scratch.measures.students_moved)
        self.assertEqual(replanned.measures.split_cohorts, scratch.measures.split_cohorts)
        # The planner weighs the largest load in whole per cent (rounded up).
        self.assertEqual(
            math.ceil(replanned.measures.max_load_ratio * 100),
            math.ceil(scratch.measures.max_load_ratio * 100),
        )

    def test_a_busy_period_moves_its_class_and_fewer_students_than_from_scratch(self):
        accounting = SchoolClass.objects.get(campaign=self.campaign, name="会计1171")
        slot = accounting.slot
        BusyPeriod.objects.create(
            school_class=accounting,
            date=slot.date,
            start=slot.start,
            end=datetime.time(slot.start.hour + 1),
            reason="期中考试",
        )
        replanned = plan_proposal(campaign=self.campaign).result
        scratch = plan_proposal(campaign=self.campaign, replan=False).result
        for result in (replanned, scratch):
            self.assertEqual(plan_broken_rules(self.campaign, result.plan), [])
            self.assertNotEqual(rules.plan_assignment(result.plan)[accounting.pk], slot.pk)
        self.assertLess(replanned.measures.students_moved, scratch.measures.students_moved)

    def test_a_pinned_class_stays_in_its_slot(self):
        measurement = SchoolClass.objects.get(campaign=self.campaign, name="测量1171")
        first = TimeSlot.objects.filter(campaign=self.campaign).order_by("start").first()
        measurement.pinned_slot = first
        measurement.save(update_fields=["pinned_slot"])
        result = plan_proposal(campaign=self.campaign).result
        self.assertIn(measurement.pk, result.plan[first.pk])
        self.assertEqual(plan_broken_rules(self.campaign, result.plan), [])


class ImpossibleTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        venue = make_venue(shots_per_hour=60)
        self.morning = make_slot(self.campaign, venue, "08:00", "09:00", date="2030-06-01")
        self.afternoon = make_slot(self.campaign, venue, "14:00", "15:00", date="2030-06-01")
        self.small = make_class(self.campaign, self.morning, name="会计1171")
        self.big = make_class(self.campaign, self.morning, name="造价1171")
        self.busy = make_class(self.campaign, self.afternoon, name="测量1171")
        for school_class, size in ((self.small, 20), (self.big, 70), (self.busy, 10)):
            for _ in range(size):
                make_student(school_class)
        for slot in (self.morning, self.afternoon):
            BusyPeriod.objects.create(
                school_class=self.busy,
                date=slot.date,
                start=slot.start,
                end=slot.end,
                reason="顶岗实习",
            )

    def test_it_names_each_class_it_cannot_place_and_why(self):
        _state, problem = campaign_problem(campaign=self.campaign)
        result = plan_solve(problem)
        reasons = {u.name: u.reason for u in result.unplaced}
        self.assertEqual(set(reasons), {"造价1171", "测量1171"})
        self.assertIn("70 人", reasons["造价1171"])
        self.assertIn("最多 60 人", reasons["造价1171"])
        self.assertIn("顶岗实习", reasons["测量1171"])
        self.assertIn(self.small.pk, rules.plan_assignment(result.plan))
        self.assertIs(result.optimal, True)

    def test_classes_too_many_for_the_slots_together_are_named(self):
        self.big.students.all().delete()
        summaries_rebuild(campaign=self.campaign)  # deleted behind the services, as the admin does
        for _ in range(50):
            make_student(self.big)
        # 20 + 50 students and 60 places a slot: one of the two has the afternoon.
        BusyPeriod.objects.filter(school_class=self.busy).delete()
        extra = make_class(self.campaign, None, name="机械1171")
        for _ in range(45):
            make_student(extra)
        _state, problem = campaign_problem(campaign=self.campaign)
        result = plan_solve(problem)
        self.assertEqual(len(result.unplaced), 1)
        self.assertIn("占满", result.unplaced[0].reason)
        self.assertEqual(plan_broken_rules(self.campaign, result.plan), [])
