import datetime

from django.test import TestCase

from sessions_app import services
from sessions_app.models import SchoolClass, Student
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


class ScheduleTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        venue = make_venue()
        self.morning = make_slot(self.campaign, venue, "08:00", "09:00")
        self.noon = make_slot(self.campaign, venue, "09:00", "10:00")
        self.a = make_class(self.campaign, self.morning, name="甲1171")
        self.b = make_class(self.campaign, self.morning, name="乙1171")
        self.c = make_class(self.campaign, self.noon, name="丙1171")

    def test_it_reorders_and_moves_classes_in_one_save(self):
        services.schedule_save(
            campaign=self.campaign, plan={self.morning: [self.c, self.a], self.noon: [self.b]}
        )
        self.assertEqual(order(self.morning), ["丙1171", "甲1171"])
        self.assertEqual(order(self.noon), ["乙1171"])

    def test_a_class_listed_twice_is_refused_and_nothing_changes(self):
        with self.assertRaisesMessage(services.ScheduleError, "甲1171 被安排了两次"):
            services.schedule_save(
                campaign=self.campaign, plan={self.morning: [self.a], self.noon: [self.a, self.c]}
            )
        self.assertEqual(order(self.morning), ["甲1171", "乙1171"])
        self.assertEqual(order(self.noon), ["丙1171"])

    def test_a_deferred_class_cannot_be_scheduled(self):
        deferred = make_class(self.campaign, status=SchoolClass.Status.DEFERRED, name="工商17级")
        with self.assertRaisesMessage(services.ScheduleError, "推迟"):
            services.schedule_save(campaign=self.campaign, plan={self.noon: [deferred]})

    def test_a_class_of_another_campaign_is_refused(self):
        stranger = make_class(make_campaign(), name="外校1171")
        with self.assertRaisesMessage(services.ScheduleError, "不属于本次采集"):
            services.schedule_save(campaign=self.campaign, plan={self.noon: [stranger]})

    def test_moving_a_class_puts_it_last_in_the_target_slot(self):
        services.class_move(school_class=self.a, slot=self.noon)
        self.assertEqual(order(self.morning), ["乙1171"])
        self.assertEqual(order(self.noon), ["丙1171", "甲1171"])
        self.b.refresh_from_db()
        self.assertEqual(self.b.position, 1)

    def test_moving_a_class_to_a_position_shifts_the_others(self):
        services.class_move(school_class=self.c, slot=self.morning, position=1)
        self.assertEqual(order(self.morning), ["丙1171", "甲1171", "乙1171"])

    def test_moving_a_class_off_the_schedule_clears_slot_and_position(self):
        services.class_move(school_class=self.a, slot=None)
        self.a.refresh_from_db()
        self.assertEqual((self.a.slot_id, self.a.position), (None, None))

    def test_shifting_swaps_with_the_neighbour_and_stops_at_the_edge(self):
        services.class_shift(school_class=self.b, offset=-1)
        self.assertEqual(order(self.morning), ["乙1171", "甲1171"])
        self.b.refresh_from_db()
        with self.assertRaisesMessage(services.ScheduleError, "首位或末位"):
            services.class_shift(school_class=self.b, offset=-1)

    def test_swapping_exchanges_slots_and_positions(self):
        services.class_swap(first=self.a, second=self.c)
        self.assertEqual(order(self.morning), ["丙1171", "乙1171"])
        self.assertEqual(order(self.noon), ["甲1171"])

    def test_deferring_takes_the_class_off_the_schedule(self):
        services.class_defer(school_class=self.a, deferred=True)
        self.a.refresh_from_db()
        self.assertEqual(self.a.status, SchoolClass.Status.DEFERRED)
        self.assertIsNone(self.a.slot_id)
        self.assertEqual(order(self.morning), ["乙1171"])


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
