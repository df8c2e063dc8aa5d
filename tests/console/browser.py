"""The console in a real browser: Debian's Chromium driven by Playwright, against the local API.

python browser.py <base URL> <axe.min.js> <output dir>

Loads / with no console error and no request to another origin; generates with the defaults, a
passphrase setting, a username and a known site's rules; evaluates `password` (score 0 and its warning); registers, sees the key (kept
nowhere until "use this key"), sees usage go up after a generate with its plan, month and
expiry and the key's audit trail, sets a hard limit and sees the event; regenerates
with an answer lost on the way (the retry carries the same Idempotency-Key and recovers the key);
works with site data blocked; with script disabled, submits every form and no secret reaches a URL;
saves a 375 px and a desktop screenshot; runs axe-core (no serious or critical violation). Exits
non-zero on the first failure.
"""
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect, sync_playwright

BASE, AXE, OUT = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
ROOT = Path(__file__).resolve().parents[2]
OUT.mkdir(parents=True, exist_ok=True)
ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(BASE))


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAILED: {what}")


def stored(page):
    """Everything the page keeps in its origin's storage."""
    return page.evaluate(
        "[...Object.values(sessionStorage), ...Object.values(localStorage)].join(' ')")


def regenerate_with_a_lost_answer(page, email, regen):
    """The first regeneration reaches the API, which answers; the browser never gets the answer
    (the connection drops). The person presses Regenerate again: the same Idempotency-Key goes
    out, and the API answers the same new key. A new attempt gets a new Idempotency-Key."""
    sent, lost = [], []

    def drop_the_first_answer(route):
        sent.append(route.request.headers.get("idempotency-key"))
        if not lost:
            lost.append(route.fetch().json())
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/v1/keys/regenerate", drop_the_first_answer)
    form = page.locator("#regenerate-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Regeneration token").fill(regen)
    page.get_by_role("button", name="Regenerate", exact=True).click()
    expect(page.locator("#regenerate-out .error")).to_contain_text("No answer from the API")
    check(lost and lost[0].get("api_key", "").startswith("pwa_live_"), f"the API answered: {lost}")
    page.get_by_role("button", name="Regenerate", exact=True).click()
    expect(page.locator("#regenerate-out code").first).to_have_text(lost[0]["api_key"])
    check(len(sent) == 2 and sent[0] and sent[0] == sent[1],
          f"one Idempotency-Key per attempt, reused on its retry: {sent}")
    check(re.fullmatch(r"[0-9a-f]{32}", sent[0] or ""), f"a random Idempotency-Key: {sent[0]}")
    # A new attempt (the new token) is a new regeneration, with a key of its own.
    form.get_by_label("Regeneration token").fill(lost[0]["regen_token"])
    page.get_by_role("button", name="Regenerate", exact=True).click()
    expect(page.locator("#regenerate-out code").first).not_to_have_text(lost[0]["api_key"])
    check(len(sent) == 3 and sent[2] != sent[0], f"a new attempt, a new key: {sent}")
    page.unroute("**/v1/keys/regenerate")
    return page.locator("#regenerate-out code").first.inner_text()


def with_site_data_blocked(browser):
    """Storage that throws on every access, as Chromium makes it when site data is blocked
    (`sessionStorage` itself throws SecurityError): the page still generates, registers and uses
    a key, and offers no "remember"."""
    context = browser.new_context()
    context.add_init_script("""
        for (const name of ["sessionStorage", "localStorage"]) {
          Object.defineProperty(window, name, { get() {
            throw new DOMException("Access is denied for this document.", "SecurityError"); } });
        }""")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(BASE + "/")
    check(page.evaluate("(() => { try { sessionStorage; return false; } catch { return true; } })()"),
          "storage throws in this context")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.get_by_role("list", name="Results").locator("code")).to_have_count(1)
    expect(page.locator("#key-remember")).to_be_disabled()
    page.locator("#register-form").get_by_label("Email").fill("blocked-storage@example.com")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.locator("#register-out code").first).to_have_text(re.compile(r"^pwa_live_"))
    page.get_by_role("button", name="Use this key on this page").click()
    expect(page.locator("#key-state")).to_contain_text("Using a key")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.locator("#quota")).to_contain_text("of 100 requests left today")
    check(not errors, f"page errors with storage blocked: {errors}")
    context.close()


