"""The fill guide: a picture of the card's bubble areas with exactly the bubbles to fill.

One layout (boxes, bubbles and text in pixels, origin top left) is computed from a
checked card, then drawn twice: by Pillow as a PNG for the phone, and by reportlab on an
A4 page with the embedded CJK font, so the two can never disagree. A field with an
error is drawn empty and marked 有误: the guide never shows a wrong fill.
"""

import io
from dataclasses import dataclass, field

from capture_portal.glyphs import MISSING_MARK, draw_string, font_chain, pillow_draw, pillow_font
from cards_app import rules

COLUMN = 34  # width of one bubble column
ROW = 25  # height of one bubble row
RADIUS = 9
WRITE_BOX = 30  # the box above a column where the digit is written
MARGIN = 24
GAP = 36  # between sections
NAME_GROUP_GAP = 14
MIN_STUDENT_ID_COLUMNS = 10
MAX_STUDENT_ID_COLUMNS = 20

INK = (0, 0, 0)
CARD_RED = (205, 55, 55)  # OMR cards are printed in red: the reader ignores it
CARD_RED_LIGHT = (225, 140, 140)
ERROR_RED = (190, 0, 0)
NOTE_BLUE = (20, 70, 160)
WHITE = (255, 255, 255)
PAPER = (255, 252, 247)


@dataclass(frozen=True)
class Bubble:
    """One bubble: ``field`` and ``column`` say where, ``value`` what it stands for."""

    field: str
    column: int
    value: str
    x: float
    y: float
    filled: bool


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float
    color: tuple = INK
    anchor: str = "l"  # "l" left, "c" centre; y is the text's vertical middle


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    color: tuple = CARD_RED
    fill: tuple | None = None
    width: float = 1


@dataclass
class Layout:
    width: float
    height: float = 0
    bubbles: list[Bubble] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)

    def filled(self, field_name: str) -> dict[int, str]:
        """Return the value of the filled bubble per column of a field (for tests)."""
        return {b.column: b.value for b in self.bubbles if b.field == field_name and b.filled}


@dataclass(frozen=True)
class Guide:
    """What the guide shows, taken from a checked card."""

    student_id: str
    name: str
    name_mode: str
    name_codes: tuple[rules.NameCode, ...]
    id_number: str
    education_type: str | None
    school_type: str | None
    college_code: str
    error_fields: frozenset[str]
    warnings: tuple[rules.Issue, ...] = ()

    @classmethod
    def from_result(cls, result: rules.CardResult, *, college_code: str = "") -> "Guide":
        card = result.card
        return cls(
            student_id=card.get("student_id", ""),
            name=card.get("name", ""),
            name_mode=card.get("name_mode", rules.NAME_MODE_CODES),
            name_codes=tuple(card.get("name_codes", ())),
            id_number=card.get("id_number", ""),
            education_type=card.get("education_type"),
            school_type=card.get("school_type"),
            college_code=college_code if college_code.isdigit() else "",
            error_fields=frozenset(result.error_fields),
            warnings=tuple(result.warnings),
        )

    def is_valid(self, field_name: str) -> bool:
        return field_name not in self.error_fields

    @property
    def handwriting(self) -> list[str]:
        """Return what the student writes by hand on the card, one line each."""
        if not self.is_valid(rules.NAME):
            return []
        if self.name_mode == rules.NAME_MODE_HANDWRITTEN:
            return ["姓名超过四个汉字：区位码不填，在姓名栏用正楷写全名“%s”。" % self.name]
        return [
            "第 %d 个字“%s”区位码涂 0000，在该字旁写拼音：%s" % (i, c.char, c.pinyin)
            for i, c in enumerate(self.name_codes, start=1)
            if c.code == rules.UNKNOWN_CODE
        ]

    @property
    def name_codes_text(self) -> str:
        return " ".join(
            c.code + ("(%s)" % c.pinyin if c.code == rules.UNKNOWN_CODE else "")
            for c in self.name_codes
        )


# Layout ---------------------------------------------------------------------------------


