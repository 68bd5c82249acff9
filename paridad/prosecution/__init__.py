"""Prosecution packages: a case's evidence, its chain of custody and the proofs, for a court.

:func:`export_package` is the whole of it: collect the case through the judicial gate
(:mod:`.collect`), give each item its chain of custody (:mod:`.custody`), record the build in
the audit log and prove it (:mod:`.package`), render the bilingual PDF (:mod:`.pdf`), sign
it inside (:mod:`.pdf_signature`) and sign both files (:mod:`.signing`). :func:`paridad.prosecution.verify.verify_package` checks a package
with nothing but its folder. The long why is in ``docs/prosecution.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paridad.exchange.context import Exchange
from paridad.prosecution.package import build_package
from paridad.prosecution.pdf import render_pdf
from paridad.prosecution.pdf_signature import sign_pdf
from paridad.prosecution.signing import MSG_OUT_NOT_EMPTY, PackageError, write_signed


def export_package(
    ex: Exchange, case: str, out: Path, *, actor: str = "prosecutor"
) -> tuple[dict[str, Any], list[Path]]:
    """Build the package of ``case`` and write it, signed, into the new folder ``out``."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise PackageError(MSG_OUT_NOT_EMPTY, path=str(out))
    package = build_package(ex, case, actor=actor)
    pdf = sign_pdf(render_pdf(package), ex.identity, ex.name, ex.agency, ex.country)
    return package, write_signed(out, package, pdf, ex.identity)
