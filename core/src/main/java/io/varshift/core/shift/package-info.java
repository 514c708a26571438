/**
 * Per-layer window statistics against the stored ones: the paper's variance ratio and shift, the
 * channel-level shifts and the calibrated drift score that feeds the alarms.
 */
package io.varshift.core.shift;
