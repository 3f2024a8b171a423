"""What the apps' services share: the error they raise for the user, and running one
from a view so that a refusal becomes the user's message.

Each app names its own subclass (ScheduleError, RosterError, ShootDayError, PaymentError,
CardCheckError), as pretix's OrderError does, so a view catches only its own domain.
"""

from collections.abc import Callable

from django.contrib import messages


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
