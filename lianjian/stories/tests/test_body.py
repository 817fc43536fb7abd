"""Story bodies keep headings, paragraphs, lists, quotes and plain links; nothing else survives."""

import pytest

from lianjian.stories.body import clean_body, excerpt, plain_text

ATTACKS = [
    '<p>hi</p><script>alert(1)</script>',
    '<style>body{display:none}</style><p>hi</p>',
    '<iframe src="https://evil.example"></iframe><p>hi</p>',
    '<p>hi<img src=x onerror="alert(1)"></p>',
    '<p onclick="alert(1)">hi</p>',
    '<p>hi <a href="javascript:alert(1)">x</a></p>',
    '<p>hi <a href="data:text/html,<script>alert(1)</script>">x</a></p>',
    '<p style="position:fixed">hi</p>',
    '<svg onload="alert(1)"><p>hi</p></svg>',
    '<p>hi</p><object data="x"></object><embed src="x">',
    '<h2>t</h2><form action="/x"><input name="a"></form><p>hi</p>',
]


@pytest.mark.parametrize("raw", ATTACKS)
def test_script_style_iframe_handlers_and_javascript_urls_are_removed(raw):
    out = clean_body(raw).lower()
    for bad in ("<script", "alert(", "<style", "display:none", "<iframe", "onerror", "onclick", "onload",
                "javascript:", "data:", "style=", "<img", "<svg", "<object", "<embed", "<form", "<input"):
        assert bad not in out, (raw, out)
    assert "hi" in out or "<h2>t</h2>" in out


def test_allowed_tags_survive_and_links_get_rel():
    raw = ('<h2>标题</h2><h3>小标题</h3><p><strong>粗</strong><em>斜</em><br>换行</p><ul><li>一</li></ul>'
           '<ol><li>二</li></ol><blockquote><p>引</p></blockquote><p><a href="https://example.org/a" '
           'title="t" target="_blank">链接</a></p><div><span>文字</span></div><h1>大标题</h1>')
    out = clean_body(raw)
    for tag in ("<h2>标题</h2>", "<h3>小标题</h3>", "<strong>粗</strong>", "<em>斜</em>", "<br>",
                "<ul><li>一</li></ul>",
                "<ol><li>二</li></ol>", "<blockquote>"):
        assert tag in out
    assert 'href="https://example.org/a"' in out and 'rel="noopener noreferrer nofollow"' in out
    assert "title=" not in out and "target=" not in out and "<div" not in out and "<h1" not in out
    assert "文字" in out and "大标题" in out


def test_plain_text_with_marks_becomes_headings_lists_quotes_and_paragraphs():
    out = clean_body("## 一组数字\n- 34 道菜\n- 8 道菜\n\n第一段\n第二行\n\n> “很温暖”\n### 后记\n3<5")
    assert "<h2>一组数字</h2>" in out and "<ul><li>34 道菜</li><li>8 道菜</li></ul>" in out
    assert "<p>第一段<br>第二行</p>" in out and "<blockquote><p>“很温暖”</p></blockquote>" in out
    assert "<h3>后记</h3>" in out


def test_plain_text_with_angle_brackets_is_escaped_not_parsed():
    out = clean_body("价格 3<5 且 a>b")
    assert "3&lt;5" in out and "a&gt;b" in out


def test_plain_text_and_excerpt_strip_tags():
    body = clean_body("<h2>现场</h2><p>社区&amp;居民</p>")
    assert plain_text(body) == "现场 社区&居民"
    assert excerpt("<p>" + "字" * 300 + "</p>", 10) == "字" * 9 + "…"
