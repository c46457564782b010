"""Runs a function of the benchmark inside Django, in a process of its own with the server's
environment (production settings):

    python -m bench.in_django bench.back_office:report ARGUMENT…

Django is set up before the module is imported, so that the benchmark's Django-side modules
(bench/back_office.py, bench/desk_plans.py) import the project's models at their top like any
other module. The function prints its answer (one JSON document) on standard output."""

import importlib
import sys

import django


def main(argv):
    target, *arguments = argv
    module_name, function = target.split(":")
    django.setup()
    getattr(importlib.import_module(module_name), function)(arguments)


if __name__ == "__main__":
    main(sys.argv[1:])
