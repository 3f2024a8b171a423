"""Images for the code-mode tests, made in the test: QR codes drawn by segno, and the
uploads a student might send instead."""

import io
import random
import struct
import zlib

import segno
from PIL import Image

CODE = "CHSI:7Hq2mXkP9vLr0aZ4N8sTbE1yWc6dFgJ3uR5oKiQ=="
OTHER_CODE = "CHSI:2bN7xQmL0pRz8cV4hT6wYd1eKf9gSa3jUo5iMl=="


def qr_image(content: str = CODE, *, scale: int = 8) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(content, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_png(content: str = CODE, *, scale: int = 8) -> bytes:
    return png(qr_image(content, scale=scale))


def qr_photo_jpeg(content: str = CODE) -> bytes:
    """The code on a grey desk, a little rotated, as a phone camera saves it."""
    code = qr_image(content, scale=6).rotate(8, expand=True, fillcolor=255)
    photo = Image.new("L", (900, 700), 150)
    photo.paste(code, (200, 120))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def poor_screenshot(content: str = CODE) -> bytes:
    """The code shrunk below one pixel a module and blown up again: a screenshot of a
    thumbnail, forwarded and compressed."""
    image = qr_image(content, scale=8)
    small = image.resize((image.width // 14, image.height // 14), Image.Resampling.BILINEAR)
    blurred = small.resize(image.size, Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    blurred.save(buffer, format="JPEG", quality=30)
    return buffer.getvalue()


def photo_without_code() -> bytes:
    rng = random.Random(14)
    image = Image.new("RGB", (640, 480), (120, 160, 200))
    for _ in range(60):
        x, y = rng.randrange(600), rng.randrange(440)
        colour = tuple(rng.randrange(256) for _ in range(3))
        image.paste(colour, (x, y, x + rng.randrange(5, 60), y + rng.randrange(5, 60)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def two_codes_png() -> bytes:
    first, second = qr_image(CODE), qr_image(OTHER_CODE)
    image = Image.new("L", (first.width + second.width + 40, max(first.height, second.height)), 255)
    image.paste(first, (0, 0))
    image.paste(second, (first.width + 40, 0))
    return png(image)


def huge_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A few hundred bytes declaring ``width`` × ``height`` pixels: the decompression
    bomb's header (the pixel data never needs to exist, the header is refused)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    # Rows of zeros compress to almost nothing: the first 100 rows are real data.
    rows = zlib.compress(b"\0" * ((width + 1) * 100), 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
