"""The college's notice (关于毕业生图像采集的通知) as a PDF, generated from the campaign.

It follows the paper notice section by section — scope, slot table, make-up, fee, the
card, the process, the requirements — so 教务处 publishes exactly what the portal
holds. A document, not a table of rows: laid out with reportlab's platypus, in the
same embedded CJK font as every other export.
"""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from capture_portal.exports import cjk_font
from sessions_app.models import Campaign, EducationType, SchoolType
from sessions_app.selectors import schedule_for_campaign

_WEEKDAYS = "一二三四五六日"


def _date_cn(value) -> str:
    return "%d年%d月%d日" % (value.year, value.month, value.day)


def notice_pdf(*, campaign: Campaign) -> bytes:
    """Return the notice of the campaign as an A4 PDF."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = cjk_font()
    schedule = schedule_for_campaign(campaign=campaign)
    rules = list(campaign.category_rules.all())

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
    heading = ParagraphStyle(
        "heading", parent=plain, fontSize=12.5, spaceBefore=6, leading=22, keepWithNext=1
    )
    subheading = ParagraphStyle("subheading", parent=plain, keepWithNext=1)
    title = ParagraphStyle(
        "title", parent=plain, fontSize=19, leading=28, alignment=TA_CENTER, spaceAfter=14
    )
    cell = ParagraphStyle("cell", parent=plain, fontSize=10.5, leading=15)
    cell_head = ParagraphStyle("cellhead", parent=cell, alignment=TA_CENTER)
    right = ParagraphStyle("right", parent=plain, alignment=TA_RIGHT, rightIndent=10)

    def p(text, style=body):
        return Paragraph(escape(text), style)

    dates = schedule.dates
    date_text = "、".join(
        "%s（星期%s）" % (_date_cn(d), _WEEKDAYS[d.weekday()]) for d in dates
    ) or _("（待定）")
    venues = schedule.venues
    education = {r.category: r for r in rules}
    regular = education.get("current")
    education_label = EducationType(
        regular.education_type if regular else EducationType.REGULAR_JUNIOR
    ).label
    school_label = SchoolType(regular.school_type if regular else SchoolType.REGULAR).label

    story = [
        p(_("关于%(title)s工作的通知") % {"title": campaign.title}, title),
        p(_("各学院："), plain),
        p(
            _(
                "根据教育部（教学厅[2002]5号）文件要求，为加强高等教育学历证书管理，保护高等教育"
                "机构和毕(结)业生的利益，维护国家学历制度的严肃性，毕业生的相片和已经注册的学历"
                "证书一同上网供社会查询，由新华通讯社所属中国图片社负责图像信息采集工作。"
            )
        ),
        p(
            _(
                "依据教育部、新华社的有关要求，现将我校 %(year)d 届毕业生图像采集安排通知如下，"
                "请各位毕业生做好准备工作，务必准时参加："
            )
            % {"year": campaign.graduation_year}
        ),
        p(_("一、图像采集安排"), heading),
        p(_("1. 参加本次图像采集的学生范围"), subheading),
        p(campaign.scope or _("我校 %d 届全体毕业生。") % campaign.graduation_year),
        p(_("2. 图像采集的时间、顺序、地点"), subheading),
        p(_("（1）日期：%(dates)s。") % {"dates": date_text}),
        p(_("（2）各班拍摄时间及顺序（按表中顺序依次拍摄）："), body),
        Spacer(1, 4),
    ]

    table = [[Paragraph(h, cell_head) for h in (_("时间"), _("地点"), _("班级（按拍摄顺序）"))]]
    for row in schedule.rows:
        slot = row.slot
        when = "%s %s—%s" % (
            slot.period_label,
            slot.start.strftime("%H:%M"),
            slot.end.strftime("%H:%M"),
        )
        if len(dates) > 1:
            when = "%d月%d日<br/>%s" % (slot.date.month, slot.date.day, escape(when))
        else:
            when = escape(when)
        entries = row.entries or [_("（暂无）")]
        table.append(
            [
                Paragraph(when, cell),
                Paragraph(escape(slot.venue.name), cell),
                Paragraph(escape("、".join(entries)), cell),
            ]
        )
    width = A4[0] - 50 * mm
    slot_table = Table(table, colWidths=[37 * mm, 33 * mm, width - 70 * mm], repeatRows=1)
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
    story += [slot_table, Spacer(1, 6)]
    venue_text = "；".join(
        "%s%s" % (v.name, "（%s）" % v.note if v.note else "") for v in venues
    ) or _("（待定）")
    story.append(p(_("（3）地点：%(venues)s。") % {"venues": venue_text}))
    if schedule.unassigned:
        story.append(
            p(
                _("（4）以下班级的拍摄时间另行通知：%(names)s。")
                % {"names": "、".join(c.name for c in schedule.unassigned)}
            )
        )

    story.append(p(_("3. 补拍"), subheading))
    after = _date_cn(dates[-1]) if dates else _("拍摄日")
    story.append(
        p(
            _(
                "无法参加拍照的学生，请于 %(after)s后自行联系%(centre)s进行补拍，"
                "地址：%(address)s，电话 %(phone)s。"
            )
            % {
                "after": after,
                "centre": campaign.makeup_centre_name,
                "address": campaign.makeup_centre_address,
                "phone": campaign.makeup_centre_phone,
            }
        )
    )
    if schedule.deferred:
        story.append(
            p(
                _("%(names)s 学生可明年参加图像采集。")
                % {"names": "、".join(c.name for c in schedule.deferred)}
            )
        )

    story.append(p(_("二、图像采集缴费"), heading))
    story.append(
        p(
            _(
                "图像信息采集收费标准依据《关于规范高校毕业生图像信息采集收费的说明函》执行，"
                "每人 %(fee)s 元%(includes)s。该费用由各学院组织班长统一收齐后于拍照现场以班为"
                "单位交送采集工作人员，补拍的学生在%(centre)s自行缴费。"
            )
            % {
                "fee": ("%s" % campaign.fee).rstrip("0").rstrip("."),
                "includes": "（%s）" % campaign.fee_includes if campaign.fee_includes else "",
                "centre": campaign.makeup_centre_name,
            }
        )
    )

    story.append(p(_("三、《高等教育学历证书图像信息采集》卡填涂、保管要求"), heading))
    card_rules = [
        _("1. 一律使用 2B 铅笔填涂。"),
        _(
            "2. 除“（院）系代码”、“地区码”不填涂和“拍摄序号”在现场填涂外，其他信息应在拍摄前"
            "填涂好。具体说明如下："
        ),
        _("（1）学号和姓名，请一律按由左至右的顺序填涂，中间不留空格。"),
        _("（2）《汉字区位码手册》表中无法查到的汉字请填涂 0000，并在汉字旁加注汉语拼音。"),
        _(
            "（3）少数民族学生的姓名，凡超过四个汉字的，一律不填写汉字区位码，只须在卡中用正楷"
            "字清楚填写学生的全名，由中国图片社采用人工方式录入。"
        ),
        _("（4）身份证中的英文字母 X，请一律在相应字母处填涂。"),
        _("（5）“学历类别”填涂“%(education)s”，“所在校别”填涂“%(school)s”。")
        % {"education": education_label, "school": school_label},
    ]
    others = [
        r
        for r in rules
        if r.category != "current"
        and (r.education_type != getattr(regular, "education_type", None))
    ]
    if others:
        card_rules[-1] = (
            card_rules[-1][:-1]
            + "；"
            + "；".join(
                _("%(label)s“学历类别”填涂“%(education)s”")
                % {"label": r.label, "education": EducationType(r.education_type).label}
                for r in others
            )
            + "。"
        )
    card_rules += [
        _("3. 不要在卡的右侧任意书写文字或编号。"),
        _("4. 保持卡面清洁平整，不得与其他物品装订或粘贴在一起。"),
        _("5. 卡填涂完毕后，交班干部核对，收齐后统一保管，拍摄时再发放到人。"),
    ]
    story += [p(text) for text in card_rules]

    first_venue = venues[0].name if venues else _("拍摄地点")
    story.append(p(_("四、拍摄流程"), heading))
    story += [
        p(_("1. 学生领取采集卡，以班为单位在%(venue)s外排队等候拍摄；") % {"venue": first_venue}),
        p(_("2. 接到工作人员通知后，依次进入拍摄室，填涂“拍摄序号”；")),
        p(_("3. 工作人员核对采集卡，学生改填、补填；")),
        p(_("4. 学生将采集卡交工作人员，“拍摄序号”无误者即可拍摄；")),
        p(_("5. 全班同学拍摄完后，班干部缴费。")),
    ]

    story.append(p(_("五、图像采集要求"), heading))
    story += [
        p(
            _(
                "1. 拍照请听从工作人员安排。本次采集时间安排紧凑，以班为单位集体采集后交费，"
                "请各学院务必提醒学生以班为单位按时到达，不要迟到。"
            )
        ),
        p(_("2. %(dress)s") % {"dress": campaign.dress_rules or _("拍照时尽量着正装。")}),
        p(
            _(
                "3. 拍摄结束后 %(days)d 个工作日，学生须登录网站核对本人所有摄像信息"
                "（网址 http://www.chsi.com.cn），特别是“毕业年份”一定要与实际相符，"
                "否则毕业证上网将无信息。"
            )
            % {"days": campaign.chsi_check_working_days}
        ),
    ]
    if campaign.bring_items:
        story.append(p(_("4. 请带上：%(items)s") % {"items": campaign.bring_items}))

    story.append(p(_("六、其它"), heading))
    story.append(
        p(_("《区位码手册》及缴费名单请在拍摄完毕后交回%(by)s。") % {"by": campaign.issued_by})
    )
    issued = campaign.issued_on
    story.append(
        KeepTogether(
            [
                Spacer(1, 18),
                p(campaign.issued_by, right),
                p(_date_cn(issued) if issued else "", right),
            ]
        )
    )

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
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()
