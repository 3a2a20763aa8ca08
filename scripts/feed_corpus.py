"""Writes a corpus of feed documents for scripts/feed-diff.py: every dialect Earshot claims to read (from the
specifications' own examples and shapes), the encodings real servers send, and the quirks real producers
have (undeclared entities, bare ampersands, control characters, documents cut short, odd dates, authors
written as "email (name)"). Each case is a small document written from scratch for this corpus.

Usage: python3 scripts/feed_corpus.py OUT_DIR
"""

import base64
import os
import sys

ITEMS = [
    ("Spokes trued in ten minutes", "https://shop.example/posts/1", "Tue, 24 Nov 2026 09:00:00 GMT"),
    ("Winter service special", "https://shop.example/posts/2", "Mon, 23 Nov 2026 08:30:00 +0100"),
    ("Café ride on Sunday", "https://shop.example/posts/3", "Sun, 22 Nov 2026 17:45:00 EST"),
]


def rss2(version='version="2.0"', extra_ns="", item_extra="", channel_extra="", items=ITEMS, decl=True):
    body = "".join(
        f"<item><title>{t}</title><link>{l}</link><pubDate>{d}</pubDate>"
        f"<description>About {t.lower()}</description><guid>{l}</guid>{item_extra}</item>"
        for t, l, d in items
    )
    head = '<?xml version="1.0" encoding="utf-8"?>\n' if decl else ""
    return (
        f"{head}<rss {version}{extra_ns}><channel><title>Spoke &amp; Chain</title><link>https://shop.example/</link>"
        f"<description>News</description>{channel_extra}{body}</channel></rss>\n"
    )


def atom10(entry_extra="", content='<content type="html">&lt;p&gt;Body&lt;/p&gt;</content>', items=ITEMS):
    entries = "".join(
        f'<entry><title>{t}</title><link rel="alternate" href="{l}"/><id>{l}</id>'
        f"<updated>2026-11-2{4 - i}T09:00:00Z</updated>{content}{entry_extra}</entry>"
        for i, (t, l, _) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Spoke &amp; Chain</title><id>urn:shop</id><updated>2026-11-24T09:00:00Z</updated>"
        f'<link href="https://shop.example/"/>{entries}</feed>\n'
    )


def atom03(content):
    entries = "".join(
        f'<entry><title type="text/plain" mode="xml">{t}</title>'
        f'<link rel="alternate" type="text/html" href="{l}"/><id>{l}</id>'
        f"<issued>2026-11-2{4 - i}T09:00:00Z</issued><modified>2026-11-2{4 - i}T09:00:00Z</modified>"
        f"<author><name>Maria K</name><url>https://shop.example/maria</url></author>{content}</entry>"
        for i, (t, l, _) in enumerate(ITEMS)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed version="0.3" xmlns="http://purl.org/atom/ns#">'
        '<title type="text/plain" mode="xml">Spoke &amp; Chain</title>'
        '<tagline type="text/html" mode="escaped">Bikes &lt;b&gt;fixed&lt;/b&gt;</tagline>'
        '<link rel="alternate" type="text/html" href="https://shop.example/"/>'
        f"<modified>2026-11-24T09:00:00Z</modified>{entries}</feed>\n"
    )


def rdf(ns_rss="http://purl.org/rss/1.0/", modules=""):
    items = "".join(
        f'<item rdf:about="{l}"><title>{t}</title><link>{l}</link>'
        f"<dc:date>2026-11-2{4 - i}T09:00:00Z</dc:date><dc:creator>Ann</dc:creator>{modules}</item>"
        for i, (t, l, _) in enumerate(ITEMS)
    )
    seq = "".join(f'<rdf:li rdf:resource="{l}"/>' for _, l, _ in ITEMS)
    return (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns="{ns_rss}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
        '<channel rdf:about="https://shop.example/"><title>Spoke &amp; Chain</title><link>https://shop.example/</link>'
        f"<description>News</description><items><rdf:Seq>{seq}</rdf:Seq></items></channel>{items}</rdf:RDF>\n"
    )


