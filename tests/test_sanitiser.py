"""The body allow-list (news/sanitise.py): hostile markup comes out harmless, formatting
survives."""

import html
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from news.sanitise import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES, clean_body

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<p onclick="alert(1)">click</p>',
    '<p onmouseover="alert(1)" style="color:red">hover</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)">',
    '<math href="javascript:alert(1)">x</math>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    '<form action="https://evil.example"><input name="password"></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="width: expression(alert(1))">x</p>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<details open ontoggle="alert(1)">x</details>',
    "<body onload=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    '<audio src=x onerror="alert(1)">',
    '<marquee onstart="alert(1)">x</marquee>',
    "<<script>script>alert(1)<</script>/script>",
    "<p>unclosed <b>bold <i>italic <script>alert(1)",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<a href="https://example.org" onclick="alert(1)" target="_self">ok</a>',
    '<a href="//evil.example/%0Ajavascript:alert(1)">x</a>',
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<img srcset="x 1x, javascript:alert(1) 2x">',
    '<p id="x" class="y" data-x="1" aria-hidden="true">attributes</p>',
]


class Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel", "class", "target"}
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and value:
                scheme = urlsplit(html.unescape(value).strip()).scheme.lower()
                if scheme and scheme not in ALLOWED_URL_SCHEMES:
                    self.problems.append(f"href scheme {scheme}")


@pytest.mark.parametrize("snippet", HOSTILE)
def test_hostile_markup_comes_out_harmless(snippet):
    cleaned = clean_body(snippet)
    inspector = Inspector()
    inspector.feed(cleaned)
    assert inspector.problems == [], cleaned
    # Whatever text is left is text: no raw "<" can open a tag in the browser.
    assert "<script" not in cleaned.lower() and "<svg" not in cleaned.lower()
    assert clean_body(cleaned) == cleaned  # cleaning is stable


def test_corpus_is_large_enough():
    assert len(HOSTILE) >= 40


def test_ordinary_formatting_survives():
    body = (
        "<h2>Background</h2><p>The <strong>OSCE</strong> and <em>partners</em> met.</p>"
        "<ul><li>one</li><li>two</li></ul><ol><li>first</li></ol>"
        "<blockquote><p>A quotation.</p></blockquote>"
        '<p><a href="https://example.org/report">the report</a></p>'
    )
    cleaned = clean_body(body)
    for fragment in (
        "<h2>Background</h2>",
        "<strong>OSCE</strong>",
        "<em>partners</em>",
        "<ul><li>one</li><li>two</li></ul>",
        "<ol><li>first</li></ol>",
        "<blockquote><p>A quotation.</p></blockquote>",
        'href="https://example.org/report"',
        'rel="noopener noreferrer"',
    ):
        assert fragment in cleaned


def test_word_paste_keeps_its_structure_and_loses_the_junk():
    word = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>'
        "p.MsoNormal{margin:0}</style><!--[if gte mso 9]><xml><o:OfficeDocumentSettings>"
        "</o:OfficeDocumentSettings></xml><![endif]--></head><body>"
        '<p class="MsoNormal" style="mso-margin-top-alt:auto"><b><span lang="EN-GB" '
        'style="font-family:Calibri">Dushanbe</span></b><span lang="EN-GB"> – a '
        "workshop<o:p></o:p></span></p>"
        '<p class="MsoListParagraphCxSpFirst" style="text-indent:-18.0pt">'
        '<span style="font-family:Symbol">·</span> first point</p></body></html>'
    )
    cleaned = clean_body(word)
    assert cleaned.startswith("<p><b>Dushanbe</b> – a workshop</p>")
    assert "first point" in cleaned
    for junk in ("Mso", "style", "<span", "o:p", "<xml", "font-family", "lang="):
        assert junk not in cleaned
