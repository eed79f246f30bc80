"""Build the demo cases in ``assets/`` from scikit-image's openly licensed sample images.

    python assets/make_assets.py

Run once; the outputs are committed. Each case is a background photo, a
reference mask (the "ground truth") and a candidate mask (a plausible model
prediction: a shifted, eroded or dilated boundary, one missed small object,
one extra false blob). Every step is deterministic (fixed seeds, no
randomness from the environment), so the pixels are the same on every run;
the encoded bytes can differ across zlib / libjpeg builds, which is why
``assets/README.md`` records the checksums of the committed files. The script
rewrites that README's file table and ``assets/cases.json``.

Needs scikit-image (a development dependency), which ships the images.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from skimage import color, data, draw, filters, measure, morphology, segmentation

HERE = Path(__file__).resolve().parent

#: skimage.data image → (original source and author, licence), as stated in
#: each function's docstring in scikit-image 0.26.
SOURCES = {
    "coins": (
        "Greek coins from Pompeii, Brooklyn Museum Collection",
        "No known copyright restrictions",
    ),
    "immunohistochemistry": (
        "IHC staining of colonic glands, Center for Microscopy and Molecular Imaging (CMMI)",
        "No known copyright restrictions",
    ),
    "cell": (
        "Quantitative phase image of a cell, Paul Müller et al., Optics Express 26(8) 2018",
        "CC0 1.0",
    ),
    "chelsea": ("Chelsea the cat, photograph by Stefan van der Walt", "CC0 1.0"),
}

#: PASCAL VOC colours for the label maps' palette: 0 black, 1–4 VOC classes,
#: 255 (void) the VOC cream.
VOC_PALETTE = {
    0: (0, 0, 0),
    1: (128, 0, 0),
    2: (0, 128, 0),
    3: (128, 128, 0),
    4: (0, 0, 128),
    255: (224, 224, 192),
}

VOID = 255


# ----------------------------------------------------------------------------
# Small mask tools
# ----------------------------------------------------------------------------


def wobble(mask: np.ndarray, *, amplitude: float, seed: int, scale: float = 6.0) -> np.ndarray:
    """Move a mask's boundary in and out by up to ~``amplitude`` px, smoothly.

    A model's boundary is rarely a clean erosion: it drifts in and out along
    the object. The signed distance to the boundary plus smooth noise,
    thresholded at 0, does that.
    """
    rng = np.random.default_rng(seed)
    noise = ndi.gaussian_filter(rng.standard_normal(mask.shape), scale)
    noise *= amplitude / (np.abs(noise).max() + 1e-12)
    inside = ndi.distance_transform_edt(mask)
    outside = ndi.distance_transform_edt(~mask)
    signed = np.where(mask, inside - 0.5, 0.5 - outside)
    return signed + noise > 0


def disk(radius: int) -> np.ndarray:
    return morphology.disk(radius).astype(bool)


def erode(mask: np.ndarray, radius: int) -> np.ndarray:
    return ndi.binary_erosion(mask, disk(radius))


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    return ndi.binary_dilation(mask, disk(radius))


def shift(mask: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Move a mask by whole pixels, filling with background."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    out[max(rows, 0) : h + min(rows, 0), max(cols, 0) : w + min(cols, 0)] = mask[
        max(-rows, 0) : h + min(-rows, 0), max(-cols, 0) : w + min(-cols, 0)
    ]
    return out


def clean(mask: np.ndarray, *, min_size: int, radius: int = 1) -> np.ndarray:
    """Fill holes, open with a disk, drop objects smaller than ``min_size`` px."""
    mask = ndi.binary_fill_holes(mask)
    mask = ndi.binary_opening(mask, disk(radius))
    labels, n = ndi.label(mask)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    keep = sizes >= min_size
    keep[0] = False
    return keep[labels]


def ellipse(shape, centre, radii, rotation: float = 0.0) -> np.ndarray:
    out = np.zeros(shape, bool)
    out[draw.ellipse(*centre, *radii, shape=shape, rotation=rotation)] = True
    return out


def smallest_object(mask: np.ndarray) -> np.ndarray:
    labels = measure.label(mask)
    regions = sorted(measure.regionprops(labels), key=lambda r: (r.area, r.label))
    return labels == regions[0].label


# ----------------------------------------------------------------------------
# The cases
# ----------------------------------------------------------------------------


def typical_case() -> dict:
    """Coins: watershed reference, perturbed candidate (shift, erosion, dilation)."""
    image = data.coins()
    # Otsu alone merges the coins with the background (their grey levels
    # overlap), so: region growing on the Sobel gradient from sure markers
    # (the scikit-image gallery's coins recipe), then cleanup.
    elevation = filters.sobel(image)
    markers = np.zeros(image.shape, np.int32)
    markers[image < 30] = 1
    markers[image > 150] = 2
    reference = clean(segmentation.watershed(elevation, markers) == 2, min_size=60)

    labels = measure.label(reference)
    candidate = np.zeros_like(reference)
    missed = smallest_object(reference)
    for region in measure.regionprops(labels):
        coin = labels == region.label
        if missed[coin].any():
            continue  # the model misses the smallest coin
        kind = region.label % 4
        if kind == 0:
            coin = shift(coin, 2, -3)  # misregistered
        elif kind == 1:
            coin = erode(coin, 2)  # under-segmented
        elif kind == 2:
            coin = dilate(coin, 3)  # over-segmented
        candidate |= wobble(coin, amplitude=1.5, seed=region.label)
    # One false blob on the background, as a glare or shadow would cause.
    candidate |= ellipse(image.shape, (285, 40), (9, 14), rotation=0.4)
    return {
        "key": "typical",
        "title": "Coins: a typical binary comparison",
        "description": (
            "Greek coins; the reference is a watershed segmentation, the candidate shifts "
            "some coins, erodes or dilates others, misses the smallest coin and adds a false "
            "blob at the bottom left."
        ),
        "kind": "binary",
        "void": None,
        "image": "coins",
        "background": image,
        "reference": reference,
        "candidate": candidate,
    }


def labels_case() -> dict:
    """IHC histology: four classes with a VOC-style void band on class borders."""
    image = data.immunohistochemistry()
    hed = color.rgb2hed(image)
    grey = color.rgb2gray(image)
    # Thresholds chosen by eye on this image: DAB (brown) marks the gland
    # epithelium, large bright areas are lumen or empty space, and
    # haematoxylin (blue) blobs away from the glands are stromal nuclei.
    dab = filters.gaussian(hed[..., 2], sigma=6)
    gland = clean(dab > 0.06, min_size=2000, radius=4)
    bright = filters.gaussian(grey, sigma=6)
    lumen = clean(bright > 0.9, min_size=400, radius=3) & ~gland
    haem = filters.gaussian(hed[..., 0], sigma=1.5)
    near_gland = ndi.binary_dilation(gland, iterations=6)
    nuclei = clean(haem > filters.threshold_otsu(haem), min_size=40) & ~near_gland & ~lumen

    # 0 stroma (background), 1 gland epithelium, 2 stromal nuclei, 3 lumen / empty.
    reference = np.zeros(image.shape[:2], np.uint8)
    reference[gland] = 1
    reference[nuclei] = 2
    reference[lumen] = 3
    # VOC marks a few pixels along every class border as void (255): the
    # annotators' uncertain band, ignored by every statistic.
    borders = segmentation.find_boundaries(reference, mode="thick")
    borders = ndi.binary_dilation(borders, np.ones((2, 2), bool))
    reference_void = reference.copy()
    reference_void[borders] = VOID

    rng = np.random.default_rng(7)
    cand_gland = wobble(gland, amplitude=4.0, seed=11, scale=10)
    cand_lumen = erode(lumen, 2)
    cand_lumen &= ~smallest_object(lumen)  # a missed small lumen
    nuclei_labels = measure.label(nuclei)
    n = int(nuclei_labels.max())
    kept = np.zeros(n + 1, bool)
    kept[1:] = rng.random(n) > 0.15  # 15 % of the nuclei missed
    cand_nuclei = dilate(kept[nuclei_labels], 1)
    # A false "nucleus" blob in the stroma and a gland patch called lumen.
    cand_nuclei |= ellipse(reference.shape, (300, 210), (7, 11), rotation=0.8)
    candidate = np.zeros_like(reference)
    candidate[cand_gland] = 1
    candidate[cand_nuclei & ~cand_gland] = 2
    candidate[cand_lumen] = 3
    candidate[ellipse(reference.shape, (120, 400), (14, 22)) & cand_gland] = 3
    return {
        "key": "labels",
        "title": "Histology: a multi-class label map with void borders",
        "description": (
            "Immunohistochemistry of colonic glands. Classes: 0 stroma, 1 gland epithelium, "
            "2 stromal nuclei, 3 lumen. The reference marks class borders as void (255, "
            "PASCAL VOC style); the candidate has no void, a drifting gland boundary, "
            "missed nuclei and lumen, a false nucleus and a gland patch called lumen."
        ),
        "kind": "labels",
        "void": VOID,
        "class_names": {0: "stroma", 1: "gland epithelium", 2: "stromal nuclei", 3: "lumen"},
        "image": "immunohistochemistry",
        "background": image,
        "reference": reference_void,
        "candidate": candidate,
    }


def empty_case() -> dict:
    """A cell whose prediction is empty: every statistic's edge case."""
    image = data.cell()
    smooth = filters.gaussian(image, sigma=3, preserve_range=True)
    mask = clean(smooth > filters.threshold_otsu(smooth), min_size=2000, radius=3)
    labels = measure.label(mask)
    largest = max(measure.regionprops(labels), key=lambda r: (r.area, -r.label))
    reference = labels == largest.label
    return {
        "key": "empty",
        "title": "Cell: the candidate is empty",
        "description": (
            "A cell in a quantitative phase image; the model predicted nothing. IoU and Dice "
            "are 0, distances are infinite."
        ),
        "kind": "binary",
        "void": None,
        "image": "cell",
        "background": image,
        "reference": reference,
        "candidate": np.zeros_like(reference),
    }


