"""configparser: read generated INI files, interpolate, write back."""
import configparser, io, random


def make(rng, n, ext):
    out = []
    for s in range(n):
        out.append('[sect%d]' % s)
        for k in range(rng.randint(2, 8)):
            v = rng.choice(['%d' % rng.randint(0, 999), 'yes', 'off', 'v%d' % k,
                            '${DEFAULT:base}/y' if ext == 'ext' else '%(base)s/x'])
            out.append('key%d = %s' % (k, v))
        if ext and rng.random() < 0.3:
            out.append('multi = line one\n    line two\n    line three')
    return '[DEFAULT]\nbase = /srv\n' + '\n'.join(out) + '\n'


def main(arg):
    rng = random.Random(11 if arg == 'train' else 22)
    if arg == 'train':
        cp = configparser.ConfigParser()
        cp.read_string(make(rng, 40, 'basic'))
        for s in cp.sections():
            for k, v in cp.items(s):
                cp.get(s, k)
            cp.getint(s, 'key0', fallback=0) if cp.get(s, 'key0').isdigit() else None
    else:
        cp = configparser.ConfigParser(interpolation=configparser.ExtendedInterpolation())
        cp.read_string(make(rng, 15, 'ext'))
        raw = configparser.RawConfigParser()
        raw.read_dict({'a': {'x': '1', 'y': 'true'}, 'b': {'z': '2.5'}})
        raw.getboolean('a', 'y'); raw.getfloat('b', 'z')
        for s in cp.sections():
            for k in cp[s]:
                try:
                    cp[s][k]
                except configparser.Error:
                    pass
            if cp.has_option(s, 'key1'):
                cp.getboolean(s, 'key1', fallback=False) if cp[s]['key1'] in ('yes', 'off') else None
        cp.remove_section('sect0')
        buf = io.StringIO(); cp.write(buf)
