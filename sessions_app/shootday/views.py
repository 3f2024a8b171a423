"""Pages of the shoot day: the crew's desk, the public queue board, class close,
make-up, and the 学信网 check. Views stay thin: authorise, bind a form, call a
selector or one service, render or redirect with a message."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from capture_portal import cache, ratelimits
from capture_portal.exports import export_response
from capture_portal.http import int_param
from capture_portal.pagecache import render_cached
from capture_portal.roles import crew_required, staff_required, student_of, student_required
from capture_portal.services import run_service
from sessions_app.campaigns import campaign_for_request
from sessions_app.codemode import rules as code_rules
from sessions_app.codemode import selectors as code_selectors
from sessions_app.codemode import services as code_services
from sessions_app.codemode.views import upload_limited
from sessions_app.exports import export_file
from sessions_app.models import (
    Campaign,
    ChsiCheck,
    MakeupRoute,
    SchoolClass,
    Shot,
    Student,
    Venue,
)
from sessions_app.selectors import slots_of_campaign
from sessions_app.shootday import rules, selectors, services
from sessions_app.shootday.exports import chsi_export
from sessions_app.shootday.forms import (
    ChsiFilterForm,
    ChsiForm,
    ChsiHandleForm,
    CorrectionForm,
    DeskNameForm,
    DeskScanForm,
    ReasonForm,
    SearchForm,
)

DESK_SESSION_KEY = "shoot_desk"
# What the day's pages read; the desk and the board lag the clock by seconds only.
DAY_SCOPES = (cache.SCHEDULE, cache.ROSTER, cache.DAY)
DESK_SECONDS = 5
BOARD_REFRESH_SECONDS = 20
DEFAULT_DESK = "1号台"


def _crew_campaign(request) -> Campaign:
    campaign = campaign_for_request(request)
    if campaign is None:
        raise Http404(_("还没有采集活动。"))
    return campaign


def _desk_url(*, student=None, slot=None, q=None) -> str:
    params = {
        key: value for key, value in (("slot", slot), ("student", student), ("q", q)) if value
    }
    url = reverse("shootday:desk")
    return "%s?%s" % (url, urlencode(params)) if params else url


def _back(request, *, student=None) -> str:
    """Return the desk URL to go back to, keeping the slot the crew chose."""
    return _desk_url(student=student, slot=int_param(request.POST.get("slot")))


def _posted_student(request, campaign) -> Student | None:
    pk = int_param(request.POST.get("student"))
    if pk is None:
        return None
    return Student.objects.filter(campaign=campaign, pk=pk).first()


def _posted_shot(request, campaign) -> Shot | None:
    pk = int_param(request.POST.get("shot"))
    if pk is None:
        return None
    return Shot.objects.filter(campaign=campaign, pk=pk).select_related("student").first()


def _desk_name(request) -> str:
    return request.session.get(DESK_SESSION_KEY, DEFAULT_DESK)


# The desk ------------------------------------------------------------------------------


def _desk_selected(request, campaign):
    """Return the student the desk has open (?student=), with a message if unknown."""
    pk = int_param(request.GET.get("student"))
    student = Student.objects.filter(campaign=campaign, pk=pk).first() if pk else None
    if student is None:
        if request.GET.get("student"):
            messages.error(request, _("没有找到这名学生。"))
        return None
    return selectors.desk_student(student=student)


@crew_required
def desk(request):
    campaign = _crew_campaign(request)
    now = timezone.now()
    slot_id = int_param(request.GET.get("slot"))
    slot = selectors.desk_slot(campaign=campaign, now=now, slot_id=slot_id)
    if slot_id is not None and slot is None:
        messages.error(request, _("没有这个拍摄时段，已显示当前时段。"))
        slot = selectors.desk_slot(campaign=campaign, now=now)
    search = SearchForm(request.GET or None)
    results, query = [], ""
    if search.is_valid():
        query = search.cleaned_data["q"]
        results = selectors.desk_search(campaign=campaign, query=query)
        if query and len(results) == 1 and "student" not in request.GET:
            return redirect(_desk_url(student=results[0][0].pk, slot=slot_id, q=query))
    elif request.GET.get("q"):
        messages.error(request, _("查询内容过长，请输入学号或姓名。"))
    name = _desk_name(request)

    def context():
        selected = _desk_selected(request, campaign)
        entries = selectors.slot_queue(slot=slot) if slot else []
        current = rules.desk_entry(entries, now=now)
        show_waiting = current is not None and selected is None and not query
        return {
            "campaign": campaign,
            "code_mode": campaign.is_code_mode,
            "slot": slot,
            "slot_id": slot_id,
            "slots": slots_of_campaign(campaign=campaign),
            "entries": entries,
            "current": current,
            "waiting": selectors.waiting_students(entry=current) if show_waiting else [],
            "search": search,
            "query": query,
            "results": results,
            "searched": bool(query),
            "selected": selected,
            "desk_name": name,
            "desk_form": DeskNameForm(initial={"desk": name}),
            "correction_form": CorrectionForm(),
            "recent": selectors.desk_recent_shots(campaign=campaign, desk=name),
        }

    # The desk is the crew's working tool: it may lag the clock by seconds only.
    return render_cached(
        request,
        "sessions_app/shootday/desk.html",
        context,
        campaign_id=campaign.pk,
        scopes=cache.CONTENT,
        vary=(name, slot.pk if slot else None),
        seconds=DESK_SECONDS,
    )


def _looks_like_search(text: str) -> bool:
    """Return whether scanned text is rather a 学号 or a name typed by hand: letters and
    digits only (name separators aside), and short. A code's text has punctuation or
    length, and must not end up in a URL."""
    bare = "".join(ch for ch in text.strip() if ch not in "·・•‧．- ")
    return 0 < len(bare) <= 20 and bare.isalnum()


@require_POST
@crew_required
@upload_limited(back="shootday:desk")
def desk_scan(request):
    """Find the student whose 图像采集码 the desk scanned: typed by a keyboard-wedge
    scanner into the field, or a photo from the desk phone's camera decoded here.

    A POST, so the code's content never lands in a URL or an access log; it is matched
    through the keyed hash only. Text short enough to be a 学号 or a name that matches
    no code is searched as before.
    """
    campaign = _crew_campaign(request)
    slot = int_param(request.POST.get("slot"))
    form = DeskScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(_desk_url(slot=slot))
    text, photo = form.cleaned_data["code"], form.cleaned_data["photo"]
    if photo is not None:
        reading = code_rules.read_code(photo.read(), limits=code_services.reading_limits())
        if not reading.readable:
            messages.error(request, _("照片中没有读到唯一的采集码：%s") % reading.message)
            return redirect(_desk_url(slot=slot))
        content = reading.content
    else:
        content = code_rules.code_text(text)
    found = code_selectors.students_by_code(campaign=campaign, content=content)
    if len(found) == 1:
        return redirect(_desk_url(student=found[0].pk, slot=slot))
    if len(found) > 1:
        messages.error(
            request,
            _(
                "这个采集码有 %(n)d 名学生上传过（%(names)s）：一个学籍只有一个采集码，请按学号核对身份。"
            )
            % {"n": len(found), "names": "、".join(str(s) for s in found)},
        )
        return redirect(_desk_url(slot=slot))
    if photo is None and _looks_like_search(text):
        return redirect(_desk_url(slot=slot, q=text))
    messages.error(
        request,
        _("没有学生在门户核验过这个采集码。请用学号或姓名查找，并在拍摄方扫码器上确认。"),
    )
    return redirect(_desk_url(slot=slot))


@require_POST
@crew_required
def desk_name(request):
    form = DeskNameForm(request.POST)
    if form.is_valid():
        request.session[DESK_SESSION_KEY] = " ".join(form.cleaned_data["desk"].split())
        messages.success(request, _("本工作台：%(desk)s") % {"desk": _desk_name(request)})
    else:
        messages.error(request, form.errors["desk"][0])
    return redirect(_back(request))


def _desk_action(request, *, find, missing, act, done, form=None, form_error=""):
    """Run one desk action on the posted student or number.

    ``find(request, campaign)`` returns it (None: ``missing`` is said); a ``form`` that
    does not validate is refused with ``form_error``; ``act(thing)`` calls the service
    and ``done(thing, result)`` returns (message level, text, back to the student?).
    A service's refusal becomes the message, and the desk opens the student again.
    """
    thing = find(request, _crew_campaign(request))
    if thing is None:
        messages.error(request, missing)
        return redirect(_back(request))
    student_pk = thing.student_id if isinstance(thing, Shot) else thing.pk
    if form is not None and not form.is_valid():
        messages.error(request, form_error % {"e": next(iter(form.errors.values()))[0]})
        return redirect(_back(request, student=student_pk))
    try:
        result = act(thing)
    except services.ShootDayError as error:
        messages.error(request, str(error))
        return redirect(_back(request, student=student_pk))
    level, text, back_to_student = done(thing, result)
    level(request, text)
    return redirect(_back(request, student=student_pk if back_to_student else None))


@require_POST
@crew_required
def assign(request):
    def act(student):
        return services.shot_number_assign(
            student=student,
            desk=_desk_name(request),
            by=request.user,
            retake_reason=request.POST.get("retake_reason", ""),
            studio_number=request.POST.get("studio_number", ""),
        )

    def done(student, shot):
        if shot.studio_number:
            text = _("已登记 %(name)s 的拍摄号 %(studio)s。拍完后点“已拍摄”。") % {
                "studio": shot.studio_number,
                "name": student.name,
            }
        else:
            text = _("拍摄序号 %(number)d：请 %(name)s 在采集卡上填涂 %(number)d。") % {
                "number": shot.number,
                "name": student.name,
            }
        return messages.success, text, True

    return _desk_action(
        request,
        find=_posted_student,
        missing=_("没有找到这名学生，未取号。"),
        act=act,
        done=done,
    )


@require_POST
@crew_required
def photographed(request):
    def done(shot, _result):
        text = _("序号 %(number)s %(name)s 已拍摄。请查找下一位。") % {
            "number": shot.studio_number or shot.number,
            "name": shot.student.name,
        }
        return messages.success, text, False

    return _desk_action(
        request,
        find=_posted_shot,
        missing=_("没有这个拍摄序号。"),
        act=lambda shot: services.shot_mark_photographed(shot=shot, by=request.user),
        done=done,
    )


@require_POST
@crew_required
def void(request):
    form = ReasonForm(request.POST)

    def done(shot, _result):
        text = _("序号 %(number)d 已作废（跳号），原因已记录。") % {"number": shot.number}
        return messages.warning, text, True

    return _desk_action(
        request,
        find=_posted_shot,
        missing=_("没有这个拍摄序号。"),
        form=form,
        form_error=_("作废序号须填写原因：%(e)s"),
        act=lambda shot: services.shot_void(
            shot=shot, by=request.user, reason=form.cleaned_data["reason"]
        ),
        done=done,
    )


@require_POST
@crew_required
def absent(request):
    def done(student, _result):
        text = _("%(student)s 已登记缺席，将列入补拍名单。") % {"student": student}
        return messages.warning, text, False

    return _desk_action(
        request,
        find=_posted_student,
        missing=_("没有找到这名学生。"),
        act=lambda student: services.shot_mark_absent(student=student, by=request.user),
        done=done,
    )


@require_POST
@crew_required
def correction(request):
    form = CorrectionForm(request.POST)

    def done(_student, record):
        what = {"kind": record.get_kind_display(), "field": record.get_field_display()}
        if not record.matches_roster:
            text = _("已登记%(kind)s：%(field)s，但与名册不一致，已提示教务处核实。") % what
            return messages.warning, text, True
        text = _("已登记%(kind)s：%(field)s。") % what
        if record.settled_check is not None:
            text += _("该生自查时与名册不一致的记录已一并关闭。")
        return messages.success, text, True

    return _desk_action(
        request,
        find=_posted_student,
        missing=_("没有找到这名学生。"),
        form=form,
        form_error=_("未登记更正：%(e)s"),
        act=lambda student: services.card_correction_record(
            student=student, by=request.user, **form.cleaned_data
        ),
        done=done,
    )


@crew_required
def numbers(request):
    """The number log, a page at a time, searchable by 序号, 学号 or name."""
    campaign = _crew_campaign(request)
    search = SearchForm(request.GET)
    query = ""
    if search.is_valid():
        query = search.cleaned_data["q"]
    else:
        messages.error(request, _("查询内容过长，请输入拍摄序号、学号或姓名。"))
    return render_cached(
        request,
        "sessions_app/shootday/numbers.html",
        lambda: {
            "campaign": campaign,
            "log": selectors.number_log(
                campaign=campaign, query=query, page=int_param(request.GET.get("page"))
            ),
            "query": query,
            "page_query": urlencode({"campaign": campaign.pk, **({"q": query} if query else {})}),
        },
        campaign_id=campaign.pk,
        scopes=DAY_SCOPES,
    )


# Class close ---------------------------------------------------------------------------


@crew_required
def class_close(request, pk):
    school_class = get_object_or_404(SchoolClass.objects.select_related("campaign"), pk=pk)
    if request.method == "POST":
        run_service(
            request,
            lambda: services.class_close(school_class=school_class, by=request.user),
            success=_("%(name)s 已结束拍摄，数据已记录。") % {"name": school_class.name},
        )
        return redirect("shootday:class_close", pk=school_class.pk)
    return render(
        request,
        "sessions_app/shootday/close.html",
        {"summary": selectors.class_close_summary(school_class=school_class)},
    )


# Make-up -------------------------------------------------------------------------------


@crew_required
def makeup(request):
    campaign = _crew_campaign(request)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in ("xlsx", "pdf"):
            messages.error(request, _("补拍名单只能导出为 XLSX 或 PDF。"))
            return redirect("shootday:makeup")
        return export_response(*export_file(campaign=campaign, kind="makeup", fmt=fmt))

    def context():
        makeup = selectors.makeup_students(campaign=campaign)
        page = makeup.page(int_param(request.GET.get("page")) or 1)
        routes = (
            code_selectors.makeup_routes(students=[row.student for row in page.object_list])
            if campaign.is_code_mode
            else {}
        )
        return {
            "campaign": campaign,
            "makeup": makeup,
            "page": page,
            "rows": [(row, routes.get(row.student.pk)) for row in page.object_list],
            "route_choices": MakeupRoute.Route.choices,
            "query": "campaign=%d" % campaign.pk,
        }

    return render_cached(
        request,
        "sessions_app/shootday/makeup.html",
        context,
        campaign_id=campaign.pk,
        scopes=DAY_SCOPES,
    )


# The public queue board ----------------------------------------------------------------


def board(request):
    campaign = campaign_for_request(request, published_only=True)
    venue = None
    if request.GET.get("venue"):
        venue = Venue.objects.filter(pk=int_param(request.GET["venue"]) or 0).first()
        if venue is None:
            raise Http404(_("没有这个拍摄地点。"))
    template = (
        "sessions_app/shootday/_board_body.html"
        if request.GET.get("partial") == "1"
        else "sessions_app/shootday/board.html"
    )

    def context():
        board = (
            selectors.queue_board(campaign=campaign, venue=venue, lag=selectors.QUEUE_LAG_SECONDS)
            if campaign
            else None
        )
        return {
            "campaign": campaign,
            "board": board,
            "venues": selectors.board_venues(campaign=campaign, day=board.day) if board else [],
            "refresh_seconds": BOARD_REFRESH_SECONDS,
        }

    # Every phone at the door polls this: one rendering serves them all until the
    # queue moves (a write) or the clock moves the board on (a few seconds).
    return render_cached(
        request,
        template,
        context,
        campaign_id=campaign and campaign.pk,
        scopes=DAY_SCOPES,
        seconds=DESK_SECONDS,
    )


# After the shoot: 学信网 ------------------------------------------------------------------


@require_POST
@student_required
@ratelimits.limit("chsi-report", key="user")
def chsi_confirm(request):
    student = student_of(request.user)
    form = ChsiForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("sessions:student_home")
    ok = form.cleaned_data["result"] == ChsiForm.RESULT_OK
    run_service(
        request,
        lambda: services.chsi_check_confirm(
            student=student,
            ok=ok,
            problem=form.cleaned_data["problem"],
            kind=form.cleaned_data["kind"],
            by=request.user,
        ),
        success=_("已记录：学信网信息核对无误。")
        if ok
        else (
            _("已记录你反映的问题。%s") % rules.chsi_fix(form.cleaned_data["kind"])
            if form.cleaned_data["kind"]
            else _("已记录你反映的问题，教务处会联系你。")
        ),
        level=messages.SUCCESS if ok else messages.WARNING,
    )
    return redirect("sessions:student_home")


CHSI_LIST_PARAMS = ("state", "college", "school_class", "q")


def _chsi_filter_form(request, campaign) -> ChsiFilterForm:
    colleges, classes = selectors.chsi_filter_choices(campaign=campaign)
    form = ChsiFilterForm(request.GET, colleges=colleges, classes=classes)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    return form


def _chsi_list_query(campaign, form: ChsiFilterForm, *, with_state: bool = True) -> str:
    """Return the list's query string for its valid filters: page and export links."""
    filters = form.filters()
    params = {
        "campaign": campaign.pk,
        "state": filters["state"] if with_state else "",
        "college": filters["college"].pk if filters["college"] else "",
        "school_class": filters["school_class"].pk if filters["school_class"] else "",
        "q": filters["query"],
    }
    return urlencode({k: v for k, v in params.items() if v})


