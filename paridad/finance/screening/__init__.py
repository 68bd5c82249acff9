"""Screening of persons and companies against designation lists (OFAC's SDN, the UIF's
blocked persons, and any list published as FtM entities).

The lists come in the format OpenSanctions publishes them in (FollowTheMoney entities, one
per line, ``Sanction`` entities pointing at the designated party). Candidates are found with
nomenklatura's token index, so a customer file is never compared with every listed name,
and scored with its ``logic-v2`` matcher, the one sanctions screening services use: it knows
name parts, transliteration, company forms ("S.A. de C.V.", "LLC"), and lowers a score when
a birth date, gender or country disagrees. Every hit keeps the features that scored it.
"""

# Above yente's 0.7: Mexican company names share generic trade words ("Importadora y
# Exportadora ..., S.A. de C.V."), and two different companies that share them and one
# distinctive word score 0.70-0.74 under logic-v2. Real variants (accents, word order,
# company form written differently, a missing second surname) score 0.85 and above.
# Kept here, away from the matcher's imports, so the command line can show it cheaply.
DEFAULT_THRESHOLD = 0.8
