"""urllib.parse: parse, join, quote and encode generated URLs."""
import urllib.parse as up, random


def main(arg):
    rng = random.Random(9 if arg == 'train' else 10)
    hosts = ['example.com', 'user:pw@h.org:8080', '[::1]:443', 'b\u00fccher.de']
    if arg == 'train':
        for i in range(400):
            u = 'http://%s/p/%d?q=%d#f' % (rng.choice(hosts[:2]), i, i)
            r = up.urlparse(u)
            r.hostname, r.port
            up.urljoin(u, '../x/y')
    else:
        for i in range(120):
            u = 'https://%s/a b/%d;par?x=%d&y=%s' % (rng.choice(hosts), i, i, 'z w')
            s = up.urlsplit(u)
            s.username, s.password, s.hostname
            q = up.parse_qs(s.query); up.parse_qsl(s.query)
            up.urlencode({'k': 'v w', 'n': [1, 2]}, doseq=True)
            up.quote(u, safe=''); up.unquote_plus(up.quote_plus(u))
            up.urlunsplit(s); up.urldefrag(u + '#frag')
