"""``paridad trace run|request|requests|answer|disclosed``: tracing inside the node, trace
requests between nodes, and traces from hit/no-hit disclosures. Each command parses its
options and calls one function of the core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from paridad import settings
from paridad.cli.output import echo_json
from paridad.errors import NodeError
from paridad.i18n import N_, _
from paridad.model.vocabularies import vocabulary
from paridad.node import Node

MSG_NO_NODE = N_("Say which node to use: --node DIR or PARIDAD_NODE.")
MSG_ANSWER_WHAT = N_("Name a trace request to answer, or use --pending.")

_node_option = click.option(
    "--node",
    "node_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=N_("Node directory (default: PARIDAD_NODE)."),
)


def _open(node_dir: Path | None) -> Node:
    default = settings.default_node()
    chosen = node_dir or (Path(default) if default else None)
    if chosen is None:
        raise NodeError(MSG_NO_NODE)
    return Node.open(chosen)


def _with_help(command: click.Command) -> click.Command:
    """Help texts of options translated when the command is built (the language is set)."""
    for param in command.params:
        if isinstance(param, click.Option) and param.help:
            param.help = _(param.help)
    return command


def add_trace_subcommands(group: click.Group) -> None:
    """Add ``run``, ``request``, ``requests``, ``answer`` and ``disclosed`` to the ``paridad
    trace`` group."""
    from paridad.exchange.context import Exchange

    def exchange(node_dir: Path | None) -> Exchange:
        return Exchange(_open(node_dir))

    refusal_choice = click.Choice(list(vocabulary("refusal").codes))
    purpose_choice = click.Choice(list(vocabulary("purpose").codes))

    @group.command("run", help=_("Trace this node's recoveries against its own acquisitions."))
    @_node_option
    @click.option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
    def run(node_dir: Path | None, as_json: bool) -> None:
        from paridad.trace.in_node import trace_in_node

        with exchange(node_dir) as ex:
            result = trace_in_node(ex)
        if as_json:
            echo_json(result.to_dict())
            return
        click.echo(
            _(
                "{traced} of {recoveries} recoveries traced against {acquisitions} acquisitions;"
                " {removed} earlier traces no longer hold and were removed.",
                traced=result.traced,
                recoveries=result.recoveries,
                acquisitions=result.acquisitions,
                removed=result.removed,
            )
        )
        for code, count in sorted(result.by_serial_match.items()):
            click.echo(f"  {vocabulary('serial_match').term(code).label()}: {count}")

    @group.command(
        "request", help=_("Send a trace request for RECOVERY (an entity id) to a partner.")
    )
    @_node_option
    @click.argument("recovery")
    @click.option("--to", "partner", required=True, help=N_("Partner node."))
    @click.option("--agency", help=N_("Requesting agency (default: the recovery's)."))
    @click.option("--agency-id", help=N_("Agency identifier (ORI)."))
    @click.option("--case", help=N_("Case or investigation number (default: the recovery's)."))
    @click.option("--officer", help=N_("Requesting officer."))
    @click.option("--contact", help=N_("Officer's telephone or e-mail."))
    @click.option("--urgency", default="routine", show_default=True, help=N_("routine or urgent."))
    @click.option("--urgency-reason", help=N_("Why the request is urgent."))
    @click.option("--crime", help=N_("Reason for recovery (crime type code)."))
    @click.option(
        "--purpose",
        default="firearms-trafficking",
        show_default=True,
        type=purpose_choice,
        help=N_("Purpose of the request."),
    )
    @click.option("--legal-basis", help=N_("Legal basis (default: the agreement's)."))
    @click.option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
    def request(
        node_dir: Path | None,
        recovery: str,
        partner: str,
        agency: str | None,
        agency_id: str | None,
        case: str | None,
        officer: str | None,
        contact: str | None,
        urgency: str,
        urgency_reason: str | None,
        crime: str | None,
        purpose: str,
        legal_basis: str | None,
        as_json: bool,
    ) -> None:
        from paridad.exchange.workflows.tracing import send_trace_request

        stated: dict[str, Any] = {
            "requesting_agency": agency,
            "agency_identifier": agency_id,
            "case_number": case,
            "officer": officer,
            "officer_contact": contact,
            "urgency": urgency,
            "urgency_reason": urgency_reason,
            "crime_type": crime,
        }
        with exchange(node_dir) as ex:
            request_id = send_trace_request(
                ex,
                partner,
                recovery,
                {k: v for k, v in stated.items() if v},
                purpose=purpose,
                legal_basis=legal_basis,
            )
        if as_json:
            echo_json({"request": request_id, "to": partner, "recovery": recovery})
            return
        click.echo(
            _("Trace request {request} sent to {partner}.", request=request_id, partner=partner)
        )

    @group.command("requests", help=_("List trace requests, sent and received, with their states."))
    @_node_option
    @click.option(
        "--direction",
        type=click.Choice(["in", "out"]),
        help=N_("Only received (in) or sent (out)."),
    )
    @click.option("--state", help=N_("Only requests in this state."))
    @click.option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
    def requests(
        node_dir: Path | None, direction: str | None, state: str | None, as_json: bool
    ) -> None:
        from paridad.exchange.workflows.tracing import list_trace_requests

        with exchange(node_dir) as ex:
            found = list_trace_requests(ex, direction=direction, state=state)
        if as_json:
            echo_json([r.to_dict() for r in found])
            return
        if not found:
            click.echo(_("No trace requests."))
        for r in found:
            due = r.deadline + (" " + _("(overdue)") if r.overdue else "")
            ttc = "" if r.ttc_days is None else _("TTC {days} days", days=r.ttc_days)
            score = "" if r.score is None else f"{r.score:.2f}"
            click.echo(
                "\t".join(
                    [
                        r.id,
                        r.direction,
                        r.partner,
                        r.state,
                        r.reason or "",
                        due,
                        r.recovery,
                        r.trace or "",
                        score,
                        ttc,
                    ]
                ).rstrip()
            )

    @group.command("answer", help=_("Answer a received trace request, or refuse it with a reason."))
    @_node_option
    @click.argument("request_id", metavar="REQUEST", required=False)
    @click.option("--refuse", "reason", type=refusal_choice, help=N_("Refuse with this reason."))
    @click.option("--note", help=N_("Note for the partner."))
    @click.option(
        "--pending",
        is_flag=True,
        help=N_("Answer every open request the agreement lets this node answer by itself."),
    )
    @click.option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
    def answer(
        node_dir: Path | None,
        request_id: str | None,
        reason: str | None,
        note: str | None,
        pending: bool,
        as_json: bool,
    ) -> None:
        from paridad.exchange.workflows.tracing import (
            answer_trace_request,
            process_trace_requests,
            refuse_trace_request,
        )

        with exchange(node_dir) as ex:
            if pending:
                done = process_trace_requests(ex)
                if as_json:
                    echo_json({"answered": done})
                else:
                    click.echo(_("{count} trace requests answered by the agreement.", count=done))
                return
            if not request_id:
                raise click.UsageError(_(MSG_ANSWER_WHAT))
            if reason:
                result = refuse_trace_request(ex, request_id, reason, note=note)
            else:
                result = answer_trace_request(ex, request_id, note=note)
        if as_json:
            echo_json(result.to_dict())
            return
        state = _(
            {"answered": N_("answered"), "no-trace": N_("no trace"), "refused": N_("refused")}[
                result.state
            ]
        )
        click.echo(_("Trace request {request}: {state}.", request=request_id, state=state))
        if result.trace:
            click.echo(
                _(
                    "Trace {trace} (score {score}) sent through the release gate: {released}"
                    " records released, {refused} held back.",
                    trace=result.trace,
                    score=f"{result.score:.2f}" if result.score is not None else "-",
                    released=result.released,
                    refused=sum((result.refused or {}).values()),
                )
            )

    @group.command(
        "disclosed",
        help=_(
            "Trace the recoveries of confirmed serial hits against the sales their disclosure"
            " brought (step two of hit/no-hit)."
        ),
    )
    @_node_option
    @click.option("--json", "as_json", is_flag=True, help=N_("Print JSON."))
    def disclosed(node_dir: Path | None, as_json: bool) -> None:
        from paridad.trace.from_disclosure import trace_disclosed

        with exchange(node_dir) as ex:
            result = trace_disclosed(ex)
        if as_json:
            echo_json(result.to_dict())
            return
        click.echo(
            _(
                "{traced} recoveries traced from {hits} confirmed serial hits; {waiting} "
                "disclosures not answered yet, {untraced} answered without a matching sale; "
                "{removed} earlier traces no longer hold and were removed.",
                traced=len(result.traces),
                hits=result.hits,
                waiting=len(result.waiting),
                untraced=len(result.untraced),
                removed=result.removed,
            )
        )
        for t in result.traces:
            click.echo(
                "  "
                + _(
                    "{recovery}: serial {read} as read, {sold} as sold by {dealer} ({state}) on "
                    "{sold_on}; time-to-crime {ttc} days, score {score}",
                    recovery=t.recovery,
                    read=t.serial_read or "-",
                    sold=t.serial_sold or "-",
                    dealer=t.dealer or "-",
                    state=t.dealer_state or "-",
                    sold_on=t.sold_on or "-",
                    ttc="-" if t.ttc_days is None else t.ttc_days,
                    score=f"{t.score:.2f}",
                )
            )

    for name in ("run", "request", "requests", "answer", "disclosed"):
        _with_help(group.commands[name])
