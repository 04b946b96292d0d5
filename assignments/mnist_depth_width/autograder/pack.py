"""Student side: pack a submission zip with exactly the files the assignment asks for.

``python -m autograder pack`` (in a handout folder) zips the files of the manifest's ``[files]`` and
the optional artifacts that exist, nothing else, and refuses when a required file is missing. It
also warns about what would cost points: a file that fails its import check or still holds
``raise NotImplementedError`` stubs.
"""

import zipfile
from pathlib import Path

from autograder.manifest import load_manifest
from autograder.static_checks import check_source

STUB = "raise NotImplementedError"


class PackError(Exception):
    """The submission cannot be packed; the message names the missing files."""


def pack_submission(folder, out=None):
    """Zip the submission in handout ``folder`` (holding assignment.toml) and return (zip path, warnings).

    Inputs:
    - folder: the student's handout folder.
    - out: the zip to write (default: ``<folder>/<assignment>-submission.zip``).

    Raises PackError when a file of the manifest's [files] is missing.
    """
    folder = Path(folder)
    manifest = load_manifest(folder / "assignment.toml")
    missing = [name for name in manifest.files if not (folder / name).is_file()]
    if missing:
        raise PackError(f"cannot pack {manifest.name}: missing {', '.join(missing)} (the assignment asks for {', '.join(manifest.files)})")
    names = list(manifest.files) + [name for name in manifest.optional_artifacts if (folder / name).is_file()]
    out = Path(out) if out else folder / f"{manifest.name}-submission.zip"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.write(folder / name, name)
    return out, source_warnings(folder, manifest)


def source_warnings(folder, manifest):
    """Warnings on the submitted Python files: failed import checks and remaining stubs."""
    warnings = []
    for name in manifest.source_files:
        source = (folder / name).read_text(encoding="utf-8", errors="replace")
        warnings += check_source(source, name, manifest.allowed_imports(name))
        stubs = source.count(STUB)
        if stubs:
            warnings.append(f"{name} still has {stubs} `{STUB}` stub{'s' if stubs > 1 else ''}")
    return warnings
