"""Saving checks and resolving discrepancies, against the real database."""

from django.test import TestCase

from cards_app import services
from cards_app.models import CardCheck
from tests.cards_app.factories import card_data, make_card_check
from tests.factories import make_campaign, make_class, make_staff, make_student


class CardCheckSaveTests(TestCase):
    def setUp(self):
        self.student = make_student(make_class(make_campaign()), name="王堃")

    def test_it_saves_the_normalised_entry_with_a_timestamp(self):
        check = make_card_check(self.student, id_number=self.student.id_number.lower() + " ")
        self.assertIs(check.ok, True)
        self.assertIsNotNone(check.created_at)
        self.assertEqual(check.id_number, self.student.id_number.upper())
        self.assertEqual(check.mismatch_fields, [])
        self.assertEqual(
            check.name_codes,
            [
                {"char": "王", "code": "4585", "pinyin": None},
                {"char": "堃", "code": "0000", "pinyin": "kun"},
            ],
        )

    def test_saving_again_keeps_the_history_with_one_current_check(self):
        first = make_card_check(self.student)
        second = make_card_check(self.student, name="王坤")
        first.refresh_from_db()
        self.assertIs(first.is_current, False)
        self.assertIs(second.is_current, True)
        self.assertEqual(CardCheck.objects.filter(student=self.student).count(), 2)

    def test_a_different_id_number_or_name_form_is_a_mismatch_by_field_only(self):
        other_id = "11010519491231002X"
        check = make_card_check(self.student, id_number=other_id, name="王堃 ")
        self.assertEqual(check.mismatch_fields, ["id_number"])
        check = make_card_check(self.student, name="汪堃")
        self.assertEqual(check.mismatch_fields, ["name"])

    def test_a_check_with_rule_errors_is_saved_as_a_problem(self):
        check = make_card_check(
            self.student,
            id_number=self.student.id_number[:-1] + "0"
            if self.student.id_number[-1] != "0"
            else self.student.id_number[:-1] + "1",
        )
        self.assertIs(check.ok, False)
        self.assertEqual([e["code"] for e in check.errors], ["checksum"])

    def test_a_check_with_an_empty_field_is_refused(self):
        with self.assertRaisesMessage(services.CardCheckError, "请先填写身份证号再保存。"):
            services.card_check_save(
                student=self.student, data=card_data(self.student, id_number=" "), by=None
            )
        self.assertFalse(CardCheck.objects.exists())


class DiscrepancyResolveTests(TestCase):
    def setUp(self):
        self.student = make_student(make_class(make_campaign()))
        self.staff = make_staff()

    def test_staff_close_a_discrepancy_with_a_note(self):
        check = make_card_check(self.student, name="張三")
        resolved = services.card_discrepancy_resolve(
            check=check, by=self.staff, note="身份证为繁体，名册已更正"
        )
        self.assertEqual(resolved.resolved_by, self.staff)
        self.assertIsNotNone(resolved.resolved_at)

    def test_a_note_is_required(self):
        check = make_card_check(self.student, name="張三")
        with self.assertRaisesMessage(services.CardCheckError, "请写明处理结果"):
            services.card_discrepancy_resolve(check=check, by=self.staff, note="  ")

    def test_a_check_without_mismatch_or_already_resolved_is_refused(self):
        ok = make_card_check(self.student)
        with self.assertRaisesMessage(services.CardCheckError, "无需处理"):
            services.card_discrepancy_resolve(check=ok, by=self.staff, note="x")
        bad = make_card_check(self.student, name="張三")
        services.card_discrepancy_resolve(check=bad, by=self.staff, note="已核实")
        with self.assertRaisesMessage(services.CardCheckError, "已经处理过了"):
            services.card_discrepancy_resolve(check=bad, by=self.staff, note="再次")
