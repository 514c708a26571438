/**
 * The peers' drift detectors, re-implemented as plain statistics so that the detector benchmark can
 * measure Varshift's BatchNorm-input detector against them on the same windows: per-feature
 * Kolmogorov–Smirnov tests with a Bonferroni correction (alibi-detect {@code KSDrift}), the kernel
 * MMD permutation test (alibi-detect {@code MMDDrift}, TorchDrift) and black-box shift detection on
 * the classifier's softmax outputs (Rabanser et al. 2019, "Failing Loudly"). Each detector is built
 * once from a reference set and then tests windows of rows against it; none of them is thread-safe,
 * since they reuse their buffers from window to window.
 */
package io.varshift.core.peer;
