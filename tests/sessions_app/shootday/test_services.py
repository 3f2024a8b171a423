"""The shoot-day services: 拍摄序号, photographed, absent, void, card corrections,
class close and the 学信网 answer."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.test import TestCase

from cards_app.selectors import card_discrepancies_open
from payments_app.services import handover_record, payment_record
from sessions_app.models import CardCorrection, ChsiCheck, SchoolClass, Shot, ShotAbsence
from sessions_app.shootday import services as shootday
from sessions_app.shootday.rules import STATE_ABSENT, STATE_NUMBERED, STATE_PHOTOGRAPHED
from sessions_app.shootday.selectors.close import class_close_summary
from sessions_app.shootday.selectors.numbers import number_log
from sessions_app.shootday.services import ShootDayError
from sessions_app.shootday.status import shoot_status_by_student
from tests.cards_app.factories import make_card_check
from tests.factories import make_class, make_id_number, make_staff, make_student
from tests.sessions_app.shootday.factories import at, make_photographed, make_shoot_day

T = at("2018-11-11", "08:05")


class ShotNumberAssignTests(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(4,))
        self.students = self.day.roster(0)
        self.crew = self.day.crew

    def test_numbers_run_from_one_in_the_order_given(self):
        numbers = [
            shootday.shot_number_assign(student=s, desk="1号台", by=self.crew, now=T).number
            for s in self.students
        ]
        self.assertEqual(numbers, [1, 2, 3, 4])
        self.assertEqual(self.day.campaign.shot_counter.last_number, 4)

    def test_numbers_are_per_campaign(self):
        other = make_shoot_day(sizes=(1,))
        shootday.shot_number_assign(student=self.students[0], desk="1号台", by=self.crew)
        shot = shootday.shot_number_assign(student=other.roster(0)[0], desk="1号台", by=self.crew)
        self.assertEqual(shot.number, 1)

    def test_a_student_holding_an_open_number_is_not_given_another(self):
        first = shootday.shot_number_assign(student=self.students[0], desk="1号台", by=self.crew)
        with self.assertRaisesMessage(ShootDayError, "已取号 %d，尚未拍摄" % first.number):
            shootday.shot_number_assign(student=self.students[0], desk="2号台", by=self.crew)
        self.assertEqual(Shot.objects.count(), 1)
        self.assertEqual(self.day.campaign.shot_counter.last_number, 1)

    def test_a_photographed_student_gets_a_second_number_only_with_a_reason(self):
        make_photographed(self.students[0], by=self.crew, when=T)
        with self.assertRaisesMessage(ShootDayError, "如需重拍，请填写重拍原因"):
            shootday.shot_number_assign(student=self.students[0], desk="1号台", by=self.crew)
        retake = shootday.shot_number_assign(
            student=self.students[0], desk="1号台", by=self.crew, retake_reason="闭眼"
        )
        self.assertEqual((retake.number, retake.retake_reason), (2, "闭眼"))

    def test_a_retake_reason_is_dropped_for_a_first_photo(self):
        shot = shootday.shot_number_assign(
            student=self.students[0], desk="1号台", by=self.crew, retake_reason="闭眼"
        )
        self.assertEqual(shot.retake_reason, "")

    def test_a_deferred_class_gets_no_number(self):
        deferred = make_class(self.day.campaign, status=SchoolClass.Status.DEFERRED)
        student = make_student(deferred)
        with self.assertRaisesMessage(ShootDayError, "已推迟至下一年"):
            shootday.shot_number_assign(student=student, desk="1号台", by=self.crew)
        self.assertFalse(Shot.objects.exists())

    def test_a_desk_name_is_required_and_bounded(self):
        with self.assertRaisesMessage(ShootDayError, "请先填写本工作台的名称"):
            shootday.shot_number_assign(student=self.students[0], desk="  ", by=self.crew)
        with self.assertRaisesMessage(ShootDayError, "最多 20 个字"):
            shootday.shot_number_assign(student=self.students[0], desk="台" * 21, by=self.crew)
        self.assertFalse(Shot.objects.exists())

    def test_it_records_the_slot_desk_author_and_time(self):
        shot = shootday.shot_number_assign(
            student=self.students[0], desk="2号台", by=self.crew, now=T
        )
        self.assertEqual(
            (shot.slot, shot.desk, shot.assigned_by, shot.assigned_at),
            (self.day.slot, "2号台", self.crew, T),
        )

    def test_the_database_refuses_a_number_given_twice(self):
        shot = shootday.shot_number_assign(student=self.students[0], desk="1号台", by=self.crew)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Shot.objects.create(
                campaign=self.day.campaign,
                number=shot.number,
                student=self.students[1],
                desk="x",
                assigned_by=self.crew,
                assigned_at=T,
            )


class PhotographedVoidAbsentTests(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(3,))
        self.students = self.day.roster(0)
        self.crew = self.day.crew

    def test_marking_photographed_records_who_and_when(self):
        shot = shootday.shot_number_assign(student=self.students[0], desk="1号台", by=self.crew)
        shootday.shot_mark_photographed(shot=shot, by=self.crew, now=T)
        shot.refresh_from_db()
        self.assertEqual((shot.status, shot.photographed_at), (Shot.Status.PHOTOGRAPHED, T))

    def test_marking_photographed_twice_is_refused(self):
        shot = make_photographed(self.students[0], by=self.crew, when=T)
        with self.assertRaisesMessage(ShootDayError, "已登记为已拍摄"):
            shootday.shot_mark_photographed(shot=shot, by=self.crew)

    def test_voiding_needs_a_reason_and_keeps_the_number_used(self):
        shot = shootday.shot_number_assign(student=self.students[0], desk="1号台", by=self.crew)
        with self.assertRaisesMessage(ShootDayError, "请填写作废原因"):
            shootday.shot_void(shot=shot, by=self.crew, reason=" ")
        shootday.shot_void(shot=shot, by=self.crew, reason="学生离开")
        again = shootday.shot_number_assign(student=self.students[0], desk="1号台", by=self.crew)
        self.assertEqual(again.number, 2)
        with self.assertRaisesMessage(ShootDayError, "已作废，不能登记拍摄"):
            shootday.shot_mark_photographed(shot=shot, by=self.crew)

    def test_a_photographed_number_cannot_be_voided(self):
        shot = make_photographed(self.students[0], by=self.crew, when=T)
        with self.assertRaisesMessage(ShootDayError, "只有待拍的序号可以作废"):
            shootday.shot_void(shot=shot, by=self.crew, reason="x")

    def test_absent_is_refused_after_a_number_or_a_photo(self):
        shot = shootday.shot_number_assign(student=self.students[0], desk="1号台", by=self.crew)
        with self.assertRaisesMessage(ShootDayError, "请先作废该序号再登记缺席"):
            shootday.shot_mark_absent(student=self.students[0], by=self.crew)
        shootday.shot_mark_photographed(shot=shot, by=self.crew)
        with self.assertRaisesMessage(ShootDayError, "已拍摄，不能登记缺席"):
            shootday.shot_mark_absent(student=self.students[0], by=self.crew)
        self.assertFalse(ShotAbsence.objects.exists())

    def test_absent_twice_is_refused(self):
        shootday.shot_mark_absent(student=self.students[1], by=self.crew)
        with self.assertRaisesMessage(ShootDayError, "已登记缺席"):
            shootday.shot_mark_absent(student=self.students[1], by=self.crew)

    def test_a_latecomer_given_a_number_is_no_longer_absent(self):
        student = self.students[2]
        shootday.shot_mark_absent(student=student, by=self.crew)
        self.assertEqual(
            shoot_status_by_student(students=[student])[student.pk].state, STATE_ABSENT
        )
        shot = shootday.shot_number_assign(student=student, desk="1号台", by=self.crew)
        status = shoot_status_by_student(students=[student])[student.pk]
        self.assertEqual(status.state, STATE_NUMBERED)
        absence = ShotAbsence.objects.get(student=student)
        self.assertIsNotNone(absence.withdrawn_at)
        self.assertIn(str(shot.number), absence.withdrawn_note)


class NumberLogTests(TestCase):
    def test_void_retake_open_and_missing_numbers_are_each_explained(self):
        day = make_shoot_day(sizes=(4,))
        a, b, c, d = day.roster(0)
        crew = day.crew
        make_photographed(a, by=crew, when=T)  # 1
        void = shootday.shot_number_assign(student=b, desk="1号台", by=crew)  # 2
        shootday.shot_void(shot=void, by=crew, reason="卡面污损")
        shootday.shot_number_assign(student=c, desk="1号台", by=crew)  # 3, left open
        make_photographed(d, by=crew, when=T)  # 4
        retake = shootday.shot_number_assign(
            student=a, desk="1号台", by=crew, retake_reason="闭眼"
        )  # 5
        shootday.shot_mark_photographed(shot=retake, by=crew)
        # A gap can only come from outside the services: simulate a lost row.
        counter = day.campaign.shot_counter
        counter.last_number = 6
        counter.save()

        log = number_log(campaign=day.campaign)
        text = {row.number: row.explanation for row in log.rows}
        self.assertEqual(log.last_number, 6)
        self.assertEqual(text[2], "作废（跳号）：卡面污损")
        self.assertIn("后面的序号已拍", text[3])
        self.assertEqual(text[5], "重拍：闭眼")
        self.assertIn("序号缺失", text[6])
        self.assertEqual([r.number for r in log.problems], [3, 6])
        self.assertEqual([r.number for r in log.rows if r.shot is None], [6])
        self.assertEqual(log.void_count, 1)
        self.assertEqual([(s, [x.number for x in shots]) for s, shots in log.twice], [(a, [1, 5])])


class CardCorrectionTests(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(1,))
        self.student = self.day.roster(0)[0]
        self.crew = self.day.crew

    def record(self, field, value, kind="amend"):
        return shootday.card_correction_record(
            student=self.student, field=field, kind=kind, value=value, by=self.crew, now=T
        )

    def test_a_correction_is_logged_with_who_and_when(self):
        record = self.record("id_number", " %s " % self.student.id_number.lower(), kind="fill")
        self.assertEqual(record.value, self.student.id_number)
        self.assertIs(record.matches_roster, True)
        self.assertEqual((record.recorded_by, record.recorded_at), (self.crew, T))
        self.assertEqual(record.get_kind_display(), "补填")

    def test_a_value_still_wrong_by_the_card_rules_is_refused(self):
        wrong = self.student.id_number[:-1] + ("0" if self.student.id_number[-1] != "0" else "1")
        with self.assertRaisesMessage(ShootDayError, "更正后仍不正确"):
            self.record("id_number", wrong)
        with self.assertRaisesMessage(ShootDayError, "姓名只能是汉字"):
            self.record("name", "张3")
        self.assertFalse(CardCorrection.objects.exists())

    def test_a_valid_value_that_differs_from_the_roster_is_logged_and_flagged(self):
        record = self.record("student_id", "1799999999")
        self.assertIs(record.matches_roster, False)

    def test_a_name_is_logged_with_its_codes(self):
        record = self.record("name", "张三")
        self.assertEqual(record.value, "张三（5337 4093）")
        self.assertIs(record.matches_roster, True)

    def test_a_name_whose_reading_is_unknown_is_logged_and_its_pinyin_on_its_own(self):
        self.student.name = "王𠮷"
        self.student.save()
        record = self.record("name", "王𠮷")
        self.assertEqual(record.value, "王𠮷（4585 0000）")
        self.assertIs(record.matches_roster, True)
        with self.assertRaisesMessage(ShootDayError, "拼音应为 1 个音节"):
            self.record("name_pinyin", "ji li")
        self.assertEqual(self.record("name_pinyin", " JI ").value, "ji")

    def test_the_shot_number_must_be_the_students_own(self):
        with self.assertRaisesMessage(ShootDayError, "尚未取号"):
            self.record("shot_number", "7")
        shot = shootday.shot_number_assign(student=self.student, desk="1号台", by=self.crew)
        self.assertEqual(self.record("shot_number", str(shot.number)).value, str(shot.number))

    def test_unknown_field_kind_and_blank_value_are_refused(self):
        for field, kind, value, message in [
            ("photo", "amend", "x", "请选择更正的项目"),
            ("name", "erase", "张三", "请选择改填或补填"),
            ("name", "amend", "  ", "请填写更正后卡上的内容"),
        ]:
            with (
                self.subTest(field=field, kind=kind),
                self.assertRaisesMessage(ShootDayError, message),
            ):
                shootday.card_correction_record(
                    student=self.student, field=field, kind=kind, value=value, by=self.crew
                )
        self.assertFalse(CardCorrection.objects.exists())


class CorrectionSettlesDiscrepancyTests(TestCase):
    """A student's pre-check that disagreed with the roster, then the card put right at the desk."""

    def setUp(self):
        self.day = make_shoot_day(sizes=(1,))
        self.student = self.day.roster(0)[0]
        self.crew = self.day.crew

    def precheck(self, **typed):
        check = make_card_check(self.student, **typed)
        check.created_at = T - datetime.timedelta(days=3)
        check.save(update_fields=["created_at"])
        return check

    def correct(self, field, value, when=T):
        return shootday.card_correction_record(
            student=self.student, field=field, kind="amend", value=value, by=self.crew, now=when
        )

    def test_correcting_every_differing_field_to_the_roster_closes_the_discrepancy(self):
        check = self.precheck(
            student_id="1799999999", id_number=make_id_number("43010219800101001")
        )
        self.assertEqual(sorted(check.mismatch_fields), ["id_number", "student_id"])

        first = self.correct("student_id", self.student.student_id)
        self.assertIsNone(first.settled_check)
        check.refresh_from_db()
        self.assertIsNone(check.resolved_at)  # 身份证号 still differs
        self.assertEqual(card_discrepancies_open(campaign=self.day.campaign).count(), 1)

        second = self.correct(
            "id_number", self.student.id_number, when=T + datetime.timedelta(minutes=1)
        )
        self.assertEqual(second.settled_check, check)
        check.refresh_from_db()
        self.assertEqual(check.resolved_at, T + datetime.timedelta(minutes=1))
        self.assertEqual(check.resolved_by, self.crew)
        self.assertIn("学号、身份证号改为与名册一致", check.resolution_note)
        self.assertEqual(card_discrepancies_open(campaign=self.day.campaign).count(), 0)

    def test_a_correction_that_still_differs_from_the_roster_leaves_it_open(self):
        check = self.precheck(student_id="1799999999")
        record = self.correct("student_id", "1799999998")
        self.assertIs(record.matches_roster, False)
        self.assertIsNone(record.settled_check)
        check.refresh_from_db()
        self.assertIsNone(check.resolved_at)

    def test_a_correction_older_than_the_check_does_not_close_it(self):
        self.correct("student_id", self.student.student_id, when=T - datetime.timedelta(days=5))
        check = self.precheck(student_id="1799999999")
        # Another field's correction now: the 学号 one predates the check.
        self.correct("name", self.student.name)
        check.refresh_from_db()
        self.assertIsNone(check.resolved_at)

    def test_an_agreeing_check_or_none_at_all_is_left_alone(self):
        self.assertIsNone(self.correct("student_id", self.student.student_id).settled_check)
        check = self.precheck()
        self.assertEqual(check.mismatch_fields, [])
        self.assertIsNone(self.correct("student_id", self.student.student_id).settled_check)
        check.refresh_from_db()
        self.assertIsNone(check.resolved_at)


