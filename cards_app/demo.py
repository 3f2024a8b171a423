"""Demo card checks for seed_demo: part of the roster has checked, a few with problems."""

import zlib

from django.db import transaction

from cards_app import rules, services
from cards_app.models import CardCheck
from cards_app.selectors import roster_card_data
from sessions_app.models import Student

# Out of 100, by a hash of the 学号, so the same students are chosen on every run.
OK_BELOW = 55
ID_TYPO_BELOW = 60
NAME_FORM_BELOW = 63

_TO_TRADITIONAL = {simple: trad for trad, simple in rules.TRADITIONAL_TO_SIMPLIFIED.items()}


def _bucket(student_id: str) -> int:
    return zlib.crc32(student_id.encode("ascii", "replace")) % 100


def _id_typo(id_number: str) -> str:
    # One digit copied wrong: the check character no longer fits.
    digit = id_number[9]
    return id_number[:9] + str((int(digit) + 1) % 10 if digit.isdigit() else 0) + id_number[10:]


def _other_name_form(name: str) -> str | None:
    for i, char in enumerate(name):
        if char in _TO_TRADITIONAL:
            return name[:i] + _TO_TRADITIONAL[char] + name[i + 1 :]
    return None


def seed_demo_cards(campaign) -> int:
    """Save demo card checks for part of the campaign's roster; return how many.

    Idempotent: a student with any check is left alone, and so are students with a
    login (the demo accounts), who should find their card unchecked.
    """
    students = Student.objects.filter(
        campaign=campaign, user__isnull=True, card_checks__isnull=True
    ).order_by("student_id")
    checks = []
    for student in students.iterator(chunk_size=2000):
        bucket = _bucket(student.student_id)
        if bucket >= NAME_FORM_BELOW:
            continue
        data = roster_card_data(student=student)
        if OK_BELOW <= bucket < ID_TYPO_BELOW and len(student.id_number) == 18:
            data["id_number"] = _id_typo(student.id_number)
        elif ID_TYPO_BELOW <= bucket:
            other = _other_name_form(student.name)
            if other is None:
                continue
            data["name"] = other
        try:
            checks.append(services.card_check_build(student=student, data=data, by=None))
        except services.CardCheckError:
            continue
    with transaction.atomic():
        CardCheck.objects.bulk_create(checks, batch_size=1000)
    return len(checks)
