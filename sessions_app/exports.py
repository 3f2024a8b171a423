"""The lists staff print or send, in one place for the export page and the command:
sign-in sheets and the roster (roster/exports.py), the make-up list
(shootday/exports.py) and the notice itself (notice/pdf.py)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from capture_portal.exports import CONTENT_TYPES, render
from sessions_app.codemode.exports import not_ready_report
from sessions_app.models import Campaign, TimeSlot
from sessions_app.notice.pdf import notice_pdf
from sessions_app.roster.exports import roster_report, signin_report
from sessions_app.shootday.exports import makeup_report

KINDS = {
    "signin": gettext_lazy("签到表"),
    "roster": gettext_lazy("学生名单"),
    "makeup": gettext_lazy("补拍名单"),
    "notice": gettext_lazy("采集通知"),
    "notready": gettext_lazy("未准备采集码名单"),
}
FORMATS = {
    "signin": ("pdf", "xlsx"),
    "roster": ("xlsx", "pdf"),
    "makeup": ("pdf", "xlsx"),
    "notice": ("pdf",),
    "notready": ("xlsx", "pdf"),
}


class ExportError(Exception):
    """An export that cannot be made; the message is for the user."""


def export_file(
    *, campaign: Campaign, kind: str, fmt: str, slot: TimeSlot | None = None, now=None
) -> tuple[str, str, bytes]:
    """Return (file name, content type, content) of one export."""
    if kind not in KINDS:
        raise ExportError(_("没有这种导出：%(kind)s。") % {"kind": kind})
    if fmt not in FORMATS[kind]:
        raise ExportError(
            _("%(kind)s只能导出为 %(formats)s。")
            % {"kind": KINDS[kind], "formats": "、".join(f.upper() for f in FORMATS[kind])}
        )
    if kind == "notready" and not campaign.is_code_mode:
        raise ExportError(_("本次采集使用采集卡，没有采集码名单。"))
    if kind == "notice":
        content = notice_pdf(campaign=campaign)
    elif kind == "signin":
        content = render(signin_report(campaign=campaign, slot=slot), fmt)
    elif kind == "roster":
        content = render(roster_report(campaign=campaign), fmt)
    elif kind == "notready":
        content = render(not_ready_report(campaign=campaign), fmt)
    else:
        content = render(makeup_report(campaign=campaign, now=now), fmt)
    stamp = timezone.localtime().strftime("%Y%m%d")
    name = "%s-%s" % (campaign.title, KINDS[kind])
    if slot is not None:
        name += "-%s" % slot.start.strftime("%H%M")
    return "%s-%s.%s" % (name, stamp, fmt), CONTENT_TYPES[fmt], content
