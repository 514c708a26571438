/**
 * The model itself: the spec that rebuilds a block identically (architecture, sizes, dropout, input
 * shape and normalisation, classes), the block builders of every family with a named, probed
 * BatchNorm, the probes that fold each BN input into moments and cell means in eval mode, the loader
 * of a stored version and the paper's Adjust BN re-estimation.
 */
package io.varshift.core.spec;
