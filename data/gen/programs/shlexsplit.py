"""shlex: split, quote and tokenise generated command lines."""
import shlex, random

WORDS = ['ls', '-la', "it's", 'a b', '"q"', '$HOME', 'x|y', '#c', 'file.txt', '--opt=1']


def main(arg):
    rng = random.Random(7 if arg == 'train' else 8)
    if arg == 'train':
        for _ in range(150):
            line = ' '.join(shlex.quote(rng.choice(WORDS)) for _ in range(6))
            shlex.split(line)
    else:
        for _ in range(40):
            line = ' '.join(shlex.quote(rng.choice(WORDS)) for _ in range(8))
            shlex.join(shlex.split(line, comments=True))
            lx = shlex.shlex(line + ' ; a && b', posix=True, punctuation_chars=True)
            lx.whitespace_split = True
            list(lx)
            list(shlex.shlex('a=1 "b c" d', posix=False))
