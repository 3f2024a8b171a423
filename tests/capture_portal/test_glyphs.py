"""The font chain: which font draws each character, and lines that keep 避头尾."""

import io

from django.test import SimpleTestCase
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from capture_portal.glyphs import (
    CANNOT_START,
    MISSING_MARK,
    PRIMARY,
    FontChain,
    draw_string,
    font_chain,
    missing_note,
    wrap,
)
from tests.names import EXTENSION_NAMES, UNDRAWABLE


class FontChainTests(SimpleTestCase):
    def test_every_extension_a_to_g_character_has_a_font(self):
        chain = font_chain()
        for block, name in EXTENSION_NAMES.items():
            with self.subTest(block):
                self.assertEqual(chain.missing(name), "")
                self.assertNotEqual(chain.runs(name)[-1][0], chain.primary)

    def test_gbk_text_stays_in_the_primary_font_as_one_run(self):
        chain = font_chain()
        self.assertEqual(chain.runs("买买提·艾力 王堃 ✓"), ((chain.primary, "买买提·艾力 王堃 ✓"),))

    def test_a_character_no_font_has_becomes_the_missing_mark(self):
        chain = font_chain()
        self.assertEqual(chain.missing("张" + UNDRAWABLE), UNDRAWABLE)
        self.assertEqual(chain.runs("张" + UNDRAWABLE), ((chain.primary, "张" + MISSING_MARK),))
        self.assertEqual(missing_note(["张" + UNDRAWABLE, "王堃"]), "张〓（U+3FFFD）")

    def test_a_chain_without_fallbacks_misses_the_extension_characters(self):
        chain = FontChain([PRIMARY])
        self.assertEqual(chain.missing("田𠮷"), "𠮷")

    def test_characters_beyond_u_ffff_are_extracted_from_the_pdf(self):
        buffer = io.BytesIO()
        canvas = Canvas(buffer)
        draw_string(canvas, 50, 700, "姓名：" + "、".join(EXTENSION_NAMES.values()), 12)
        canvas.save()
        text = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()
        self.assertEqual(text.strip(), "姓名：" + "、".join(EXTENSION_NAMES.values()))


class WrapTests(SimpleTestCase):
    def test_no_line_starts_with_closing_punctuation(self):
        text = "依据教育部、新华社的有关要求，现将我校毕业生图像采集安排通知如下，请做好准备。" * 3
        chain = font_chain()
        for width in range(60, 300, 7):
            lines = wrap(text, width, 11.5)
            with self.subTest(width=width):
                self.assertEqual("".join(lines), text)
                for line in lines[1:]:
                    self.assertNotIn(line[0], CANNOT_START)
                for line in lines:
                    self.assertLessEqual(chain.width(line[:-1], 11.5), width)

    def test_a_name_breaks_after_its_separator(self):
        self.assertEqual(
            wrap("阿卜杜热合曼·阿卜杜克热木", 80, 10), ["阿卜杜热合曼·", "阿卜杜克热木"]
        )