class _Builder:
    def __init__(self, guide: Guide):
        self.guide = guide
        self.sid_columns = min(
            max(len(guide.student_id), MIN_STUDENT_ID_COLUMNS), MAX_STUDENT_ID_COLUMNS
        )
        name_width = 16 * COLUMN + 3 * NAME_GROUP_GAP
        sid_width = self.sid_columns * COLUMN + GAP + 5 * COLUMN
        self.layout = Layout(width=2 * MARGIN + max(18 * COLUMN, name_width, sid_width))
        self.y = MARGIN

    def text(self, x, y, text, size=15, color=INK, anchor="l"):
        self.layout.texts.append(Text(x, y, text, size, color, anchor))

    def box(self, x, y, w, h, **kw):
        self.layout.boxes.append(Box(x, y, w, h, **kw))

    def heading(self, x, title, field_name=None, note=""):
        self.text(x, self.y + 10, title, 17, CARD_RED)
        if field_name and not self.guide.is_valid(field_name):
            self.text(x + 18 * len(title) + 12, self.y + 10, "有误，请先改正", 15, ERROR_RED)
        elif note:
            self.text(x + 18 * len(title) + 12, self.y + 10, note, 13, NOTE_BLUE)

    def digit_columns(self, field_name, x, top, values, columns, rows="0123456789", x_last=False):
        """Draw columns of bubbles with a write box above each; return the bottom y."""
        valid = self.guide.is_valid(field_name)
        for col in range(columns):
            cx = x + col * COLUMN + COLUMN / 2
            value = values[col] if col < len(values) else ""
            self.box(x + col * COLUMN + 2, top, COLUMN - 4, WRITE_BOX)
            if valid and value:
                self.text(cx, top + WRITE_BOX / 2, value, 18, INK, "c")
            column_rows = rows + ("X" if x_last and col == columns - 1 else "")
            for r, row_value in enumerate(column_rows):
                cy = top + WRITE_BOX + 8 + r * ROW + ROW / 2
                filled = valid and value == row_value
                self.layout.bubbles.append(Bubble(field_name, col, row_value, cx, cy, filled))
        row_count = len(rows) + (1 if x_last else 0)
        return top + WRITE_BOX + 8 + row_count * ROW + 4

    def build(self) -> Layout:
        """Lay the card's areas out from top to bottom, each a section of its own."""
        self._title()
        self._student_id_and_college()
        self._name()
        self._id_number()
        self._choices(
            rules.EDUCATION_TYPE, "学历类别", rules.EDUCATION_TYPES, self.guide.education_type
        )
        self._choices(rules.SCHOOL_TYPE, "所在校别", rules.SCHOOL_TYPES, self.guide.school_type)
        self._blank_fields()
        self._handwriting()
        self.layout.height = self.y + MARGIN
        return self.layout

    def _title(self):
        g, x0 = self.guide, MARGIN
        self.text(x0, self.y + 12, "采集卡填涂示意", 22)
        hint = "涂黑的圆圈就是要涂的"
        # Right-aligned by its rough width: 14 px a character.
        self.text(self.layout.width - MARGIN - 14 * len(hint), self.y + 12, hint, 14, NOTE_BLUE)
        self.y += 36
        if g.error_fields:
            labels = rules.field_labels(f for f in rules.FIELDS if f in g.error_fields)
            width = self.layout.width - 2 * MARGIN
            self.box(x0, self.y, width, 34, color=ERROR_RED, fill=(253, 235, 235))
            self.text(x0 + 10, self.y + 17, "有错误，改正前不要涂卡：%s" % labels, 15, ERROR_RED)
            self.y += 34 + 14
        missing = font_chain().missing(g.name)
        if missing:
            # No embedded font has the character: say so rather than print a box.
            width = self.layout.width - 2 * MARGIN
            self.box(x0, self.y, width, 34, color=ERROR_RED, fill=(253, 235, 235))
            codes = "、".join("U+%04X" % ord(c) for c in missing)
            self.text(
                x0 + 10,
                self.y + 17,
                "姓名中的字无法显示（图中印为%s）：%s" % (MISSING_MARK, codes),
                15,
                ERROR_RED,
            )
            self.y += 34 + 14

    def _student_id_and_college(self):
        """学号 and 院校代码 side by side."""
        g, x0 = self.guide, MARGIN
        self.heading(x0, "学号", rules.STUDENT_ID, "从左往右填，不留空格")
        college_x = x0 + self.sid_columns * COLUMN + GAP
        self.text(college_x, self.y + 10, "院校代码", 17, CARD_RED)
        if not g.college_code:
            self.text(college_x, self.y + 34, "按教务处通知填写", 13, NOTE_BLUE)
        top = self.y + 26
        bottom = self.digit_columns(
            rules.STUDENT_ID, x0, top, g.student_id[: self.sid_columns], self.sid_columns
        )
        if g.college_code:
            self.digit_columns("college_code", college_x, top, g.college_code[:5], 5)
        self.y = bottom + GAP / 2

    def _name(self):
        """姓名: four characters, four code digits each; or the full name in 正楷."""
        g, x0 = self.guide, MARGIN
        self.heading(x0, "姓名", rules.NAME, self._name_note())
        top = self.y + 26
        name_valid = g.is_valid(rules.NAME)
        coded = name_valid and g.name_mode == rules.NAME_MODE_CODES
        codes = list(g.name_codes) if coded else []
        bottom = top
        handwritten = name_valid and g.name_mode == rules.NAME_MODE_HANDWRITTEN
        width = 16 * COLUMN + 3 * NAME_GROUP_GAP
        if handwritten:
            # One box across the character row: the full name in 正楷, no codes.
            self.box(x0 + 2, top, width - 4, 30, color=NOTE_BLUE, fill=WHITE, width=2)
            self.text(x0 + width / 2, top + 15, "正楷写全名：%s" % g.name, 17, INK, "c")
        for group in range(4):
            gx = x0 + group * (4 * COLUMN + NAME_GROUP_GAP)
            code = codes[group] if group < len(codes) else None
            if not handwritten:
                self.box(gx + 2, top, 4 * COLUMN - 4, 30)
            if code is not None:
                label = code.char if code.pinyin is None else "%s %s" % (code.char, code.pinyin)
                self.text(gx + 2 * COLUMN, top + 15, label, 18, INK, "c")
            values = code.code if code is not None else ""
            bottom = self.digit_columns(rules.NAME, gx, top + 36, values, 4)
            self._renumber_name_columns(group)
        self.y = bottom + GAP / 2

    def _id_number(self):
        """身份证号: 18 columns; the check character's column has the X bubble."""
        self.heading(MARGIN, "身份证号", rules.ID_NUMBER, "共 18 位，末位 X 涂字母 X")
        bottom = self.digit_columns(
            rules.ID_NUMBER, MARGIN, self.y + 26, self.guide.id_number[:18], 18, x_last=True
        )
        self.y = bottom + GAP / 2

    def _blank_fields(self):
        self.heading(MARGIN, "不填的栏目")
        self.y += 26
        bx = MARGIN
        for label, note in rules.BLANK_FIELDS:
            w = 28 + 15 * (len(label) + len(note))
            self.box(bx, self.y, w, 32, color=(120, 120, 120))
            self.text(bx + 10, self.y + 16, "%s：%s" % (label, note), 14, (90, 90, 90))
            bx += w + 10
        self.y += 32 + GAP / 2

    def _handwriting(self):
        """What to write by hand, and the 2B pencil."""
        lines = self.guide.handwriting + [
            "用 2B 铅笔把圆圈涂满涂黑；卡的右侧不写任何字，保持卡面平整。"
        ]
        self.heading(MARGIN, "手写与注意")
        self.y += 24
        for line in lines:
            self.text(MARGIN, self.y + 12, line, 15, NOTE_BLUE)
            self.y += 26

    def _renumber_name_columns(self, group: int):
        # digit_columns numbers 0–3 in each group; the name grid has columns 0–15.
        if group == 0:
            return
        bubbles = self.layout.bubbles
        count = 4 * 10
        for i in range(len(bubbles) - count, len(bubbles)):
            b = bubbles[i]
            bubbles[i] = Bubble(b.field, b.column + 4 * group, b.value, b.x, b.y, b.filled)

    def _name_note(self) -> str:
        g = self.guide
        if g.name_mode == rules.NAME_MODE_HANDWRITTEN:
            return "超过四字：不涂区位码"
        return "每字 4 位区位码，从左往右"

    def _choices(self, field_name, title, choices, chosen):
        x0 = MARGIN
        self.heading(x0, title, field_name)
        valid = self.guide.is_valid(field_name)
        cy = self.y + 26 + 14
        x = x0
        for key, label in choices.items():
            filled = valid and key == chosen
            self.layout.bubbles.append(Bubble(field_name, 0, key, x + RADIUS + 2, cy, filled))
            self.text(x + 2 * RADIUS + 10, cy, label, 15, INK if filled else CARD_RED)
            x += 2 * RADIUS + 24 + 15 * len(label)
        self.y = cy + 14 + GAP / 2


