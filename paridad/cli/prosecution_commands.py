"""``paridad package``: build and verify prosecution packages (see docs/prosecution.md)."""

from __future__ import annotations

from pathlib import Path

import click

from paridad.cli.output import echo_json
from paridad.i18n import N_, _, format_number

MSG_BUILT = N_(
    "Package {package} of case {case} written to {path}: {items} items included, {withheld} "
    "withheld."
)
MSG_VERIFIED = N_(
    "Package {package} of {node} verifies: signatures, content and {proofs} audit-log "
    "inclusion proofs. Signing key fingerprint: {fingerprint}"
)
MSG_FAILED = N_("Package {package} does NOT verify: {count} problems found.")


def add_prosecution_commands(cli: click.Group) -> None:
    @cli.group(
        help=_(
            "Prosecution packages (expedientes): a case's trace chain, purchase history and "
            "links with their chain of custody and audit-log proofs, as a signed bilingual "
            "PDF and JSON."
        )
    )
    def package() -> None:
        pass

    @package.command(
        help=_(
            "Build the prosecution package of a case (a joint case id or a case number) into "
            "a new folder: package.json, package.pdf, a manifest and their signatures."
        )
    )
    @click.option(
        "--node",
        "node_dir",
        required=True,
        type=click.Path(path_type=Path, file_okay=False, exists=True),
        help=_("Node directory."),
    )
    @click.option("--case", required=True, help=_("Joint case id or case number."))
    @click.option(
        "--out",
        required=True,
        type=click.Path(path_type=Path),
        help=_("New or empty folder to write the package into."),
    )
    @click.option("--actor", default="prosecutor", show_default=True, help=_("Who builds it."))
    @click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
    def build(node_dir: Path, case: str, out: Path, actor: str, as_json: bool) -> None:
        from paridad.exchange.context import Exchange
        from paridad.prosecution import export_package

        with Exchange.open(node_dir) as ex:
            package, files = export_package(ex, case, out, actor=actor)
        result = {
            "package": package["id"],
            "case": package["case"],
            "items": len(package["items"]),
            "withheld": package["withheld"],
            "truncated": package["truncated"],
            "files": [str(f) for f in files],
            "fingerprint": package["node"]["fingerprint"],
        }
        if as_json:
            echo_json(result)
            return
        click.echo(
            _(
                MSG_BUILT,
                package=package["id"],
                case=case,
                path=str(out),
                items=format_number(len(package["items"])),
                withheld=format_number(len(package["withheld"])),
            )
        )

    @package.command(
        help=_(
            "Verify a prosecution package: signatures, file digests, the recorded content and "
            "every audit-log inclusion proof; exit code 1 if anything is wrong."
        )
    )
    @click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
    @click.option(
        "--fingerprint",
        help=_("The node's signing key fingerprint, obtained out of band, to pin the key."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print the result as JSON."))
    def verify(folder: Path, fingerprint: str | None, as_json: bool) -> None:
        from paridad.prosecution.verify import verify_package

        report = verify_package(folder, fingerprint)
        if as_json:
            echo_json(report.to_dict())
        elif report.ok:
            click.echo(
                _(
                    MSG_VERIFIED,
                    package=report.package,
                    node=report.node,
                    proofs=format_number(report.proofs),
                    fingerprint=report.fingerprint,
                )
            )
        else:
            for problem in report.problems:
                click.echo(problem.localized())
            click.echo(_(MSG_FAILED, package=report.package, count=len(report.problems)))
        if not report.ok:
            raise SystemExit(1)
