"""Knowledge-base administration: the database copy of the patterns, its audit trail and live reload."""
