"""Run test code in several threads at once, each with its own database connection."""

import threading

from django.db import connections


def run_at_once(target, count: int) -> list[Exception]:
    """Start ``count`` threads on ``target(i)`` released together; return their exceptions.

    Each thread closes its connections when done, so the test database can be dropped.
    """
    barrier = threading.Barrier(count)
    errors = []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            target(i)
        except Exception as error:  # reported to the calling test, never swallowed
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors
