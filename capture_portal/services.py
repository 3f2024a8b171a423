"""What the apps' services share: the error they raise for the user, running one from
a view so that a refusal becomes the user's message, and naming students in one.

Each app names its own subclass (ScheduleError, RosterError, ShootDayError, PaymentError,
CardCheckError), as pretix's OrderError does, so a view catches only its own domain.
"""

from collections.abc import Callable

from django.contrib import messages
from django.utils.translation import gettext as _


class ServiceError(Exception):
    """A change that cannot be made; the message is for the user, and nothing was saved."""


def run_service(request, call: Callable, *, success, level=messages.SUCCESS):
    """Call ``call()`` and say how it went: ``success`` (a text, or a function of the
    result returning one) at ``level``, or the refusal as an error. Return the result,
    or None when the service refused."""
    try:
        result = call()
    except ServiceError as error:
        messages.error(request, str(error))
        return None
    messages.add_message(request, level, success(result) if callable(success) else success)
    return result


def names_summary(
    names: list[str], limit: int = 10, unit: str | None = None, total: int | None = None
) -> str:
    """Return names joined by 、, cut after ``limit`` with how many there are in all
    (``total``, when ``names`` are only the first of them; of ``unit``: 人 by default,
    个班级 for classes)."""
    total = len(names) if total is None else total
    if total <= limit:
        return "、".join(names)
    return _("%(names)s 等 %(n)d %(unit)s") % {
        "names": "、".join(names[:limit]),
        "n": total,
        "unit": unit or _("人"),
    }
