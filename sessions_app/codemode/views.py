"""Pages of code mode: a student's code check, the monitor's and the staff's readiness
lists, and a make-up route. Views stay thin: authorise, bind a form, call a selector or
one service, render or redirect with a message."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from capture_portal import ratelimits
from sessions_app import listing
from sessions_app.campaigns import campaign_for_request
from sessions_app.codemode import rules, selectors, services
from sessions_app.codemode.api import ENVELOPE_BYTES, declared_length
from sessions_app.codemode.forms import CodeImageForm, MakeupRouteForm, ReadinessFilterForm
from sessions_app.models import College, SchoolClass, Student
from sessions_app.roles import (
    monitor_required,
    monitored_class_of,
    staff_required,
    student_of,
    student_required,
)
from sessions_app.selectors import student_place


def _code_mode_or_404(campaign):
    if campaign is None or not campaign.is_code_mode:
        raise Http404(_("本次采集使用采集卡，没有图像采集码页面。"))


def upload_limited(back: str):
    """Refuse a POST whose declared body is over the image limit before a byte is read,
    saying so on the page ``back`` names.

    Django's CSRF check reads the whole multipart body (spooling a large file to disk)
    before the view runs; so the view is CSRF-exempt for that one look at the header,
    then checked exactly as before.
    """

    def decorator(view):
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                limits = services.reading_limits()
                if declared_length(request) > limits.max_bytes + ENVELOPE_BYTES:
                    messages.error(request, rules.message_of(rules.TOO_LARGE, limits))
                    return redirect(back)
            return protected(request, *args, **kwargs)

        return wrapped

    return decorator


@student_required
@upload_limited(back="codemode:my_code")
@ratelimits.limit("code-check", key="user")
def my_code(request):
    student = student_of(request.user)
    _code_mode_or_404(student.campaign)
    if request.method == "POST":
        form = CodeImageForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, next(iter(form.errors.values()))[0])
            return redirect("codemode:my_code")
        upload = form.cleaned_data["image"]
        limits = services.reading_limits()
        if upload.size > limits.max_bytes:
            messages.error(request, rules.message_of(rules.TOO_LARGE, limits))
            return redirect("codemode:my_code")
        reading = services.capture_code_check(student=student, data=upload.read())
        if reading.readable:
            messages.success(request, reading.message)
        else:
            messages.error(request, reading.message)
        return redirect("codemode:my_code")
    form = CodeImageForm()
    slot = student_place(student=student).slot
    return render(
        request,
        "sessions_app/codemode/my_code.html",
        {
            "student": student,
            "campaign": student.campaign,
            "form": form,
            "code": selectors.student_code_state(student=student),
            "countdown": rules.fetch_countdown(
                shoot_day=slot.date if slot else None, today=timezone.localdate()
            ),
        },
    )


@monitor_required
def class_codes(request):
    school_class = monitored_class_of(request.user)
    _code_mode_or_404(school_class.campaign)
    readiness = selectors.class_code_readiness(school_class=school_class)
    return render(
        request,
        "sessions_app/codemode/class_codes.html",
        {
            "school_class": school_class,
            "readiness": readiness,
            "reminder": selectors.reminder_text(school_class=school_class, readiness=readiness),
        },
    )


@staff_required
def staff_readiness(request):
    campaign = campaign_for_request(request)
    _code_mode_or_404(campaign)
    form = ReadinessFilterForm(request.GET or None)
    college_id = class_id = None
    if form.is_valid():
        college_id = form.cleaned_data["college"]
        class_id = form.cleaned_data["school_class"]
    elif request.GET:
        messages.error(request, _("筛选条件有误，已显示全部学生。"))

    readiness = selectors.campaign_readiness(
        campaign=campaign, college_id=college_id, class_id=class_id
    )
    # The first evening nobody is ready yet: the list comes a page at a time.
    not_ready = listing.listing_queryset(
        selectors.not_ready_students(campaign=campaign, college_id=college_id, class_id=class_id),
        request.GET,
        shows={},
        rows=selectors.readiness_rows,
        total=readiness.not_ready,
    )
    filters = {"campaign": campaign.pk, "college": college_id, "school_class": class_id}
    context = {
        "campaign": campaign,
        "readiness": readiness,
        "not_ready": not_ready,
        "page_query": urlencode({k: v for k, v in {**filters, "q": not_ready.query}.items() if v}),
        "colleges": College.objects.filter(classes__campaign=campaign).distinct(),
        "classes": SchoolClass.objects.filter(campaign=campaign).order_by("name"),
        "college_id": college_id,
        "class_id": class_id,
    }
    return render(request, "sessions_app/codemode/staff_readiness.html", context)


@require_POST
@staff_required
def makeup_route(request, pk):
    student = get_object_or_404(Student.objects.select_related("campaign"), pk=pk)
    _code_mode_or_404(student.campaign)
    form = MakeupRouteForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    else:
        try:
            saved = services.makeup_route_set(
                student=student,
                route=form.cleaned_data["route"],
                deadline=form.cleaned_data["deadline"],
                by=request.user,
            )
        except services.CodeModeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(student)s 的补采方式：%(route)s。")
                % {"student": student, "route": saved.get_route_display()},
            )
    return redirect("%s?campaign=%d" % (reverse("shootday:makeup"), student.campaign_id))
