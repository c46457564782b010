"""axe-core run on a page, and its findings in words; shared by the public and back-office scans.

axe-core (MPL-2.0) comes inside the axe-playwright-python wheel, so nothing is fetched at run time.
"""

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = {"serious", "critical"}

axe = Axe()


def violations_on(page):
    return axe.run(page).response["violations"]


def blocking(violations):
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"       {summary[:300]}")
    return "\n".join(lines)
