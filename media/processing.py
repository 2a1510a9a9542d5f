"""Images in, clean images out: what an upload is (judged by its content), and how it is re-encoded.

Nothing here knows about models or storage: each function takes open files and returns open
files, so the same code serves the upload request, the background worker and the benchmark.

Every image a browser receives from us has been decoded and encoded again by Pillow: bytes
that are not pixels (EXIF with GPS position and camera serial, XMP, IPTC, comments, anything
appended after the image, such as the HTML of a polyglot file) never survive. Only the colour
profile is carried over, so colours stay right.
"""

import tempfile
from dataclasses import dataclass

from PIL import ExifTags, ImageOps, UnidentifiedImageError, features
from PIL import Image as PILImage

# Pillow's name → (content type, file extension). AVIF only where this Pillow can read it.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
if features.check("avif"):
    FORMATS["AVIF"] = ("image/avif", "avif")
ACCEPTED = "JPEG, PNG, WebP or GIF" + (" (or AVIF)" if "AVIF" in FORMATS else "")
RENDITION_WIDTHS = (480, 960, 1600)
ENCODE_OPTIONS = {
    "JPEG": {"quality": 85},
    "PNG": {},
    "WEBP": {"quality": 80, "method": 2},  # method 4 costs twice the time for ~3% fewer bytes
    "GIF": {},
    "AVIF": {"quality": 60},
}
# Renditions are small: a progressive JPEG shows a whole blurred picture first, for little cost.
PROGRESSIVE = {"JPEG": {"progressive": True}}
# EXIF orientations that turn the picture a quarter: width and height swap once it is upright.
QUARTER_TURNS = {5, 6, 7, 8}
SPOOL_BYTES = 1024 * 1024  # encoded output is kept in memory up to this size, then on disk


class Refused(Exception):
    """An upload we will not take, with the HTTP status and a message for the writer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class ImageFormat:
    """What a format's name says of a file: its content type and its file-name extension."""

    format: str

    @property
    def content_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


@dataclass(frozen=True)
class Probe(ImageFormat):
    """What an upload is, read from its header: format and upright size (nothing decoded yet)."""

    format: str
    width: int
    height: int


@dataclass
class Encoded(ImageFormat):
    """One encoded image, in a temporary file the caller saves and closes."""

    file: tempfile.SpooledTemporaryFile
    format: str
    width: int
    height: int


def probe(file, *, max_pixels: int) -> Probe:
    """Tell what ``file`` is from its content alone (never its name or the browser's word).

    Reads the header only, so a decompression bomb is refused before any pixel is decoded.
    Raises ``Refused`` (400 empty or too many pixels, 415 not an image we accept).
    """
    file.seek(0)
    if not file.read(1):
        raise Refused(400, "The file is empty.")
    file.seek(0)
    try:
        with PILImage.open(file, formats=list(FORMATS)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise Refused(400, _too_many_pixels(max_pixels))
            if (
                width * height * getattr(image, "n_frames", 1) > max_pixels
            ):  # an animation decodes every frame
                raise Refused(400, _too_many_pixels(max_pixels) + " (all frames of an animation together)")
            exif = PILImage.Exif()
            if "exif" in image.info:  # from the header; getexif() could decode the whole image
                exif.load(image.info["exif"])
            orientation = exif.get(ExifTags.Base.Orientation, 1)
            found = image.format
    except PILImage.DecompressionBombError:
        raise Refused(400, _too_many_pixels(max_pixels)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise Refused(415, f"This file is not an image we accept: send {ACCEPTED}.") from None
    if orientation in QUARTER_TURNS:
        width, height = height, width
    return Probe(found, width, height)


def _too_many_pixels(max_pixels: int) -> str:
    return f"The image has too many pixels: at most {max_pixels / 1_000_000:g} megapixels are accepted."


def _encode(image, format_name: str, icc: bytes | None, **extra) -> Encoded:
    """Encode ``image`` with only the colour profile as metadata (``extra`` adds encoder options)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the caller closes it
    options = dict(ENCODE_OPTIONS[format_name]) | extra
    if icc and format_name != "GIF":
        options["icc_profile"] = icc
    if format_name in ("JPEG", "GIF"):
        options["comment"] = b""  # both would otherwise copy the source's comment over
    image.save(out, format=format_name, **options)
    out.seek(0)
    return Encoded(out, format_name, image.width, image.height)


def _upright(file, *, at_least_width: int | None = None):
    """Decode the image and turn it upright; its metadata is dropped from the decoded copy.

    With ``at_least_width``, a JPEG may be decoded at a fraction of its size (never narrower):
    a quarter of the pixels costs a quarter of the time and memory.
    """
    file.seek(0)
    image = PILImage.open(file, formats=list(FORMATS))
    if at_least_width and image.format == "JPEG" and image.width > at_least_width:
        image.draft(image.mode, (at_least_width, round(image.height * at_least_width / image.width)))
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError):
        image.close()
        raise Refused(400, "The image is damaged: it could not be read to the end.") from None
    ImageOps.exif_transpose(image, in_place=True)
    icc = image.info.get("icc_profile")
    image.info.clear()  # EXIF, XMP, comments, text chunks: nothing but pixels goes on
    return image, icc


def clean_original(file) -> Encoded:
    """The upload decoded, upright and re-encoded in its own format, without identifying metadata.

    An animated image keeps its frames (and stays in its format); the rest becomes one frame.
    """
    image, icc = _upright(file)
    try:
        if getattr(image, "is_animated", False):
            image.info.clear()
            return _encode(image, image.format, icc, save_all=True)
        return _encode(image, image.format, icc)
    finally:
        image.close()


def renditions(file, widths=RENDITION_WIDTHS) -> list[Encoded]:
    """Smaller copies of a cleaned image at each width below its own, in WebP and in its format.

    Each is resized from the next larger one, widest first. Animated images get none (a still
    rendition would lose the animation): pages use the original.
    """
    image, icc = _upright(file, at_least_width=max(widths))
    try:
        if getattr(image, "is_animated", False):
            return []
        source_format, (width, height) = image.format, image.size
        if image.mode not in ("RGB", "RGBA", "L"):
            image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        if image.mode == "RGBA":
            # Premultiplied once, here, and the original let go: Pillow would otherwise make a
            # premultiplied copy of the full-size picture for every resize (memory: bench/images.py).
            image = image.convert("RGBa")
        results, source = [], image
        for target in sorted((w for w in widths if w < width), reverse=True):
            size = (target, max(1, round(height * target / width)))
            source = source.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=3.0)
            small = source.convert("RGBA") if source.mode == "RGBa" else source
            results.append(_encode(small, "WEBP", icc))
            if source_format != "WEBP":
                fallback = small if source_format != "JPEG" or small.mode != "RGBA" else small.convert("RGB")
                results.append(_encode(fallback, source_format, icc, **PROGRESSIVE.get(source_format, {})))
        return results
    finally:
        image.close()
