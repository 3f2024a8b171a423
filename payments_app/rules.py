"""Who pays with the class, and the arithmetic of a class's cash. Pure: no ORM, no I/O."""

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from sessions_app.models import SchoolClass, StudentCategory

CENT = Decimal("0.01")


def pays_at_makeup_centre(*, category: str, class_status: str | None) -> bool:
    """Return whether a student pays the make-up centre directly, outside any class total.

    Individuals (earlier unshot students, alumni, adult students) come without a class
    slot and students of a class deferred to next year are not shot this time: neither
    hands cash to a monitor.
    """
    if category != StudentCategory.CURRENT:
        return True
    return class_status is None or class_status == SchoolClass.Status.DEFERRED


def money(value) -> Decimal:
    """Return an amount with two decimal places. SQLite sums decimals as floats turned
    Decimal ("40"); every total is kept to the fen."""
    return Decimal(value or 0).quantize(CENT)


def expected_amount(*, fee: Decimal, count: int) -> Decimal:
    return money(fee * count)


def handed_over(
    *, count: int, amount: Decimal, adjustments: Iterable[tuple[int, Decimal]] = ()
) -> tuple[int, Decimal]:
    """Return the students and money a class has handed over: the hand-over itself and
    every adjustment staff recorded after it, as (count, amount) pairs."""
    total_count, total_amount = count, Decimal(amount)
    for extra_count, extra_amount in adjustments:
        total_count += extra_count or 0
        total_amount += extra_amount or 0
    return total_count, money(total_amount)


def progress_percent(part: int, whole: int) -> int:
    """Return part of whole as a whole percentage for a progress bar, 0 to 100."""
    if not whole:
        return 0
    return min(100, round(100 * part / whole))


def names_summary(names: list[str], limit: int = 10) -> str:
    """Return names joined by 、, cut after ``limit`` with the number left out."""
    if len(names) <= limit:
        return "、".join(names)
    return _("%s 等 %d 人") % ("、".join(names[:limit]), len(names))
