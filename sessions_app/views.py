"""Pages of the schedule: public, student, monitor and 教务处 staff. Views stay thin:
authorise, bind a form, call a selector or one service, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capture_portal import ratelimits
from capture_portal.exports import export_response
from capture_portal.http import int_param, next_param
from capture_portal.pagecache import render_public
from capture_portal.services import run_service
from sessions_app import exports, listing, selectors, services
from sessions_app.campaigns import campaign_for_request
from sessions_app.changes import selectors as change_selectors
from sessions_app.changes import services as change_services
from sessions_app.changes.views import board_url
from sessions_app.codemode import rules as code_rules
from sessions_app.codemode import selectors as code_selectors
from sessions_app.forms import (
    CampaignForm,
    CategoryRuleForm,
    ClassMoveForm,
    ClassSwapForm,
    ExportForm,
    LookupForm,
    SchoolClassForm,
    SlotForm,
    StudentCorrectForm,
    VenueForm,
)
from sessions_app.models import Campaign, CategoryRule, SchoolClass, Student, TimeSlot, Venue
from sessions_app.roles import (
    monitor_required,
    monitored_class_of,
    staff_required,
    student_of,
    student_required,
)
from sessions_app.roster import services as roster_services
from sessions_app.shootday.selectors.queue import class_queue_status, slot_queue
from sessions_app.shootday.selectors.student import student_shoot_panel


def home(request):
    campaign = campaign_for_request(request, published_only=True)

    def context():
        schedule = selectors.schedule_for_campaign(campaign=campaign) if campaign else None
        return {
            "campaign": campaign,
            "schedule": schedule,
            "over": schedule is not None and selectors.schedule_over(schedule=schedule),
        }

    return render_public(request, "sessions_app/home.html", context, version=_version_of(campaign))


@ratelimits.limit("lookup")
def lookup(request):
    campaign = campaign_for_request(request, published_only=True)
    result = None
    searched = False
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and campaign is not None:
        # Per 学号 too: a known 学号 must not meet names guessed from many addresses.
        student_id = form.cleaned_data["student_id"].strip()
        ratelimits.check(request, "lookup-student-id", key=lambda group, request: student_id)
        searched = True
        student = selectors.student_lookup(
            campaign=campaign,
            student_id=form.cleaned_data["student_id"],
            name=form.cleaned_data["name"],
        )
        if student is not None:
            result = selectors.slot_for_student(student=student)
    return render_public(
        request,
        "sessions_app/lookup.html",
        lambda: {"form": form, "campaign": campaign, "result": result, "searched": searched},
        version=_version_of(campaign),
    )


def _version_of(campaign) -> tuple | None:
    """Return what a public page of the campaign is shared under."""
    return (campaign.pk, campaign.version) if campaign is not None else None


@student_required
def student_home(request):
    student = student_of(request.user)
    place = selectors.slot_for_student(student=student)
    code_mode = student.campaign.is_code_mode
    context = {
        "student": student,
        "campaign": student.campaign,
        "code": code_selectors.student_code_state(student=student) if code_mode else None,
        "countdown": (
            code_rules.fetch_countdown(shoot_day=place.slot.date, today=timezone.localdate())
            if code_mode and place.slot
            else None
        ),
        "place": place,
        "queue": slot_queue(slot=place.slot) if place.slot else None,
        "shoot_panel": student_shoot_panel(student=student),
        "schedule_notice": change_selectors.schedule_notice(student=student),
    }
    return render(request, "sessions_app/student_home.html", context)


@monitor_required
def monitor_home(request):
    school_class = monitored_class_of(request.user)
    student = student_of(request.user)
    code_mode = school_class.campaign.is_code_mode
    readiness = selectors.class_readiness(school_class=school_class)
    rows = listing.listing_queryset(
        selectors.class_roster(school_class=school_class),
        request.GET,
        shows=selectors.readiness_filters(school_class=school_class, code_mode=code_mode),
        rows=lambda students: selectors.readiness_rows(students, code_mode=code_mode),
        total=readiness.total,
    )
    context = {
        "school_class": school_class,
        "readiness": readiness,
        "listing": rows,
        "code_mode": code_mode,
        "rows": [(row, row.code) for row in rows.page.object_list],
        "codes_ready": readiness.codes_ready,
        "place": selectors.slot_for_student(student=student),
        "class_queue": class_queue_status(school_class=school_class),
        "shoot_panel": student_shoot_panel(student=student),
        "schedule_notice": change_selectors.schedule_notice(student=student),
    }
    return render(request, "sessions_app/monitor_home.html", context)


# Staff pages -------------------------------------------------------------------------


@staff_required
def staff_board(request):
    campaign = campaign_for_request(request)
    if campaign is None:
        return redirect("sessions:campaign_create")
    context = {
        "campaign": campaign,
        "schedule": selectors.schedule_for_campaign(campaign=campaign),
        "venues": selectors.venues(),
        "swap_form": ClassSwapForm(campaign=campaign),
        "latest_change": change_selectors.latest_change(campaign=campaign),
    }
    return render(request, "sessions_app/staff_board.html", context)


def _form_page(request, *, form, title, save, saved_message, next_url, extra=None):
    """Show a staff form; on a valid POST, ``save(cleaned_data)`` through a service, say
    ``saved_message(saved)`` and go to ``next_url(saved)``. A service's refusal shows on
    the form."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except services.ScheduleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, saved_message(saved))
            return redirect(next_url(saved))
    context = {"form": form, "title": title, **(extra or {})}
    return render(request, "sessions_app/staff_form.html", context)


