"""tomllib: parse generated TOML documents."""
import tomllib, random


def doc(rng, n, rich):
    out = ['title = "t"']
    for i in range(n):
        out.append('[table%d]' % i)
        out.append('a = %d' % rng.randint(0, 99))
        out.append('b = "s%d"' % i)
        if rich:
            out.append('c = [1, 2.5, "x", true]')
            out.append("d = { x = 1, y = 'lit' }")
            out.append('e = 1979-05-27T07:32:00Z')
            out.append('f = """multi\nline"""')
            out.append('[[arr%d]]\nname = "n"' % i)
    return '\n'.join(out) + '\n'


def main(arg):
    rng = random.Random(1 if arg == 'train' else 2)
    if arg == 'train':
        tomllib.loads(doc(rng, 60, False))
    else:
        for _ in range(3):
            tomllib.loads(doc(rng, 40, True))
        try:
            tomllib.loads('a = [1,\n b')
        except tomllib.TOMLDecodeError:
            pass
