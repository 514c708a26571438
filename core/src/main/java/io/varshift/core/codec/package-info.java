/**
 * Inference records as they arrive from Kafka: NPY and JSON decoders that never throw on bad input
 * (each returns a result or a rejection reason), their size limits, the record headers Varshift
 * reads, and an NPY writer byte-identical to numpy's. The reason names are the dead-letter and
 * metric vocabulary (formats.md).
 */
package io.varshift.core.codec;