@staff_required
def campaign_edit(request, pk=None):
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None

    return _form_page(
        request,
        form=CampaignForm(request.POST or None, instance=campaign),
        title=_("编辑采集活动") if campaign else _("新建采集活动"),
        save=lambda data: services.campaign_save(campaign=campaign, **data),
        saved_message=lambda saved: _("已保存采集活动“%(title)s”。") % {"title": saved.title},
        next_url=lambda saved: board_url(saved),
    )


@staff_required
def venue_edit(request, pk=None):
    venue = get_object_or_404(Venue, pk=pk) if pk else None

    return _form_page(
        request,
        form=VenueForm(request.POST or None, instance=venue),
        title=_("编辑地点") if venue else _("新建地点"),
        save=lambda data: services.venue_save(venue=venue, **data),
        saved_message=lambda saved: _("已保存地点“%(name)s”。") % {"name": saved.name},
        next_url=lambda saved: reverse("sessions:staff_board"),
    )


@staff_required
def slot_edit(request, campaign_pk=None, pk=None):
    slot = get_object_or_404(TimeSlot.objects.select_related("campaign"), pk=pk) if pk else None
    campaign = slot.campaign if slot else get_object_or_404(Campaign, pk=campaign_pk)

    return _form_page(
        request,
        form=SlotForm(request.POST or None, instance=slot),
        title=_("编辑时段") if slot else _("新建时段"),
        # Editing a slot moves its classes in time: the change goes into the history.
        save=lambda data: (
            change_services.slot_edit(campaign=campaign, slot=slot, by=request.user, **data)
            if slot
            else services.slot_save(campaign=campaign, **data)
        ),
        saved_message=lambda saved: _("已保存时段 %(slot)s。") % {"slot": saved},
        next_url=lambda saved: board_url(campaign),
        extra={"campaign": campaign},
    )


@staff_required
@require_POST
def slot_delete(request, pk):
    slot = get_object_or_404(TimeSlot, pk=pk)
    run_service(
        request,
        lambda: services.slot_delete(slot=slot),
        success=_("已删除时段 %(slot)s。") % {"slot": slot},
    )
    return redirect(board_url(slot.campaign))


@staff_required
def class_detail(request, pk):
    school_class = get_object_or_404(
        SchoolClass.objects.select_related("campaign", "slot__venue", "college", "monitor"), pk=pk
    )

    context = {
        "school_class": school_class,
        "students": Student.objects.filter(school_class=school_class)
        .order_by("student_id")
        .only("pk", "student_id", "name"),
        "listing": listing.listing_queryset(
            selectors.class_roster(school_class=school_class), request.GET, shows={}
        ),
        "move_form": ClassMoveForm(
            campaign=school_class.campaign,
            initial={"slot": school_class.slot_id, "position": school_class.position},
        ),
        "history": change_selectors.class_history(school_class=school_class),
    }
    return render(request, "sessions_app/class_detail.html", context)


