/**
 * What a model stored about its BN layers: each layer's running mean and variance, and the model
 * calibration measured on held-out data (reference.json).
 */
package io.varshift.core.reference;
