"""Invariants the database itself enforces, whatever code writes to it."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.test import TestCase
from django.utils import timezone

from sessions_app.models import RosterCorrection, SchoolClass, Student, TimeSlot
from tests.factories import (
    make_campaign,
    make_class,
    make_slot,
    make_staff,
    make_student,
    make_venue,
)


class ConstraintTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        self.venue = make_venue()
        self.slot = make_slot(self.campaign, self.venue, "08:00", "09:00")

    def assertRefused(self, create):
        with self.assertRaises(IntegrityError), transaction.atomic():
            create()

    def test_a_student_id_is_unique(self):
        school_class = make_class(self.campaign, self.slot)
        make_student(school_class, student_id="1701010101")
        self.assertRefused(lambda: make_student(school_class, student_id="1701010101"))

    def test_a_class_name_is_unique_in_a_campaign_but_not_across(self):
        make_class(self.campaign, name="会计1171")
        self.assertRefused(lambda: make_class(self.campaign, name="会计1171"))
        other = make_campaign()
        self.assertEqual(make_class(other, name="会计1171").name, "会计1171")

    def test_a_slot_must_end_after_it_starts(self):
        self.assertRefused(lambda: make_slot(self.campaign, self.venue, "10:00", "10:00"))
        self.assertRefused(lambda: make_slot(self.campaign, self.venue, "11:00", "10:00"))

    def test_two_slots_of_one_venue_cannot_overlap(self):
        self.assertRefused(lambda: make_slot(self.campaign, self.venue, "08:30", "09:30"))
        self.assertRefused(lambda: make_slot(self.campaign, self.venue, "07:00", "10:00"))

    def test_an_overlap_made_by_an_update_is_refused_too(self):
        later = make_slot(self.campaign, self.venue, "09:00", "10:00")

        def move_into_first():
            TimeSlot.objects.filter(pk=later.pk).update(start=datetime.time(8, 30))

        self.assertRefused(move_into_first)

    def test_adjacent_slots_and_other_venues_are_allowed(self):
        make_slot(self.campaign, self.venue, "09:00", "10:30")
        make_slot(self.campaign, make_venue(), "08:00", "09:00")
        make_slot(self.campaign, self.venue, "08:00", "09:00", date="2018-11-12")
        self.assertEqual(TimeSlot.objects.count(), 4)

    def test_two_classes_cannot_share_a_position_in_a_slot(self):
        make_class(self.campaign, self.slot, position=1)
        self.assertRefused(lambda: make_class(self.campaign, self.slot, position=1))

    def test_a_class_in_a_slot_has_a_position(self):
        def no_position():
            SchoolClass.objects.create(campaign=self.campaign, name="造价1171", slot=self.slot)

        self.assertRefused(no_position)

    def test_a_deferred_class_has_no_slot(self):
        self.assertRefused(
            lambda: make_class(self.campaign, self.slot, status=SchoolClass.Status.DEFERRED)
        )

    def test_a_current_student_belongs_to_a_class(self):
        def no_class():
            Student.objects.create(
                campaign=self.campaign,
                student_id="1",
                name="张三",
                id_number="x",
                category="current",
            )

        self.assertRefused(no_class)

    def test_a_roster_correction_has_a_reason_and_changes_the_value(self):
        student = make_student(make_class(self.campaign))
        staff = make_staff()

        def correction(**fields):
            values = {"old_value": "张三", "new_value": "张珊", "reason": "已核对身份证", **fields}
            return RosterCorrection.objects.create(
                campaign=self.campaign,
                student=student,
                field=RosterCorrection.Field.NAME,
                corrected_by=staff,
                corrected_at=timezone.now(),
                **values,
            )

        self.assertRefused(lambda: correction(reason=""))
        self.assertRefused(lambda: correction(new_value="张三"))
        self.assertEqual(correction().new_value, "张珊")
        # The log keeps the student: a corrected student cannot be deleted from under it.
        with self.assertRaises(ProtectedError):
            student.delete()


class MaskTests(TestCase):
    def test_the_id_number_shows_only_its_first_and_last_four(self):
        student = Student(id_number="43010320010512102X")
        self.assertEqual(student.id_number_masked, "4301**********102X")
