"""csv read/write with DictReader/Sniffer and textwrap of the cells."""
import csv, io, textwrap, random

WORDS = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split()


def main(arg):
    rng = random.Random(3 if arg == 'train' else 4)
    if arg == 'train':
        buf = io.StringIO()
        w = csv.writer(buf)
        for i in range(300):
            w.writerow([i, rng.choice(WORDS), rng.random()])
        for row in csv.reader(io.StringIO(buf.getvalue())):
            textwrap.fill(' '.join(row), width=20)
    else:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=['id', 'text'], quoting=csv.QUOTE_ALL, delimiter=';')
        w.writeheader()
        for i in range(80):
            w.writerow({'id': i, 'text': ' '.join(rng.choice(WORDS) for _ in range(30))})
        data = buf.getvalue()
        dialect = csv.Sniffer().sniff(data[:2000])
        for row in csv.DictReader(io.StringIO(data), dialect=dialect):
            textwrap.wrap(row['text'], width=30, initial_indent='* ', subsequent_indent='  ')
            textwrap.shorten(row['text'], width=40)
            textwrap.indent(textwrap.dedent('   ' + row['text']), '> ')
