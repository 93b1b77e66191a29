"""Draw the app's icons from assets/favicon.svg (the one drawing of the logo): the web app
manifest's PNGs (192 and 512 px, and a maskable 512 px whose logo sits inside the safe zone
the platforms crop to), the Apple touch icon (180 px) and /favicon.ico (16, 32 and 48 px).

Run after changing the SVG: `.venv/bin/python tools/make_icons.py`. Chromium
draws the SVG (Debian's, as the browser tests use), Pillow writes the ICO; the files are
committed.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ASSETS = Path(__file__).resolve().parents[1] / "assets"
BACKGROUND = "#3e63dd"  # the logo's own square (web/syndication.py THEME_COLOR)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's, as the tests use
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def _page(svg: str, size: int, *, maskable: bool) -> str:
    # Maskable: the background fills the square and the logo takes the middle 60 %, inside
    # the 80 % circle every platform's mask keeps.
    inner = f"{int(size * 0.6)}px" if maskable else f"{size}px"
    fill = BACKGROUND if maskable else "transparent"
    drawing = svg.replace("<svg ", '<svg width="100%" height="100%" ', 1)
    return (
        f"<html><body style='margin:0;width:{size}px;height:{size}px;background:{fill};"
        f"display:flex;align-items:center;justify-content:center'>"
        f"<div style='width:{inner};height:{inner}'>{drawing}</div>"
        "</body></html>"
    )


def render(svg: str, size: int, *, maskable: bool = False) -> bytes:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(_page(svg, size, maskable=maskable))
            return page.screenshot(omit_background=True)
        finally:
            browser.close()


def main() -> None:
    svg = (ASSETS / "favicon.svg").read_text()
    icons = ASSETS / "icons"
    icons.mkdir(exist_ok=True)
    for size in (192, 512):
        (icons / f"icon-{size}.png").write_bytes(render(svg, size))
    (icons / "maskable-512.png").write_bytes(render(svg, 512, maskable=True))
    (ASSETS / "apple-touch-icon.png").write_bytes(render(svg, 180, maskable=True))
    large = Image.open(io.BytesIO(render(svg, 256)))
    large.save(ASSETS / "favicon.ico", format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
