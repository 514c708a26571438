/**
 * The model on the engine: the block builders of every family (ConvNet, PreResNet, MLP, Uout), each
 * BatchNorm wrapped in a named, probed layer; the input normalisation; the loader that turns a stored
 * version into a {@link io.varshift.core.model.LoadedModel} whose parameters, spec and reference agree;
 * and the paper's Adjust BN re-estimation of the running statistics.
 */
package io.varshift.core.model;
