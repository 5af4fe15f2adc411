"""Who is in a meeting: invitations, joins, leaves and in-meeting controls."""
