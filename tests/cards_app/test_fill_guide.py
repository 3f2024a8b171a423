"""The fill guide: bubbles decoded back from the PNG, text and font of the PDF."""

import io
import subprocess
import tempfile
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from capture_portal.glyphs import PRIMARY, FontChain
from cards_app import fill_guide, rules
from tests.cards_app.factories import sample_card
from tests.names import EXTENSION_NAMES, UNDRAWABLE


def guide(**fields):
    card = rules.check_card(**sample_card(**fields))
    return fill_guide.Guide.from_result(card, college_code="12345")


def decode_png(data: bytes, layout: fill_guide.Layout, scale: float):
    """Return {(field, column): value} of the bubbles that are dark in the image."""
    image = Image.open(io.BytesIO(data)).convert("L")
    found = {}
    r = fill_guide.RADIUS * scale * 0.6
    for b in layout.bubbles:
        box = (
            round((b.x * scale) - r),
            round((b.y * scale) - r),
            round(b.x * scale + r),
            round(b.y * scale + r),
        )
        crop = image.crop(box)
        mean = sum(crop.histogram()[v] * v for v in range(256)) / (crop.width * crop.height)
        if mean < 80:
            key = (b.field, b.column)
            if key in found:
                raise AssertionError("two dark bubbles in %s column %d" % key)
            found[key] = b.value
    return found


def column_string(found, field, columns):
    return "".join(found.get((field, c), "_") for c in range(columns))


class PngTests(SimpleTestCase):
    def test_the_dark_bubbles_read_back_as_the_card_digits(self):
        g = guide()
        layout = fill_guide.build_layout(g)
        found = decode_png(fill_guide.render_png(g, scale=1.5), layout, 1.5)
        self.assertEqual(column_string(found, "student_id", 10), "1730101002")
        self.assertEqual(column_string(found, "id_number", 18), "43010320010512102X")
        self.assertEqual(column_string(found, "name", 16), "45850000________")
        self.assertEqual(column_string(found, "college_code", 5), "12345")
        self.assertEqual(found[("education_type", 0)], "regular_junior")
        self.assertEqual(found[("school_type", 0)], "regular")

    def test_a_field_with_an_error_gets_no_dark_bubble(self):
        g = guide(id_number="430103200105121021", school_type="adult")
        layout = fill_guide.build_layout(g)
        found = decode_png(fill_guide.render_png(g, scale=1), layout, 1)
        self.assertEqual(column_string(found, "id_number", 18), "_" * 18)
        self.assertEqual(column_string(found, "student_id", 10), "1730101002")
        self.assertEqual(found[("school_type", 0)], "adult")

    def test_a_handwritten_name_darkens_no_name_bubble(self):
        g = guide(name="买买提·艾力")
        layout = fill_guide.build_layout(g)
        found = decode_png(fill_guide.render_png(g, scale=1), layout, 1)
        self.assertEqual(column_string(found, "name", 16), "_" * 16)
        self.assertIn("正楷写全名：买买提·艾力", [t.text for t in layout.texts])

    def test_the_pinyin_to_write_is_in_the_guide(self):
        g = guide(name="朱镕基")
        self.assertEqual(g.handwriting, ["第 2 个字“镕”区位码涂 0000，在该字旁写拼音：rong"])
        self.assertIn("镕 rong", [t.text for t in fill_guide.build_layout(g).texts])


class PdfTests(SimpleTestCase):
    def test_the_text_of_the_pdf_is_the_card_data(self):
        content = fill_guide.render_pdf(guide(name="王頔"))
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        self.assertIn("学号：1730101002", text)
        self.assertIn("姓名：王頔", text)
        self.assertIn("身份证号：43010320010512102X", text)
        self.assertIn("姓名区位码：4585 0000(di)", text)
        self.assertIn("学历类别：普通专科", text)
        self.assertEqual(len(PdfReader(io.BytesIO(content)).pages), 1)

    def test_the_cjk_font_is_embedded(self):
        content = fill_guide.render_pdf(guide())
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "guide.pdf"
            path.write_bytes(content)
            fonts = subprocess.run(
                ["pdffonts", str(path)], capture_output=True, text=True, check=True
            )
        lines = [line for line in fonts.stdout.splitlines() if "WenQuanYi" in line]
        self.assertTrue(lines, fonts.stdout)
        for line in lines:
            # Columns: name, type, encoding, emb, sub, uni — every CJK font embedded.
            self.assertIn(" yes yes yes ", line)

    def test_the_page_is_a4(self):
        page = PdfReader(io.BytesIO(fill_guide.render_pdf(guide()))).pages[0]
        self.assertEqual((round(page.mediabox.width), round(page.mediabox.height)), (595, 842))