class ClassCloseTests(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(5,), fee=Decimal("20.00"))
        self.school_class = self.day.classes[0]
        self.students = self.day.roster(0)
        self.crew = self.day.crew
        self.staff = make_staff()

    def test_it_counts_and_expects_the_fee_of_everyone_photographed(self):
        a, b, c, d, e = self.students
        for student in (a, b, c, d):
            payment_record(student=student, by=self.staff)
        make_photographed(a, by=self.crew, when=T)
        make_photographed(b, by=self.crew, when=T)
        make_photographed(e, by=self.crew, when=T)  # photographed, never paid
        shootday.shot_mark_absent(student=c, by=self.crew)  # paid, absent
        # d paid, never came: not shot.
        close = shootday.class_close(school_class=self.school_class, by=self.crew, now=T)
        self.assertEqual(
            (close.photographed_count, close.absent_count, close.not_shot_count),
            (3, 1, 2),
        )
        self.assertEqual(close.paid_photographed_count, 2)
        self.assertEqual(close.expected_amount, Decimal("60.00"), "e owes the crew too")
        summary = class_close_summary(school_class=self.school_class)
        self.assertEqual([r.student for r in summary.ledger.refunds], [c, d])
        self.assertEqual([r.student for r in summary.ledger.unpaid_photographed], [e])
        self.assertEqual(summary.money.refund_due, Decimal("40.00"))

    def test_a_photo_after_the_handover_shows_as_a_difference(self):
        a, b = self.students[:2]
        for student in (a, b):
            payment_record(student=student, by=self.staff)
        make_photographed(a, by=self.crew, when=T)
        for student in self.students[1:]:
            shootday.shot_mark_absent(student=student, by=self.crew)
        handover_record(
            school_class=self.school_class,
            by=self.staff,
            student_count=1,
            amount=Decimal("20.00"),
            receiver_name="李师傅",
        )
        make_photographed(b, by=self.crew, when=T)  # came late after all

        summary = class_close_summary(school_class=self.school_class)

        self.assertEqual(summary.money.owed, Decimal("40.00"))
        self.assertEqual(summary.money.discrepancy, Decimal("-20.00"))
        self.assertEqual(summary.money.discrepancy_count, -1)

    def test_a_class_with_an_open_number_cannot_close(self):
        shootday.shot_number_assign(student=self.students[0], desk="1号台", by=self.crew)
        with self.assertRaisesMessage(ShootDayError, "还有已取号未拍摄的学生"):
            shootday.class_close(school_class=self.school_class, by=self.crew)

    def test_a_class_closes_once(self):
        shootday.class_close(school_class=self.school_class, by=self.crew)
        with self.assertRaisesMessage(ShootDayError, "已结束拍摄"):
            shootday.class_close(school_class=self.school_class, by=self.crew)


