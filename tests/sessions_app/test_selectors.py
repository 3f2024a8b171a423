from django.test import TestCase
from django.utils import timezone

from cards_app import rules
from sessions_app import selectors
from sessions_app.models import SchoolClass, StudentCategory
from sessions_app.shootday.selectors.queue import slot_queue
from tests.factories import (
    make_campaign,
    make_category_rule,
    make_class,
    make_slot,
    make_student,
    make_venue,
)


class SlotForStudentTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        venue = make_venue(shots_per_hour=60)
        self.slot = make_slot(self.campaign, venue, "08:00", "09:00")
        self.late = make_slot(self.campaign, venue, "14:30", "15:30")
        self.first = make_class(self.campaign, self.slot, name="造价1171")
        self.second = make_class(self.campaign, self.slot, name="造价1172")
        make_category_rule(self.campaign, StudentCategory.ALUMNI, slot=self.late, label="往届生")

    def test_a_class_student_gets_the_class_slot_and_position(self):
        place = selectors.slot_for_student(student=make_student(self.second))
        self.assertEqual((place.slot, place.position, place.class_count), (self.slot, 2, 2))
        self.assertEqual(place.group_label, "造价1172")

    def test_an_individual_gets_the_slot_of_their_category(self):
        place = selectors.slot_for_student(
            student=make_student(campaign=self.campaign, category=StudentCategory.ALUMNI)
        )
        self.assertEqual(place.slot, self.late)
        self.assertEqual(place.group_label, "往届生")
        self.assertIsNone(place.position)

    def test_a_category_without_a_slot_gives_no_slot(self):
        place = selectors.slot_for_student(
            student=make_student(campaign=self.campaign, category=StudentCategory.ADULT)
        )
        self.assertIs(place.found, False)

    def test_a_deferred_class_says_so(self):
        deferred = make_class(self.campaign, status=SchoolClass.Status.DEFERRED, name="工商17级")
        place = selectors.slot_for_student(student=make_student(deferred))
        self.assertIs(place.deferred, True)
        self.assertIs(place.found, False)

    def test_the_queue_estimates_each_class_start_from_the_students_before_it(self):
        for _ in range(30):
            make_student(self.first)
        make_student(self.second)
        queue = slot_queue(slot=self.slot)
        self.assertEqual([(e.name, e.total) for e in queue], [("造价1171", 30), ("造价1172", 1)])
        # 30 students at 60 an hour: the second class starts half an hour in.
        starts = [timezone.localtime(e.planned_start).strftime("%H:%M") for e in queue]
        self.assertEqual(starts, ["08:00", "08:30"])


class ScheduleTests(TestCase):
    def test_headcount_counts_classes_and_category_groups(self):
        campaign = make_campaign()
        slot = make_slot(campaign, make_venue(shots_per_hour=2), "08:00", "09:00")
        make_category_rule(campaign, StudentCategory.ADULT, slot=slot)
        school_class = make_class(campaign, slot)
        make_student(school_class)
        make_student(school_class)
        make_student(campaign=campaign, category=StudentCategory.ADULT)
        [row] = selectors.schedule_for_campaign(campaign=campaign).rows
        self.assertEqual((row.headcount, row.capacity), (3, 2))
        self.assertIs(row.over_capacity, True)


class LookupTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        self.student = make_student(
            make_class(self.campaign, make_slot(self.campaign)),
            student_id="1701010101",
            name="欧阳娜娜",
        )

    def test_it_finds_the_student_by_id_and_name_ignoring_spaces_and_widths(self):
        found = selectors.student_lookup(
            campaign=self.campaign, student_id="１７０１０１０１０１", name=" 欧阳　娜娜 "
        )
        self.assertEqual(found, self.student)

    def test_a_simplified_name_finds_a_traditional_roster_name_and_the_reverse(self):
        traditional = make_student(self.student.school_class, name="張偉")
        simplified = make_student(self.student.school_class, name="刘德华")
        for student, typed in ((traditional, "张伟"), (simplified, "劉德華")):
            with self.subTest(typed=typed), self.assertNumQueries(1):
                found = selectors.student_lookup(
                    campaign=self.campaign, student_id=student.student_id, name=typed
                )
                self.assertEqual(found, student)
        self.assertIsNone(
            selectors.student_lookup(
                campaign=self.campaign, student_id=traditional.student_id, name="张玮"
            )
        )

    def test_a_separated_name_is_found_with_any_separator_the_card_accepts_or_none(self):
        student = make_student(self.student.school_class, name="买买提·艾力")
        typed_forms = ["买买提%s艾力" % s for s in sorted(rules.NAME_SEPARATORS)]
        typed_forms += ["买买提．艾力", "买买提－艾力", "买买提 艾力", "买买提艾力", "買買提·艾力"]
        for typed in typed_forms:
            with self.subTest(typed=typed):
                found = selectors.student_lookup(
                    campaign=self.campaign, student_id=student.student_id, name=typed
                )
                self.assertEqual(found, student)
        for wrong in ("买买提·艾", "艾力·买买提"):
            with self.subTest(wrong=wrong):
                self.assertIsNone(
                    selectors.student_lookup(
                        campaign=self.campaign, student_id=student.student_id, name=wrong
                    )
                )

    def test_a_wrong_name_answers_like_an_unknown_id(self):
        self.assertIsNone(
            selectors.student_lookup(campaign=self.campaign, student_id="1701010101", name="张三")
        )
        self.assertIsNone(
            selectors.student_lookup(
                campaign=self.campaign, student_id="9999999999", name="欧阳娜娜"
            )
        )
