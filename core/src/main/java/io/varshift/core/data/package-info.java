/**
 * Image sets in memory and where they come from: Fashion-MNIST's IDX files, a user's class
 * folders of PNG/JPEG or labelled NPY arrays, unlabelled NPY directories of captured traffic; and the
 * feeder that copies batches into the engine's input buffer. Values are in [0, 1], channel-major.
 */
package io.varshift.core.data;
