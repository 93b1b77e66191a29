"""Turning an uploaded file into pictures we are willing to serve: `process_image`.

Nothing a user uploads is served as it came. The bytes must start like a JPEG, PNG, WebP or GIF
(so HTML, SVG, PDF and the rest are refused before any decoder sees them), Pillow must decode the
whole picture with only those four decoders allowed (a truncated or damaged file is refused),
and the pixels are then written out again as a new file. What rode along in the original (EXIF
with its GPS position and camera serial, XMP, comments, text chunks, a script glued after the
image data in a "polyglot") is not in the new file, because the new file holds only pixels.

- Decompression bombs: the picture's size is read from its header and refused above
  `MEDIA_MAX_PIXELS` (frames count, for an animation) before any pixel is decoded; Pillow's own
  bomb check stays on behind ours. `MEDIA_MAX_BYTES` caps the upload itself.
- EXIF orientation is applied to the pixels first, so a phone's portrait photo stays upright
  once the tag is gone. A colour profile (a phone's Display P3) is converted to sRGB, then
  dropped, so colours look the same without it.
- Formats: a JPEG stays a JPEG and a WebP a WebP (quality 85), a PNG a PNG (lossless,
  screenshots stay sharp). An animated GIF or WebP stays animated, every frame re-encoded; its
  thumbnail is a still of the first frame (PNG for a GIF).
- Sizes: the display file fits in 1600 x 1600, the thumbnail in 400 x 400, never enlarged.
- The blurhash (https://blurha.sh) of the thumbnail is the placeholder clients draw while the
  picture loads, computed on a 32-pixel copy.
- Squares (`process_square`, avatars): the same checks and cleaning, then the largest centred
  square, written as WebP (small, and keeps transparency) at each size asked for, never
  enlarged; an animation gives its first frame.
"""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import blurhash
from PIL import Image, ImageCms, ImageOps, ImageSequence

from microblog.config import get_settings
from microblog.i18n import _l
from microblog.services.errors import Invalid

FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
DISPLAY_SIZE = 1600
THUMBNAIL_SIZE = 400
BLURHASH_SOURCE = 32
QUALITY = 85
FIELD = "file"
T = TypeVar("T")


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int
    display_size: int = DISPLAY_SIZE
    thumbnail_size: int = THUMBNAIL_SIZE

    @classmethod
    def from_settings(cls) -> ImageLimits:
        settings = get_settings()
        return cls(max_bytes=settings.media_max_bytes, max_pixels=settings.media_max_pixels)


@dataclass(frozen=True)
class ProcessedImage:
    display: bytes
    thumbnail: bytes
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    blurhash: str
    content_type: str  # the display file's
    extension: str  # the display file's
    thumb_content_type: str
    thumb_extension: str
    animated: bool