def with_script_disabled(browser):
    """Without script, submitting any form sends nothing anywhere: no secret in a URL, in the
    browser's history or on the wire. Each form in a page of its own."""
    context = browser.new_context(java_script_enabled=False)
    secret_email, secret_token = "nojs@example.com", "pwa_regen_" + "A" * 40
    forms = {
        "Register": {"#register-form input[name=email]": secret_email},
        "Regenerate": {"#regenerate-form input[name=email]": secret_email,
                       "#regenerate-form input[name=regen_token]": secret_token},
        "Set hard limit": {"#hard-limit-form input[name=hard_limit]": "7"},
        "Generate": {"input[name=exclude]": "abc"},
    }
    for button, fields in forms.items():
        page = context.new_page()
        urls = []
        page.on("request", lambda r: urls.append(r.url))
        page.on("framenavigated", lambda f: urls.append(f.url))
        page.goto(BASE + "/")
        expect(page.locator("noscript")).to_be_attached()
        for selector, value in fields.items():
            page.locator(selector).fill(value)
        page.get_by_role("button", name=button, exact=True).click(no_wait_after=True)
        page.wait_for_timeout(400)
        for url in urls + [page.url]:
            for secret in ("nojs", "%40", "pwa_regen_", "regen_token", "email=", "exclude=",
                           "hard_limit", "?"):
                check(secret not in url, f"{button}: {secret!r} reached a URL: {url}")
        check(page.url == BASE + "/", f"{button}: the page stayed where it was: {page.url}")
        page.close()
    context.close()


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
    # The same in German: every word from the shipped German list.
    german = set((ROOT / "shared/data/words/de.txt").read_text(encoding="utf-8").split())
    page.locator("select[name=language]").select_option("de")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.locator("#generate-out")).to_contain_text("wordlist_de")
    phrase = page.get_by_role("list", name="Results").locator("code").first.inner_text()
    check(all(w in german for w in phrase.split(" ")), f"German words: {phrase!r}")
    page.locator("select[name=language]").select_option("")

    # A username: a capitalised word and three digits; the secret-only settings are hidden.
    page.locator("input[name=mode][value=username]").check()
    expect(page.get_by_label("Compliance preset")).to_be_hidden()
    page.get_by_label("Digits after the word").fill("3")
    page.get_by_label("Capitalize the word").check()
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.locator("#generate-out")).to_contain_text("one word")
    name = page.get_by_role("list", name="Results").locator("code").first.inner_text()
    check(name[0].isupper() and name[-3:].isdigit() and name[:-3].isalpha(), f"a username: {name!r}")
    expect(page.locator("#generate-out")).to_contain_text("Entropy: 22.88 bits")
    page.locator("input[name=mode][value=password]").check()
    expect(page.get_by_label("Compliance preset")).to_be_visible()

    # A known site's rules, picked from the shipped list.
    check(page.locator("datalist#sites option[value='apple.com']").count() == 1, "apple.com in the site picker")
    page.get_by_label("Or a known site's rules").fill("apple.com")
    page.get_by_role("button", name="Generate", exact=True).click()
    expect(page.locator("#generate-out")).to_contain_text("(passwordrules)")
    page.get_by_label("Or a known site's rules").fill("")

    # Evaluate `password` as one types: score 0 and its warning.
    page.locator("#evaluate-password").fill("password")
    out = page.locator("#evaluate-out")
    expect(out).to_contain_text("Score 0 of 4", timeout=15000)
    expect(out).to_contain_text("breach")
    # In German: the words of the German pack, and the texts in German.
    page.get_by_label("Language").select_option("de")
    expect(out).to_contain_text("Datenpanne", timeout=15000)
    page.locator("#evaluate-password").fill("schmetterling")
    expect(out).to_contain_text("Einzelne Wörter", timeout=15000)
    page.get_by_label("Language").select_option("")

    # Register: the key and token shown once; usage goes up after a generate; a hard limit.
    page.get_by_label("Email").first.fill("console@example.com")
    page.get_by_role("button", name="Register", exact=True).click()
    secret = page.locator("#register-out code").first
    expect(secret).to_have_text(re.compile(r"^pwa_live_"))
    regen = page.locator("#register-out code").nth(1).inner_text()
    check(regen.startswith("pwa_regen_"), "the regeneration token shown")
    check(secret.inner_text() not in stored(page), "a new key is kept nowhere until it is used")
    expect(page.locator("#key-state")).to_contain_text("No key")
    page.get_by_role("button", name="Use this key on this page").click()
    expect(page.locator("#key-state")).to_contain_text("Using a key")
    check(secret.inner_text() in stored(page), "a key chosen for use is kept for the tab")
    page.locator("#evaluate-password").fill("")
    page.locator("input[name=mode][value=password]").check()
    page.get_by_role("button", name="Generate", exact=True).click()
    # The keyed generate has answered once the header shows the key's quota.
    expect(page.locator("#quota")).to_contain_text("99 of 100 requests left today")
    expect(results).to_have_count(1)
    page.get_by_role("button", name="Show usage").click()
    usage = page.locator("#usage-out")
    expect(usage).to_contain_text("Plan free: 1 of 100 requests used today")
    expect(usage).to_contain_text("requests, no monthly limit")
    expect(usage).to_contain_text("The key does not expire.")
    expect(page.locator("#events tr")).to_have_count(2)
    expect(page.locator("#events")).to_contain_text("registered")
    page.get_by_label("Your own daily hard limit").fill("50")
    page.get_by_role("button", name="Set hard limit").click()
    expect(usage).to_contain_text("your hard limit: 50")
    check(page.locator("#usage-out svg rect").count() >= 1, "a usage chart")
    # The change is the trail's newest event, by the holder, with its old and new values.
    expect(page.locator("#events tr")).to_have_count(3)
    newest = page.locator("#events tr").nth(1)
    expect(newest).to_contain_text("hard_limit_set")
    expect(newest).to_contain_text("self")
    expect(newest).to_contain_text("hard_limit: null → 50")

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

    # Regenerate: the new key is shown, not used (the old one stays in use until chosen).
    regen_key = regenerate_with_a_lost_answer(page, "console@example.com", regen)
    check(regen_key not in stored(page), "a regenerated key is kept nowhere until it is used")
    with_site_data_blocked(browser)
    with_script_disabled(browser)

    # The refused fetch of the API error above, and the regeneration whose answer was dropped.
    check(all("status of 400" in e or "ERR_CONNECTION_RESET" in e for e in errors),
          f"console errors: {errors}")
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
