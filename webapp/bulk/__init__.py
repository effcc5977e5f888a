"""Bulk assignment: many attendees at once from typed rows, a paste or a CSV file."""