def build_layout(guide: Guide) -> Layout:
    return _Builder(guide).build()


# PNG ------------------------------------------------------------------------------------


def _pillow_font(size: float):
    return pillow_font(font_chain().primary, round(size))


# Bump when the drawing changes, so no picture of the old drawing is served.
_PNG_CACHE_VERSION = 1
_PNG_CACHE_SECONDS = 3600


def render_png_cached(guide: Guide, *, scale: float = 1.5) -> bytes:
    """Return ``render_png(guide)``, drawn at most once per distinct card.

    The picture depends on nothing but the guide (the normalised card and the 院校代码),
    so it is cached under a digest of that content and never goes stale: checking the
    same card again, or a visitor repeating a request, costs a cache read instead of
    ~0.4 s of drawing.
    """
    import hashlib

    from django.core.cache import cache

    content = repr(
        (
            _PNG_CACHE_VERSION,
            scale,
            guide.student_id,
            guide.name,
            guide.name_mode,
            guide.name_codes,
            guide.id_number,
            guide.education_type,
            guide.school_type,
            guide.college_code,
            sorted(guide.error_fields),
            guide.warnings,
        )
    )
    key = "guide-png:%s" % hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()
    png = cache.get(key)
    if png is None:
        png = render_png(guide, scale=scale)
        cache.set(key, png, _PNG_CACHE_SECONDS)
    return png


