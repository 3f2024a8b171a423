"""The college's notice (关于毕业生图像采集的通知) as a PDF, generated from the campaign.

It follows the paper notice section by section — scope, slot table, make-up, fee, the
card, the process, the requirements — so 教务处 publishes exactly what the portal
holds. A document, not a table of rows: laid out with reportlab's platypus, in the
same embedded CJK font as every other export.
"""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from capture_portal.exports import cjk_font
from capture_portal.glyphs import font_chain, paragraph_markup
from sessions_app import campaign_texts
from sessions_app.models import (
    Campaign,
    EducationType,
    SchoolType,
    StudentCategory,
)
from sessions_app.selectors import Schedule, schedule_for_campaign

_WEEKDAYS = "一二三四五六日"


def _date_cn(value) -> str:
    return "%d年%d月%d日" % (value.year, value.month, value.day)


@dataclass(frozen=True)
class _Styles:
    body: ParagraphStyle
    plain: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    title: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    right: ParagraphStyle

    @classmethod
    def make(cls, font: str) -> "_Styles":
        body = ParagraphStyle(
            "body",
            fontName=font,
            fontSize=11.5,
            leading=20,
            firstLineIndent=23,
            alignment=TA_JUSTIFY,
            wordWrap="CJK",
        )
        plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
        cell = ParagraphStyle("cell", parent=plain, fontSize=10.5, leading=15)
        return cls(
            body=body,
            plain=plain,
            heading=ParagraphStyle(
                "heading", parent=plain, fontSize=12.5, spaceBefore=6, leading=22, keepWithNext=1
            ),
            subheading=ParagraphStyle("subheading", parent=plain, keepWithNext=1),
            title=ParagraphStyle(
                "title", parent=plain, fontSize=19, leading=28, alignment=TA_CENTER, spaceAfter=14
            ),
            cell=cell,
            cell_head=ParagraphStyle("cellhead", parent=cell, alignment=TA_CENTER),
            right=ParagraphStyle("right", parent=plain, alignment=TA_RIGHT, rightIndent=10),
        )


