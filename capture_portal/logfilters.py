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


class ExceptionOnOneLine(logging.Filter):
    """Say a logged exception on the record's line ("Exception ignored: Redis
    ConnectionError: Error 111 connecting to …") instead of its traceback.

    With the shared cache down, django-redis logs every cache command it answers
    without Redis, each with a traceback: a page makes several, so one minute of outage
    would fill the log with identical stack frames.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = "%s: %s" % (record.getMessage(), record.exc_info[1])
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
