"""Card states in one query, and the bulk check of the roster."""

from django.test import TestCase

from cards_app import selectors, services
from sessions_app.models import Student
from tests.cards_app.factories import make_card_check
from tests.factories import (
    make_campaign,
    make_category_rule,
    make_class,
    make_id_number,
    make_staff,
    make_student,
)


class CardStateTests(TestCase):
    def setUp(self):
        self.school_class = make_class(make_campaign())
        self.unchecked = make_student(self.school_class)
        self.ok = make_student(self.school_class)
        self.problem = make_student(self.school_class)
        self.mismatch = make_student(self.school_class)
        make_card_check(self.ok)
        make_card_check(self.problem, id_number="110105194912310021")
        make_card_check(self.mismatch, name="張三")

    def test_states_and_labels_of_each_kind(self):
        states = selectors.card_state_by_student(
            students=[self.unchecked, self.ok, self.problem, self.mismatch]
        )
        self.assertEqual(
            [
                (states[s.pk].status, states[s.pk].label)
                for s in (self.unchecked, self.ok, self.problem, self.mismatch)
            ],
            [
                ("unchecked", "未核对"),
                ("ok", "核对无误"),
                ("problem", "有问题：身份证号"),
                ("problem", "有问题：姓名"),
            ],
        )
        self.assertEqual(states[self.mismatch.pk].fields, ("name",))
        self.assertEqual(states[self.mismatch.pk].mismatch_fields, ("name",))

    def test_one_query_for_any_number_of_students_list_or_queryset(self):
        for _ in range(20):
            make_card_check(make_student(self.school_class))
        students = list(Student.objects.all())
        with self.assertNumQueries(1):
            states = selectors.card_state_by_student(students=students)
        self.assertEqual(len(states), 24)
        with self.assertNumQueries(1):
            states = selectors.card_state_by_student(students=Student.objects.all())
            self.assertEqual(states[self.unchecked.pk].status, "unchecked")
            self.assertEqual(states[self.ok.pk].status, "ok")

    def test_a_resolved_discrepancy_no_longer_makes_a_problem(self):
        check = selectors.card_check_current(student=self.mismatch)
        services.card_discrepancy_resolve(check=check, by=make_staff(), note="名册已更正")
        state = selectors.card_state_by_student(students=[self.mismatch])[self.mismatch.pk]
        self.assertEqual(state.status, "ok")

    def test_open_discrepancies_list_only_unresolved_current_mismatches(self):
        # The problem student typed another ID number than the roster's: a case too.
        self.assertEqual(
            [c.student for c in selectors.card_discrepancies_open()], [self.problem, self.mismatch]
        )
        services.card_discrepancy_resolve(
            check=selectors.card_check_current(student=self.problem), by=make_staff(), note="已核实"
        )
        make_card_check(self.mismatch)
        self.assertEqual(list(selectors.card_discrepancies_open()), [])


class RosterBulkCheckTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        make_category_rule(self.campaign, "current")
        self.a = make_class(self.campaign, name="会计1171")
        self.b = make_class(self.campaign, name="会计1172")
        make_student(self.a, name="张三")
        self.bad_id = make_student(self.a, name="李四", id_number="110105194912310021")
        self.bad_both = make_student(self.b, name="王5", id_number="1101051949")
        self.rare = make_student(self.b, name="王堃")
        self.long = make_student(self.b, name="买买提·艾力")
        self.adult = make_student(self.b, education_type="adult_junior")

    def test_counts_per_problem_type_and_per_class(self):
        bulk = selectors.roster_bulk_check(campaign=self.campaign)
        self.assertEqual(bulk.total, 6)
        self.assertEqual(bulk.with_problems, 3)
        counts = {(f, code): n for f, code, _, _, n in bulk.type_counts()}
        self.assertEqual(
            counts,
            {
                ("id_number", "checksum"): 1,
                ("id_number", "length"): 1,
                ("name", "invalid_chars"): 1,
                ("education_type", "mismatch"): 1,
            },
        )
        by_class = {
            c.class_name: (c.students, c.with_problems, c.name_notes) for c in bulk.class_counts()
        }
        self.assertEqual(by_class, {"会计1171": (2, 1, 0), "会计1172": (4, 2, 2)})

    def test_the_list_filters_by_type_and_class(self):
        bulk = selectors.roster_bulk_check(campaign=self.campaign)
        self.assertEqual(
            [r.pk for r in bulk.filtered(problem="id_number:checksum")], [self.bad_id.pk]
        )
        self.assertEqual(
            sorted(r.pk for r in bulk.filtered(class_name="会计1172")),
            sorted([self.bad_both.pk, self.adult.pk]),
        )

    def test_names_needing_0000_or_handwriting_are_listed_with_what_to_write(self):
        bulk = selectors.roster_bulk_check(campaign=self.campaign)
        notes = {r.name: r.name_note for r in bulk.name_rows}
        self.assertEqual(
            notes, {"王堃": "填 0000 并写拼音：堃 kun", "买买提·艾力": "超过四个汉字：正楷手写全名"}
        )

    def test_an_unknown_reading_is_a_problem_and_still_on_the_centres_list(self):
        unread = make_student(self.b, name="王𠮷")
        bulk = selectors.roster_bulk_check(campaign=self.campaign)
        [row] = [r for r in bulk.problem_rows if r.pk == unread.pk]
        self.assertEqual([(i.field, i.code) for i in row.problems], [("name", "pinyin_unknown")])
        notes = {r.name: r.name_note for r in bulk.name_rows}
        self.assertEqual(notes["王𠮷"], "填 0000 并写拼音：𠮷 读音待填")
        self.assertEqual([c.code for c in row.name_codes], ["4585", "0000"])

    def test_it_costs_three_queries_whatever_the_roster_size(self):
        for i in range(30):
            make_student(self.a, id_number=make_id_number("43010320010101%03d" % i))
        with self.assertNumQueries(3):
            selectors.roster_bulk_check(campaign=self.campaign)


class CardStateCountTests(TestCase):
    def test_counts_agree_with_the_states(self):
        campaign = make_campaign()
        school_class = make_class(campaign)
        make_student(school_class)
        make_card_check(make_student(school_class))
        make_card_check(make_student(school_class), id_number="110105194912310021")
        check = make_card_check(make_student(school_class), name="張三")
        self.assertEqual(
            selectors.card_state_counts(campaign=campaign),
            {"unchecked": 1, "ok": 1, "problem": 2},
        )
        services.card_discrepancy_resolve(check=check, by=make_staff(), note="名册已更正")
        self.assertEqual(
            selectors.card_state_counts(campaign=campaign),
            {"unchecked": 1, "ok": 2, "problem": 1},
        )
