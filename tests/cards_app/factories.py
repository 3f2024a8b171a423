"""Factories for card tests: checks are made through the service, as a student would."""

from cards_app import services
from cards_app.selectors import roster_card_data


def card_data(student, **changes) -> dict:
    """Return the card fields of a student's roster entry, with changes."""
    return {**roster_card_data(student=student), **changes}


def make_card_check(student, by=None, **changes):
    return services.card_check_save(student=student, data=card_data(student, **changes), by=by)


def sample_card(**changes) -> dict:
    """Return the fields of a valid card whose name has a character outside GB 2312 and
    whose ID number ends in a lowercase x, with changes."""
    return {
        "student_id": "1730101002",
        "name": "王堃",
        "id_number": "43010320010512102x",
        "education_type": "regular_junior",
        "school_type": "regular",
        **changes,
    }
