"""How the names of the taxonomy are compared, wherever a name comes from outside (an import
line, an alias, an old link): case and spacing ignored, with or without the "OSCE " prefix and a
trailing " (closed)"."""


def normalise_name(name):
    key = " ".join(str(name).split()).casefold()
    key = key.removeprefix("osce ")
    return key.removesuffix(" (closed)")
