/**
 * Robust Gaussian estimation in float64: the reweighted Minimum Covariance Determinant (FastMCD) and the χ² quantiles
 * its consistency correction and reweighting cut-off need.
 */
package io.impflow.model.robust;
