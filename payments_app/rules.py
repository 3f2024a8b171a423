"""Who pays with the class, and the arithmetic of a class's cash. Pure: no ORM, no I/O."""

from decimal import Decimal

CURRENT_CATEGORY = "current"
DEFERRED_STATUS = "deferred"


def pays_at_makeup_centre(*, category: str, class_status: str | None) -> bool:
    """Return whether a student pays the make-up centre directly, outside any class total.

    Individuals (earlier unshot students, alumni, adult students) come without a class
    slot and students of a class deferred to next year are not shot this time: neither
    hands cash to a monitor.
    """
    if category != CURRENT_CATEGORY:
        return True
    return class_status is None or class_status == DEFERRED_STATUS


def expected_amount(*, fee: Decimal, count: int) -> Decimal:
    return (fee * count).quantize(Decimal("0.01"))


def progress_percent(part: int, whole: int) -> int:
    """Return part of whole as a whole percentage for a progress bar, 0 to 100."""
    if not whole:
        return 0
    return min(100, round(100 * part / whole))


def names_summary(names: list[str], limit: int = 10) -> str:
    """Return names joined by 、, cut after ``limit`` with the number left out."""
    if len(names) <= limit:
        return "、".join(names)
    return "%s 等 %d 人" % ("、".join(names[:limit]), len(names))
