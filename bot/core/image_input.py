"""Safe loading of untrusted image bytes: size and pixel caps before decoding, typed problems, tiles.

Anyone can send the bot a file named ``.png``. Decoding is where an image costs memory, so every
check that can be made from the header (format, dimensions, frame count) is made before
``Image.load()``: a 300-byte PNG that declares 60 000 x 60 000 pixels is refused without allocating
anything. Nothing here raises to the caller; every failure is a :class:`ImageProblem` that the reply
can word politely.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Telegram's Bot API will not hand a bot a bigger file anyway."""
MAX_PIXELS = 40_000_000
"""Declared width x height above this is refused before decoding (a 1440 x 25 000 long screenshot passes)."""
MAX_WIDTH = 1080
"""Wider images are downscaled first: chat text stays legible and OCR time stays bounded."""
TILE_HEIGHT_RATIO = 2.0
"""A tile is at most this many widths tall: the detector shrinks anything over 2000 px, unreadably for long shots."""
TILE_OVERLAP_RATIO = 0.15
"""Tiles overlap by this fraction of the width (about three chat lines), so no line is cut in every tile."""
MAX_TILES = 12
"""A longer screenshot is read only down to this many tiles (the top holds the start of the conversation)."""
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
"""What phones and Telegram produce; anything else (PDF, TGS, HEIC, SVG) is 'not an image' to us."""

ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated file is reported as corrupt, never half-read


class ImageProblem(StrEnum):
    """Why an image could not be read, one value per polite answer."""

    TOO_LARGE = "too_large"
    """The file is over :data:`MAX_FILE_BYTES`."""
    TOO_MANY_PIXELS = "too_many_pixels"
    """Declared dimensions over :data:`MAX_PIXELS`: a decompression bomb or an absurd image."""
    NOT_AN_IMAGE = "not_an_image"
    """Not PNG/JPEG/WebP/GIF/BMP (a PDF, a TGS sticker, a renamed document)."""
    CORRUPT = "corrupt"
    """Recognised header, but the data is truncated or broken."""
    ANIMATED = "animated"
    """An animation or animated sticker: not a screenshot, and reading every frame would be unbounded."""
    OCR_FAILED = "ocr_failed"
    """The text reader itself failed (logged); the image was fine."""


@dataclass(frozen=True)
class LoadedImage:
    """A decoded image as RGB pixels, already downscaled to at most :data:`MAX_WIDTH` wide."""

    rgb: np.ndarray
    original_size: tuple[int, int]
    lossy: bool = False
    """JPEG or WebP: compression noise that the reader smooths away before OCR."""

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


@dataclass(frozen=True)
class Loaded:
    """The outcome of :func:`load_image`: an image, or the reason there is none."""

    image: LoadedImage | None
    problem: ImageProblem | None = None


def load_image(
    data: bytes, *, max_bytes: int = MAX_FILE_BYTES, max_pixels: int = MAX_PIXELS, max_width: int = MAX_WIDTH
) -> Loaded:
    """Decode ``data`` safely: caps checked from the header first, animations and broken files refused."""
    if len(data) > max_bytes:
        return Loaded(None, ImageProblem.TOO_LARGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)  # lazy: reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return Loaded(None, ImageProblem.TOO_MANY_PIXELS)
    except UnidentifiedImageError:
        return Loaded(None, ImageProblem.NOT_AN_IMAGE)
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow raises SyntaxError for some broken headers
        log.info("image header unreadable: %s", exc)
        return Loaded(None, ImageProblem.CORRUPT)
    with img:
        width, height = img.size
        lossy = img.format in ("JPEG", "WEBP")
        if width <= 0 or height <= 0 or width * height > max_pixels:
            return Loaded(None, ImageProblem.TOO_MANY_PIXELS)
        if getattr(img, "is_animated", False) and getattr(img, "n_frames", 1) > 1:
            return Loaded(None, ImageProblem.ANIMATED)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                if img.format == "JPEG" and width > max_width:
                    img.draft("RGB", (max_width, height * max_width // width))  # decode at reduced scale
                img.load()
                rgb = ImageOps.exif_transpose(img).convert("RGB")  # a phone photo of a screen may be rotated
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return Loaded(None, ImageProblem.TOO_MANY_PIXELS)
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            log.info("image data unreadable: %s", exc)
            return Loaded(None, ImageProblem.CORRUPT)
    if rgb.width > max_width:
        rgb = rgb.resize((max_width, max(1, round(rgb.height * max_width / rgb.width))), Image.Resampling.LANCZOS)
    return Loaded(LoadedImage(np.asarray(rgb), (width, height), lossy))


@dataclass(frozen=True)
class Tile:
    """A horizontal band of an image; ``keep_from``..``keep_to`` is the part whose text this tile reports."""

    top: int
    pixels: np.ndarray
    keep_from: int
    keep_to: int


def tiles(image: LoadedImage, *, max_tiles: int = MAX_TILES) -> list[Tile]:
    """Cut a long screenshot into overlapping bands no taller than :data:`TILE_HEIGHT_RATIO` widths.

    Each band owns the middle of its overlaps, so a line that lies in two bands is reported once,
    by the band where its centre falls (the overlap is taller than a chat line, so that band sees it whole).
    """
    w, h = image.width, image.height
    tile_h = max(64, min(int(w * TILE_HEIGHT_RATIO), 2000))
    if h <= tile_h:
        return [Tile(0, image.rgb, 0, h)]
    overlap = max(32, int(w * TILE_OVERLAP_RATIO))
    step = tile_h - overlap
    starts = list(range(0, max(1, h - overlap), step))[:max_tiles]
    out: list[Tile] = []
    for i, top in enumerate(starts):
        bottom = min(h, top + tile_h)
        keep_from = 0 if i == 0 else top + overlap // 2
        last = i == len(starts) - 1
        keep_to = bottom if last else bottom - overlap // 2
        out.append(Tile(top, image.rgb[top:bottom], keep_from, keep_to))
        if bottom >= h:
            break
    return out
