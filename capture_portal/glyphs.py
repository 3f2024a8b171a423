"""Which font draws each character, for every PDF and PNG the portal makes.

Names are GB 18030-2022 text: any hanzi of it may be in a name, Ext A–F included, and
people's names already hold Ext G characters (𰻝). No single free font has them all, so
text is drawn with a chain of fonts, each character in the first font that has a glyph
for it:

1. WenQuanYi Micro Hei (``wqy-microhei.ttc``, 5 MB): GBK's hanzi, Latin, digits and the
   punctuation of every list; a sans-serif that prints well small.
2. HanaMinB (花園明朝B, ``HanaMinB.ttf``, 31 MB): all of Ext B, C, D, E and F.
3. BabelStone Han (``BabelStoneHan.ttf``, 51 MB): all of URO and Ext A (䶮), about two
   thirds of Ext G (𰻝) and parts of the others.

The files are whole fonts, never subsets of characters seen so far, since any character
may come; reportlab embeds in each PDF only the glyphs it uses. A character no font of
the chain has is drawn as 〓 (the typesetter's mark for a missing character) and the
export lists the text it could not draw: nothing is dropped or boxed silently.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
MISSING_MARK = "〓"

# 避头尾 (kinsoku): what may not start a line, and what may not end one.
CANNOT_START = frozenset(
    "，。、；：？！…‥·・）)]｝}〕〉》」』】〙〗〟’”｠»ヽヾーァィゥェォッャュョヮヵヶ"
    "ぁぃぅぇぉっゃゅょゎゕゖ々〻‐゠–〜～%％‰℃°′″,.;:?!"
)
CANNOT_END = frozenset("（([｛{〔〈《「『【〘〖〝‘“｟«")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


@dataclass(frozen=True)
class FontFile:
    name: str  # the name reportlab knows it by
    path: Path
    index: int = 0  # the font's index in a collection (.ttc)


PRIMARY = FontFile("PortalCJK", FONT_DIR / "wqy-microhei.ttc")
FALLBACKS = (
    FontFile("PortalHanaMinB", FONT_DIR / "HanaMinB.ttf"),
    FontFile("PortalBabelStoneHan", FONT_DIR / "BabelStoneHan.ttf"),
)


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """Return a ToUnicode CMap whose targets are UTF-16BE, as the PDF standard says.

    reportlab writes each code point as bare hex, so a character beyond U+FFFF (𠮷,
    U+20BB7) comes out as an odd-length string that no PDF reader can map back: the
    PDF shows the glyph, but copying or searching the text finds nothing.
    """
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname,
        "/Ordering (%s)" % fontname,
        "/Supplement 0",
        ">> def",
        "/CMapName /%s def" % fontname,
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1),
        "endcodespacerange",
        "%d beginbfchar" % len(subset),
    ]
    lines += [
        "<%02X> <%s>" % (i, chr(v).encode("utf-16-be").hex().upper()) for i, v in enumerate(subset)
    ]
    lines += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def _patch_reportlab():
    """Fix two things of reportlab for Chinese text, once per process."""
    from reportlab.lib import textsplit
    from reportlab.pdfbase import ttfonts
    from reportlab.platypus import paragraph

    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    # Paragraphs with wordWrap="CJK" break anywhere between two characters and hang at
    # most one of reportlab's (Japanese) closing marks in the margin: a notice had
    # lines starting with "，", and "），" put the comma there all the same. A one-font
    # paragraph breaks in textsplit, one of several fonts in paragraph.
    textsplit.dumbSplit = _dumb_split
    paragraph.cjkFragSplit = _cjk_frag_split


class FontChain:
    """Fonts in the order they are tried; ``runs`` splits a text by the font that
    draws each of its characters."""

    def __init__(self, fonts: Sequence[FontFile]):
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        _patch_reportlab()
        self.fonts = tuple(fonts)
        self.names = tuple(f.name for f in self.fonts)
        registered = set(pdfmetrics.getRegisteredFontNames())
        self._glyphs = []
        for font in self.fonts:
            if font.name not in registered:
                pdfmetrics.registerFont(TTFont(font.name, str(font.path), subfontIndex=font.index))
            # Glyph 0 is .notdef: a cmap entry pointing at it is no glyph at all.
            self._glyphs.append(pdfmetrics.getFont(font.name).face.charToGlyph)
        self.primary = self.names[0]
        self._primary_glyphs = self._glyphs[0]
        self._font_of: dict[str, int | None] = {}

    def font_of(self, char: str) -> int | None:
        """Return the index of the first font with a glyph for ``char``, or None."""
        try:
            return self._font_of[char]
        except KeyError:
            code = ord(char)
            found = next((i for i, glyphs in enumerate(self._glyphs) if glyphs.get(code)), None)
            if found is None and unicodedata.category(char) in _INVISIBLE_CATEGORIES:
                found = 0  # tabs, joiners: nothing is drawn for them anyway
            self._font_of[char] = found
            return found

    @lru_cache(maxsize=8192)  # noqa: B019 -- one chain per process, texts repeat a lot
    def runs(self, text: str) -> tuple[tuple[str, str], ...]:
        """Return (font name, text) runs; a character no font has becomes 〓 in the
        primary font."""
        primary = self._primary_glyphs
        if all(primary.get(ord(c)) for c in text):
            return ((self.primary, text),)
        runs: list[list] = []
        for char in text:
            index = self.font_of(char)
            if index is None:
                name, char = self.primary, MISSING_MARK
            else:
                name = self.names[index]
            if runs and runs[-1][0] == name:
                runs[-1][1] += char
            else:
                runs.append([name, char])
        return tuple((name, part) for name, part in runs)

    @lru_cache(maxsize=8192)  # noqa: B019 -- as runs
    def missing(self, text: str) -> str:
        """Return the characters of ``text`` that no font of the chain can draw."""
        primary = self._primary_glyphs
        return "".join(
            dict.fromkeys(c for c in text if not primary.get(ord(c)) and self.font_of(c) is None)
        )

    # A long list measures the same few texts over and over: its numbers, marks, amounts
    # and times, and the characters wrap() measures one by one.
    @lru_cache(maxsize=32768)  # noqa: B019 -- as runs
    def width(self, text: str, size: float) -> float:
        """Return the width of ``text`` at ``size``, each run in its own font."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return sum(stringWidth(part, name, size) for name, part in self.runs(text))


