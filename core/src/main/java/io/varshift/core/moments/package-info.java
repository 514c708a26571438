/**
 * Per-channel running moments of a BN layer's input, shifted by the layer's running mean for
 * numerical stability, mergeable and serialisable: the one accumulator the probes, windows, the
 * reference and the calibration share.
 */
package io.varshift.core.moments;
