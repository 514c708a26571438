/**
 * The paper's closed forms (Li, Chen, Hu and Yang, arXiv:1801.05134): the variance shift a dropout
 * placed before BN causes, for Bernoulli dropout and Uout, that reports and tests compare with.
 */
package io.varshift.core.theory;