@cache
def font_chain() -> FontChain:
    """Return the portal's font chain, registered with reportlab once per process."""
    return FontChain((PRIMARY, *FALLBACKS))


def missing_note(texts: Iterable[str], chain: FontChain | None = None) -> str:
    """Return one line naming the texts with characters no font has, e.g.
    "张〓（U+31350）", or "" when every character can be drawn."""
    chain = chain or font_chain()
    parts = []
    for text in dict.fromkeys(texts):
        missing = chain.missing(text)
        if missing:
            codes = "、".join("U+%04X" % ord(c) for c in missing)
            parts.append(
                "%s（%s）" % ("".join(MISSING_MARK if c in missing else c for c in text), codes)
            )
    return "；".join(parts)


# Drawing on a reportlab canvas -------------------------------------------------------


def draw_string(
    canvas, x: float, y: float, text: str, size: float, *, align: str = "left", chain=None
):
    """Draw ``text`` at baseline ``y`` with each character in the first font that has
    it; ``align`` is "left", "center" or "right" of ``x``."""
    chain = chain or font_chain()
    runs = chain.runs(text)
    if len(runs) == 1:
        name, part = runs[0]
        canvas.setFont(name, size)
        if align == "right":
            canvas.drawRightString(x, y, part)
        elif align == "center":
            canvas.drawCentredString(x, y, part)
        else:
            canvas.drawString(x, y, part)
        return
    if align != "left":
        from reportlab.pdfbase.pdfmetrics import stringWidth

        total = sum(stringWidth(part, name, size) for name, part in runs)
        x -= total if align == "right" else total / 2
    # One text object for all runs: readers then extract the text as one word (田𠮷),
    # not as a line per font.
    text = canvas.beginText(x, y)
    for name, part in runs:
        text.setFont(name, size)
        text.textOut(part)
    canvas.drawText(text)


_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def paragraph_markup(text: str, chain=None) -> str:
    """Return ``text`` escaped for a platypus Paragraph, with the characters of a
    fallback font wrapped in <font name="…"> tags."""
    chain = chain or font_chain()
    return "".join(
        part.translate(_XML_ESCAPES)
        if name == chain.primary
        else '<font name="%s">%s</font>' % (name, part.translate(_XML_ESCAPES))
        for name, part in chain.runs(text)
    )


# Drawing with Pillow -----------------------------------------------------------------


@lru_cache(maxsize=128)
def pillow_font(name: str, size: int):
    from PIL import ImageFont

    font = next(f for f in (PRIMARY, *FALLBACKS) if f.name == name)
    return ImageFont.truetype(str(font.path), size, index=font.index)


def pillow_draw(
    draw, x: float, y: float, text: str, size: float, *, fill, anchor: str = "lm", chain=None
):
    """Draw ``text`` with Pillow, vertically centred on ``y``; ``anchor`` is "lm" (left)
    or "mm" (centred on ``x``). Each character is drawn in the first font that has it,
    on the primary font's baseline."""
    chain = chain or font_chain()
    size = round(size)
    runs = chain.runs(text)
    if len(runs) == 1 and runs[0][0] == chain.primary:
        draw.text(
            (x, y), runs[0][1], fill=fill, font=pillow_font(chain.primary, size), anchor=anchor
        )
        return
    fonts = [pillow_font(name, size) for name, _ in runs]
    widths = [font.getlength(part) for font, (_, part) in zip(fonts, runs, strict=True)]
    if anchor[0] == "m":
        x -= sum(widths) / 2
    ascent, descent = pillow_font(chain.primary, size).getmetrics()
    baseline = y + (ascent - descent) / 2
    for font, (_, part), width in zip(fonts, runs, widths, strict=True):
        draw.text((x, baseline), part, fill=fill, font=font, anchor="ls")
        x += width


