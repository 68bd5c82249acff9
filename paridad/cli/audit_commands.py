"""``paridad audit``: verify, list, prove and sign a node's audit log (see docs/audit.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from paridad.cli.output import echo_json
from paridad.i18n import N_, _
from paridad.node import Node
from paridad.store.database import Database

MSG_PROOF_FAILS = N_(
    "The inclusion proof of entry {index} does not verify: the log is damaged. Run "
    "'paridad audit verify'."
)


@contextmanager
def _opened(node_dir: Path) -> Iterator[tuple[Node, Database]]:
    node = Node.open(node_dir)
    db = Database(node.store_url)
    try:
        yield node, db
    finally:
        db.close()


def make_audit_group() -> click.Group:
    from paridad.audit.log import KINDS

    node_dir_argument = click.argument(
        "node_dir", type=click.Path(path_type=Path, file_okay=False, exists=True)
    )

    @click.group(help=_("Verify, list and prove the node's tamper-evident audit log."))
    def audit() -> None:
        pass

    @audit.command(
        help=_(
            "Check the audit log, this node's signed tree heads and the partners' heads; "
            "exit code 1 if anything is wrong."
        )
    )
    @node_dir_argument
    def verify(node_dir: Path) -> None:
        from paridad.audit.verify import verify_node
        from paridad.exchange.partners import load_partners

        with _opened(node_dir) as (node, db):
            keys = {name: p.verify_key for name, p in load_partners(node.path).items()}
            report = verify_node(db, node.identity().verify_key, keys)
        for line in report.lines():
            click.echo(line)
        click.echo(report.summary())
        if not report.ok:
            raise click.exceptions.Exit(1)

    @audit.command("log", help=_("List the audit log's entries, newest first."))
    @node_dir_argument
    @click.option("--kind", type=click.Choice(KINDS), help=_("Only entries of this kind."))
    @click.option(
        "--limit",
        default=50,
        show_default=True,
        type=click.IntRange(1, 100_000),
        help=_("How many entries."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def log_(node_dir: Path, kind: str | None, limit: int, as_json: bool) -> None:
        from paridad.audit.log import AuditLog

        with _opened(node_dir) as (_node, db):
            entries = AuditLog(db).find(kind=kind, limit=limit)
        if as_json:
            echo_json([{**e.__dict__, "leaf": e.leaf.hex()} for e in entries])
            return
        if not entries:
            click.echo(_("The audit log has no such entries."))
        for e in entries:
            details = json.dumps(e.details, ensure_ascii=False, sort_keys=True)
            click.echo(f"{e.idx}\t{e.at}\t{e.kind}\t{e.actor}\t{details}")

    @audit.command(
        help=_(
            "Print the proof that entry INDEX is in the log (RFC 9162), checked before it is "
            "printed."
        )
    )
    @node_dir_argument
    @click.argument("index", type=click.IntRange(0))
    @click.option(
        "--size",
        type=click.IntRange(1),
        help=_("Size of the tree to prove it in (default: the whole log)."),
    )
    def prove(node_dir: Path, index: int, size: int | None) -> None:
        from paridad.audit import merkle
        from paridad.audit.log import AuditError, AuditLog

        with _opened(node_dir) as (_node, db):
            log = AuditLog(db)
            tree = log.size() if size is None else size
            path = log.inclusion(index, tree)
            root = log.root(tree)
            entry = log.entry(index)
        # Hash the entry as re-derived, not the stored leaf: a proof of an edited entry fails.
        leaf = merkle.leaf_hash(entry.body()) if entry is not None else b""
        if not merkle.verify_inclusion(leaf, index, tree, path, root):
            raise AuditError(MSG_PROOF_FAILS, index=index)
        echo_json(
            {
                "index": index,
                "size": tree,
                "leaf": leaf.hex(),
                "root": root.hex(),
                "path": [p.hex() for p in path],
            }
        )

    @audit.command(help=_("Sign the log's current tree head and print it as JSON."))
    @node_dir_argument
    def head(node_dir: Path) -> None:
        from paridad.audit.heads import sign_head
        from paridad.audit.log import AuditLog

        with _opened(node_dir) as (node, db):
            signed = sign_head(AuditLog(db), node.identity(), node.config.name)
        echo_json(signed.to_dict())

    return audit
