"""Hit/no-hit matching between sovereign nodes: each learns which of its records the other
also holds, and nothing else, before anything is disclosed (the EU Prüm pattern).

``identifiers`` turns phones, accounts, serials and the like into one canonical form each;
``psi`` is the Diffie–Hellman private set intersection over those forms. Neither touches the
network: the exchange carries their bytes. docs/psi.md has the protocol and its security.
"""