class _Notice:
    """The notice's sections, each appending its paragraphs to the story."""

    # The slot table's last column, inside its 6 pt paddings.
    CLASSES_WIDTH = A4[0] - 50 * mm - 70 * mm - 12

    def __init__(self, campaign: Campaign, schedule: Schedule, font: str):
        self.campaign = campaign
        self.schedule = schedule
        self.rules = list(campaign.category_rules.all())
        self.regular = next((r for r in self.rules if r.category == StudentCategory.CURRENT), None)
        self.styles = _Styles.make(font)
        self.story = []

    def p(self, text, style=None):
        self.story.append(Paragraph(paragraph_markup(text), style or self.styles.body))

    def title_and_intro(self):
        campaign, styles = self.campaign, self.styles
        self.p(_("关于%(title)s工作的通知") % {"title": campaign.title}, styles.title)
        self.p(_("各学院："), styles.plain)
        self.p(
            _(
                "根据教育部（教学厅[2002]5号）文件要求，为加强高等教育学历证书管理，保护高等教育"
                "机构和毕(结)业生的利益，维护国家学历制度的严肃性，毕业生的相片和已经注册的学历"
                "证书一同上网供社会查询，由新华通讯社所属中国图片社负责图像信息采集工作。"
            )
        )
        self.p(
            _(
                "依据教育部、新华社的有关要求，现将我校 %(year)d 届毕业生图像采集安排通知如下，"
                "请各位毕业生做好准备工作，务必准时参加："
            )
            % {"year": campaign.graduation_year}
        )

    def arrangement(self):
        """一、图像采集安排: scope, dates, the slot table, venues, make-up, deferred classes."""
        campaign, schedule, styles = self.campaign, self.schedule, self.styles
        dates = schedule.dates
        date_text = "、".join(
            "%s（星期%s）" % (_date_cn(d), _WEEKDAYS[d.weekday()]) for d in dates
        ) or _("（待定）")
        self.p(_("一、图像采集安排"), styles.heading)
        self.p(_("1. 参加本次图像采集的学生范围"), styles.subheading)
        self.p(campaign.scope or _("我校 %d 届全体毕业生。") % campaign.graduation_year)
        self.p(_("2. 图像采集的时间、顺序、地点"), styles.subheading)
        self.p(_("（1）日期：%(dates)s。") % {"dates": date_text})
        self.p(_("（2）各班拍摄时间及顺序（按表中顺序依次拍摄）："))
        self.story += [Spacer(1, 4), self._slot_table(several_days=len(dates) > 1), Spacer(1, 6)]
        venue_text = "；".join(
            "%s%s" % (v.name, "（%s）" % v.note if v.note else "") for v in schedule.venues
        ) or _("（待定）")
        self.p(_("（3）地点：%(venues)s。") % {"venues": venue_text})
        if schedule.unassigned:
            names = "、".join(c.name for c in schedule.unassigned)
            self.p(_("（4）以下班级的拍摄时间另行通知：%(names)s。") % {"names": names})
        self.p(_("3. 补拍"), styles.subheading)
        self.p(
            _(
                "无法参加拍照的学生，请于 %(after)s后自行联系%(centre)s进行补拍，"
                "地址：%(address)s，电话 %(phone)s。"
            )
            % {
                "after": _date_cn(dates[-1]) if dates else _("拍摄日"),
                "centre": campaign.makeup_centre_name,
                "address": campaign.makeup_centre_address,
                "phone": campaign.makeup_centre_phone,
            }
        )
        if schedule.deferred:
            names = "、".join(c.name for c in schedule.deferred)
            self.p(_("%(names)s 学生可明年参加图像采集。") % {"names": names})

    def _slot_table(self, *, several_days: bool) -> Table:
        styles = self.styles
        headings = (_("时间"), _("地点"), _("班级（按拍摄顺序）"))
        table = [[Paragraph(h, styles.cell_head) for h in headings]]
        for row in self.schedule.rows:
            slot = row.slot
            when = paragraph_markup(
                "%s %s—%s"
                % (slot.period_label, slot.start.strftime("%H:%M"), slot.end.strftime("%H:%M"))
            )
            if several_days:
                when = "%d月%d日<br/>%s" % (slot.date.month, slot.date.day, when)
            entries = row.entries or [_("（暂无）")]
            table.append(
                [
                    Paragraph(when, styles.cell),
                    Paragraph(paragraph_markup(slot.venue.name), styles.cell),
                    Paragraph(_packed(entries, self.CLASSES_WIDTH, styles.cell), styles.cell),
                ]
            )
        slot_table = Table(
            table, colWidths=[37 * mm, 33 * mm, self.CLASSES_WIDTH + 12], repeatRows=1
        )
        slot_table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        return slot_table

    def fee(self):
        """二、图像采集缴费."""
        campaign = self.campaign
        self.p(_("二、图像采集缴费"), self.styles.heading)
        self.p(
            _(
                "图像信息采集收费标准依据《关于规范高校毕业生图像信息采集收费的说明函》执行，"
                "每人 %(fee)s 元%(includes)s。%(way)s补拍的学生在%(centre)s自行缴费。"
            )
            % {
                "fee": campaign_texts.fee_amount_short(campaign),
                "includes": campaign_texts.fee_includes(campaign),
                "way": campaign_texts.payment_text(campaign, "notice"),
                "centre": campaign.makeup_centre_name,
            }
        )

    def code(self):
        """三、the 图像采集码 (code mode): fetching, saving and showing it."""
        self.p(_("三、学信网图像采集码获取要求"), self.styles.heading)
        for text in [
            _(
                "1. 学生登录学信网（微信公众号“学信网”、学信网 App 或学信档案）→ 学籍 → "
                "获取图像采集码。一个学籍只有一个采集码。"
            ),
            _("2. 长按二维码“保存图片”，不要截屏或裁剪，截屏的图片可能无法识别。"),
            _("3. 至少在%(before)s获取采集码，并在本校图像采集门户上传核验，确认能够识别。")
            % {"before": campaign_texts.fetch_before()},
            _("4. 学信网上的姓名、身份证号与学籍不一致而找不到学籍的，请尽快通过学院申请勘误。"),
        ]:
            self.p(text)

    def card(self):
        """三、the card: how it is filled and kept."""
        self.p(_("三、《高等教育学历证书图像信息采集》卡填涂、保管要求"), self.styles.heading)
        for text in [
            _("1. 一律使用 2B 铅笔填涂。"),
            _(
                "2. 除“（院）系代码”、“地区码”不填涂和“拍摄序号”在现场填涂外，其他信息应在"
                "拍摄前填涂好。具体说明如下："
            ),
            _("（1）学号和姓名，请一律按由左至右的顺序填涂，中间不留空格。"),
            _("（2）《汉字区位码手册》表中无法查到的汉字请填涂 0000，并在汉字旁加注汉语拼音。"),
            _(
                "（3）少数民族学生的姓名，凡超过四个汉字的，一律不填写汉字区位码，只须在卡中用"
                "正楷字清楚填写学生的全名，由中国图片社采用人工方式录入。"
            ),
            _("（4）身份证中的英文字母 X，请一律在相应字母处填涂。"),
            self._bubbles_rule(),
            _("3. 不要在卡的右侧任意书写文字或编号。"),
            _("4. 保持卡面清洁平整，不得与其他物品装订或粘贴在一起。"),
            _("5. 卡填涂完毕后，交班干部核对，收齐后统一保管，拍摄时再发放到人。"),
        ]:
            self.p(text)

    def _bubbles_rule(self) -> str:
        """Return rule (5): the 学历类别 and 所在校别 of regular students, then the
        categories whose 学历类别 differs from theirs."""
        regular = self.regular
        education = EducationType(
            regular.education_type if regular else EducationType.REGULAR_JUNIOR
        ).label
        school = SchoolType(regular.school_type if regular else SchoolType.REGULAR).label
        rule = _("（5）“学历类别”填涂“%(education)s”，“所在校别”填涂“%(school)s”") % {
            "education": education,
            "school": school,
        }
        others = [
            _("%(label)s“学历类别”填涂“%(education)s”")
            % {"label": r.label, "education": EducationType(r.education_type).label}
            for r in self.rules
            if r.category != StudentCategory.CURRENT
            and r.education_type != getattr(regular, "education_type", None)
        ]
        return "；".join([rule, *others]) + "。"

    def process_and_requirements(self):
        """四、拍摄流程 and 五、图像采集要求."""
        campaign, styles = self.campaign, self.styles
        venues = self.schedule.venues
        first_venue = venues[0].name if venues else _("拍摄地点")
        self.p(_("四、拍摄流程"), styles.heading)
        if campaign.is_code_mode:
            self.p(
                _("1. 以班为单位、按学号在%(venue)s外排队等候拍摄，请提前到达；")
                % {"venue": first_venue}
            )
            self.p(_("2. 在拍摄方的扫码器上出示图像采集码，领取拍摄号；"))
            self.p(_("3. 把拍摄号告诉摄影师，拍摄。没有采集码不能拍摄；"))
            if campaign.monitor_collects:
                self.p(_("4. 全班同学拍摄完后，班长按实际拍摄人数缴费。"))
        else:
            self.p(
                _("1. 学生领取采集卡，以班为单位在%(venue)s外排队等候拍摄；")
                % {"venue": first_venue}
            )
            self.p(_("2. 接到工作人员通知后，依次进入拍摄室，填涂“拍摄序号”；"))
            self.p(_("3. 工作人员核对采集卡，学生改填、补填；"))
            self.p(_("4. 学生将采集卡交工作人员，“拍摄序号”无误者即可拍摄；"))
            self.p(_("5. 全班同学拍摄完后，班干部缴费。"))
        self.p(_("五、图像采集要求"), styles.heading)
        self.p(
            _(
                "1. 拍照请听从工作人员安排。本次采集时间安排紧凑，以班为单位集体采集后交费，"
                "请各学院务必提醒学生以班为单位按时到达，不要迟到。"
            )
        )
        self.p(_("2. %(dress)s") % {"dress": campaign.dress_rules or _("拍照时尽量着正装。")})
        self.p(
            _(
                "3. 拍摄结束后 %(days)d 个工作日，学生须登录网站核对本人所有摄像信息"
                "（网址 http://www.chsi.com.cn），特别是“毕业年份”一定要与实际相符，"
                "否则毕业证上网将无信息。"
            )
            % {"days": campaign.chsi_check_working_days}
        )
        if campaign.bring_items:
            self.p(_("4. 请带上：%(items)s") % {"items": campaign.bring_items})

    def closing(self):
        """六、其它, and the issuer with the date of issue."""
        campaign, styles = self.campaign, self.styles
        self.p(_("六、其它"), styles.heading)
        if campaign.is_code_mode:
            self.p(
                _("未能在拍摄日拍摄的学生，按%(by)s通知的补采方式（%(routes)s）在截止日期前完成。")
                % {"by": campaign.issued_by, "routes": campaign_texts.makeup_routes()}
            )
        else:
            self.p(
                _("《区位码手册》及缴费名单请在拍摄完毕后交回%(by)s。") % {"by": campaign.issued_by}
            )
        issued = campaign.issued_on
        self.story.append(
            KeepTogether(
                [
                    Spacer(1, 18),
                    Paragraph(paragraph_markup(campaign.issued_by), styles.right),
                    Paragraph(paragraph_markup(_date_cn(issued) if issued else ""), styles.right),
                ]
            )
        )


def _packed(entries: list[str], width: float, style: ParagraphStyle) -> str:
    """Return the entries joined by 、 as Paragraph markup, broken into lines between
    entries only: a class name is never split over two lines (会计 / 1173)."""
    chain = font_chain()
    lines, line = [], ""
    for entry in entries:
        candidate = "%s、%s" % (line, entry) if line else entry
        if line and chain.width(candidate + "、", style.fontSize) > width:
            lines.append(line + "、")
            line = entry
        else:
            line = candidate
    lines.append(line)
    return "<br/>".join(paragraph_markup(line) for line in lines)


def notice_pdf(*, campaign: Campaign) -> bytes:
    """Return the notice of the campaign as an A4 PDF."""
    font = cjk_font()
    notice = _Notice(campaign, schedule_for_campaign(campaign=campaign), font)
    notice.title_and_intro()
    notice.arrangement()
    notice.fee()
    if campaign.is_code_mode:
        notice.code()
    else:
        notice.card()
    notice.process_and_requirements()
    notice.closing()

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 12 * mm, _("— %d —") % doc.page)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=_("关于%(title)s工作的通知") % {"title": campaign.title},
        author=campaign.issued_by,
    )
    doc.build(notice.story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()
