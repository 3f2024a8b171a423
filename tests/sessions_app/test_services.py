import datetime

from django.test import TestCase

from sessions_app import services
from sessions_app.models import Student
from tests.factories import make_campaign, make_class, make_slot, make_student, make_venue


def order(slot):
    return list(slot.classes.order_by("position").values_list("name", flat=True))


class SlotSaveTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        self.venue = make_venue()
        self.slot = make_slot(self.campaign, self.venue, "08:00", "09:00")

    def test_it_refuses_an_overlap_in_the_same_venue_with_a_message(self):
        with self.assertRaisesMessage(services.ScheduleError, "重叠"):
            services.slot_save(
                campaign=self.campaign,
                venue=self.venue,
                date=self.slot.date,
                start=datetime.time(8, 30),
                end=datetime.time(9, 30),
            )
        self.assertEqual(self.campaign.slots.count(), 1)

    def test_it_refuses_an_end_before_the_start(self):
        with self.assertRaisesMessage(services.ScheduleError, "结束时间必须晚于开始时间"):
            services.slot_save(
                campaign=self.campaign,
                venue=self.venue,
                date=self.slot.date,
                start=datetime.time(12, 0),
                end=datetime.time(11, 0),
            )

    def test_a_slot_can_be_edited_without_clashing_with_itself(self):
        services.slot_save(
            campaign=self.campaign,
            slot=self.slot,
            venue=self.venue,
            date=self.slot.date,
            start=datetime.time(8, 0),
            end=datetime.time(9, 30),
        )
        self.slot.refresh_from_db()
        self.assertEqual(self.slot.end, datetime.time(9, 30))

    def test_a_slot_with_classes_cannot_be_deleted(self):
        make_class(self.campaign, self.slot)
        with self.assertRaisesMessage(services.ScheduleError, "仍有班级"):
            services.slot_delete(slot=self.slot)
        self.assertEqual(self.campaign.slots.count(), 1)


class MonitorAndAccountTests(TestCase):
    def setUp(self):
        campaign = make_campaign()
        self.school_class = make_class(campaign, make_slot(campaign))
        self.other_class = make_class(campaign)
        self.student = make_student(self.school_class)

    def test_only_a_student_of_the_class_can_be_its_monitor(self):
        outsider = make_student(self.other_class)
        with self.assertRaisesMessage(services.ScheduleError, "不能任班长"):
            services.class_monitor_set(school_class=self.school_class, student=outsider)
        services.class_monitor_set(school_class=self.school_class, student=self.student)
        self.school_class.refresh_from_db()
        self.assertEqual(self.school_class.monitor_id, self.student.pk)

    def test_issued_passwords_log_in_and_must_be_changed(self):
        second = make_student(self.school_class)
        issued = services.student_accounts_issue(students=[self.student, second])
        self.assertEqual([s.pk for s, _ in issued], [self.student.pk, second.pk])
        for student, password in issued:
            student = Student.objects.select_related("user").get(pk=student.pk)
            self.assertEqual(student.user.username, student.student_id)
            self.assertIs(student.user.check_password(password), True)
            self.assertIs(student.must_change_password, True)
        self.assertNotEqual(issued[0][1], issued[1][1])

    def test_only_new_skips_students_who_already_have_an_account(self):
        services.student_accounts_issue(students=[self.student])
        second = make_student(self.school_class)
        issued = services.student_accounts_issue(students=[self.student, second], only_new=True)
        self.assertEqual([s.pk for s, _ in issued], [second.pk])

    def test_reissuing_replaces_the_old_password(self):
        [(_, first)] = services.student_accounts_issue(students=[self.student])
        [(_, second)] = services.student_accounts_issue(students=[self.student])
        user = Student.objects.get(pk=self.student.pk).user
        self.assertIs(user.check_password(first), False)
        self.assertIs(user.check_password(second), True)