def sniff_format(data: bytes) -> str | None:
    """The format the first bytes announce, among the four we take; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _refuse(message: str) -> Invalid:
    return Invalid({FIELD: message})


@dataclass(frozen=True)
class SquareImage:
    """One size of a square picture (`process_square`)."""

    data: bytes
    size: int  # width and height
    content_type: str
    extension: str


def process_image(data: bytes, *, limits: ImageLimits | None = None) -> ProcessedImage:
    """Check, clean and re-encode one upload; raises `Invalid` (field "file") with a message
    for the person who uploaded it. CPU-bound: call it from a worker thread."""
    limits = limits or ImageLimits.from_settings()
    return _checked(data, limits, lambda announced: _process(data, announced, limits))


def process_square(
    data: bytes, *, sizes: tuple[int, ...], limits: ImageLimits | None = None
) -> list[SquareImage]:
    """Check and clean one upload as `process_image` does, crop the largest square from its
    centre and write it at each of `sizes`, in that order, as WebP; a
    picture smaller than a size gives its own size instead. Raises `Invalid` (field "file").
    CPU-bound: call it from a worker thread."""
    limits = limits or ImageLimits.from_settings()
    return _checked(data, limits, lambda announced: _square(data, announced, sizes, limits))


def _checked(data: bytes, limits: ImageLimits, work: Callable[[str], T]) -> T:
    """What every upload goes through before and around `work(format)`: not empty, not over
    the byte limit, announced as one of our four formats, then decoded with the bomb check
    raised to an error and any decoder failure reported as an unreadable picture."""
    if not data:
        raise _refuse(_l("The file is empty."))
    if len(data) > limits.max_bytes:
        raise _refuse(
            _l("The picture is too big (at most %(size)s MB).", size=_megabytes(limits.max_bytes))
        )
    announced = sniff_format(data)
    if announced is None:
        raise _refuse(_l("This file is not a picture we take: JPEG, PNG, WebP or GIF only."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return work(announced)
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_too_many_pixels(limits)) from None
    except Exception:  # Pillow raises many kinds on a damaged file: all mean "unreadable"
        raise _refuse(
            _l("This picture could not be read: the file is damaged or incomplete.")
        ) from None


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:g}"


def _too_many_pixels(limits: ImageLimits) -> str:
    return _l(
        "The picture has too many pixels (at most %(count)s megapixels).",
        count=f"{limits.max_pixels / 1_000_000:g}",
    )


def _opened(data: bytes, announced: str, limits: ImageLimits) -> tuple[Image.Image, int]:
    """The picture, opened but not decoded, and its frame count; refused above the pixel
    limit (every frame counts) from its header alone."""
    image = Image.open(io.BytesIO(data), formats=[announced])
    frames = getattr(image, "n_frames", 1) if announced in {"GIF", "WEBP"} else 1
    width, height = image.size
    if width < 1 or height < 1 or width * height * frames > limits.max_pixels:
        raise _refuse(_too_many_pixels(limits))
    return image, frames


def _process(data: bytes, announced: str, limits: ImageLimits) -> ProcessedImage:
    image, frames = _opened(data, announced, limits)
    if frames > 1:
        return _animated(image, announced, limits)
    if announced == "JPEG":
        # Decode big JPEGs at 1/2, 1/4 or 1/8 scale when that still covers the display size:
        # a 48-megapixel photo then costs a fraction of the memory and time.
        image.draft("RGB", (limits.display_size, limits.display_size))
    image.load()
    still = _clean(image)
    display = _fit(still, limits.display_size)
    thumb = _fit(still, limits.thumbnail_size)
    return ProcessedImage(
        display=_encode(display, announced),
        thumbnail=_encode(thumb, announced),
        width=display.width,
        height=display.height,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        blurhash=_blurhash(thumb),
        content_type=MIME[announced],
        extension=EXTENSIONS[announced],
        thumb_content_type=MIME[announced],
        thumb_extension=EXTENSIONS[announced],
        animated=False,
    )


def _square(
    data: bytes, announced: str, sizes: tuple[int, ...], limits: ImageLimits
) -> list[SquareImage]:
    image, _frames = _opened(data, announced, limits)  # an animation: its first frame
    if announced == "JPEG":
        # Decoded at a fraction of its size when the square still covers the largest size.
        image.draft("RGB", (max(sizes), max(sizes)))
    image.load()
    still = _clean(image)
    if still.mode not in {"RGB", "RGBA"}:
        still = still.convert("RGBA" if "A" in still.getbands() else "RGB")
    side = min(still.size)
    left, top = (still.width - side) // 2, (still.height - side) // 2
    square = still.crop((left, top, left + side, top + side))
    pictures = []
    for size in sizes:
        edge = min(size, side)
        resized = square.resize((edge, edge), Image.Resampling.LANCZOS) if edge != side else square
        resized.info = {}
        out = io.BytesIO()
        resized.save(out, "WEBP", quality=QUALITY, method=4)
        pictures.append(SquareImage(out.getvalue(), edge, MIME["WEBP"], EXTENSIONS["WEBP"]))
    return pictures


def _clean(image: Image.Image) -> Image.Image:
    """Upright, sRGB, in a mode the encoders take, with no metadata at all."""
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in {"RGB", "RGBA", "L", "LA", "P"}:
        upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
    if upright.mode == "P":
        upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
    if icc:
        upright = _to_srgb(upright, icc)
    clean = upright.copy()
    clean.info = {}  # nothing of the original's metadata can reach an encoder
    return clean


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Convert pixels from the embedded profile to sRGB; keep them as they are if the profile
    cannot be used (a broken profile must not cost the upload)."""
    if image.mode not in {"RGB", "RGBA"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    return converted if converted is not None else image


def _fit(image: Image.Image, size: int) -> Image.Image:
    """A copy that fits in size x size, keeping the aspect ratio, never enlarged."""
    copy = image.copy()
    copy.thumbnail((size, size), Image.Resampling.LANCZOS)
    copy.info = {}
    return copy


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        if image.mode != "RGB" and image.mode != "L":
            image = _flatten(image)
        image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=QUALITY, method=4)
    elif fmt == "GIF":
        image.save(out, "GIF", optimize=True)
    else:
        image.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """Transparent pixels over white, for JPEG (which has no alpha)."""
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _animated(image: Image.Image, fmt: str, limits: ImageLimits) -> ProcessedImage:
    """Every frame re-drawn at display size and written as a new animation of the same
    format; durations and looping are kept, nothing else."""
    frames: list[Image.Image] = []
    durations: list[int] = []
    loop = int(image.info.get("loop", 0))
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration", 100)) or 100)
        rgba = frame.convert("RGBA")
        rgba.info = {}
        frames.append(_fit(rgba, limits.display_size))
    first = frames[0]
    out = io.BytesIO()
    if fmt == "GIF":
        first.save(
            out,
            "GIF",
            save_all=True,
            append_images=frames[1:],
            duration=durations,
            loop=loop,
            disposal=2,
            optimize=False,
        )
        thumb_fmt = "PNG"
    else:
        first.save(
            out,
            "WEBP",
            save_all=True,
            append_images=frames[1:],
            duration=durations,
            loop=loop,
            quality=QUALITY,
        )
        thumb_fmt = "WEBP"
    thumb = _fit(first, limits.thumbnail_size)
    return ProcessedImage(
        display=out.getvalue(),
        thumbnail=_encode(thumb, thumb_fmt),
        width=first.width,
        height=first.height,
        thumb_width=thumb.width,
        thumb_height=thumb.height,
        blurhash=_blurhash(thumb),
        content_type=MIME[fmt],
        extension=EXTENSIONS[fmt],
        thumb_content_type=MIME[thumb_fmt],
        thumb_extension=EXTENSIONS[thumb_fmt],
        animated=True,
    )


