"""Pages of the schedule: public, student, monitor and 教务处 staff. Views stay thin:
authorise, bind a form, call a selector or one service, render."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capture_portal.exports import XLSX_CONTENT_TYPE, export_response
from capture_portal.roles import (
    monitor_required,
    monitored_class_of,
    staff_required,
    student_of,
    student_required,
)
from sessions_app import exports as roster_exports
from sessions_app import roster_jobs, selectors, services
from sessions_app.forms import (
    CampaignForm,
    CategoryRuleForm,
    ClassMoveForm,
    ClassSwapForm,
    ExportForm,
    LookupForm,
    RosterUploadForm,
    ScheduleForm,
    SchoolClassForm,
    SlotForm,
    VenueForm,
)
from sessions_app.models import Campaign, CategoryRule, SchoolClass, Student, TimeSlot, Venue
from sessions_app.roster_import import RosterFileError
from sessions_app.roster_import import limit as roster_limit
from sessions_app.shootday_selectors import class_queue_status, student_shoot_panel


def home(request):
    campaign = selectors.campaign_current()
    schedule = selectors.schedule_for_campaign(campaign=campaign) if campaign else None
    return render(request, "sessions_app/home.html", {"campaign": campaign, "schedule": schedule})


def lookup(request):
    campaign = selectors.campaign_current()
    result = None
    searched = False
    if request.method == "POST":
        form = LookupForm(request.POST)
        if form.is_valid() and campaign is not None:
            searched = True
            student = selectors.student_lookup(
                campaign=campaign,
                student_id=form.cleaned_data["student_id"],
                name=form.cleaned_data["name"],
            )
            if student is not None:
                result = selectors.slot_for_student(student=student)
    else:
        form = LookupForm()
    return render(
        request,
        "sessions_app/lookup.html",
        {"form": form, "campaign": campaign, "result": result, "searched": searched},
    )


@student_required
def student_home(request):
    student = student_of(request.user)
    place = selectors.slot_for_student(student=student)
    return render(
        request,
        "sessions_app/student_home.html",
        {
            "student": student,
            "campaign": student.campaign,
            "place": place,
            "queue": selectors.queue_for_slot(slot=place.slot) if place.slot else None,
            "shoot_panel": student_shoot_panel(student=student),
        },
    )


@monitor_required
def monitor_home(request):
    school_class = monitored_class_of(request.user)
    rows = selectors.class_readiness(school_class=school_class)
    place = selectors.slot_for_student(student=student_of(request.user))
    return render(
        request,
        "sessions_app/monitor_home.html",
        {
            "school_class": school_class,
            "rows": rows,
            "place": place,
            "activated": sum(
                1 for r in rows if r.student.user_id and not r.student.must_change_password
            ),
            "cards_ok": sum(1 for r in rows if r.card.status == "ok"),
            "paid": sum(1 for r in rows if r.payment.paid),
            "class_queue": class_queue_status(school_class=school_class),
            "shoot_panel": student_shoot_panel(student=student_of(request.user)),
        },
    )


# Staff pages -------------------------------------------------------------------------


def _staff_campaign(request, pk=None) -> Campaign:
    if pk is not None:
        return get_object_or_404(Campaign, pk=pk)
    campaign_id = request.GET.get("campaign")
    if campaign_id:
        if not campaign_id.isdigit():
            raise Http404
        return get_object_or_404(Campaign, pk=int(campaign_id))
    campaign = selectors.campaign_latest()
    if campaign is None:
        raise Http404
    return campaign


def _board_url(campaign: Campaign) -> str:
    return "%s?campaign=%d" % (reverse("schedule:staff_board"), campaign.pk)


@staff_required
def staff_board(request):
    if not Campaign.objects.exists():
        return redirect("schedule:campaign_create")
    campaign = _staff_campaign(request)
    schedule = selectors.schedule_for_campaign(campaign=campaign)
    return render(
        request,
        "sessions_app/staff_board.html",
        {
            "campaign": campaign,
            "campaigns": Campaign.objects.all(),
            "schedule": schedule,
            "venues": Venue.objects.all(),
            "swap_form": ClassSwapForm(campaign=campaign),
            "move_form": ClassMoveForm(campaign=campaign),
        },
    )


@staff_required
def campaign_edit(request, pk=None):
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        messages.success(request, _("已保存采集活动“%(title)s”。") % {"title": campaign.title})
        return redirect(_board_url(campaign))
    title = _("编辑采集活动") if campaign else _("新建采集活动")
    return render(request, "sessions_app/staff_form.html", {"form": form, "title": title})


@staff_required
def venue_edit(request, pk=None):
    venue = get_object_or_404(Venue, pk=pk) if pk else None
    form = VenueForm(request.POST or None, instance=venue)
    if request.method == "POST" and form.is_valid():
        venue = form.save()
        messages.success(request, _("已保存地点“%(name)s”。") % {"name": venue.name})
        return redirect("schedule:staff_board")
    title = _("编辑地点") if venue else _("新建地点")
    return render(request, "sessions_app/staff_form.html", {"form": form, "title": title})


@staff_required
def slot_edit(request, campaign_pk=None, pk=None):
    slot = get_object_or_404(TimeSlot.objects.select_related("campaign"), pk=pk) if pk else None
    campaign = slot.campaign if slot else get_object_or_404(Campaign, pk=campaign_pk)
    form = SlotForm(request.POST or None, instance=slot)
    if request.method == "POST" and form.is_valid():
        try:
            slot = services.slot_save(campaign=campaign, slot=slot, **form.cleaned_data)
        except services.ScheduleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存时段 %(slot)s。") % {"slot": slot})
            return redirect(_board_url(campaign))
    title = _("编辑时段") if slot else _("新建时段")
    return render(
        request,
        "sessions_app/staff_form.html",
        {"form": form, "title": title, "campaign": campaign},
    )


@staff_required
@require_POST
def slot_delete(request, pk):
    slot = get_object_or_404(TimeSlot, pk=pk)
    try:
        services.slot_delete(slot=slot)
    except services.ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已删除时段 %(slot)s。") % {"slot": slot})
    return redirect(_board_url(slot.campaign))


@staff_required
def schedule_edit(request, campaign_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    schedule = selectors.schedule_for_campaign(campaign=campaign)
    slots = [row.slot for row in schedule.rows]
    form = ScheduleForm(request.POST or None, campaign=campaign, slots=slots)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_save(campaign=campaign, plan=form.cleaned_data["plan"])
        except services.ScheduleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存拍摄顺序。"))
            return redirect(_board_url(campaign))
    return render(
        request,
        "sessions_app/schedule_edit.html",
        {"form": form, "campaign": campaign, "schedule": schedule},
    )


def _class_action(request, pk, action):
    school_class = get_object_or_404(SchoolClass.objects.select_related("campaign"), pk=pk)
    try:
        action(school_class)
    except services.ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已调整班级 %(name)s。") % {"name": school_class.name})
    return redirect(_board_url(school_class.campaign))


@staff_required
@require_POST
def class_up(request, pk):
    return _class_action(request, pk, lambda c: services.class_shift(school_class=c, offset=-1))


@staff_required
@require_POST
def class_down(request, pk):
    return _class_action(request, pk, lambda c: services.class_shift(school_class=c, offset=1))


@staff_required
@require_POST
def class_move(request, pk):
    school_class = get_object_or_404(SchoolClass.objects.select_related("campaign"), pk=pk)
    form = ClassMoveForm(request.POST, campaign=school_class.campaign)
    if not form.is_valid():
        messages.error(request, _("移动失败：请选择本次采集的时段，位置为正整数。"))
        return redirect(_board_url(school_class.campaign))
    return _class_action(
        request,
        pk,
        lambda c: services.class_move(
            school_class=c, slot=form.cleaned_data["slot"], position=form.cleaned_data["position"]
        ),
    )


@staff_required
@require_POST
def class_swap(request, campaign_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    form = ClassSwapForm(request.POST, campaign=campaign)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        if not form.non_field_errors():
            messages.error(request, _("互换失败：请选择两个已安排时段的班级。"))
        return redirect(_board_url(campaign))
    try:
        services.class_swap(first=form.cleaned_data["first"], second=form.cleaned_data["second"])
    except services.ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("已互换 %(a)s 与 %(b)s。")
            % {"a": form.cleaned_data["first"], "b": form.cleaned_data["second"]},
        )
    return redirect(_board_url(campaign))


@staff_required
def class_detail(request, pk):
    school_class = get_object_or_404(
        SchoolClass.objects.select_related("campaign", "slot__venue", "college", "monitor"), pk=pk
    )
    students = list(selectors.class_roster(school_class=school_class))
    return render(
        request,
        "sessions_app/class_detail.html",
        {"school_class": school_class, "students": students},
    )


@staff_required
def class_edit(request, campaign_pk=None, pk=None):
    school_class = get_object_or_404(SchoolClass, pk=pk) if pk else None
    campaign = (
        school_class.campaign if school_class else get_object_or_404(Campaign, pk=campaign_pk)
    )
    form = SchoolClassForm(
        request.POST or None, instance=school_class or SchoolClass(campaign=campaign)
    )
    if request.method == "POST" and form.is_valid():
        school_class = form.save()
        messages.success(request, _("已保存班级 %(name)s。") % {"name": school_class.name})
        return redirect("schedule:class_detail", pk=school_class.pk)
    title = _("编辑班级") if school_class else _("新建班级")
    return render(request, "sessions_app/staff_form.html", {"form": form, "title": title})


@staff_required
def category_rule_edit(request, pk):
    rule = get_object_or_404(CategoryRule.objects.select_related("campaign"), pk=pk)
    form = CategoryRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_rule_set(rule=rule, **form.cleaned_data)
        except services.ScheduleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已保存“%(label)s”的安排。") % {"label": rule.label})
            return redirect(_board_url(rule.campaign))
    title = _("个人参加：%(label)s") % {"label": rule.label}
    return render(request, "sessions_app/staff_form.html", {"form": form, "title": title})


@staff_required
@require_POST
def class_defer(request, pk):
    school_class = get_object_or_404(SchoolClass, pk=pk)
    deferred = request.POST.get("deferred") == "1"
    services.class_defer(school_class=school_class, deferred=deferred)
    if deferred:
        messages.success(request, _("班级 %(name)s 已推迟至下一年。") % {"name": school_class.name})
    else:
        messages.success(
            request, _("班级 %(name)s 已恢复，请为其安排时段。") % {"name": school_class.name}
        )
    return redirect("schedule:class_detail", pk=school_class.pk)


@staff_required
@require_POST
def class_monitor(request, pk):
    school_class = get_object_or_404(SchoolClass, pk=pk)
    value = request.POST.get("student", "")
    student = None
    if value:
        student = Student.objects.filter(pk=value if value.isdigit() else 0).first()
        if student is None:
            messages.error(request, _("没有这名学生。"))
            return redirect("schedule:class_detail", pk=pk)
    try:
        services.class_monitor_set(school_class=school_class, student=student)
    except services.ScheduleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("已更新班长。"))
    return redirect("schedule:class_detail", pk=pk)


@staff_required
@require_POST
def class_passwords(request, pk):
    school_class = get_object_or_404(SchoolClass.objects.select_related("campaign"), pk=pk)
    only_new = request.POST.get("only_new") == "1"
    students = selectors.class_roster(school_class=school_class)
    issued = services.student_accounts_issue(students=students, only_new=only_new)
    response = render(
        request,
        "sessions_app/password_slips.html",
        {
            "school_class": school_class,
            "issued": issued,
            "issued_at": timezone.now(),
            "login_url": request.build_absolute_uri(reverse("login")),
        },
    )
    # The slips carry passwords in clear: never keep them in a cache.
    response["Cache-Control"] = "no-store"
    return response


# Roster import and exports -----------------------------------------------------------

PREVIEW_ROWS = 200  # rows of each kind listed on the page; the error file has them all


def _job_or_404(request, token):
    try:
        return roster_jobs.job_get(token=token, user=request.user)
    except roster_jobs.JobNotFound:
        raise Http404 from None


@staff_required
def roster_import(request, campaign_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    max_bytes = roster_limit("MAX_UPLOAD_BYTES")
    form = RosterUploadForm(request.POST or None, request.FILES or None, max_bytes=max_bytes)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = roster_jobs.job_create(
                user=request.user, campaign=campaign, filename=upload.name, data=upload.read()
            )
        except RosterFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("schedule:roster_import_job", token=job.token)
    return render(
        request,
        "sessions_app/roster_import.html",
        {"form": form, "campaign": campaign, "max_mb": max_bytes // 1048576},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
def roster_import_job(request, token):
    job = _job_or_404(request, token)
    campaign = get_object_or_404(Campaign, pk=job.campaign_id)
    report = None if job.running else job.report()
    context = {"job": job, "campaign": campaign, "report": report, "limit": PREVIEW_ROWS}
    if report is not None:
        context["problem_rows"] = report.problems[: PREVIEW_ROWS * 5]
    return render(request, "sessions_app/roster_import_job.html", context)


@staff_required
def roster_import_status(request, token):
    job = _job_or_404(request, token)
    return JsonResponse(
        {"state": job.state, "done": job.done, "total": job.total, "percent": job.percent}
    )


@staff_required
def roster_import_errors(request, token):
    job = _job_or_404(request, token)
    if job.running:
        raise Http404
    try:
        filename, content = roster_jobs.error_file(job=job)
    except RosterFileError as error:
        messages.error(request, str(error))
        return redirect("schedule:roster_import_job", token=token)
    return export_response(filename, XLSX_CONTENT_TYPE, content)


@staff_required
@require_POST
def roster_import_confirm(request, token):
    job = _job_or_404(request, token)
    report = job.report()
    if job.state != roster_jobs.PREVIEW or report is None or not report.ok:
        messages.error(request, _("这份名单还有问题或已经导入过，不能导入。"))
        return redirect("schedule:roster_import_job", token=token)
    roster_jobs.job_confirm(job=job)
    return redirect("schedule:roster_import_job", token=token)


@staff_required
def exports_page(request, campaign_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    schedule = selectors.schedule_for_campaign(campaign=campaign)
    return render(
        request,
        "sessions_app/exports.html",
        {"campaign": campaign, "schedule": schedule, "kinds": roster_exports.KINDS},
    )


@staff_required
def export_download(request, campaign_pk, kind):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    if kind not in roster_exports.KINDS:
        raise Http404
    form = ExportForm(request.GET, campaign=campaign)
    if not form.is_valid():
        messages.error(request, _("导出参数有误：请从本页的按钮下载。"))
        return redirect("schedule:exports", campaign_pk=campaign.pk)
    fmt = form.cleaned_data["format"] or roster_exports.FORMATS[kind][0]
    try:
        filename, content_type, content = roster_exports.export_file(
            campaign=campaign, kind=kind, fmt=fmt, slot=form.cleaned_data["slot"]
        )
    except roster_exports.ExportError as error:
        messages.error(request, str(error))
        return redirect("schedule:exports", campaign_pk=campaign.pk)
    return export_response(filename, content_type, content)
