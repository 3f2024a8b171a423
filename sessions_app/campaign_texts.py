"""What the pages, the exports and the notice PDF say about a campaign's terms: the fee
and who collects it, the make-up routes, and how long before the shoot a student
fetches the 图像采集码.

Each place words it for its readers (the notice formally, a student's reminder in a
line), but every wording is here, side by side, so a change of arrangement is made
once and the notice never disagrees with the pages. Templates reach these through the
``campaign_texts`` tags.
"""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sessions_app.codemode.rules import FETCH_DAYS_BEFORE
from sessions_app.models import Campaign, PaymentWay

# The fee --------------------------------------------------------------------------------


def fee_amount(campaign: Campaign) -> str:
    """Return the fee as the pages write it: 20.00."""
    return "%s" % campaign.fee


def fee_amount_short(campaign: Campaign) -> str:
    """Return the fee as the notice prints it, without trailing zeros: 20, 25.5."""
    return fee_amount(campaign).rstrip("0").rstrip(".")


def fee_includes(campaign: Campaign) -> str:
    """Return what the fee includes, in brackets after the amount, or ""."""
    return "（%s）" % campaign.fee_includes if campaign.fee_includes else ""


# Who collects the fee --------------------------------------------------------------------

STUDENT = "student"  # each student, in the studio's mini-program
COLLEGE = "college"  # the college, for everyone
MONITOR_CODE = "monitor-code"  # the monitor, handing over for those photographed
MONITOR_CARD = "monitor-card"  # the monitor, handing over for the class once it is shot

# How each place says who collects the fee; %(fee)s is fee_amount.
PAYMENT_TEXTS = {
    # The rules of the day, after the amount.
    "rule": {
        STUDENT: _("学生在拍摄方的小程序里各自缴纳。"),
        COLLEGE: _("由学校统一支付，个人不用缴费。"),
        MONITOR_CODE: _("由班长统一收齐，按全班实际拍摄人数交给拍摄方。"),
        MONITOR_CARD: _("由班长统一收齐，全班拍完后以班为单位缴纳。"),
    },
    # The reminders of a student's page.
    "reminder": {
        STUDENT: _("费用每人 %(fee)s 元，在拍摄方的小程序里自行缴纳。"),
        COLLEGE: _("费用由学校统一支付，个人不用缴费。"),
        MONITOR_CODE: _("费用每人 %(fee)s 元，交给班长，班长按实际拍摄人数统一交给拍摄方。"),
        MONITOR_CARD: _("费用每人 %(fee)s 元，交给班长，全班拍完后由班长统一缴纳。"),
    },
    # A step of code mode.
    "step": {
        STUDENT: _("费用每人 %(fee)s 元：在拍摄方的小程序里自行缴纳。"),
        COLLEGE: _("费用每人 %(fee)s 元：由学校统一支付，个人不用缴费。"),
        MONITOR_CODE: _("费用每人 %(fee)s 元：交给班长，按实际拍摄人数统一交给拍摄方。"),
        MONITOR_CARD: _("费用每人 %(fee)s 元：交给班长，按实际拍摄人数统一交给拍摄方。"),
    },
    # A class close where the monitor collects nothing.
    "close": {
        STUDENT: _("本次由学生在拍摄方小程序里各自缴费，班级不收、不交现金。"),
        COLLEGE: _("本次由学校统一支付，班级不收、不交现金。"),
    },
    # The notice, before the make-up centre's fee.
    "notice": {
        STUDENT: _("该费用由学生在拍摄方的小程序中自行缴纳，"),
        COLLEGE: _("该费用由学校统一支付，学生个人不缴费，"),
        MONITOR_CODE: _("该费用由各学院组织班长统一收齐，按全班实际拍摄人数交送拍摄方，"),
        MONITOR_CARD: _("该费用由各学院组织班长统一收齐后于拍照现场以班为单位交送采集工作人员，"),
    },
}


def _collector(campaign: Campaign) -> str:
    """Return who collects the campaign's fee, as PAYMENT_TEXTS keys it."""
    if campaign.payment_way == PaymentWay.STUDENT:
        return STUDENT
    if campaign.payment_way == PaymentWay.COLLEGE:
        return COLLEGE
    return MONITOR_CODE if campaign.is_code_mode else MONITOR_CARD


def payment_text(campaign: Campaign, place: str) -> str:
    """Return how ``place`` (a key of PAYMENT_TEXTS) says who collects the fee."""
    return str(PAYMENT_TEXTS[place][_collector(campaign)]) % {"fee": fee_amount(campaign)}


# The make-up routes of code mode (MakeupRoute.Route) ------------------------------------


def makeup_routes(*, agency: bool = False) -> str:
    """Return the make-up routes of code mode as one phrase; with ``agency``, naming
    who runs the online one (for the crew's list and its export)."""
    if agency:
        return str(_("第二轮现场补采、线上个人采集（中国图片社）或新华社门店"))
    return str(_("第二轮现场补采、线上个人采集或新华社门店"))


# Fetching the 图像采集码 -------------------------------------------------------------------


def fetch_before(*, emphasis: bool = False) -> str:
    """Return how long before the shoot a student must fetch the code: 拍摄前 3 天
    (codemode.rules.FETCH_DAYS_BEFORE); with ``emphasis``, as HTML with the days in
    bold."""
    if emphasis:
        return format_html(str(_("拍摄前 <strong>{} 天</strong>")), FETCH_DAYS_BEFORE)
    return _("拍摄前 %(days)d 天") % {"days": FETCH_DAYS_BEFORE}
