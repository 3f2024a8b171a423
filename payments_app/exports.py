"""The 缴费名单 (and the unpaid list) as a Report for the shared renderer.

Every line and total comes from payments_app/rules.py through the selectors, so the
list agrees to the fen with the pages: each class is a section of its students (and of
those whose payment it holds), with the class's totals and, once it has handed over,
what it handed over.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from capture_portal.exports import CONTENT_TYPES, Column, Report, Section, render
from capture_portal.formats import yuan
from cards_app.rules import mask_id_number
from payments_app.models import Handover
from payments_app.rules import STATE_PAID, ClassMoney
from payments_app.selectors import ListedLine, lines_of_classes, money_of_listed
from sessions_app.models import Campaign, SchoolClass, schedule_order

COLUMNS = [
    Column("序号", 6, align="center"),
    Column("学号", 14, text=True, keep=True),
    Column("姓名", 12, keep=True),
    Column("身份证号", 22, text=True, keep=True),
    Column("缴费", 10, align="center"),
    Column("金额（元）", 10, align="right", money=True),
    Column("登记时间", 14, align="center"),
]
SIGNATURES = ("班长（签名）", "收款人（签名）")


def _class_rows(lines: list[ListedLine], *, unpaid_only: bool, mask_id_numbers: bool):
    zone = timezone.get_current_timezone()
    number = 0
    for listed in lines:
        line = listed.line
        if unpaid_only and not line.unpaid:
            continue
        number += 1
        when = ""
        if listed.recorded_at is not None:
            when = timezone.localtime(listed.recorded_at, zone).strftime("%Y-%m-%d %H:%M")
        mark = ("✓ %s" % line.label) if line.state == STATE_PAID else line.label
        yield (
            number,
            listed.student_id,
            listed.name,
            mask_id_number(listed.id_number) if mask_id_numbers else listed.id_number,
            mark,
            line.paid,
            when,
        )


def _class_notes(school_class: SchoolClass, money: ClassMoney, handover) -> list[str]:
    parts = [_("学院：%s") % (school_class.college or "—")]
    if school_class.slot is not None:
        parts.append(_("拍摄：%s %s") % (school_class.slot, school_class.slot.venue))
    parts.append(_("班长：%s") % (school_class.monitor.name if school_class.monitor else "—"))
    parts.append(_("每人 %s 元") % yuan(money.fee))
    notes = ["　".join(parts)]
    if money.crew_count or money.refund_count:
        notes.append(
            _("应交拍摄组 %(owed)s 元（已拍摄 %(n)d 人）；待退款 %(refund)s 元（%(r)d 人）")
            % {
                "owed": yuan(money.owed),
                "n": money.crew_count,
                "refund": yuan(money.refund_due),
                "r": money.refund_count,
            }
        )
    if money.carried_count:
        notes.append(
            _("已转补拍 %(carried)s 元（%(n)d 人）")
            % {"carried": money.carried, "n": money.carried_count}
        )
    if handover is not None:
        notes.append(
            _("已交接：%d 人，%s 元，收款人 %s，%s")
            % (
                handover.student_count,
                yuan(handover.amount),
                handover.receiver_name,
                timezone.localtime(handover.handed_over_at).strftime("%Y-%m-%d %H:%M"),
            )
        )
    return notes


def _totals(money: ClassMoney, *, unpaid_only: bool) -> tuple:
    if unpaid_only:
        return (
            _("合计"),
            _("未缴 %d 人") % money.unpaid_count,
            "",
            _("应补缴 %s 元") % yuan(money.missing),
            "",
            "",
            "",
        )
    return (
        _("合计"),
        _("应缴 %d 人") % money.expected_count,
        _("已缴 %d 人") % money.paid_owing_count,
        _("未缴 %d 人") % money.unpaid_count,
        _("待退 %d 人") % money.refund_count if money.refund_count else "",
        money.collected,
        "",
    )


def payment_list_report(
    *,
    campaign: Campaign,
    classes=None,
    unpaid_only: bool = False,
    mask_id_numbers: bool = False,
    scope_label: str = "",
) -> Report:
    """Return the 缴费名单 (or the unpaid list) of the given classes, one section each.

    ``classes`` defaults to every class of the campaign; a class deferred to next year
    is left out unless it holds payments (to be given back).
    """
    if classes is None:
        classes = SchoolClass.objects.filter(campaign=campaign)
    classes = list(
        classes.select_related("college", "slot__venue", "monitor").order_by(*schedule_order())
    )
    listed = lines_of_classes(class_ids=[c.pk for c in classes])
    moneys = money_of_listed(listed=listed)
    classes = [
        c for c in classes if c.status == SchoolClass.Status.SCHEDULED or moneys[c.pk].paid_count
    ]
    handovers = {h.school_class_id: h for h in Handover.objects.filter(school_class__in=classes)}
    title = "%s %s" % (campaign.title, _("未缴费名单") if unpaid_only else _("缴费名单"))
    # A single class names itself in every heading already.
    subtitle = _("范围：%s") % (scope_label or _("全部班级")) if len(classes) != 1 else ""
    sections = [
        Section(
            title=c.name,
            rows=_class_rows(
                listed[c.pk], unpaid_only=unpaid_only, mask_id_numbers=mask_id_numbers
            ),
            totals=_totals(moneys[c.pk], unpaid_only=unpaid_only),
            notes=_class_notes(c, moneys[c.pk], handovers.get(c.pk)),
            signatures=() if unpaid_only else SIGNATURES,
            page_header=c.name,
        )
        for c in classes
    ]
    return Report(title=title, columns=COLUMNS, sections=sections, subtitle=subtitle)


def payment_list_export(
    *,
    campaign: Campaign,
    fmt: str,
    classes=None,
    unpaid_only: bool = False,
    mask_id_numbers: bool = False,
    one_sheet: bool = False,
    scope_label: str = "",
) -> tuple[str, str, bytes]:
    """Return ``(filename, content_type, content)`` of the list in ``fmt`` (xlsx or pdf)."""
    report = payment_list_report(
        campaign=campaign,
        classes=classes,
        unpaid_only=unpaid_only,
        mask_id_numbers=mask_id_numbers,
        scope_label=scope_label,
    )
    content = render(report, fmt, one_sheet=one_sheet, section_column="班级")
    filename = "%s-%s-%s.%s" % (
        _("未缴费名单") if unpaid_only else _("缴费名单"),
        scope_label or _("全部"),
        timezone.localdate().strftime("%Y%m%d"),
        fmt,
    )
    return filename, CONTENT_TYPES[fmt], content
