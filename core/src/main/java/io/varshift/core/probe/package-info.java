/**
 * The probes on every BatchNorm input: {@link io.varshift.core.probe.ProbedBatchNorm} hands each input
 * of an eval-mode forward to its {@link io.varshift.core.probe.BnProbes}, which fold it into per-channel
 * sums, sums of squares and cell means ({@link io.varshift.core.probe.CellGrid}); the moments collector
 * turns those into the reference statistics.
 */
package io.varshift.core.probe;
