"""seed_demo_cards: deterministic, idempotent, some checks OK and some with problems."""

from django.test import TestCase

from cards_app import selectors
from cards_app.demo import seed_demo_cards
from cards_app.models import CardCheck
from sessions_app.models import Student
from tests.factories import (
    make_campaign,
    make_class,
    make_id_number,
    make_student,
    make_student_user,
)


class SeedDemoCardsTests(TestCase):
    def setUp(self):
        self.campaign = make_campaign()
        school_class = make_class(self.campaign)
        for i in range(200):
            make_student(
                school_class,
                name="张三" if i % 2 else "陈红",
                id_number=make_id_number("43010320000101%03d" % i),
            )
        self.login = make_student(school_class)
        make_student_user(self.login)

    def test_it_saves_ok_and_problem_checks_once(self):
        created = seed_demo_cards(self.campaign)
        self.assertGreater(created, 50)
        self.assertEqual(seed_demo_cards(self.campaign), 0)
        self.assertEqual(CardCheck.objects.count(), created)
        states = selectors.card_state_by_student(students=Student.objects.all())
        statuses = {states[s.pk].status for s in Student.objects.all()}
        self.assertEqual(statuses, {"ok", "problem", "unchecked"})
        self.assertEqual(states[self.login.pk].status, "unchecked")
        self.assertTrue(selectors.card_discrepancies_open(campaign=self.campaign).exists())
