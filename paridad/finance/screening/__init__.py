"""Screening of persons and companies against designation lists (OFAC's SDN, the UIF's
blocked persons, and any list published as FtM entities).

The lists come in the format OpenSanctions publishes them in (FollowTheMoney entities, one
per line, ``Sanction`` entities pointing at the designated party). Candidates are found with
nomenklatura's token index, so a customer file is never compared with every listed name,
and scored with its ``logic-v2`` matcher, the one sanctions screening services use: it knows
name parts, transliteration, company forms ("S.A. de C.V.", "LLC"), and lowers a score when
a birth date, gender or country disagrees. Every hit keeps the features that scored it.
"""
