"""Pages of the roster import: upload, the checked preview (or the progress of a long
check), the error file, and the confirmation that imports it."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capture_portal.exports import XLSX_CONTENT_TYPE, export_response
from sessions_app.models import Campaign
from sessions_app.roles import staff_required
from sessions_app.roster import jobs
from sessions_app.roster.forms import RosterUploadForm
from sessions_app.roster.reader import MB
from sessions_app.roster.table import RosterFileError
from sessions_app.roster.template import roster_template

PREVIEW_ROWS = 200  # rows of each kind listed on the page; the error file has them all


def _job_or_404(request, token) -> jobs.Job:
    try:
        return jobs.job_get(token=token, user=request.user)
    except jobs.JobNotFound:
        raise Http404 from None


@staff_required
def upload(request, campaign_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            job = jobs.job_create(
                user=request.user, campaign=campaign, filename=file.name, data=file.read()
            )
        except RosterFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("roster:import_job", token=job.token)
    return render(
        request,
        "sessions_app/roster/import.html",
        {
            "form": form,
            "campaign": campaign,
            "max_mb": settings.ROSTER_IMPORT_MAX_UPLOAD_BYTES // MB,
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required
def template(request, campaign_pk):
    """Download the import template: the headers, one example row, IDs as text."""
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    return export_response(
        _("学生名单导入模板.xlsx"), XLSX_CONTENT_TYPE, roster_template(campaign=campaign)
    )


@staff_required
def job(request, token):
    job = _job_or_404(request, token)
    campaign = get_object_or_404(Campaign, pk=job.campaign_id)
    report = None if job.running else jobs.job_report(job=job)
    context = {"job": job, "campaign": campaign, "report": report, "limit": PREVIEW_ROWS}
    if report is not None:
        context["problem_rows"] = report.problems[: PREVIEW_ROWS * 5]
    return render(request, "sessions_app/roster/import_job.html", context)


@staff_required
def status(request, token):
    job = _job_or_404(request, token)
    return JsonResponse(
        {
            "state": job.state,
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "queued": job.running and job.started is None,
        }
    )


@staff_required
def errors(request, token):
    job = _job_or_404(request, token)
    if job.running:
        raise Http404
    try:
        filename, content = jobs.error_file(job=job)
    except RosterFileError as error:
        messages.error(request, str(error))
        return redirect("roster:import_job", token=token)
    return export_response(filename, XLSX_CONTENT_TYPE, content)


@staff_required
@require_POST
def confirm(request, token):
    job = _job_or_404(request, token)
    report = jobs.job_report(job=job)
    if job.state != jobs.PREVIEW or report is None or not report.ok:
        messages.error(request, _("这份名单还有问题或已经导入过，不能导入。"))
        return redirect("roster:import_job", token=token)
    if report.new_classes and request.POST.get("new_classes_ok") != "1":
        messages.error(
            request,
            _("名单中有本次采集还没有的班级，请核对班级名称，确认是新班级后勾选确认框再导入。"),
        )
        return redirect("roster:import_job", token=token)
    jobs.job_confirm(job=job)
    return redirect("roster:import_job", token=token)
