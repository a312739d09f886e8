"""Writes the fixtures MinimumCovarianceDeterminantTest compares against: contaminated Gaussian samples and
scikit-learn's MinCovDet fit of each (reweighted location, covariance, support, distances, and the raw estimate
with its consistency factor). Run by hand with Debian's python3-sklearn; never part of the build:

    /usr/bin/python3 model/src/test/python/mcd_fixtures.py model/src/test/resources/io/impflow/model/robust
"""
import os
import sys

import numpy as np
from scipy.stats import chi2
from sklearn.covariance import MinCovDet


def sample(rng, n, d, outlier_fraction, shift):
    a = rng.normal(size=(d, d))
    cov = a @ a.T / d + np.eye(d)
    mean = rng.normal(size=d) * 3
    x = rng.multivariate_normal(mean, cov, size=n)
    k = int(round(outlier_fraction * n))
    direction = rng.normal(size=d)
    direction /= np.linalg.norm(direction)
    x[:k] = rng.multivariate_normal(mean + shift * direction, 0.5 * cov, size=k)
    return x[rng.permutation(n)]


def write(directory, name, x, seed):
    n, d = x.shape
    np.savetxt(os.path.join(directory, name + "-data.csv"), x, delimiter=",", fmt="%.17g")
    mcd = MinCovDet(random_state=seed).fit(x)
    centered = x - mcd.raw_location_
    raw_dist = np.sum(centered @ np.linalg.pinv(mcd.raw_covariance_) * centered, axis=1)
    factor = np.median(raw_dist) / chi2(d).isf(0.5)
    rows = [
        ("location", mcd.location_),
        ("support", mcd.support_.astype(float)),
        ("distances", mcd.dist_),
        ("raw_location", mcd.raw_location_),
        ("raw_support", mcd.raw_support_.astype(float)),
        ("consistency_factor", [factor]),
    ]
    rows += [("covariance", r) for r in mcd.covariance_]
    rows += [("raw_covariance", r * factor) for r in mcd.raw_covariance_]
    with open(os.path.join(directory, name + "-sklearn.csv"), "w") as out:
        for key, values in rows:
            out.write(key + "," + ",".join("%.17g" % v for v in values) + "\n")


def main():
    directory = sys.argv[1]
    rng = np.random.default_rng(19)
    write(directory, "mcd-n400-d4", sample(rng, 400, 4, 0.10, 12.0), 0)
    write(directory, "mcd-n1000-d9", sample(rng, 1000, 9, 0.15, 15.0), 0)


if __name__ == "__main__":
    main()
