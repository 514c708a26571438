/**
 * The calibrated window test: the class-conditional baseline of each BN layer's moments and its
 * cell score baseline, both measured on clean held-out rows; the bootstrap that fits the null of
 * every window size with the baseline's own sampling error in it; the model-level p-value over layers
 * and tests; and the prediction-mix test. statistics.md derives every formula here.
 */
package io.varshift.core.calibration;
