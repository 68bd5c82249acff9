"""The clkhash + anonlink side of ``paridad bench link``, run in the peers' own environment.

clkhash and anonlink pin an old ``cryptography`` (< 41) and ``bitarray``, which cannot live
beside Paridad's, so :mod:`paridad.bench.link` runs this file with the interpreter of a
separate virtual environment (``.venv-peers``) and talks to it through two JSON files. It
imports nothing from Paridad.

Usage: ``python link_anonlink.py TASK.json RESULT.json``, where the task is either
``{"task": "febrl", ...}`` (encode two CSV files with clkhash, link with anonlink) or
``{"task": "dice", ...}`` (all-pairs Dice on filters Paridad wrote, for throughput).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any

# The FEBRL4 schema for clkhash: every column, bigrams for text, positional unigrams for
# numbers, more bits for the identifying fields. Written for this benchmark.
FEBRL_FIELDS = (
    ("rec_id", None, 0),
    ("given_name", "ngram2", 30),
    ("surname", "ngram2", 30),
    ("street_number", "ngram1p", 10),
    ("address_1", "ngram2", 10),
    ("address_2", "ngram2", 8),
    ("suburb", "ngram2", 10),
    ("postcode", "ngram1p", 10),
    ("state", "ngram2", 5),
    ("date_of_birth", "ngram1p", 15),
    ("soc_sec_id", "ngram1p", 15),
)


def _schema() -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for name, kind, bits in FEBRL_FIELDS:
        if kind is None:
            features.append({"identifier": name, "ignored": True})
            continue
        comparison = (
            {"type": "ngram", "n": 2}
            if kind == "ngram2"
            else {"type": "ngram", "n": 1, "positional": True}
        )
        features.append(
            {
                "identifier": name,
                "format": {"type": "string", "encoding": "utf-8"},
                "hashing": {
                    "comparison": comparison,
                    "strategy": {"bitsPerToken": bits},
                    "hash": {"type": "blakeHash"},
                    "missingValue": {"sentinel": ""},
                },
            }
        )
    return {
        "version": 3,
        "clkConfig": {
            "l": 1024,
            "kdf": {
                "type": "HKDF",
                "hash": "SHA256",
                "salt": "cGFyaWRhZC1iZW5jaA==",
                "info": "ZmVicmw0",
                "keySize": 64,
            },
        },
        "features": features,
    }


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def febrl(task: dict[str, Any]) -> dict[str, Any]:
    from anonlink.candidate_generation import find_candidate_pairs
    from anonlink.similarities import dice_coefficient_accelerated
    from anonlink.solving import greedy_solve
    from clkhash.clk import generate_clk_from_csv
    from clkhash.schema import from_json_dict

    schema = from_json_dict(_schema())
    started = time.perf_counter()
    clks = []
    for path in (task["left"], task["right"]):
        with open(path, encoding="utf-8") as fh:
            clks.append(
                generate_clk_from_csv(fh, task["secret"], schema, progress_bar=False, max_workers=1)
            )
    encoded = time.perf_counter()
    candidates = find_candidate_pairs(clks, dice_coefficient_accelerated, task["threshold"])
    groups = greedy_solve(candidates)
    done = time.perf_counter()
    pairs = []
    for group in groups:
        members = sorted(group)
        if len(members) == 2:
            pairs.append([members[0][1], members[1][1]])
    return {
        "pairs": pairs,
        "encode_seconds": encoded - started,
        "link_seconds": done - encoded,
        "peak_rss_mb": _peak_mb(),
    }


def dice(task: dict[str, Any]) -> dict[str, Any]:
    from anonlink.similarities import dice_coefficient_accelerated
    from bitarray import bitarray

    def load(path: str, n: int, nbytes: int) -> list[Any]:
        with open(path, "rb") as fh:
            data = fh.read()
        out = []
        for i in range(n):
            filt = bitarray(endian="little")
            filt.frombytes(data[i * nbytes : (i + 1) * nbytes])
            out.append(filt)
        return out

    left = load(task["left"], task["n_left"], task["bytes"])
    right = load(task["right"], task["n_right"], task["bytes"])
    started = time.perf_counter()
    scores, _ = dice_coefficient_accelerated([left, right], task["threshold"])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "found": len(scores), "peak_rss_mb": _peak_mb()}


def main() -> None:
    task_path, result_path = sys.argv[1], sys.argv[2]
    with open(task_path, encoding="utf-8") as fh:
        task = json.load(fh)
    result = febrl(task) if task["task"] == "febrl" else dice(task)
    with open(result_path, "w", encoding="utf-8") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
