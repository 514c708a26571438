/**
 * What a model is, as data: the spec that rebuilds a block identically (architecture, sizes, dropout
 * placement and kind, input shape and normalisation, classes) and its JSON form in {@code model.json}.
 * Nothing here touches the engine; {@code model} builds blocks from a spec.
 */
package io.varshift.core.spec;
