"""Time the 图像采集码 check per image, and the refusal of a decompression bomb.

    .venv/bin/python bench/bench_capture_code.py

For each upload a student or the desk may send (a saved code, a phone photo of it, a
12-megapixel photo, a poor screenshot, a photo without a code, two codes) it times,
best of five, the baseline — Pillow merely decoding the same bytes to grey — and the
whole check (limits, reduction, zxing-cpp), and prints both and their ratio. Then it
times the refusal of a 50,000 × 50,000 PNG of a few kilobytes, which must never be
decoded. Nothing is asserted.
"""

import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from sessions_app.codemode import rules  # noqa: E402
from tests.sessions_app.codemode import images  # noqa: E402


def best_of(runs: int, function) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def big_photo() -> bytes:
    code = images.qr_image(scale=28)
    photo = Image.new("L", (4000, 3000), 170)
    photo.paste(code, (1400, 900))
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def baseline(data: bytes):
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("L").size


def main() -> None:
    uploads = [
        ("saved code (PNG)", images.qr_png()),
        ("phone photo of the code", images.qr_photo_jpeg()),
        ("12 MP photo of the code", big_photo()),
        ("poor screenshot", images.poor_screenshot()),
        ("photo without a code", images.photo_without_code()),
        ("two codes", images.two_codes_png()),
    ]
    print(
        "%-26s %9s %12s %12s %7s  %s"
        % ("upload", "bytes", "Pillow (ms)", "check (ms)", "ratio", "answer")
    )
    for label, data in uploads:
        base, _ = best_of(5, lambda data=data: baseline(data))
        took, reading = best_of(5, lambda data=data: rules.read_code(data))
        print(
            "%-26s %9d %12.1f %12.1f %6.1fx  %s"
            % (label, len(data), base * 1000, took * 1000, took / base, reading.result)
        )
    bomb = images.huge_png()
    took, reading = best_of(5, lambda: rules.read_code(bomb))
    print(
        "50,000 x 50,000 PNG (%d bytes, 2.5 gigapixels): %s in %.2f ms, never decoded"
        % (len(bomb), reading.result, took * 1000)
    )


if __name__ == "__main__":
    main()