class ChsiCheckConfirmTests(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(1,))
        self.student = self.day.roster(0)[0]

    def test_only_a_photographed_student_can_answer(self):
        with self.assertRaisesMessage(ShootDayError, "拍摄登记之后才能核对"):
            shootday.chsi_check_confirm(student=self.student, ok=True, by=self.day.crew)
        self.assertFalse(ChsiCheck.objects.exists())

    def test_a_problem_needs_a_description_and_answers_are_kept(self):
        make_photographed(self.student, by=self.day.crew, when=T)
        with self.assertRaisesMessage(ShootDayError, "请写明学信网上哪一项有问题"):
            shootday.chsi_check_confirm(student=self.student, ok=False, by=self.day.crew)
        shootday.chsi_check_confirm(
            student=self.student, ok=False, problem="毕业年份显示2019", by=self.day.crew
        )
        shootday.chsi_check_confirm(student=self.student, ok=True, by=self.day.crew)
        self.assertEqual(
            list(ChsiCheck.objects.order_by("id").values_list("result", "problem")),
            [("problem", "毕业年份显示2019"), ("ok", "")],
        )

    def test_the_status_counts_the_photo(self):
        make_photographed(self.student, by=self.day.crew, when=T)
        status = shoot_status_by_student(students=[self.student])[self.student.pk]
        self.assertEqual(status.state, STATE_PHOTOGRAPHED)


