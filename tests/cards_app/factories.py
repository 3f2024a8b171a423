"""Factories for card tests: checks are made through the service, as a student would."""

from cards_app import services
from tests.factories import id_number as make_id_number  # noqa: F401 - re-exported


def card_data(student, **changes) -> dict:
    """Return the card fields of a student's roster entry, with changes."""
    data = {
        "student_id": student.student_id,
        "name": student.name,
        "id_number": student.id_number,
        "education_type": student.education_type,
        "school_type": student.school_type,
    }
    data.update(changes)
    return data


def make_card_check(student, by=None, **changes):
    return services.card_check_save(student=student, data=card_data(student, **changes), by=by)
