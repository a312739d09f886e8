/** Dense float64 linear algebra in Java: LU log-determinants and exact largest singular values. */
package io.impflow.model.linalg;