def nonsquare_case() -> dict:
    """Chelsea the cat, 451 × 300: eyes and nose, grown from seeds by watershed."""
    image = data.chelsea()
    grey = color.rgb2gray(image)
    elevation = filters.sobel(filters.gaussian(grey, sigma=1))
    # (centre row, col), (radius rows, cols) of the eyes and the nose, read off the photo.
    objects = [((112, 172), (30, 36)), ((135, 318), (27, 27)), ((243, 262), (14, 24))]
    markers = np.ones(grey.shape, np.int32)
    for i, (centre, radii) in enumerate(objects):
        markers[ellipse(grey.shape, centre, (radii[0] * 1.35, radii[1] * 1.35))] = 0
        markers[ellipse(grey.shape, centre, (radii[0] * 0.5, radii[1] * 0.5))] = i + 2
    regions = segmentation.watershed(elevation, markers)
    reference = clean(regions > 1, min_size=100, radius=2)

    left_eye = clean(regions == 2, min_size=100, radius=2)
    right_eye = clean(regions == 3, min_size=100, radius=2)
    candidate = shift(left_eye, 3, -4)  # misplaced
    candidate |= dilate(right_eye, 3)  # too large
    candidate = wobble(candidate, amplitude=1.5, seed=3)
    # The nose is missed; a false blob sits on the left ear.
    candidate |= ellipse(grey.shape, (40, 70), (10, 16), rotation=-0.5)
    return {
        "key": "nonsquare",
        "title": "Cat: a non-square image (451 × 300)",
        "description": (
            "Chelsea the cat; the reference marks both eyes and the nose. The candidate "
            "shifts the left eye, over-segments the right eye, misses the nose and adds a "
            "blob on the ear. Rows ≠ columns, to catch transposed axes."
        ),
        "kind": "binary",
        "void": None,
        "image": "chelsea",
        "background": image,
        "reference": reference,
        "candidate": candidate,
    }


