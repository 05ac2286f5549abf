#!/usr/bin/env python3
"""The portal in a real browser (Debian's headless Chromium through chromedriver and Selenium).

    browser_check.py BASE_URL OUT_DIR CSP_USER CSP_PASSWORD DISTRICT PARTNER_USER PARTNER_PASSWORD BAD_CSV [TIER]

Signs in as the CSP (granted TIER, public by default), opens its district's pack, downloads it and, in the partner
tier, its workbook (checked: a valid xlsx whose district summary gives every district the incidents and rate the
pack's "Rate by district" table shows; in the public tier: no workbook link), and saves a screenshot; signs in as
the partner,
uploads BAD_CSV through the form, and saves a screenshot of the reject ledger. Prints one JSON object of what it
saw; exits 1 if a step did not do what a person would expect.
"""
import html
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

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


def wait_for(path):
    for _ in range(100):
        if os.path.exists(path):
            return True
        time.sleep(0.1)
    return False


SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def workbook_sheet(path, name):
    """The rows of sheet `name` of an xlsx (a zip with xl/workbook.xml), as text; None if it is not a workbook."""
    with zipfile.ZipFile(path) as z:
        if "xl/workbook.xml" not in z.namelist():
            return None
        names = [s.get("name") for s in ET.fromstring(z.read("xl/workbook.xml")).iter(SHEET + "sheet")]
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            strings = ["".join(t.text or "" for t in si.iter(SHEET + "t")) for si in ET.fromstring(z.read("xl/sharedStrings.xml"))]
        root = ET.fromstring(z.read("xl/worksheets/sheet%d.xml" % (names.index(name) + 1)))
        rows = []
        for r in root.iter(SHEET + "row"):
            row = []
            for c in r.iter(SHEET + "c"):
                v = c.find(SHEET + "v")
                row.append("" if v is None else strings[int(v.text)] if c.get("t") == "s" else v.text)
            rows.append(row)
        return rows


def pack_table(page, caption):
    """The rows of the pack's table with this caption, as the cells' text."""
    at = page.index("<caption>%s</caption>" % caption)
    table = page[page.rindex("<table", 0, at):page.index("</table>", at)]
    return [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def same_figures(pack_html, xlsx):
    """Every district's incidents and rate in the pack's table equal the workbook's district summary."""
    rows = workbook_sheet(xlsx, "district_summary")
    if not rows:
        return False
    header = next(r for r in rows if "district" in r and "incidents" in r)
    book = {r[header.index("district")]: r for r in rows[rows.index(header) + 1:] if len(r) == len(header)}
    page = pack_table(pack_html, "Rate by district, highest first")
    checked = 0
    for district, incidents, rate, *_ in page[1:]:
        mine = book.get(district)
        if mine is None:
            continue  # the area's own row: the summary lists districts only
        if mine[header.index("incidents")] != incidents.replace(",", ""):
            return False
        if abs(float(mine[header.index("rate_per_1000_per_year")]) - float(rate)) > 0.005:
            return False
        checked += 1
    return checked == len(book) and checked > 0


def main():
    base, out, csp, csp_pw, district, partner, partner_pw, bad_csv = sys.argv[1:9]
    tier = sys.argv[9] if len(sys.argv) > 9 else "public"
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
        name = "svd-pack-%s-%s.html" % (district, tier)
        seen["downloaded"] = wait_for(os.path.join(out, name))
        links = b.find_elements(By.LINK_TEXT, "workbook (xlsx)")
        seen["workbook_links"] = len(links)
        if tier == "partner" and links:
            links[0].click()
            book = os.path.join(out, "svd-pack-%s-%s.xlsx" % (district, tier))
            seen["workbook_downloaded"] = wait_for(book)
            time.sleep(0.3)  # the download's rename into place is its last step
            seen["workbook_matches_pack"] = seen["downloaded"] and seen["workbook_downloaded"] and same_figures(
                open(os.path.join(out, name), encoding="utf-8").read(), book)
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
        and (seen.get("workbook_matches_pack") if tier == "partner" else seen.get("workbook_links") == 0) \
        and seen.get("after_logout", "").endswith("/login") and seen.get("ledger_rows", 0) > 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
