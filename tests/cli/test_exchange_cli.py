"""The exchange commands from the shell's side: pairing by hand, and bad files refused with
translated errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.node import Node
from tests.cli.run import run


def test_operators_pair_two_nodes_with_the_commands(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mx, us = tmp_path / "mx", tmp_path / "us"
    assert run(capsys, "node", "init", str(mx), "--country", "MX", "--agency", "FGR")[0] == 0
    assert run(capsys, "node", "init", str(us), "--country", "US", "--agency", "ATF")[0] == 0
    for here, there, url in (
        (mx, us, "https://127.0.0.1:9001"),
        (us, mx, "https://127.0.0.1:9002"),
    ):
        code, card, _ = run(capsys, "node", "card", "--node", str(there), "--url", url)
        assert code == 0
        (tmp_path / "card.yaml").write_text(card, encoding="utf-8")
        fingerprint = Node.open(there).identity().signing_fingerprint
        code, out, _ = run(
            capsys,
            "partner",
            "add",
            "--node",
            str(here),
            str(tmp_path / "card.yaml"),
            "--fingerprint",
            fingerprint,
        )
        assert code == 0, out
    drafted = tmp_path / "agreement.yaml"
    code, out, err = run(
        capsys, "agreement", "draft", "--node", str(mx), "us-atf", "--out", str(drafted)
    )
    assert code == 0, err
    # Installing before both signed is refused, in Spanish when asked.
    code, _, err = run(
        capsys, "--lang", "es", "agreement", "install", "--node", str(mx), str(drafted)
    )
    assert code == 2 and "firmado" in err
    for node in (mx, us):
        assert run(capsys, "agreement", "sign", "--node", str(node), str(drafted))[0] == 0
    for node in (mx, us):
        code, out, _ = run(capsys, "agreement", "install", "--node", str(node), str(drafted))
        assert code == 0 and "installed" in out
    code, out, _ = run(capsys, "agreement", "list", "--node", str(us))
    assert "mx-fgr--us-atf--cortafuegos" in out and "active" in out
    code, out, _ = run(
        capsys,
        "rfi",
        "send",
        "--node",
        str(us),
        "--to",
        "mx-fgr",
        "--purpose",
        "firearms-trafficking",
        "--case",
        "C-1",
        "--question",
        "Trace?",
    )
    assert code == 0 and out.startswith("us-atf-rfi-")
    code, out, _ = run(capsys, "outbox", "--node", str(us))
    assert "1 pending for mx-fgr" in out
    code, out, _ = run(capsys, "reciprocity", "--node", str(us))
    assert code == 0 and "RFIs sent: 1" in out


@pytest.mark.parametrize("content", ["{not: [yaml", "- a list\n- not a card\n", "\x00\x01"])
def test_malformed_card_and_agreement_files_get_translated_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    node = tmp_path / "mx"
    run(capsys, "node", "init", str(node), "--country", "MX", "--agency", "FGR")
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    code, _, err = run(
        capsys,
        "--lang",
        "es",
        "partner",
        "add",
        "--node",
        str(node),
        str(bad),
        "--fingerprint",
        "00" * 32,
    )
    assert code == 2 and "tarjeta" in err.lower()
    code, _, err = run(
        capsys, "--lang", "es", "agreement", "install", "--node", str(node), str(bad)
    )
    assert code == 2 and "acuerdo" in err.lower()
    assert not (node / "partners").exists() or not list((node / "partners").glob("*.yaml"))
