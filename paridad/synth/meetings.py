"""The two GIS meetings and what they agreed, as each side records them.

Taken from ``data/meetings.yaml``, which quotes the Spanish news reports in ``shared/seeds/``.
Each side keeps its own Meeting and Commitment entities (its own ids; Spanish titles on the
Mexican side, English titles on the US side, the agreed wording quoted in Spanish on both).
Meeting records are public-facing: TLP:GREEN, H0.
"""

from __future__ import annotations

from datetime import date

from paridad.i18n import N_
from paridad.synth import catalog, markings
from paridad.synth.context import World

SIDES = (("mx", "SSPC"), ("us", "HSI"))


def generate(world: World) -> None:
    rng = world.rng("meetings")
    data = catalog.load_yaml("meetings.yaml")
    mechanism = str(data["mechanism"])
    count = 0
    for meeting in data["meetings"]:
        on = date.fromisoformat(str(meeting["date"]))
        ids: dict[str, str] = {}
        for side, agency in SIDES:
            marks = markings.draw(rng, agency, "meetings", on, handling="H0", tlp="GREEN")
            marks["releasability"] = ["MX", "US"]
            ids[side] = world.add(
                rng,
                "meetings",
                agency,
                "meeting",
                "Meeting",
                {
                    "name": meeting["name_es"] if side == "mx" else meeting["name_en"],
                    "date": on,
                    "city": meeting["city"],
                    "country": meeting["country"],
                    "location": meeting["city"],
                    "mechanism": mechanism,
                    "session": str(meeting["session"]),
                    "summary": meeting["summary"],
                    "delegationMx": list(meeting["delegation_mx"]),
                    "delegationUs": list(meeting["delegation_us"]),
                    "nextMeeting": str(meeting["next_meeting"]),
                },
                "meetings",
                on,
                marks=marks,
            )
            count += 1
        commitments = []
        for c in meeting["commitments"]:
            cids: dict[str, str] = {}
            for side, agency in SIDES:
                marks = markings.draw(rng, agency, "meetings", on, handling="H0", tlp="GREEN")
                marks["releasability"] = ["MX", "US"]
                cids[side] = world.add(
                    rng,
                    "meetings",
                    agency,
                    "commitment",
                    "Commitment",
                    {
                        "title": c["title_es"] if side == "mx" else c["title_en"],
                        "meeting": ids[side],
                        "lineOfWork": c["line"],
                        "responsible": c["responsible_mx"] if side == "mx" else c["responsible_us"],
                        "status": c["status"],
                        "dueDate": str(c["due"]),
                        "quote": c["quote"],
                        "date": on,
                    },
                    "meetings",
                    on,
                    marks=marks,
                )
                count += 1
            commitments.append(
                {
                    "key": c["key"],
                    "mx": cids["mx"],
                    "us": cids["us"],
                    "line": c["line"],
                    "status": c["status"],
                    "due": str(c["due"]),
                    "source": c["source"],
                }
            )
        world.truth.add(
            "meetings",
            {
                "key": meeting["key"],
                "date": on.isoformat(),
                "city": meeting["city"],
                "mx": ids["mx"],
                "us": ids["us"],
                "commitments": commitments,
            },
        )
    world.step(N_("meetings and commitments"), count)
