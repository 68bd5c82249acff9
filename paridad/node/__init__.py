"""A node: one agency's sovereign installation, a directory with its configuration and store.

``node.yaml`` says who the node is (country, agency) and where its store lives; ``keys/``
holds its signing and key-agreement keys (see :mod:`paridad.exchange.identity`). The store is a
SQLite file next to it unless the node was created with ``PARIDAD_DATABASE_URL`` set, in which
case it is a PostgreSQL schema of its own (so two nodes can share one database server without
sharing a table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from paridad import settings
from paridad.errors import NodeError
from paridad.exchange.identity import KEY_DIR, NodeIdentity
from paridad.i18n import N_
from paridad.store import Store, open_store

CONFIG_FILE = "node.yaml"
STORE_FILE = "store.sqlite"
COUNTRIES = ("MX", "US")

MSG_EXISTS = N_("{path} is already a Paridad node.")
MSG_NOT_A_NODE = N_(
    "{path} is not a Paridad node (no {file}); create one with 'paridad node init'."
)
MSG_BAD_COUNTRY = N_("Country must be MX or US, not '{country}'.")
MSG_BAD_AGENCY = N_("Agency must be a short name of 1 to 80 characters, not '{agency}'.")
MSG_SCHEMA_IN_USE = N_(
    "The database already holds a node named '{name}'; give this node another --name."
)
MSG_BAD_CONFIG = N_("The node configuration {path} is damaged: {reason}")


@dataclass(frozen=True)
class NodeConfig:
    name: str
    country: str
    agency: str
    created_at: str
    database_url: str | None = None

    def to_dict(self) -> dict[str, str]:
        data = {
            "name": self.name,
            "country": self.country,
            "agency": self.agency,
            "created_at": self.created_at,
        }
        if self.database_url:
            data["database_url"] = self.database_url
        return data


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40] or "node"


class Node:
    def __init__(self, path: Path, config: NodeConfig) -> None:
        self.path = path
        self.config = config

    @property
    def store_url(self) -> str:
        return self.config.database_url or str(self.path / STORE_FILE)

    def open_store(self) -> Store:
        return open_store(self.store_url)

    def identity(self) -> NodeIdentity:
        """The node's signing and key-agreement keys, made at ``node init``.

        A node created before nodes had keys gets them on first use; an existing but damaged
        or exposed key is an error, never silently replaced (partners pinned its fingerprint).
        """
        if not (self.path / KEY_DIR).exists():
            NodeIdentity.generate().save(self.path)
        return NodeIdentity.load(self.path)

    @classmethod
    def init(cls, path: Path, country: str, agency: str, name: str | None = None) -> Node:
        code = country.strip().upper()
        if code not in COUNTRIES:
            raise NodeError(MSG_BAD_COUNTRY, country=country)
        agency = agency.strip()
        if not agency or len(agency) > 80 or any(ord(c) < 32 for c in agency):
            raise NodeError(MSG_BAD_AGENCY, agency=agency)
        if (path / CONFIG_FILE).exists():
            raise NodeError(MSG_EXISTS, path=str(path))
        node_name = name or f"{code.lower()}-{_slug(agency)}"
        url = settings.database_url()
        if url:
            joiner = "&" if "?" in url else "?"
            url = f"{url}{joiner}schema=node_{_slug(node_name)}"
        config = NodeConfig(
            name=node_name,
            country=code,
            agency=agency,
            created_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            database_url=url,
        )
        path.mkdir(parents=True, exist_ok=True)
        node = cls(path, config)
        with node.open_store() as store:  # create the schema now, so errors show at init
            if url and (store.runs() or store.entity_count()):
                raise NodeError(MSG_SCHEMA_IN_USE, name=node_name)
        NodeIdentity.generate().save(path)
        with (path / CONFIG_FILE).open("w", encoding="utf-8") as fh:
            yaml.safe_dump(config.to_dict(), fh, allow_unicode=True, sort_keys=True)
        return node

    @classmethod
    def open(cls, path: Path) -> Node:
        config_path = path / CONFIG_FILE
        if not config_path.is_file():
            raise NodeError(MSG_NOT_A_NODE, path=str(path), file=CONFIG_FILE)
        try:
            with config_path.open(encoding="utf-8") as fh:
                data = yaml.safe_load(fh)
            config = NodeConfig(
                name=str(data["name"]),
                country=str(data["country"]),
                agency=str(data["agency"]),
                created_at=str(data["created_at"]),
                database_url=data.get("database_url"),
            )
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            raise NodeError(MSG_BAD_CONFIG, path=str(config_path), reason=str(exc)) from None
        if config.country not in COUNTRIES:
            raise NodeError(MSG_BAD_COUNTRY, country=config.country)
        return cls(path, config)
