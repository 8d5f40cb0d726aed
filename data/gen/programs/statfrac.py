"""statistics over fractions/floats: means, medians, variance, regression."""
import statistics, fractions, random


def main(arg):
    rng = random.Random(14 if arg == 'train' else 15)
    if arg == 'train':
        data = [rng.random() * 100 for _ in range(400)]
        statistics.mean(data); statistics.median(data); statistics.stdev(data)
    else:
        F = fractions.Fraction
        data = [F(rng.randint(1, 99), rng.randint(1, 20)) for _ in range(60)]
        statistics.mean(data); statistics.fmean([float(x) for x in data])
        statistics.variance(data); statistics.pvariance(data)
        statistics.median_grouped([int(x) for x in data]); statistics.mode([int(x) for x in data])
        statistics.harmonic_mean(data); statistics.geometric_mean([float(x) for x in data])
        statistics.quantiles([float(x) for x in data], n=10)
        xs = list(range(30)); ys = [2 * x + rng.random() for x in xs]
        statistics.linear_regression(xs, ys); statistics.correlation(xs, ys)
        nd = statistics.NormalDist.from_samples(ys); nd.cdf(3); nd.inv_cdf(0.3); nd.overlap(statistics.NormalDist(1, 2))
        sum(F(1, k) for k in range(1, 40)).limit_denominator(1000)
