"""Uploads are decoded and re-encoded (services/media/images.py): what comes out is checked with
Pillow, the same decoder a reader's browser stands in for."""

from __future__ import annotations

import io
import struct
import zlib

import blurhash
import pytest
from PIL import Image, ImageCms

from microblog.services.errors import Invalid
from microblog.services.media.images import ImageLimits, ProcessedImage, process_image

LIMITS = ImageLimits(max_bytes=5_000_000, max_pixels=30_000_000)
GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def jpeg(size: tuple[int, int] = (640, 480), **save: object) -> bytes:
    """A photo-like JPEG: left half red, right half blue (so rotations can be told apart)."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "Spy Camera Co"
    if orientation:
        exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # Paris
    )
    return exif


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refused(data: bytes, limits: ImageLimits = LIMITS) -> str:
    with pytest.raises(Invalid) as problem:
        process_image(data, limits=limits)
    assert set(problem.value.errors) == {"file"}
    return problem.value.message


def test_a_jpeg_with_gps_exif_comes_back_without_any_exif() -> None:
    original = jpeg(exif=exif_with_gps().tobytes())
    assert opened(original).getexif().get_ifd(GPS_IFD)  # the upload does carry a position
    result = process_image(original, limits=LIMITS)
    for data in (result.display, result.thumbnail):
        image = opened(data)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info
        assert b"Spy Camera" not in data
    assert result.content_type == "image/jpeg" and result.extension == "jpg"


def test_exif_orientation_is_applied_to_the_pixels() -> None:
    """Orientation 6 means "rotate 90° clockwise to view": a 640x480 landscape is shown as a
    480x640 portrait, the red left half on top."""
    original = jpeg((640, 480), exif=exif_with_gps(orientation=6).tobytes())
    result = process_image(original, limits=LIMITS)
    image = opened(result.display).convert("RGB")
    assert (result.width, result.height) == image.size == (480, 640)
    red_top = image.getpixel((240, 100))
    blue_bottom = image.getpixel((240, 540))
    assert isinstance(red_top, tuple) and isinstance(blue_bottom, tuple)
    assert red_top[0] > 150 > red_top[2]
    assert blue_bottom[2] > 150 > blue_bottom[0]
    assert ORIENTATION not in image.getexif()


def test_display_and_thumbnail_sizes_keep_the_aspect_ratio() -> None:
    result = process_image(jpeg((4000, 2000)), limits=LIMITS)
    assert (result.width, result.height) == (1600, 800)
    assert (result.thumb_width, result.thumb_height) == (400, 200)
    assert opened(result.display).size == (1600, 800)
    assert opened(result.thumbnail).size == (400, 200)
    small = process_image(jpeg((300, 200)), limits=LIMITS)
    assert (small.width, small.height) == (small.thumb_width, small.thumb_height) == (300, 200)


def test_the_blurhash_decodes_to_the_pictures_colours() -> None:
    result = process_image(jpeg((400, 400)), limits=LIMITS)
    pixels = blurhash.decode(result.blurhash, 8, 8)
    left, right = pixels[4][0], pixels[4][7]
    assert left[0] > left[2] and right[2] > right[0]  # red on the left, blue on the right


def test_html_renamed_jpg_is_refused() -> None:
    page = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    assert "JPEG, PNG, WebP or GIF" in refused(page)


def test_svg_is_refused() -> None:
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
    )
    assert "JPEG, PNG, WebP or GIF" in refused(svg)


def test_a_file_that_only_starts_like_a_jpeg_is_refused() -> None:
    fake = b"\xff\xd8\xff\xe0" + b"<html><script>alert(1)</script></html>" * 20
    assert "damaged or incomplete" in refused(fake)


def test_a_truncated_jpeg_is_refused() -> None:
    whole = jpeg((800, 600))
    assert "damaged or incomplete" in refused(whole[: len(whole) // 2])


def test_a_polyglot_loses_what_rode_along() -> None:
    """A real JPEG with a page glued after its end (and in a comment): the picture is kept,
    the page is not in anything we serve."""
    payload = b"<html><script>alert(document.domain)</script></html>"
    polyglot = jpeg((200, 200), comment=payload) + payload
    result = process_image(polyglot, limits=LIMITS)
    for data in (result.display, result.thumbnail):
        assert b"<script" not in data
        assert "comment" not in opened(data).info


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny, valid-looking PNG whose header claims a huge picture (a decompression bomb's
    first bytes): the IHDR is rewritten with a correct CRC."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = _png_claiming(100_000, 100_000)  # 10 gigapixels, in under 100 bytes
    assert len(bomb) < 100
    assert "too many pixels" in refused(bomb)


def test_the_pixel_limit_is_a_setting() -> None:
    picture = jpeg((1000, 1000))
    assert "too many pixels" in refused(picture, ImageLimits(max_bytes=10**7, max_pixels=999_999))
    process_image(picture, limits=ImageLimits(max_bytes=10**7, max_pixels=1_000_000))


def test_an_oversize_file_is_refused() -> None:
    picture = jpeg((1000, 1000))
    message = refused(picture, ImageLimits(max_bytes=len(picture) - 1, max_pixels=10**8))
    assert "too big" in message


def test_an_empty_file_is_refused() -> None:
    assert "empty" in refused(b"")


def test_png_with_transparency_stays_a_transparent_png() -> None:
    image = Image.new("RGBA", (300, 200), (0, 128, 0, 0))
    image.paste((0, 128, 0, 255), (0, 0, 150, 200))
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=_text_chunk("Author", "someone private"))
    result = process_image(out.getvalue(), limits=LIMITS)
    display = opened(result.display)
    assert display.format == "PNG" and display.mode == "RGBA"
    assert display.getpixel((250, 100))[3] == 0  # type: ignore[index]
    assert b"someone private" not in result.display
    assert result.content_type == "image/png"


def _text_chunk(key: str, value: str):  # type: ignore[no-untyped-def]
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info


def gif(frames: int, size: tuple[int, int] = (120, 80)) -> bytes:
    images = [Image.new("RGB", size, (i * 20 % 256, 255 - i * 20 % 256, 90)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(
        out, "GIF", save_all=True, append_images=images[1:], duration=120, loop=0, comment=b"hi"
    )
    return out.getvalue()


def test_an_animated_gif_stays_animated_with_a_still_thumbnail() -> None:
    original = gif(5)
    assert Image.open(io.BytesIO(original)).n_frames == 5
    result: ProcessedImage = process_image(original, limits=LIMITS)
    display = Image.open(io.BytesIO(result.display))
    assert display.format == "GIF" and display.n_frames == 5
    assert result.animated and result.content_type == "image/gif"
    thumb = opened(result.thumbnail)
    assert thumb.format == "PNG" and result.thumb_content_type == "image/png"
    assert (result.width, result.height) == (120, 80)


def test_frames_count_against_the_pixel_limit() -> None:
    """Many frames of a small picture are as costly as one big one."""
    limits = ImageLimits(max_bytes=10**7, max_pixels=120 * 80 * 10)
    process_image(gif(10), limits=limits)
    assert "too many pixels" in refused(gif(11), limits)


def test_webp_stays_webp() -> None:
    out = io.BytesIO()
    Image.new("RGB", (500, 300), (10, 200, 10)).save(out, "WEBP", exif=exif_with_gps().tobytes())
    result = process_image(out.getvalue(), limits=LIMITS)
    image = opened(result.display)
    assert image.format == "WEBP" and result.content_type == "image/webp"
    assert not image.getexif() and "exif" not in image.info


def test_a_colour_profile_is_converted_then_dropped() -> None:
    out = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (64, 64), (200, 100, 50)).save(out, "JPEG", icc_profile=srgb)
    result = process_image(out.getvalue(), limits=LIMITS)
    assert "icc_profile" not in opened(result.display).info
    # A profile that cannot be used leaves the pixels as they were: the upload still works.
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 100, 50)).save(out, "JPEG", icc_profile=profile[:40])
    assert process_image(out.getvalue(), limits=LIMITS).width == 64


@pytest.mark.parametrize("mode", ["L", "CMYK", "P", "LA", "I;16"])
def test_unusual_modes_are_encoded(mode: str) -> None:
    fmt = "JPEG" if mode in {"L", "CMYK"} else "PNG"
    out = io.BytesIO()
    Image.new(mode, (50, 40)).save(out, fmt)
    result = process_image(out.getvalue(), limits=LIMITS)
    assert opened(result.display).size == (50, 40)
