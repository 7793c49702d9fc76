"""Where things are."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "artifacts"  # gitignored: screenshots, traces, reports


def safe_name(text, limit=120):
    """A file-system-safe form of a test id or any label."""
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
    return keep.strip("_")[:limit] or "unnamed"
