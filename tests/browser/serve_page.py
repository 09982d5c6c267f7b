"""The `kyso serve` page in headless Debian Chromium (tests/serve.rs runs this).

Usage: serve_page.py URL PDF SCREENSHOT PROFILE_DIR BROKEN_PDF
Loads the page, uploads PDF through the file input, waits for the Vietnamese verdict, saves a
screenshot, switches to English and waits for the English verdict, then uploads BROKEN_PDF and
waits for the error. Prints what it saw.
"""
import sys

from playwright.sync_api import expect, sync_playwright

url, pdf, shot, profile, broken = sys.argv[1:6]
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

with sync_playwright() as p:
    # Debian's chromium, never a downloaded browser; a fresh profile folder.
    ctx = p.chromium.launch_persistent_context(
        profile, executable_path="/usr/bin/chromium", headless=True, args=ARGS,
        viewport={"width": 1000, "height": 900}, locale="vi-VN",
    )
    page = ctx.pages[0] if ctx.pages else ctx.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.set_input_files("#file", pdf)
    page.wait_for_selector("#verdict", timeout=30000)
    verdict = page.inner_text("#verdict .big")
    print("verdict-vi:", verdict)
    print("result:", page.inner_text("#result"))
    page.screenshot(path=shot, full_page=True)
    # The service's error in the page's language (error_vi), then the good file again.
    page.set_input_files("#file", broken)
    page.wait_for_selector(".error", timeout=30000)
    print("broken-vi:", page.inner_text(".error"))
    page.set_input_files("#file", pdf)
    page.wait_for_selector("#verdict", timeout=30000)
    page.click("#en")
    # (The page's CSP forbids eval, so no wait_for_function with a string.)
    expect(page.locator("#verdict .big")).to_have_text("VALID", timeout=30000)
    print("verdict-en:", page.inner_text("#verdict .big"))
    print("result-en:", page.inner_text("#result"))
    page.set_input_files("#file", broken)
    page.wait_for_selector(".error", timeout=30000)
    print("broken:", page.inner_text(".error"))
    # Nothing but the local service was asked for anything.
    foreign = [r for r in requests if not r.startswith(url)]
    print("requests:", len(requests), "foreign:", foreign)
    ctx.close()
    if foreign:
        sys.exit("requests left the local service: %r" % foreign)