# Line breaking -----------------------------------------------------------------------

_BREAK_AFTER = re.compile(r"[\s·・•‧．\-/、，；]")


def wrap(text: str, width: float, size: float, chain=None) -> list[str]:
    """Return ``text`` broken into lines no wider than ``width``: between any two
    characters, preferring a space or a name's separator, never before a closing
    mark nor after an opening one."""
    chain = chain or font_chain()
    if chain.width(text, size) <= width:
        return [text]
    # TrueType text has no kerning here: a line is as wide as its characters.
    widths = [chain.width(c, size) for c in text]
    lines = []
    start = 0
    while start < len(text):
        end, used = start + 1, widths[start]
        while end < len(text) and used + widths[end] <= width:
            used += widths[end]
            end += 1
        if end < len(text):
            end = _break_point(text, start, end)
        lines.append(text[start:end])
        start = end
    return lines


def _break_point(text: str, start: int, end: int) -> int:
    """Move a break before text[end] back so that no line starts with a closing mark
    or ends with an opening one; prefer breaking after a separator in the line's
    second half."""
    for i in range(end, start + (end - start) // 2, -1):
        if _BREAK_AFTER.match(text[i - 1]) and text[i] not in CANNOT_START:
            return i
    i = end
    while i > start + 1 and (text[i] in CANNOT_START or text[i - 1] in CANNOT_END):
        i -= 1
    return i if i > start + 1 else end


# Line breaking inside reportlab paragraphs ----------------------------------------------


def _breaks(text: str, widths, max_widths, forced=frozenset()) -> list[tuple[int, int]]:
    """Return (start, end) of each line: as many characters as fit, the break moved
    back so that no line starts with a closing mark nor ends with an opening one, and
    a run of Latin letters or digits kept whole when it can be."""
    from reportlab.rl_config import _FUZZ

    lines = []
    start, count = 0, len(text)
    while start < count:
        room = max_widths[min(len(lines), len(max_widths) - 1)] + _FUZZ
        used, end = 0.0, start
        while end < count and end not in forced and used + widths[end] <= room:
            used += widths[end]
            end += 1
        if end in forced:
            end += 1  # the <br/> ends its line
        elif end == start:
            end = start + 1  # one character wider than the line
        elif end < count:
            end = _kinsoku(text, start, end)
        lines.append((start, end))
        start = end
    return lines


def _kinsoku(text: str, start: int, end: int) -> int:
    """Return where to break before text[end], given that text[start:end] fits."""
    low = start + (end - start) // 2
    i = end
    while i > low and (text[i] in CANNOT_START or text[i - 1] in CANNOT_END):
        i -= 1
    if i == low:
        return end  # nowhere better in the line's second half: break as it falls
    j = i
    while j > low and text[j - 1].isascii() and text[j].isascii() and not text[j - 1].isspace():
        j -= 1  # inside "2020" or "chsi.com.cn": break before the run
    if j > low and text[j] not in CANNOT_START and text[j - 1] not in CANNOT_END:
        return j
    return i


def _dumb_split(word, widths, maxWidths):
    """Replace reportlab.lib.textsplit.dumbSplit: the same lines, with 避头尾."""
    if not isinstance(maxWidths, (list, tuple)):
        maxWidths = [maxWidths]
    result = []
    for n, (start, end) in enumerate(_breaks(word, widths, maxWidths)):
        room = maxWidths[min(n, len(maxWidths) - 1)]
        result.append([room - sum(widths[start:end]), word[start:end].strip()])
    return result


def _cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):
    """Replace reportlab.platypus.paragraph.cjkFragSplit: the same lines, with 避头尾."""
    from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

    chars = []
    for frag in frags:
        text = frag.text.decode(encoding) if isinstance(frag.text, bytes) else frag.text
        chars += [cjkU(t, frag, encoding) for t in text] if text else [cjkU(text, frag, encoding)]
    widths = [c.width for c in chars]
    forced = frozenset(i for i, c in enumerate(chars) if hasattr(c.frag, "lineBreak"))
    # An empty marker (a <br/>, an image) stands for one position in the text.
    text = "".join(c if len(c) == 1 else "\ufffc" for c in chars)
    lines = []
    for n, (start, end) in enumerate(_breaks(text, widths, maxWidths, forced)):
        room = maxWidths[min(n, len(maxWidths) - 1)]
        used = sum(widths[start:end])
        line_break = end - 1 in forced
        lines.append(
            makeCJKParaLine(chars[start:end], room, used, room - used, line_break, calcBounds)
        )
    return ParaLines(kind=1, lines=lines)
