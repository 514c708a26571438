/**
 * The corruption suite: eighteen covariate shifts (noise, blur, geometry, weather-like and
 * occlusion families) on single-channel images, continuous in severity, deterministic by seed and
 * the identity at severity 0; used by replay, the alarm evaluation and the detector benchmark.
 */
package io.varshift.core.corruption;
