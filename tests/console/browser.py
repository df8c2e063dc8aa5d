"""The console in a real browser: Debian's Chromium driven by Playwright, against the local API.

python browser.py <base URL> <axe.min.js> <output dir>

Loads / with no console error and no request to another origin; generates with the defaults and a
passphrase setting; evaluates `password` (score 0 and its warning); registers, sees the key, sees
usage go up after a generate, sets a hard limit; saves a 375 px and a desktop screenshot; runs
axe-core (no serious or critical violation). Exits non-zero on the first failure.
"""
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect, sync_playwright

BASE, AXE, OUT = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
OUT.mkdir(parents=True, exist_ok=True)
ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(BASE))


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAILED: {what}")


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors, elsewhere = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(ORIGIN) or r.url.startswith("blob:")
            or r.url.startswith("data:") else elsewhere.append(r.url))

    page.goto(BASE + "/")
    expect(page.get_by_role("heading", name="passwordapi", level=1)).to_be_visible()

    # Generate with the defaults: one 18-character password and its entropy.
    page.locator("input[name=count]").fill("3")
    page.get_by_role("button", name="Generate", exact=True).click()
    results = page.get_by_role("list", name="Results").locator("code")
    expect(results).to_have_count(3)
    check(all(len(r) == 18 for r in results.all_inner_texts()), "18-character passwords")
    page.locator("input[name=count]").fill("1")
    expect(page.locator("#generate-out")).to_contain_text("Entropy: 117.76 bits")
    page.get_by_role("button", name="Generate", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "console.png"))

    # A passphrase of 5 words separated by spaces.
    page.locator("input[name=mode][value=passphrase]").check()
    page.get_by_label("Words").fill("5")
    page.get_by_label("Separator").fill(" ")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.locator("#generate-out")).to_contain_text("5 words")
    phrase = page.get_by_role("list", name="Results").locator("code").first.inner_text()
    check(len(phrase.split(" ")) == 5, f"five words: {phrase!r}")

    # Evaluate `password` as one types: score 0 and its warning.
    page.locator("#evaluate-password").fill("password")
    out = page.locator("#evaluate-out")
    expect(out).to_contain_text("Score 0 of 4", timeout=15000)
    expect(out).to_contain_text("common password")

    # Register: the key and token shown once; usage goes up after a generate; a hard limit.
    page.get_by_label("Email").first.fill("console@example.com")
    page.get_by_role("button", name="Register", exact=True).click()
    secret = page.locator("#register-out code").first
    expect(secret).to_have_text(re.compile(r"^pwa_live_"))
    expect(page.locator("#key-state")).to_contain_text("Using a key")
    page.locator("#evaluate-password").fill("")
    page.locator("input[name=mode][value=password]").check()
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(results).to_have_count(1)
    page.get_by_role("button", name="Show usage").click()
    usage = page.locator("#usage-out")
    expect(usage).to_contain_text("1 of 100 requests used today")
    expect(page.locator("#quota")).to_contain_text("99 of 100 requests left today")
    page.get_by_label("Your own daily hard limit").fill("50")
    page.get_by_role("button", name="Set hard limit").click()
    expect(usage).to_contain_text("your hard limit: 50")
    check(page.locator("#usage-out svg rect").count() >= 1, "a usage chart")

    check(not errors, f"console errors: {errors}")
    # An error as the API gives it (the form's own checks pass: digits on, every digit excluded);
    # the browser reports the refused fetch, nothing else.
    page.get_by_label("Exclude characters").fill("0123456789")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.locator("#generate-out .error")).to_contain_text("INVALID_PARAMETER")

    page.screenshot(path=str(OUT / "console-desktop.png"), full_page=True)
    phone = browser.new_context(viewport={"width": 375, "height": 812}, color_scheme="dark")
    small = phone.new_page()
    small.goto(BASE + "/")
    overflow = small.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    check(not overflow, "no horizontal scrolling at 375 px")
    small.screenshot(path=str(OUT / "console-375-dark.png"), full_page=True)

    check(all("status of 400" in e for e in errors), f"console errors: {errors}")
    check(not elsewhere, f"requests to other origins: {elsewhere}")

    # Accessibility: axe-core, evaluated through the DevTools protocol (the page's policy admits
    # no script but its own), in light and dark.
    source = AXE.read_text()
    for name, target in [("desktop", page), ("375 px dark", small)]:
        target.evaluate(source)
        result = target.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        check(not serious, f"axe ({name}): " + json.dumps(
            [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
             for v in serious]))
    browser.close()
print("console in the browser: ok")