def render_png(guide: Guide, *, scale: float = 1.5) -> bytes:
    """Return the guide as a PNG; ``scale`` sharpens it on a phone's dense screen."""
    from PIL import Image, ImageDraw

    layout = build_layout(guide)
    image = Image.new("RGB", (round(layout.width * scale), round(layout.height * scale)), PAPER)
    draw = ImageDraw.Draw(image)
    s = scale
    for b in layout.boxes:
        draw.rectangle(
            [b.x * s, b.y * s, (b.x + b.w) * s, (b.y + b.h) * s],
            outline=b.color,
            fill=b.fill,
            width=max(1, round(b.width * s)),
        )
    for b in layout.bubbles:
        box = [(b.x - RADIUS) * s, (b.y - RADIUS) * s, (b.x + RADIUS) * s, (b.y + RADIUS) * s]
        if b.filled:
            draw.ellipse(box, fill=INK, outline=INK)
        else:
            draw.ellipse(box, fill=WHITE, outline=CARD_RED, width=max(1, round(s)))
            draw.text(
                (b.x * s, b.y * s),
                b.value if len(b.value) == 1 else "",
                fill=CARD_RED_LIGHT,
                font=_pillow_font(11 * s),
                anchor="mm",
            )
    for t in layout.texts:
        # Each character in the first font that has it: 䶮 and 𠮷 come from the fallbacks.
        pillow_draw(
            draw,
            t.x * s,
            t.y * s,
            t.text,
            t.size * s,
            fill=t.color,
            anchor="mm" if t.anchor == "c" else "lm",
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# PDF ------------------------------------------------------------------------------------


def render_pdf(guide: Guide) -> bytes:
    """Return the guide on one A4 page, with the card data as text above the picture."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    font = font_chain().primary
    layout = build_layout(guide)
    width, height = A4
    margin = 36
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    c.setTitle("采集卡填涂示意")
    c.setAuthor("教务处")
    y = height - margin - 8
    draw_string(c, margin, y, "《高等教育学历证书图像信息采集》卡 填涂示意", 15)
    summary = [
        "学号：%s" % guide.student_id,
        "姓名：%s" % guide.name,
        "身份证号：%s" % guide.id_number,
    ]
    if guide.name_mode == rules.NAME_MODE_CODES and guide.name_codes:
        summary.append("姓名区位码：%s" % guide.name_codes_text)
    elif guide.name_mode == rules.NAME_MODE_HANDWRITTEN:
        summary.append("姓名区位码：不填（正楷手写全名）")
    summary.append(
        "学历类别：%s　所在校别：%s"
        % (
            rules.EDUCATION_TYPES.get(guide.education_type or "", "—"),
            rules.SCHOOL_TYPES.get(guide.school_type or "", "—"),
        )
    )
    for line in summary:
        y -= 16
        draw_string(c, margin, y, line, 10.5)
    y -= 10
    # The picture, scaled to fit what is left of the page.
    scale = min((width - 2 * margin) / layout.width, (y - margin) / layout.height)
    left = margin + ((width - 2 * margin) - layout.width * scale) / 2
    top = y

    def px(x):
        return left + x * scale

    def py(v):
        return top - v * scale

    for b in layout.boxes:
        c.setStrokeColorRGB(*(v / 255 for v in b.color))
        c.setLineWidth(b.width * scale)
        if b.fill:
            c.setFillColorRGB(*(v / 255 for v in b.fill))
        c.rect(px(b.x), py(b.y + b.h), b.w * scale, b.h * scale, stroke=1, fill=1 if b.fill else 0)
    c.setLineWidth(0.8 * scale)
    c.setStrokeColorRGB(*(v / 255 for v in CARD_RED))
    for b in layout.bubbles:
        if b.filled:
            c.setFillColorRGB(0, 0, 0)
            c.circle(px(b.x), py(b.y), RADIUS * scale, stroke=0, fill=1)
        else:
            c.circle(px(b.x), py(b.y), RADIUS * scale, stroke=1, fill=0)
            if len(b.value) == 1:
                c.setFillColorRGB(*(v / 255 for v in CARD_RED_LIGHT))
                c.setFont(font, 11 * scale)
                c.drawCentredString(px(b.x), py(b.y) - 11 * scale * 0.35, b.value)
    for t in layout.texts:
        c.setFillColorRGB(*(v / 255 for v in t.color))
        size = t.size * scale
        baseline = py(t.y) - size * 0.35
        draw_string(
            c, px(t.x), baseline, t.text, size, align="center" if t.anchor == "c" else "left"
        )
    c.showPage()
    c.save()
    return buffer.getvalue()