# ----------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------


def encode_background(image: np.ndarray) -> tuple[bytes, str]:
    """Grey images as lossless PNG when small enough, colour photos as JPEG."""
    if image.ndim == 2:
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="PNG", optimize=True)
        if buffer.tell() < 300_000:
            return buffer.getvalue(), "png"
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=88, optimize=True)
    return buffer.getvalue(), "jpg"


def encode_binary(mask: np.ndarray) -> bytes:
    """0/255 8-bit grey PNG, the most common binary mask file."""
    buffer = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8) * np.uint8(255)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def encode_labels(labels: np.ndarray) -> bytes:
    """Palette PNG whose indices are the class ids (VOC colours)."""
    image = Image.fromarray(labels.astype(np.uint8), mode="P")
    palette = [0] * 768
    for index, rgb in VOC_PALETTE.items():
        palette[3 * index : 3 * index + 3] = rgb
    image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def describe(data_bytes: bytes) -> tuple[str, str]:
    with Image.open(io.BytesIO(data_bytes)) as im:
        return f"{im.width}×{im.height}", im.mode


def main() -> None:
    cases = [typical_case(), labels_case(), empty_case(), nonsquare_case()]
    rows = []
    listing = []
    for case in cases:
        key = case["key"]
        background, ext = encode_background(case["background"])
        encode = encode_labels if case["kind"] == "labels" else encode_binary
        files = {
            "background": (f"{key}_background.{ext}", background),
            "reference": (f"{key}_reference.png", encode(case["reference"])),
            "candidate": (f"{key}_candidate.png", encode(case["candidate"])),
        }
        for role, (name, content) in files.items():
            (HERE / name).write_bytes(content)
            size, mode = describe(content)
            source, licence = SOURCES[case["image"]]
            digest = hashlib.sha256(content).hexdigest()
            rows.append(
                f"| `{name}` | {key} | {role} | {size} | {mode} | {len(content):,} "
                f"| `skimage.data.{case['image']}()` — {source} | {licence} | `{digest}` |"
            )
        listing.append(
            {
                "key": key,
                "title": case["title"],
                "description": case["description"],
                "kind": case["kind"],
                "void": case["void"],
                "class_names": {str(k): v for k, v in case.get("class_names", {}).items()},
                "files": {role: name for role, (name, _) in files.items()},
                "source": f"skimage.data.{case['image']}",
                "license": SOURCES[case["image"]][1],
            }
        )
        print(f"{key}: {', '.join(name for name, _ in files.values())}")
    (HERE / "cases.json").write_text(
        json.dumps({"cases": {c["key"]: c for c in listing}}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    write_readme_table(rows)


def write_readme_table(rows: list[str]) -> None:
    """Replace the table between the README's markers with the new one."""
    readme = HERE / "README.md"
    start, end = "<!-- files:start -->", "<!-- files:end -->"
    header = [
        "| file | case | role | size (w×h) | mode | bytes | source | licence | SHA-256 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    table = "\n".join([start, *header, *rows, end])
    text = readme.read_text(encoding="utf-8") if readme.exists() else f"{start}\n{end}\n"
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    readme.write_text(before + table + after, encoding="utf-8")


if __name__ == "__main__":
    main()
