"""The analysts' workbench on each node: the bilingual web pages through which analysts,
liaison officers, supervisors, auditors and administrators sign in to their own node and work
its data and the partner's, with every account, sign-in and view of partner data kept on that
node and recorded in its audit log, so each agency alone decides who sees what it holds."""
