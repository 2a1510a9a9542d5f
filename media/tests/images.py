"""Real image files for the tests, made with Pillow: nothing is downloaded or checked in."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, ImageCms
from PIL import Image as PILImage

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 22.0, 7.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (4.0, 53.0, 2.0),
}
SERIAL = "CAM-SERIAL-0042"
OWNER = "Jane Q. Photographer"


def picture(width=64, height=48, mode="RGB"):
    """A picture whose top-left quarter is red and the rest blue, so its orientation can be checked."""
    image = PILImage.new(mode, (width, height), (0, 0, 255) if mode != "L" else 0)
    image.paste((255, 0, 0) if mode != "L" else 255, (0, 0, width // 2, height // 2))
    return image


def encode(image, format_name, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format_name, **options)
    return out.getvalue()


def jpeg(width=64, height=48, **options) -> bytes:
    return encode(picture(width, height), "JPEG", quality=90, **options)


def png(width=64, height=48, mode="RGB") -> bytes:
    return encode(picture(width, height, mode), "PNG")


def jpeg_with_gps_turned_sideways() -> bytes:
    """A camera photo: GPS position, serial number, owner, and stored sideways (EXIF orientation 6)."""
    exif = PILImage.Exif()
    exif[ExifTags.Base.Orientation] = 6  # show turned 90° clockwise
    exif[ExifTags.Base.Artist] = OWNER
    exif[ExifTags.Base.Make] = "Blogsite Camera Co."
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = SERIAL
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return jpeg(80, 40, exif=exif, icc_profile=srgb, comment=OWNER.encode())


def polyglot_jpeg_html() -> bytes:
    """A valid JPEG that is also an HTML page with a script (in its comment and after its end)."""
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    return jpeg(comment=html) + html


def svg_with_script() -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
    )


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels: a decompression bomb's first bytes."""
    data = bytearray(png(1, 1))
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def animated_gif() -> bytes:
    frames = [picture(40, 30), picture(40, 30).transpose(PILImage.Transpose.FLIP_LEFT_RIGHT)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