def rss090():
    items = "".join(f"<item><title>{t}</title><link>{l}</link></item>" for t, l, _ in ITEMS)
    return (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Spoke and Chain</title>'
        f"<link>https://shop.example/</link><description>News</description></channel>{items}</rdf:RDF>\n"
    )


def json_feed(version):
    import json

    items = [
        {"id": l, "url": l, "title": t, "content_text": f"About {t.lower()}", "date_published": "2026-11-24T09:00:00Z"}
        for t, l, _ in ITEMS
    ]
    return json.dumps({"version": version, "title": "Spoke & Chain", "home_page_url": "https://shop.example/", "items": items})


def cases():
    yield "rss-2.0.xml", rss2()
    yield "rss-no-version.xml", rss2(version="")
    yield "rss-0.91-userland.xml", rss2(version='version="0.91"')
    yield "rss-0.91-netscape.xml", (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n' + rss2(version='version="0.91"', decl=False)
    )
    yield "rss-0.92.xml", rss2(version='version="0.92"')
    yield "rss-0.93.xml", rss2(version='version="0.93"')
    yield "rss-0.94.xml", rss2(version='version="0.94"')
    yield "rss-0.90.xml", rss090()
    yield "rss-1.0.xml", rdf()
    yield "rss-1.0-modules.xml", rdf(modules="<content:encoded><![CDATA[<p>Full <b>text</b></p>]]></content:encoded><slash:comments>4</slash:comments>")
    yield "atom-1.0-html.xml", atom10()
    yield "atom-1.0-text.xml", atom10(content='<content type="text">Plain body</content>')
    yield "atom-1.0-xhtml.xml", atom10(content='<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Rich <b>body</b></p></div></content>')
    b64 = base64.b64encode(b"<p>Encoded body</p>").decode()
    yield "atom-1.0-base64.xml", atom10(content=f'<content type="text/html">{b64}</content>')
    yield "atom-0.3-escaped.xml", atom03('<content type="text/html" mode="escaped">&lt;p&gt;Body&lt;/p&gt;</content>')
    yield "atom-0.3-xml.xml", atom03('<content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Body</p></div></content>')
    yield "atom-0.3-base64.xml", atom03(f'<content type="text/html" mode="base64">{b64}</content>')
    yield "jsonfeed-1.0.json", json_feed("https://jsonfeed.org/version/1")
    yield "jsonfeed-1.1.json", json_feed("https://jsonfeed.org/version/1.1")
    # Content details.
    yield "rss-dc-creator.xml", rss2(extra_ns=' xmlns:dc="http://purl.org/dc/elements/1.1/"', item_extra="<dc:creator>Maria K</dc:creator>")
    yield "rss-author-email-name.xml", rss2(item_extra="<author>maria@example.org (Maria K)</author>")
    yield "rss-itunes.xml", rss2(
        extra_ns=' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"',
        item_extra="<itunes:author>Shop Radio</itunes:author><itunes:summary>Episode notes</itunes:summary>",
    )
    yield "rss-media.xml", rss2(
        extra_ns=' xmlns:media="http://search.yahoo.com/mrss/"',
        item_extra="<media:title>Video title</media:title><media:description>Video notes</media:description>",
    )
    yield "atom-xml-base.xml", atom10().replace(
        '<feed xmlns="http://www.w3.org/2005/Atom">', '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://shop.example/blog/">'
    ).replace('href="https://shop.example/posts/', 'href="../posts/')
    yield "atom-several-links.xml", atom10(entry_extra='<link rel="enclosure" href="https://cdn.example/a.mp3" type="audio/mpeg"/><link rel="replies" href="https://shop.example/comments"/>')
    for i, date in enumerate(
        [
            "Tue, 24 Nov 2026 09:00:00 +0000",
            "24 Nov 2026 09:00 GMT",
            "Tuesday, 24 November 2026 09:00:00 PST",
            "Tue, 24 Nov 26 09:00:00 CET",
            "2026-11-24T09:00:00+01:00",
            "2026-11-24 09:00:00",
            "2026-11-24",
        ]
    ):
        yield f"rss-date-{i}.xml", rss2(items=[(t, l, date) for t, l, _ in ITEMS])
    # Real-world quirks.
    yield "quirk-html-entities.xml", rss2().replace("Spoke &amp; Chain", "Caf&eacute; news &hellip;").replace("Winter service", "Winter&nbsp;service")
    yield "quirk-bare-ampersand.xml", rss2().replace("https://shop.example/posts/2", "https://shop.example/?p=2&utm=x").replace("Winter service special", "Tools & tips")
    yield "quirk-control-chars.xml", rss2().replace("Winter service special", "Winter\x0bservice\x1bspecial")
    full = rss2()
    yield "quirk-truncated.xml", full[: full.index("<item>", full.index("posts/2")) + 30]
    yield "quirk-bom-utf8.xml", "\ufeff" + rss2()
    yield "quirk-leading-whitespace.xml", "\n\n  " + rss2()
    yield "quirk-cdata-titles.xml", rss2().replace("<title>Spokes trued in ten minutes</title>", "<title><![CDATA[Spokes & spokes]]></title>")
    yield "quirk-raw-html-description.xml", rss2(item_extra="").replace("<description>About spokes trued in ten minutes</description>", "<description><p>Trued<br>in ten minutes</p></description>")
    yield "quirk-html-in-description.xml", rss2(item_extra="<content:encoded><![CDATA[<p>Hi<br><img src=x onerror=alert(1)></p>]]></content:encoded>", extra_ns=' xmlns:content="http://purl.org/rss/1.0/modules/content/"')


