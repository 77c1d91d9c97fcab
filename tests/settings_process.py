"""Load the settings in a fresh interpreter, so each test sees only the environment it sets."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(code: str = "import hotline.settings", **env) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter, as a server start would."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "EMAIL_BACKEND"}
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "hotline.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
