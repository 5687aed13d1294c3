"""Deterministic Lambda archives: the same source gives the same bytes, so the same hash.

A zip records each member's timestamp, permissions and order; ``zipfile`` defaults take them from
the file system, so two checkouts of one commit would give two archives and Lambda would be
updated for nothing. Here every member has the zip epoch (1980-01-01 00:00:00), mode 0644, a
fixed compression level, and members are written in sorted order; ``source_code_hash`` is the
archive's base64 SHA-256, as Lambda reports ``CodeSha256``.

Third-party code (Pillow for the image function) comes from its manylinux aarch64 wheel, pinned by
version and SHA-256 (``FunctionWheel``): ``pip download --platform ... --only-binary=:all:`` fetches
exactly that file from PyPI for Lambda's platform (arm64, the runtime's CPython) whatever the
machine running the program is, and pip refuses any other bytes (``--require-hashes``). Downloaded
wheels are kept in ``.build/wheels`` (git-ignored), so only the first run needs PyPI.
"""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / ".build"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
COMPRESSION_LEVEL = 9
# What never goes into an archive: bytecode (Lambda compiles at start), caches, the pins file.
EXCLUDED_PARTS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")
EXCLUDED_NAMES = frozenset({"requirements.txt"})


@dataclass(frozen=True)
class FunctionWheel:
    """One wheel built for Lambda's platform, pinned by version and hash."""

    project: str
    version: str
    sha256: str
    platforms: tuple[str, ...]
    python_version: str
    """``3.14`` for the python3.14 runtime."""

    def matches(self, path: Path) -> bool:
        return hashlib.sha256(path.read_bytes()).hexdigest() == self.sha256


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A zip of ``files`` (archive name -> content) that depends on nothing but them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.external_attr = FILE_MODE << 16
            info.create_system = 3  # Unix: the mode above is read as Unix permissions
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION_LEVEL)
    return buffer.getvalue()


def source_files(folder: Path) -> dict[str, bytes]:
    """The function's own files, by path relative to its folder (``handler.py`` at the root)."""
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir() or EXCLUDED_PARTS & set(relative.parts) or path.suffix in EXCLUDED_SUFFIXES:
            continue
        if relative.name in EXCLUDED_NAMES:
            continue
        files[relative.as_posix()] = path.read_bytes()
    if "handler.py" not in files:
        raise ValueError(f"{folder}: a function folder needs handler.py")
    return files


def wheel_files(wheel: Path) -> dict[str, bytes]:
    """The wheel's contents as Lambda imports them (a wheel is a zip of site-packages)."""
    with zipfile.ZipFile(wheel) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}


def archive_hash(data: bytes) -> str:
    """Base64 SHA-256: Lambda's ``CodeSha256`` and the provider's ``source_code_hash``."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def build_archive(folder: Path, wheels: tuple[Path, ...] = (), out_dir: Path = BUILD_DIR / "lambda") -> tuple[Path, str]:
    """Write the function's archive (named by its content) and return (path, source_code_hash)."""
    files: dict[str, bytes] = {}
    for wheel in wheels:
        files.update(wheel_files(wheel))
    overlap = set(files) & set(source_files(folder))
    if overlap:
        raise ValueError(f"{folder.name}: its files shadow the wheels' {sorted(overlap)[:3]}")
    files.update(source_files(folder))
    data = zip_bytes(files)
    digest = hashlib.sha256(data).hexdigest()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{folder.name}-{digest[:16]}.zip"
    if not path.exists() or path.read_bytes() != data:
        # Written next to its final name and renamed: a parallel run never reads half a file.
        with tempfile.NamedTemporaryFile(dir=out_dir, delete=False) as tmp:
            tmp.write(data)
        Path(tmp.name).replace(path)
    return path, archive_hash(data)


def fetch_wheel(wheel: FunctionWheel, cache: Path = BUILD_DIR / "wheels") -> Path:
    """The pinned wheel from the cache, or downloaded from PyPI for Lambda's platform and checked."""
    cache.mkdir(parents=True, exist_ok=True)
    for found in sorted(cache.glob(f"{wheel.project}-{wheel.version}-*.whl")):
        if wheel.matches(found):
            return found
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        pins = Path(tmp) / "requirements.txt"
        pins.write_text(f"{wheel.project}=={wheel.version} --hash=sha256:{wheel.sha256}\n")
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
            "--implementation", "cp", "--python-version", wheel.python_version,
            *[arg for platform in wheel.platforms for arg in ("--platform", platform)],
            "--require-hashes", "-r", str(pins), "-d", tmp,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        downloaded = sorted(Path(tmp).glob("*.whl"))
        if done.returncode != 0 or len(downloaded) != 1 or not wheel.matches(downloaded[0]):
            raise RuntimeError(
                f"could not fetch {wheel.project}=={wheel.version} for {'/'.join(wheel.platforms)} from PyPI "
                f"(docs/serverless.md, 'Packaging'): {done.stderr.strip()[-500:]}"
            )
        target = cache / downloaded[0].name
        downloaded[0].replace(target)
    return target