ENCODINGS = [
    ("utf-16-le-bom", "utf-16", "utf-16-le", True),
    ("utf-16-be-bom", "utf-16", "utf-16-be", True),
    ("utf-16-le", "utf-16", "utf-16-le", False),
    ("utf-16-be", "utf-16", "utf-16-be", False),
    ("utf-32-le-bom", "utf-32", "utf-32-le", True),
    ("iso-8859-1", "iso-8859-1", "iso-8859-1", False),
    ("iso-8859-2", "iso-8859-2", "iso-8859-2", False),
    ("windows-1251", "windows-1251", "cp1251", False),
    ("windows-1252", "windows-1252", "cp1252", False),
    ("koi8-r", "koi8-r", "koi8_r", False),
    ("shift_jis", "shift_jis", "shift_jis", False),
    ("euc-jp", "euc-jp", "euc_jp", False),
    ("gb2312", "gb2312", "gb2312", False),
    ("big5", "big5", "big5", False),
    ("euc-kr", "euc-kr", "euc_kr", False),
]

SAMPLES = {
    "iso-8859-1": "Café «Ünï»",
    "iso-8859-2": "Łódź żółć",
    "windows-1251": "Привет, велосипед",
    "windows-1252": "Café “spokes”",
    "koi8-r": "Привет",
    "shift_jis": "自転車の修理",
    "euc-jp": "自転車の修理",
    "gb2312": "自行车修理",
    "big5": "自行車修理",
    "euc-kr": "자전거 수리",
}

BOMS = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff", "utf-32-le": b"\xff\xfe\x00\x00"}


def encoded_cases():
    for name, label, codec, bom in ENCODINGS:
        sample = SAMPLES.get(label, "Café «Ünï» 自転車")
        items = [(f"{sample} {i}", l, d) for i, (_, l, d) in enumerate(ITEMS)]
        doc = rss2(items=items).replace('encoding="utf-8"', f'encoding="{label}"')
        data = doc.encode(codec)
        if bom:
            data = BOMS[codec] + data
        yield f"enc-{name}.xml", data


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, text in cases():
        with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    for name, data in encoded_cases():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
