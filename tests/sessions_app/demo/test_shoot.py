"""The recorded demo shoot day that `make run` loads with seed_demo --shoot-day."""

from django.test import TestCase
from django.utils import timezone

from sessions_app.demo.shoot import seed_demo_shoot
from sessions_app.models import ChsiCheck, ClassClose, Shot, ShotAbsence
from tests.factories import (
    make_campaign,
    make_class,
    make_crew,
    make_slot,
    make_staff,
    make_student,
    make_venue,
)


class SeedDemoShootTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        venue = make_venue()
        first = make_slot(self.campaign, venue, "08:00", "09:00")
        second = make_slot(self.campaign, venue, "09:00", "10:00")
        self.classes = [make_class(self.campaign, first), make_class(self.campaign, second)]
        # Fixed 学号: the demo picks its absentees by a hash of the 学号.
        self.students = [
            make_student(c, student_id="1730%06d" % (45 * i + n))
            for i, c in enumerate(self.classes)
            for n in range(45)
        ]
        self.crew, self.staff = make_crew(), make_staff()

    def seed(self):
        return seed_demo_shoot(self.campaign, by=self.crew, answers_by=self.staff)

    def test_every_student_is_photographed_or_absent_and_every_class_closed(self):
        shots = self.seed()
        photographed = Shot.objects.filter(status=Shot.Status.PHOTOGRAPHED).count()
        absent = ShotAbsence.objects.count()
        self.assertEqual(shots, photographed)
        self.assertEqual(photographed + absent, len(self.students))
        self.assertGreater(absent, 0)
        self.assertEqual(ClassClose.objects.count(), 2)
        numbers = sorted(Shot.objects.values_list("number", flat=True))
        self.assertEqual(numbers, list(range(1, shots + 1)))

    def test_shots_fall_inside_their_slot_in_the_notice_order(self):
        self.seed()
        for shot in Shot.objects.select_related("student__school_class__slot"):
            slot = shot.student.school_class.slot
            taken = timezone.localtime(shot.photographed_at)
            self.assertEqual(shot.slot_id, slot.pk)
            self.assertEqual(taken.date(), slot.date)
            self.assertTrue(slot.start <= taken.time() <= slot.end, (taken, slot))
        first_class = Shot.objects.filter(student__school_class=self.classes[0])
        second_class = Shot.objects.filter(student__school_class=self.classes[1])
        self.assertLess(max(s.number for s in first_class), min(s.number for s in second_class))

    def test_part_of_the_photographed_answered_the_chsi_check(self):
        self.seed()
        answered = ChsiCheck.objects.count()
        self.assertGreater(answered, 0)
        self.assertLess(answered, Shot.objects.count())

    def test_running_it_again_records_nothing(self):
        self.seed()
        before = (Shot.objects.count(), ShotAbsence.objects.count(), ChsiCheck.objects.count())
        self.assertEqual(self.seed(), 0)
        after = (Shot.objects.count(), ShotAbsence.objects.count(), ChsiCheck.objects.count())
        self.assertEqual(before, after)
