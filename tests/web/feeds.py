"""Parses every Atom feed, RSS feed and feed.json of a built site; fails on the first that does
not parse, and on an atom.xml without its rss.xml beside it."""
import json
import os
import sys

import feedparser

site = sys.argv[1]
checked = 0
for dirpath, _, files in os.walk(site):
    for name in files:
        path = os.path.join(dirpath, name)
        if name == "atom.xml":
            with open(path, "rb") as f:
                feed = feedparser.parse(f.read())
            if feed.bozo:
                sys.exit(f"{path}: {feed.bozo_exception}")
            if feed.version != "atom10" or not feed.feed.get("title"):
                sys.exit(f"{path}: not an Atom 1.0 feed with a title")
            for e in feed.entries:
                if not (e.get("title") and e.get("link") and e.get("published")):
                    sys.exit(f"{path}: an entry lacks a title, link or date")
            if "rss.xml" not in files:
                sys.exit(f"{path}: no rss.xml beside it")
            checked += 1
        elif name == "rss.xml":
            with open(path, "rb") as f:
                feed = feedparser.parse(f.read())
            if feed.bozo:
                sys.exit(f"{path}: {feed.bozo_exception}")
            if feed.version != "rss20" or not feed.feed.get("title") or not feed.feed.get("link"):
                sys.exit(f"{path}: not an RSS 2.0 feed with a title and link")
            for e in feed.entries:
                if not (e.get("title") and e.get("link") and e.get("published_parsed") and e.get("id")):
                    sys.exit(f"{path}: an item lacks a title, link, guid or date")
                if not e.get("author"):
                    sys.exit(f"{path}: an item has no byline")
            checked += 1
        elif name == "feed.json":
            with open(path) as f:
                data = json.load(f)
            if data.get("version") != "https://jsonfeed.org/version/1.1" or not data.get("items"):
                sys.exit(f"{path}: not a JSON Feed 1.1 with items")
            checked += 1
# The site's own feeds carry each entry's image: its lead image, else its share card.
with open(os.path.join(site, "atom.xml"), "rb") as f:
    entries = feedparser.parse(f.read()).entries
images = [m.get("url", "") for e in entries for m in e.get("media_content", [])]
if len(images) != len(entries) or not all(u.startswith("http") for u in images):
    sys.exit(f"atom.xml: {len(entries)} entries but images {images[:3]}...")
if not any(u.endswith("close-1600w.png") for u in images) or not any(u.endswith("/social.png") for u in images):
    sys.exit(f"atom.xml: no lead image and card among {images}")
with open(os.path.join(site, "feed.json")) as f:
    if not all(i.get("image", "").startswith("http") for i in json.load(f)["items"]):
        sys.exit("feed.json: an item without its image")
if checked < 5:
    sys.exit(f"only {checked} feeds found in {site}")
print(f"feeds: {checked} feeds parse; every entry of the site feed has its image ({len(images)})")