def ext_guide(name: str) -> fill_guide.Guide:
    """Return the guide of a name whose last character is outside GB 2312, built
    directly: what the card rules say of its pinyin does not matter here."""
    codes = tuple(
        rules.NameCode(c, rules.UNKNOWN_CODE, "x")
        if ord(c) > 0x9FFF or ord(c) < 0x4E00
        else rules.NameCode(c, "4479", None)
        for c in name
    )
    return fill_guide.Guide(
        student_id="1730101002",
        name=name,
        name_mode=rules.NAME_MODE_CODES,
        name_codes=codes,
        id_number="43010320010512102X",
        education_type="regular_junior",
        school_type="regular",
        college_code="12345",
        error_fields=frozenset(),
    )


def ink(image: Image.Image) -> set[tuple[int, int]]:
    """Return the dark (text-coloured, not card-red) pixels of an image."""
    image = image.convert("RGB")
    pixels = image.load()
    return {
        (x, y) for x in range(image.width) for y in range(image.height) if max(pixels[x, y]) < 110
    }


class ExtensionCharacterTests(SimpleTestCase):
    """Every character of a name is drawn: 䶮 (Ext A) to 𰻝 (Ext G), none as a box."""

    def test_the_png_draws_each_extension_character_not_the_missing_glyph_box(self):
        scale = 2
        primary = ImageFont.truetype(str(PRIMARY.path), round(18 * scale), index=PRIMARY.index)
        for block, name in EXTENSION_NAMES.items():
            char = name[-1]
            g = ext_guide(name)
            label = next(t for t in fill_guide.build_layout(g).texts if t.text == "%s x" % char)
            image = Image.open(io.BytesIO(fill_guide.render_png(g, scale=scale)))
            half = 2 * fill_guide.COLUMN - 4
            box = tuple(
                round(v * scale)
                for v in (label.x - half, label.y - 13, label.x + half, label.y + 13)
            )
            drawn = image.crop(box)
            # What the primary font alone draws there: its missing-glyph box.
            boxed = Image.new("RGB", drawn.size, fill_guide.PAPER)
            ImageDraw.Draw(boxed).text(
                (label.x * scale - box[0], label.y * scale - box[1]),
                label.text,
                fill=fill_guide.INK,
                font=primary,
                anchor="mm",
            )
            with self.subTest(block):
                self.assertGreater(len(ink(drawn)), 40)
                difference = ink(drawn) ^ ink(boxed)
                self.assertGreater(len(difference), 40)
                self.assertNotIn("无法显示", [t.text[:4] for t in fill_guide.build_layout(g).texts])

    def test_the_pdf_holds_each_extension_name_whole(self):
        for block, name in EXTENSION_NAMES.items():
            content = fill_guide.render_pdf(ext_guide(name))
            text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
            with self.subTest(block):
                self.assertIn("姓名：%s" % name, text)

    def test_a_character_no_font_has_is_named_in_the_png_and_the_pdf(self):
        g = ext_guide("张" + UNDRAWABLE)
        texts = [t.text for t in fill_guide.build_layout(g).texts]
        self.assertIn("姓名中的字无法显示（图中印为〓）：U+3FFFD", texts)
        text = PdfReader(io.BytesIO(fill_guide.render_pdf(g))).pages[0].extract_text()
        self.assertIn("姓名中的字无法显示（图中印为〓）：U+3FFFD", text)
        self.assertIn("姓名：张〓", text)

    def test_without_fallback_fonts_the_guide_says_which_characters_it_cannot_draw(self):
        with mock.patch("cards_app.fill_guide.font_chain", return_value=FontChain([PRIMARY])):
            texts = [t.text for t in fill_guide.build_layout(ext_guide("田𠮷")).texts]
        self.assertIn("姓名中的字无法显示（图中印为〓）：U+20BB7", texts)
