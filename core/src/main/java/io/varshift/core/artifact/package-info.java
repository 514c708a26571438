/**
 * A model version on disk: the store layout ({@code models/<name>/<version>/}), the files of one
 * version (model.json, reference.json, parameters, SHA256SUMS) and their checks, so that a corrupt or
 * half-written version is refused by name and the previous one kept.
 */
package io.varshift.core.artifact;
