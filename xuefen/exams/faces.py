"""Counting faces in a photo with OpenCV's Haar cascade for frontal faces — the cascade file ships
inside the opencv-python-headless wheel (cv2.data.haarcascades); nothing is downloaded at run
time. The detector only counts faces (none, one, several): a person compares the faces."""

from functools import cache, lru_cache
from typing import Any

import cv2
import numpy as np

CASCADE = "haarcascade_frontalface_default.xml"
MAX_SIDE = 1280  # a larger photo is scaled down first (faster, and as good for counting)


@cache
def _detector() -> Any:
    detector = cv2.CascadeClassifier(cv2.data.haarcascades + CASCADE)  # type: ignore[attr-defined]
    if detector.empty():  # pragma: no cover - a broken installation
        raise RuntimeError(f"OpenCV's {CASCADE} could not be loaded")
    return detector


def decode(data: bytes) -> Any | None:
    """The image as a grey array, or None when the bytes are not an image OpenCV reads."""
    if not data:
        return None
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None or image.size == 0:
        return None
    height, width = image.shape[:2]
    side = max(height, width)
    if side > MAX_SIDE:
        scale = MAX_SIDE / side
        image = cv2.resize(image, (int(width * scale), int(height * scale)))
    return image


@lru_cache(maxsize=8)
def faces_in(data: bytes) -> int | None:
    """Faces in the photo's bytes (None: not an image); the same bytes are counted once."""
    image = decode(data)
    return None if image is None else count_faces(image)


def count_faces(image: Any) -> int:
    """Frontal faces in a grey image; a face smaller than a sixth of the photo's shorter side is
    not counted (a check-in photo is taken close up; a poster on the wall behind the candidate is
    not a second person)."""
    height, width = image.shape[:2]
    smallest = max(24, min(height, width) // 6)
    grey = cv2.equalizeHist(image)
    faces = _detector().detectMultiScale(
        grey, scaleFactor=1.15, minNeighbors=5, minSize=(smallest, smallest)
    )
    return len(faces)
