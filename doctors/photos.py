"""Doctor photos: an upload is checked, then cropped and resized once into the sizes the pages show.

Pages show a photo as a square at 48 px (admin), 88 px (cards) and 128 px (profile); each gets a
`srcset` of WebP copies 96, 176 and 256 px wide, so a 1x or 2x screen picks a sharp one and a 5 MB
phone photo never reaches a page. The upload itself is replaced by a 512 px copy (its EXIF data,
which may hold where the photo was taken, is not kept). Pillow does the work (decisions.md, 2026-11-29).
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

WIDTHS = (96, 176, 256)
FALLBACK_WIDTH = 176  # `src` for browsers without srcset: sharp at 88 px on a 2x screen
MASTER_WIDTH = 512
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 50_000_000  # 50 megapixels: more than any phone camera, far below a decompression bomb
FORMATS = {"JPEG", "PNG", "WEBP"}


def open_photo(upload) -> Image.Image:
    """Open and check an uploaded photo; raises ValidationError with a sentence a person can act on.

    `upload` is a file-like object (Django's UploadedFile or File). Returns the decoded image, turned
    upright according to its EXIF orientation.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The photo is larger than 15 MB. Please choose a smaller one."), code="too_large"
        )
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            if probe.format not in FORMATS:
                raise ValidationError(_("Upload the photo as a JPEG, PNG or WebP image."), code="format")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    _("The photo has more than 50 megapixels. Please choose a smaller one."), code="too_large"
                )
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise ValidationError(_("That file could not be read as a photo."), code="invalid") from error
    finally:
        upload.seek(0)
    return image


def _square(image: Image.Image, width: int) -> Image.Image:
    """A centred square crop of `image`, `width` px a side (smaller only if the photo is smaller)."""
    side = min(width, image.width, image.height)
    return ImageOps.fit(image, (side, side), method=Image.Resampling.LANCZOS, centering=(0.5, 0.4))


def _encode(image: Image.Image, *, quality: int = 82) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=quality, method=4)
    return buffer.getvalue()


def render(image: Image.Image) -> tuple[bytes, dict[int, bytes]]:
    """(the 512 px master, {width: WebP bytes}) for an opened photo. Pure: no storage, no database."""
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode in ("LA", "P") else "RGB")
    if image.mode == "RGBA":  # flatten onto white: avatars sit on white or tinted cards alike
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    master = _encode(_square(image, MASTER_WIDTH), quality=85)
    return master, {width: _encode(_square(image, width)) for width in WIDTHS}


def store(storage, slug: str, image: Image.Image) -> tuple[str, dict[str, str]]:
    """Render and save the copies under a fresh name; returns (master name, {"96": name, ...})."""
    master, sizes = render(image)
    stem = f"doctors/{slug}-{uuid.uuid4().hex[:10]}"
    master_name = storage.save(f"{stem}.webp", ContentFile(master))
    names = {
        str(width): storage.save(f"{stem}-{width}.webp", ContentFile(data)) for width, data in sizes.items()
    }
    return master_name, names
