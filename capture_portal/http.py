"""Reading request parameters: every value a client sends is hostile until parsed."""

_MAX_ID_DIGITS = 18


def int_param(value) -> int | None:
    """Return a primary key given as ASCII digits (``"42"``), or None for anything else.

    ``str.isdigit()`` accepts "²" and "٣", which ``int()`` then refuses or reads as
    another number: only 0–9 count here, and no more digits than a database id has.
    """
    value = (value or "").strip()
    if not value or len(value) > _MAX_ID_DIGITS or not value.isascii() or not value.isdigit():
        return None
    return int(value)
