#!/usr/bin/env python3
"""The portal in a real browser (Debian's headless Chromium through chromedriver and Selenium).

    browser_check.py BASE_URL OUT_DIR CSP_USER CSP_PASSWORD DISTRICT PARTNER_USER PARTNER_PASSWORD BAD_CSV

Signs in as the CSP, opens its district's pack, downloads it, and saves a screenshot; signs in as the partner,
uploads BAD_CSV through the form, and saves a screenshot of the reject ledger. Prints one JSON object of what it
saw; exits 1 if a step did not do what a person would expect.
"""
import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def driver(download_dir):
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    options.add_experimental_option("prefs", {"download.default_directory": download_dir, "download.prompt_for_download": False})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def sign_in(b, base, user, password):
    b.get(base + "/login")
    b.find_element(By.NAME, "username").send_keys(user)
    b.find_element(By.NAME, "password").send_keys(password)
    b.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    settle(b, lambda d: not d.current_url.endswith("/login"))


def settle(b, condition):
    """Waits (at most 20 s) for the page a click led to."""
    WebDriverWait(b, 20).until(condition)


def main():
    base, out, csp, csp_pw, district, partner, partner_pw, bad_csv = sys.argv[1:9]
    os.makedirs(out, exist_ok=True)
    seen = {}
    b = driver(out)
    try:
        sign_in(b, base, csp, csp_pw)
        seen["csp_home"] = b.find_element(By.TAG_NAME, "h1").text
        b.get(base + "/packs/" + district)
        seen["pack_title"] = b.title
        b.save_screenshot(os.path.join(out, "portal-csp-pack.png"))
        b.get(base + "/packs")
        b.find_element(By.LINK_TEXT, "download").click()
        name = "svd-pack-%s-public.html" % district
        for _ in range(100):
            if os.path.exists(os.path.join(out, name)):
                break
            time.sleep(0.1)
        seen["downloaded"] = os.path.exists(os.path.join(out, name))
        b.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
        settle(b, lambda d: d.current_url.endswith("/login"))
        seen["after_logout"] = b.current_url

        sign_in(b, base, partner, partner_pw)
        seen["partner_home"] = b.find_element(By.TAG_NAME, "h1").text
        b.get(base + "/uploads/new")
        b.find_element(By.NAME, "file").send_keys(os.path.abspath(bad_csv))
        b.find_element(By.CSS_SELECTOR, "form[action='/uploads'] button").click()
        settle(b, lambda d: d.current_url.rstrip("/").split("/")[-1].isdigit())
        seen["upload_page"] = b.find_element(By.TAG_NAME, "h1").text
        seen["ledger_rows"] = len(b.find_elements(By.CSS_SELECTOR, "h2 + p + table tr")) - 1
        b.save_screenshot(os.path.join(out, "portal-partner-ledger.png"))
    finally:
        b.quit()
    print(json.dumps(seen))
    ok = seen.get("pack_title", "").startswith("Serious violence local pack") and seen.get("downloaded") \
        and seen.get("after_logout", "").endswith("/login") and seen.get("ledger_rows", 0) > 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
