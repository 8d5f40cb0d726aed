"""html.parser + html.unescape over generated HTML documents."""
import html, html.parser, random


class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.n = 0
    def handle_starttag(self, tag, attrs): self.n += len(attrs)
    def handle_endtag(self, tag): self.n += 1
    def handle_data(self, data): self.n += len(data)
    def handle_entityref(self, name): self.n += 1
    def handle_charref(self, name): self.n += 1
    def handle_comment(self, data): self.n += 1


def doc(rng, n, rich):
    parts = ['<!DOCTYPE html><html><body>']
    for i in range(n):
        t = rng.choice(['p', 'div', 'span', 'a'])
        parts.append('<%s class="c%d" id=x%d>text %d' % (t, i % 7, i, i))
        if rich:
            parts.append(rng.choice(['&amp; &lt;b&gt;', '&#169; &#x263A;', '<!-- note -->',
                                     '<br/>', '<script>var a = 1 < 2;</script>', '&eacute;t&eacute;']))
        parts.append('</%s>' % t)
    return ''.join(parts) + '</body></html>'


def main(arg):
    rng = random.Random(5 if arg == 'train' else 6)
    if arg == 'train':
        p = html.parser.HTMLParser()
        p.feed(doc(rng, 300, False)); p.close()
    else:
        for k in range(4):
            p = P()
            d = doc(rng, 120, True)
            for i in range(0, len(d), 500):
                p.feed(d[i:i + 500])
            p.close()
            html.unescape(d); html.escape(d)