@staff_required
def chsi_overview(request):
    """The 学信网 follow-up: every photographed student's answers, filtered and paged;
    the same list as XLSX or PDF with ``?format=``."""
    campaign = _crew_campaign(request)
    form = _chsi_filter_form(request, campaign)
    filters = form.filters()
    list_query = _chsi_list_query(campaign, form)
    fmt = request.GET.get("format")
    if fmt:
        if fmt not in ("xlsx", "pdf"):
            messages.error(request, _("学信网核对名单只能导出为 XLSX 或 PDF。"))
            return redirect("%s?%s" % (reverse("shootday:chsi"), list_query))
        return export_response(*chsi_export(campaign=campaign, fmt=fmt, **filters))
    return render_cached(
        request,
        "sessions_app/shootday/chsi.html",
        lambda: _chsi_context(request, campaign, form, filters, list_query),
        campaign_id=campaign.pk,
        scopes=(cache.SCHEDULE, cache.ROSTER, cache.DAY, cache.CHSI),
    )


def _chsi_context(request, campaign, form, filters, list_query) -> dict:
    overview = selectors.chsi_overview(
        campaign=campaign, page=int_param(request.GET.get("page")), **filters
    )
    return {
        "campaign": campaign,
        "overview": overview,
        "form": form,
        "filters": filters,
        "states": [
            (key, rules.CHSI_STATE_LABELS[key], overview.counts[key])
            for key in selectors.CHSI_STATES
        ],
        "today": timezone.localdate(),
        "list_query": list_query,
        "list_query_without_state": _chsi_list_query(campaign, form, with_state=False),
        "back": request.get_full_path(),
    }


def _chsi_back(request, report) -> str:
    """Return the list the staff member came from, rebuilt from its known parameters
    only, opened at the student."""
    back = QueryDict(urlsplit(request.POST.get("back", "")).query)
    params = {k: back.get(k, "") for k in (*CHSI_LIST_PARAMS, "page")}
    params["campaign"] = report.student.campaign_id
    query = urlencode({k: v for k, v in params.items() if v})
    return "%s?%s#student-%d" % (reverse("shootday:chsi"), query, report.student_id)


@require_POST
@staff_required
def chsi_handle(request, pk):
    report = get_object_or_404(ChsiCheck.objects.select_related("student"), pk=pk)
    form = ChsiHandleForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return redirect(_chsi_back(request, report))
    run_service(
        request,
        lambda: services.chsi_report_handle(
            report=report, note=form.cleaned_data["note"], by=request.user
        ),
        success=_("已标记为已处理：%(student)s 反映的“%(problem)s”。")
        % {"student": report.student, "problem": report.problem},
    )
    return redirect(_chsi_back(request, report))
