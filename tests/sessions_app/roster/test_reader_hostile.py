"""Any bytes at all, in any of the roster's formats, end as a table or as one clear
message: no encoding error, no damaged archive and no sheet without ``r=`` escapes the
reader, and the workbook reader's ceiling covers the rows it sends back."""

import io
import re
import zipfile
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import SimpleTestCase, TestCase, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessions_app.roster.reader import table_read
from sessions_app.roster.table import RosterFileError
from tests.factories import make_campaign
from tests.sessions_app.roster.support import GOOD_ROWS, HEADER, csv_bytes, xlsx


def bad_crc(data: bytes) -> bytes:
    """Return an .xlsx whose zip directory is intact but whose sheet's bytes are not
    those its CRC names (stored, so the damage survives decompression)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for member in source.infolist():
            target.writestr(member.filename, source.read(member))
    damaged = bytearray(out.getvalue())
    at = damaged.find(b"<sheetData>")
    damaged[at + 1 : at + 6] = b"XXXXX"
    return bytes(damaged)


def without_r(data: bytes, extra_cells: int = 0) -> bytes:
    """Return an .xlsx whose sheet's rows and cells have no r attribute (valid OOXML),
    with ``extra_cells`` more cells in a last row."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename.startswith("xl/worksheets/"):
                content = re.sub(rb' r="[A-Z]*[0-9]+"', b"", content)
                content = re.sub(rb"<dimension[^>]*/>", b"", content)
                if extra_cells:
                    row = b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * extra_cells
                    content = content.replace(b"</sheetData>", row + b"</row></sheetData>")
            target.writestr(member.filename, content)
    return out.getvalue()


class DecodingTests(SimpleTestCase):
    def assertRefused(self, data, filename, text):
        with self.assertRaises(RosterFileError) as caught:
            table_read(data, filename)
        self.assertIn(text, str(caught.exception))

    def test_a_utf16_csv_with_an_odd_byte_count_is_a_message(self):
        data = csv_bytes(GOOD_ROWS).decode("utf-8").encode("utf-16") + b"\x00"
        self.assertRefused(data, "名单.csv", "UTF-16 编码的 CSV 文件不完整或已损坏")

    def test_a_utf16_csv_with_a_lone_surrogate_is_a_message(self):
        text = ",".join(HEADER) + "\r\n"
        data = b"\xff\xfe" + text.encode("utf-16-le") + b"\x00\xd8" + "a".encode("utf-16-le")
        self.assertRefused(data, "名单.csv", "UTF-16 编码的 CSV 文件不完整或已损坏")

    def test_an_xlsx_with_a_bad_crc_in_an_intact_zip_is_a_message(self):
        self.assertRefused(bad_crc(xlsx(GOOD_ROWS)), "名单.xlsx", "文件已损坏")

    def test_a_sheet_without_r_attributes_still_reads(self):
        table = table_read(without_r(xlsx(GOOD_ROWS)), "名单.xlsx")
        self.assertEqual(len(list(table.rows())), len(GOOD_ROWS))

    @override_settings(ROSTER_IMPORT_MAX_CELLS=500)
    def test_a_sheet_without_r_attributes_is_measured_by_its_cells(self):
        self.assertRefused(without_r(xlsx(GOOD_ROWS), 600), "名单.xlsx", "远超名单所需")

    @override_settings(ROSTER_IMPORT_MAX_ROWS=2)
    def test_the_reader_child_refuses_rows_past_its_budget_before_sending_them(self):
        from sessions_app.roster import reader

        rows = [(str(1730101000 + n), "名", "", "会计1171", "", "男") for n in range(1500)]
        data = without_r(xlsx(rows))
        with self.assertRaises(RosterFileError) as caught:
            reader._workbook_sheets(data, "名单.xlsx", "xlsx")
        self.assertIn("表格内容超过上限", str(caught.exception))


class ImportCommandTests(TestCase):
    def test_a_damaged_file_is_a_message_not_a_traceback(self):
        import tempfile

        make_campaign()
        for name, data in (
            ("名单.xlsx", bad_crc(xlsx(GOOD_ROWS))),
            ("名单.csv", b"\xff\xfe" + "学号".encode("utf-16-le") + b"\x00"),
        ):
            with tempfile.NamedTemporaryFile(suffix=name) as upload:
                upload.write(data)
                upload.flush()
                # A CommandError is printed as its message alone, with exit code 2.
                with self.assertRaises(CommandError) as refused:
                    call_command("import_roster", upload.name, stdout=StringIO())
                self.assertEqual(refused.exception.returncode, 2)
                self.assertIn("损坏", str(refused.exception))


SEEDS = {
    "xlsx": xlsx(GOOD_ROWS),
    "csv-utf8": csv_bytes(GOOD_ROWS),
    "csv-utf16": csv_bytes(GOOD_ROWS).decode("utf-8").encode("utf-16"),
    "csv-gbk": csv_bytes(GOOD_ROWS).decode("utf-8").encode("gb18030"),
    "xls": (__import__("tests.sessions_app.roster.support", fromlist=["DATA"]).DATA)
    .joinpath("roster-legacy.xls")
    .read_bytes(),
}


def read_all(data: bytes, filename: str) -> None:
    """Read the file as the import does: the table, then every row; only a
    RosterFileError may come out."""
    try:
        table = table_read(data, filename)
        for _number, _cells in table.rows():
            pass
    except RosterFileError as error:
        assert str(error)


class RandomBytesTests(SimpleTestCase):
    """hypothesis: random bytes behind each format's signature, and random damage to a
    sound file of each format."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        prefix=st.sampled_from(
            [
                b"PK\x03\x04",
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
                b"\xff\xfe",
                b"\xfe\xff",
                b"\xef\xbb\xbf",
                b"",
            ]
        ),
        body=st.binary(max_size=600),
        name=st.sampled_from(["名单.xlsx", "名单.xls", "名单.csv"]),
    )
    def test_random_bytes_in_each_format_are_a_table_or_a_message(self, prefix, body, name):
        read_all(prefix + body, name)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        kind=st.sampled_from(sorted(SEEDS)),
        cuts=st.lists(
            st.tuples(st.integers(min_value=0, max_value=10**6), st.binary(min_size=1, max_size=8)),
            min_size=1,
            max_size=4,
        ),
        truncate=st.booleans(),
    )
    def test_a_damaged_file_of_each_format_is_a_table_or_a_message(self, kind, cuts, truncate):
        data = bytearray(SEEDS[kind])
        for at, patch in cuts:
            at %= len(data)
            data[at : at + len(patch)] = patch
        if truncate:
            data = data[: len(data) * 2 // 3]
        name = "名单.xlsx" if kind == "xlsx" else "名单.xls" if kind == "xls" else "名单.csv"
        read_all(bytes(data), name)
