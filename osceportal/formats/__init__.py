"""Date and time formats of the public site where they differ from Django's for a language
(settings.FORMAT_MODULE_PATH): one package a language, as in django/conf/locale/. Anything not
set here is Django's format for the language."""