def _blurhash(image: Image.Image) -> str:
    """The placeholder string: 4 x 3 components (3 x 4 for a tall picture) of a tiny copy."""
    small = image.copy()
    if small.mode in {"RGBA", "LA"}:
        small = _flatten(small)
    small = small.convert("RGB")
    small.thumbnail((BLURHASH_SOURCE, BLURHASH_SOURCE), Image.Resampling.BILINEAR)
    pixels = list(small.get_flattened_data())
    rows = [pixels[y * small.width : (y + 1) * small.width] for y in range(small.height)]
    across, down = (4, 3) if small.width >= small.height else (3, 4)
    return str(blurhash.encode(rows, components_x=across, components_y=down))


PLACEHOLDER_WIDTH = 8


@lru_cache(maxsize=1024)
def placeholder_data_url(hash_: str, width: int, height: int) -> str:
    """The blurhash drawn as a tiny PNG (8 pixels wide, the picture's aspect ratio), as a
    data: URL of about 200 bytes: the card shows it, scaled up and blurred by the browser's
    smoothing, under the thumbnail until that loads, with no script (the server's first paint
    has it too). "" when the hash cannot be decoded. Cached: a pure function of its arguments,
    and the scale seed writes the same few pictures on many posts."""
    tall = max(2, min(16, round(PLACEHOLDER_WIDTH * height / max(width, 1))))
    try:
        rows = blurhash.decode(hash_, PLACEHOLDER_WIDTH, tall)
    except (ValueError, IndexError, TypeError):
        return ""
    image = Image.new("RGB", (PLACEHOLDER_WIDTH, tall))
    image.putdata(
        [tuple(int(max(0, min(255, c))) for c in pixel[:3]) for row in rows for pixel in row]
    )
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")
