"""The public side of the meetings and conferences (news/models/events.py): the listing and its
filters, the series and event pages, and the calendars and feeds."""
