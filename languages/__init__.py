"""The languages of the site: those news is written in (`settings.CONTENT_LANGUAGES`), the
official ones the site's own words are in (`settings.LANGUAGES`), and the one that holds while
a request is answered. English is served at the unprefixed addresses; every other
content language under its code (`/ru/news/…`), with the site's words in that language or, for a
language without a catalogue, the nearest official one (Russian for Tajik, say)."""
