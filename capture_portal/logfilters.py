"""Log filters."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """Keep a 403 to its one line ("Forbidden (Permission denied): /staff/").

    Django logs every PermissionDenied with its traceback: each outsider's try at a
    staff page would fill the log with stack frames that tell nothing.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
