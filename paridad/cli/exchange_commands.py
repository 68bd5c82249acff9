"""Commands for working with a partner: serve, partners, agreements, share, requests,
recalls, consent, use receipts, the outbox and reciprocity figures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from paridad.cli.output import echo_json
from paridad.i18n import _
from paridad.model.vocabularies import vocabulary
from paridad.node import Node

NodeOption = Callable[[Callable[..., Any]], Callable[..., Any]]


def _yaml_file(path: Path, error: Callable[[str], Exception]) -> Any:
    """A YAML document from a file; a file that is not YAML gets the caller's translated error."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise error(str(exc).splitlines()[0]) from None


def _bad_card(_reason: str) -> Exception:
    from paridad.exchange.partners import MSG_CARD_NOT_OBJECT, InvalidCard

    return InvalidCard(MSG_CARD_NOT_OBJECT)


def _bad_agreement(reason: str) -> Exception:
    from paridad.policy.agreement import MSG_INVALID, InvalidAgreement

    return InvalidAgreement(MSG_INVALID, reason=reason)


def add_exchange_commands(
    cli: click.Group,
    node_group: click.Group,
    node_option: NodeOption,
    open_node: Callable[[Path | None], Node],
    group_cls: type[click.Group],
) -> None:
    from paridad.exchange.context import Exchange

    def exchange(node_dir: Path | None) -> Exchange:
        return Exchange(open_node(node_dir))

    purpose_choice = click.Choice(list(vocabulary("purpose").codes))
    reason_choice = click.Choice(list(vocabulary("refusal").codes))

    @node_group.command("card", help=_("Print this node's card for a partner (keys, certificate)."))
    @node_option
    @click.option("--url", required=True, help=_("Address partners reach this node at (https)."))
    def node_card(node_dir: Path | None, url: str) -> None:
        from paridad.exchange.partners import card_yaml, make_card

        click.echo(card_yaml(make_card(open_node(node_dir), url)), nl=False)

    @cli.command(help=_("Run the node's API over mutual TLS and deliver its outbox."))
    @node_option
    @click.option("--host", default="127.0.0.1", show_default=True, help=_("Address to listen on."))
    @click.option("--port", default=8443, show_default=True, type=int, help=_("Port to listen on."))
    def serve(node_dir: Path | None, host: str, port: int) -> None:
        from paridad.api.serve import serve as run

        node = open_node(node_dir)
        click.echo(
            _(
                "Node '{name}' listening on https://{host}:{port}",
                name=node.config.name,
                host=host,
                port=port,
            ),
            err=True,
        )
        run(node.path, host, port)

    @cli.group(cls=group_cls, help=_("Register partner nodes from their cards."))
    def partner() -> None:
        pass

    @partner.command("add", help=_("Add a partner from its CARD after checking its fingerprint."))
    @node_option
    @click.argument("card", type=click.Path(path_type=Path, dir_okay=False, exists=True))
    @click.option(
        "--fingerprint",
        required=True,
        help=_("The partner's signing-key fingerprint, as read to you out of band."),
    )
    def partner_add(node_dir: Path | None, card: Path, fingerprint: str) -> None:
        from paridad.exchange.partners import add_partner

        node = open_node(node_dir)
        added = add_partner(node.path, _yaml_file(card, _bad_card), fingerprint)
        click.echo(
            _(
                "Partner '{name}' ({country}, {agency}) added.",
                name=added.node,
                country=added.country,
                agency=added.agency,
            )
        )

    @partner.command("list", help=_("List registered partners."))
    @node_option
    def partner_list(node_dir: Path | None) -> None:
        from paridad.exchange.partners import load_partners

        for item in load_partners(open_node(node_dir).path).values():
            click.echo(
                f"{item.node}\t{item.country}\t{item.agency}\t{item.url}\t{item.fingerprint}"
            )

    @cli.group(cls=group_cls, help=_("Draft, sign, install and terminate agreements."))
    def agreement() -> None:
        pass

    @agreement.command("draft", help=_("Write an unsigned agreement with PARTNER from a template."))
    @node_option
    @click.argument("partner_name", metavar="PARTNER")
    @click.option(
        "--template",
        default="firearms-trafficking",
        show_default=True,
        help=_("Agreement template."),
    )
    @click.option(
        "--days",
        default=365,
        show_default=True,
        type=click.IntRange(1),
        help=_("Days the agreement is valid."),
    )
    @click.option(
        "--out",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Where to write the agreement (YAML)."),
    )
    def agreement_draft(
        node_dir: Path | None, partner_name: str, template: str, days: int, out: Path
    ) -> None:
        from paridad.exchange.workflows.agreements import draft

        with exchange(node_dir) as ex:
            drafted = draft(ex, partner_name, template, days=days)
        out.write_text(drafted.to_yaml(), encoding="utf-8")
        click.echo(
            _(
                "Agreement {id} drafted in {path}; both parties must sign it.",
                id=drafted.id,
                path=out,
            )
        )

    @agreement.command("sign", help=_("Add this node's signature to the agreement in FILE."))
    @node_option
    @click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
    def agreement_sign(node_dir: Path | None, file: Path) -> None:
        from paridad.policy.agreement import parse_agreement

        node = open_node(node_dir)
        signed = parse_agreement(_yaml_file(file, _bad_agreement)).sign(
            node.config.name, node.identity()
        )
        file.write_text(signed.to_yaml(), encoding="utf-8")
        click.echo(_("Signed by {node}.", node=node.config.name))

    @agreement.command("install", help=_("Install an agreement both parties signed."))
    @node_option
    @click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
    def agreement_install(node_dir: Path | None, file: Path) -> None:
        from paridad.policy.agreement import parse_agreement

        parsed = parse_agreement(_yaml_file(file, _bad_agreement))
        with exchange(node_dir) as ex:
            fresh = ex.install_agreement(parsed)
        if fresh:
            click.echo(
                _(
                    "Agreement {id} version {version} installed.",
                    id=parsed.id,
                    version=parsed.version,
                )
            )
        else:
            click.echo(
                _(
                    "Agreement {id} version {version} was already installed.",
                    id=parsed.id,
                    version=parsed.version,
                )
            )

    @agreement.command("list", help=_("List installed agreements."))
    @node_option
    def agreement_list(node_dir: Path | None) -> None:
        with exchange(node_dir) as ex:
            for item, terminated in ex.agreements():
                state = _("terminated") if terminated else item.status
                click.echo(
                    f"{item.id}\tv{item.version}\t{state}\t{item.valid_from}..{item.valid_until}"
                    f"\t{','.join(item.purposes)}"
                )

    @agreement.command("terminate", help=_("Terminate an agreement now; the partner is told."))
    @node_option
    @click.argument("agreement_id", metavar="ID")
    def agreement_terminate(node_dir: Path | None, agreement_id: str) -> None:
        from paridad.exchange.workflows.agreements import terminate

        with exchange(node_dir) as ex:
            terminate(ex, agreement_id)
        click.echo(
            _("Agreement {id} terminated; nothing crosses under it any more.", id=agreement_id)
        )

    @cli.command(help=_("Share entities with a partner, through the release gate."))
    @node_option
    @click.option("--to", "partner_name", required=True, help=_("Partner node."))
    @click.option("--purpose", required=True, type=purpose_choice, help=_("Purpose of the share."))
    @click.option("--case", help=_("Case reference."))
    @click.option("--entity", "entities", multiple=True, help=_("Entity id (repeatable)."))
    @click.option("--schema", help=_("Share every entity of this schema."))
    @click.option("--note", help=_("Note for the recipient."))
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def share(
        node_dir: Path | None,
        partner_name: str,
        purpose: str,
        case: str | None,
        entities: tuple[str, ...],
        schema: str | None,
        note: str | None,
        as_json: bool,
    ) -> None:
        from paridad.exchange.workflows.share import share as run

        with exchange(node_dir) as ex:
            ids = list(entities) or ex.entity_ids(schema)
            result = run(ex, partner_name, purpose, ids, case=case, note=note)
        if as_json:
            echo_json(result.to_dict())
            return
        click.echo(
            _(
                "{released} released to {partner} in {envelopes} signed batches; "
                "{refused} held back by the release gate.",
                released=result.released,
                partner=partner_name,
                envelopes=len(result.envelopes),
                refused=sum(result.refused.values()),
            )
        )
        for code, count in sorted(result.refused.items()):
            label = vocabulary("refusal").term(code).label()
            click.echo(f"  {label}: {count}")

    @cli.group(cls=group_cls, help=_("Requests for information (RFI) to and from partners."))
    def rfi() -> None:
        pass

    @rfi.command("send", help=_("Send a request for information to a partner."))
    @node_option
    @click.option("--to", "partner_name", required=True, help=_("Partner node."))
    @click.option("--purpose", required=True, type=purpose_choice, help=_("Purpose."))
    @click.option("--case", required=True, help=_("Case reference."))
    @click.option("--question", required=True, help=_("What is asked."))
    @click.option("--legal-basis", help=_("Legal basis (default: the agreement's)."))
    def rfi_send(
        node_dir: Path | None,
        partner_name: str,
        purpose: str,
        case: str,
        question: str,
        legal_basis: str | None,
    ) -> None:
        from paridad.exchange.workflows.requests import send_rfi

        with exchange(node_dir) as ex:
            rfi_id = send_rfi(ex, partner_name, purpose, case, question, legal_basis=legal_basis)
        click.echo(rfi_id)

    @rfi.command("list", help=_("List requests for information, both directions."))
    @node_option
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def rfi_list(node_dir: Path | None, as_json: bool) -> None:
        from paridad.exchange.workflows.requests import expire_requests, list_requests

        with exchange(node_dir) as ex:
            expire_requests(ex)
            found = list_requests(ex, kind="rfi")
        if as_json:
            echo_json([r.__dict__ for r in found])
            return
        for r in found:
            reason = vocabulary("refusal").term(r.reason).label() if r.reason else ""
            click.echo(f"{r.id}\t{r.direction}\t{r.partner}\t{r.state}\t{r.deadline}\t{reason}")

    @rfi.command("answer", help=_("Answer an RFI with entities (through the release gate)."))
    @node_option
    @click.argument("rfi_id", metavar="RFI")
    @click.option("--entity", "entities", multiple=True, required=True, help=_("Entity id."))
    @click.option("--partial", is_flag=True, help=_("Mark the answer as partial."))
    @click.option("--note", help=_("Note for the requester."))
    def rfi_answer(
        node_dir: Path | None,
        rfi_id: str,
        entities: tuple[str, ...],
        partial: bool,
        note: str | None,
    ) -> None:
        from paridad.exchange.workflows.requests import answer_rfi

        with exchange(node_dir) as ex:
            result = answer_rfi(ex, rfi_id, list(entities), partial=partial, note=note)
        click.echo(
            _(
                "{released} released; {refused} held back by the release gate.",
                released=result.released,
                refused=sum(result.refused.values()),
            )
        )

    @rfi.command("refuse", help=_("Refuse an RFI with a reason."))
    @node_option
    @click.argument("rfi_id", metavar="RFI")
    @click.option("--reason", required=True, type=reason_choice, help=_("Reason code."))
    @click.option("--note", help=_("Note for the requester."))
    def rfi_refuse(node_dir: Path | None, rfi_id: str, reason: str, note: str | None) -> None:
        from paridad.exchange.workflows.requests import refuse_rfi

        with exchange(node_dir) as ex:
            refuse_rfi(ex, rfi_id, reason, note=note)
        click.echo(_("Refused: {reason}", reason=vocabulary("refusal").term(reason).label()))

    @cli.group(cls=group_cls, help=_("Ask for, grant or refuse the originator's consent."))
    def consent() -> None:
        pass

    @consent.command("request", help=_("Ask the originator for consent to use its data."))
    @node_option
    @click.option("--to", "partner_name", required=True, help=_("Originating partner."))
    @click.option("--entity", "entities", multiple=True, required=True, help=_("Entity id."))
    @click.option(
        "--use",
        required=True,
        type=click.Choice(["onward-sharing", "judicial"]),
        help=_("Use that needs consent."),
    )
    @click.option("--case", required=True, help=_("Case reference."))
    @click.option("--justification", required=True, help=_("Why it is needed."))
    def consent_request(
        node_dir: Path | None,
        partner_name: str,
        entities: tuple[str, ...],
        use: str,
        case: str,
        justification: str,
    ) -> None:
        from paridad.exchange.workflows.requests import request_consent

        with exchange(node_dir) as ex:
            click.echo(request_consent(ex, partner_name, list(entities), use, case, justification))

    @consent.command("answer", help=_("Grant or refuse a consent request."))
    @node_option
    @click.argument("request_id", metavar="REQUEST")
    @click.option("--grant/--refuse", required=True, help=_("Grant or refuse."))
    @click.option("--reason", type=reason_choice, help=_("Reason code (for a refusal)."))
    @click.option("--note", help=_("Note."))
    def consent_answer(
        node_dir: Path | None, request_id: str, grant: bool, reason: str | None, note: str | None
    ) -> None:
        from paridad.exchange.workflows.requests import answer_consent

        with exchange(node_dir) as ex:
            answer_consent(ex, request_id, grant, reason=reason, note=note)
        click.echo(_("Consent granted.") if grant else _("Consent refused."))

    @cli.command(help=_("Recall entities shared by mistake; the partner purges and confirms."))
    @node_option
    @click.option("--to", "partner_name", required=True, help=_("Partner node."))
    @click.option("--entity", "entities", multiple=True, required=True, help=_("Entity id."))
    @click.option("--reason", required=True, help=_("Why they are recalled."))
    def recall(
        node_dir: Path | None, partner_name: str, entities: tuple[str, ...], reason: str
    ) -> None:
        from paridad.exchange.workflows.recall import recall as run

        with exchange(node_dir) as ex:
            click.echo(run(ex, partner_name, list(entities), reason))

    @cli.command("use", help=_("Record a view or use of partner data; the originator is told."))
    @node_option
    @click.option("--entity", "entities", multiple=True, required=True, help=_("Entity id."))
    @click.option(
        "--kind",
        "use",
        default="view",
        type=click.Choice(["view", "use"]),
        show_default=True,
        help=_("View or use."),
    )
    @click.option("--role", required=True, help=_("Role of the user (analyst, supervisor…)."))
    @click.option("--purpose", required=True, type=purpose_choice, help=_("Purpose."))
    @click.option("--case", help=_("Case reference."))
    def use_cmd(
        node_dir: Path | None,
        entities: tuple[str, ...],
        use: str,
        role: str,
        purpose: str,
        case: str | None,
    ) -> None:
        from paridad.exchange.workflows.receipts import record_use

        with exchange(node_dir) as ex:
            sent = record_use(ex, list(entities), use=use, role=role, purpose=purpose, case=case)
        click.echo(_("Recorded; {count} originators notified.", count=sent))

    @cli.command(help=_("Show what waits in the outbox and what failed."))
    @node_option
    def outbox(node_dir: Path | None) -> None:
        with exchange(node_dir) as ex:
            rows = ex.db.query(
                "SELECT recipient, COUNT(*), MAX(attempts), MAX(last_error) FROM outbox"
                " WHERE delivered_at IS NULL GROUP BY recipient ORDER BY recipient"
            )
            delivered = ex.db.query("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL")
        click.echo(_("{count} envelopes delivered.", count=delivered[0][0]))
        for recipient, count, attempts, error in rows:
            click.echo(
                _(
                    "{count} pending for {partner} (attempts: {attempts}) {error}",
                    count=count,
                    partner=recipient,
                    attempts=attempts,
                    error=error or "",
                )
            )

    @cli.command(help=_("Reciprocity figures per agreement."))
    @node_option
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def reciprocity(node_dir: Path | None, as_json: bool) -> None:
        from paridad.cli.render import reciprocity_text
        from paridad.exchange.reciprocity import reciprocity as figures

        with exchange(node_dir) as ex:
            found = figures(ex)
        if as_json:
            echo_json([f.to_dict() for f in found])
        else:
            click.echo(reciprocity_text(found))

    @cli.command(help=_("Delete received data whose retention has ended (serve does it too)."))
    @node_option
    def retention(node_dir: Path | None) -> None:
        from paridad.exchange.workflows.retention import expire_retention

        with exchange(node_dir) as ex:
            click.echo(_("{count} received entities deleted.", count=expire_retention(ex)))
