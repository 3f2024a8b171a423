"""The roster import's queued work, run by ``manage.py db_worker`` on any host."""

from django_tasks import task

from sessions_app.roster import jobs


@task()
def roster_job_run(job_pk: int, attempt: int) -> None:
    """Check or import a long roster: run ``attempt`` of the job (see jobs.py)."""
    jobs.job_work(pk=job_pk, attempt=attempt)