@staff_required
def class_edit(request, campaign_pk=None, pk=None):
    school_class = get_object_or_404(SchoolClass, pk=pk) if pk else None
    campaign = (
        school_class.campaign if school_class else get_object_or_404(Campaign, pk=campaign_pk)
    )

    return _form_page(
        request,
        form=SchoolClassForm(
            request.POST or None, instance=school_class or SchoolClass(campaign=campaign)
        ),
        title=_("编辑班级") if school_class else _("新建班级"),
        save=lambda data: services.class_save(campaign=campaign, school_class=school_class, **data),
        saved_message=lambda saved: _("已保存班级 %(name)s。") % {"name": saved.name},
        next_url=lambda saved: reverse("sessions:class_detail", args=[saved.pk]),
    )


@staff_required
def category_rule_edit(request, pk):
    rule = get_object_or_404(CategoryRule.objects.select_related("campaign"), pk=pk)

    return _form_page(
        request,
        form=CategoryRuleForm(request.POST or None, instance=rule),
        title=_("个人参加：%(label)s") % {"label": rule.label},
        save=lambda data: services.category_rule_set(rule=rule, **data),
        saved_message=lambda saved: _("已保存“%(label)s”的安排。") % {"label": saved.label},
        next_url=lambda saved: board_url(saved.campaign),
    )


@staff_required
@require_POST
def class_monitor(request, pk):
    school_class = get_object_or_404(SchoolClass, pk=pk)
    value = request.POST.get("student", "")
    student = None
    if value:
        student = Student.objects.filter(pk=int_param(value) or 0).first()
        if student is None:
            messages.error(request, _("没有这名学生。"))
            return redirect("sessions:class_detail", pk=pk)
    run_service(
        request,
        lambda: services.class_monitor_set(school_class=school_class, student=student),
        success=_("已更新班长。"),
    )
    return redirect("sessions:class_detail", pk=pk)


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


@staff_required
def student_correct(request, pk):
    """Correct one student's roster entry (学号, 姓名, 身份证号, 性别) with a reason."""
    student = get_object_or_404(
        Student.objects.select_related("campaign", "school_class", "user"), pk=pk
    )
    if student.school_class_id is not None:
        back = reverse("sessions:class_detail", args=[student.school_class_id])
    else:
        back = board_url(student.campaign)
    back = next_param(request) or back
    form = StudentCorrectForm(request.POST or None, student=student)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            result = roster_services.student_correct(
                student=student, by=request.user, reason=values.pop("reason"), **values
            )
        except roster_services.RosterError as error:
            form.add_error(None, str(error))
        else:
            message = _("已更正 %(student)s 的%(fields)s。") % {
                "student": result.student,
                "fields": result.field_labels,
            }
            if result.login_renamed:
                message += _("登录账号已随学号改为 %(sid)s，密码不变。") % {
                    "sid": result.student.student_id
                }
            if result.settled_check is not None:
                message += _("该生填写与名册的不一致已一并标为已处理。")
            messages.success(request, message)
            return redirect(back)
    return render(
        request,
        "sessions_app/student_correct.html",
        {
            "student": student,
            "form": form,
            "corrections": selectors.roster_corrections(student=student),
            "back": back,
        },
    )


# Printed lists -------------------------------------------------------------------------


@staff_required
def exports_page(request, campaign_pk):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    schedule = selectors.schedule_for_campaign(campaign=campaign)
    return render(
        request,
        "sessions_app/exports.html",
        {"campaign": campaign, "schedule": schedule, "kinds": exports.KINDS},
    )


@staff_required
def export_download(request, campaign_pk, kind):
    campaign = get_object_or_404(Campaign, pk=campaign_pk)
    if kind not in exports.KINDS:
        raise Http404
    form = ExportForm(request.GET, campaign=campaign)
    if not form.is_valid():
        messages.error(request, _("导出参数有误：请从本页的按钮下载。"))
        return redirect("sessions:exports", campaign_pk=campaign.pk)
    fmt = form.cleaned_data["format"] or exports.FORMATS[kind][0]
    try:
        filename, content_type, content = exports.export_file(
            campaign=campaign, kind=kind, fmt=fmt, slot=form.cleaned_data["slot"]
        )
    except exports.ExportError as error:
        messages.error(request, str(error))
        return redirect("sessions:exports", campaign_pk=campaign.pk)
    return export_response(filename, content_type, content)