class ChsiReportHandleTests(TestCase):
    def setUp(self):
        self.day = make_shoot_day(sizes=(1,))
        self.student = self.day.roster(0)[0]
        self.staff = make_staff(first_name="刘老师")
        make_photographed(self.student, by=self.day.crew, when=T)
        self.report = shootday.chsi_check_confirm(
            student=self.student,
            ok=False,
            problem="毕业年份显示2019",
            by=self.day.crew,
            now=at("2018-11-13", "20:00"),
        )

    def test_a_later_ok_keeps_the_report_open(self):
        shootday.chsi_check_confirm(
            student=self.student, ok=True, by=self.day.crew, now=at("2018-11-14", "09:00")
        )
        self.report.refresh_from_db()
        self.assertIs(self.report.is_open, True)
        self.assertEqual(
            list(ChsiCheck.objects.order_by("created_at").values_list("result", "problem")),
            [("problem", "毕业年份显示2019"), ("ok", "")],
        )

    def test_staff_mark_a_report_handled_with_who_when_and_a_note(self):
        when = at("2018-11-15", "10:30")
        shootday.chsi_report_handle(
            report=self.report, note="  已提交勘误，\n请学生三日后再查 ", by=self.staff, now=when
        )
        self.report.refresh_from_db()
        self.assertEqual(
            (self.report.handled_by, self.report.handled_at, self.report.handled_note),
            (self.staff, when, "已提交勘误， 请学生三日后再查"),
        )
        self.assertIs(self.report.is_open, False)
        # The student's words stay as they were written.
        self.assertEqual(self.report.problem, "毕业年份显示2019")

    def test_a_report_is_handled_once_and_the_second_is_told_by_whom(self):
        shootday.chsi_report_handle(
            report=self.report, note="已处理", by=self.staff, now=at("2018-11-15", "10:30")
        )
        with self.assertRaisesMessage(
            ShootDayError, "这个问题已由 刘老师 于 2018-11-15 10:30 标记为已处理。"
        ):
            shootday.chsi_report_handle(report=self.report, note="我也处理了", by=make_staff())
        self.report.refresh_from_db()
        self.assertEqual(self.report.handled_note, "已处理")

    def test_a_note_is_required_and_bounded(self):
        for note, message in [
            ("", "请写明处理结果"),
            ("   ", "请写明处理结果"),
            ("x" * 201, "处理说明最多 200 个字。"),
        ]:
            with self.subTest(note=note), self.assertRaisesMessage(ShootDayError, message):
                shootday.chsi_report_handle(report=self.report, note=note, by=self.staff)
        self.report.refresh_from_db()
        self.assertIsNone(self.report.handled_at)

    def test_an_ok_answer_has_nothing_to_handle(self):
        ok = shootday.chsi_check_confirm(student=self.student, ok=True, by=self.day.crew)
        with self.assertRaisesMessage(ShootDayError, "没有要处理的问题"):
            shootday.chsi_report_handle(report=ok, note="无", by=self.staff)

    def test_the_database_refuses_a_handled_ok_or_a_handling_without_a_note(self):
        ok = shootday.chsi_check_confirm(student=self.student, ok=True, by=self.day.crew)
        for check, fields in [
            (ok, {"handled_at": T, "handled_by": self.staff, "handled_note": "x"}),
            (self.report, {"handled_at": T, "handled_by": self.staff, "handled_note": ""}),
            (self.report, {"handled_at": T, "handled_by": None, "handled_note": "x"}),
            (self.report, {"handled_at": None, "handled_by": None, "handled_note": "x"}),
        ]:
            with self.subTest(fields=fields), self.assertRaises(IntegrityError):
                with transaction.atomic():
                    ChsiCheck.objects.filter(pk=check.pk).update(**fields)
