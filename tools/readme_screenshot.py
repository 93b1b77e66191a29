"""Draw the README's picture (docs/screenshot.png): the demo reader's home feed as a desktop
(1280x800) and a phone (390x844) show it, side by side, from the production stack with the demo
data, so the picture is what a new user of `make run` + `make seed` sees.

    .venv/bin/python tools/readme_screenshot.py            # light; --scheme dark for dark

It starts the stack as the audit does (benchmarks/bench_audit.py: `python -m microblog.stack
run` behind nginx, PostgreSQL database `bench_audit`, Redis db 14, migrated and seeded), signs
the demo reader in through the login form in Debian's Chromium, waits until the page is live,
and joins the two screenshots with Pillow. Run it after a change people would see on the home
page, and commit the PNG.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import bench_audit  # noqa: E402
from microblog.seed import DEMO_PASSWORD  # noqa: E402
from tests.app_server import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

DESKTOP = (1280, 800)
PHONE = (390, 844)
GAP = 32


def shoot(base: str, scheme: str) -> tuple[bytes, bytes]:
    """The signed-in home page at both sizes, as PNG bytes."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base, color_scheme=scheme)  # type: ignore[arg-type]
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto("/login")
        page.locator("input[name=login]").fill(bench_audit.READER)
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_url(lambda url: "/login" not in url)
        shots = []
        for width, height in (DESKTOP, PHONE):
            page.set_viewport_size({"width": width, "height": height})
            page.goto("/")
            page.wait_for_function(bench_audit.LIVE_JS)
            expect(page.locator(".post").first).to_be_visible()
            page.mouse.move(0, height - 1)
            shots.append(page.screenshot())
        browser.close()
    return shots[0], shots[1]


def join(desktop: bytes, phone: bytes, scheme: str) -> Image.Image:
    """The desktop at full size with the phone beside it, at the same height."""
    left = Image.open(io.BytesIO(desktop)).convert("RGB")
    right = Image.open(io.BytesIO(phone)).convert("RGB")
    scale = left.height / right.height
    right = right.resize((round(right.width * scale), left.height), Image.Resampling.LANCZOS)
    background = (255, 255, 255) if scheme == "light" else (17, 17, 19)
    canvas = Image.new("RGB", (left.width + GAP + right.width, left.height), background)
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width + GAP, 0))
    return canvas


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--scheme", choices=("light", "dark"), default="light")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--url", help="a stack already running there (no start, no seed)")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_audit"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=18091, help="nginx's port")
    parser.add_argument("--stack-log", type=Path, help="the stack's output (default: temporary)")
    args = parser.parse_args(argv)
    if args.url:
        desktop, phone = shoot(args.url.rstrip("/"), args.scheme)
    else:
        bench_audit.prepare_data(ROOT, args.database_url, args.redis_url)
        with bench_audit.stack(args, ROOT) as base:
            desktop, phone = shoot(base, args.scheme)
    join(desktop, phone, args.scheme).save(args.out, optimize=True)
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
