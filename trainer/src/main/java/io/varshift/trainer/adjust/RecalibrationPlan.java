package io.varshift.trainer.adjust;

import io.varshift.trainer.jobs.KafkaSource;

import java.nio.file.Path;

/**
 * Label-free recalibration of a model version on recent traffic: exactly one of {@code data} and
 * {@code kafka} is set.
 *
 * @param version null for the latest
 * @param data directory of {@code *.npy} files; null with Kafka
 * @param kafka topic range of inference-traffic records; null with NPY files
 * @param limit most samples to read
 */
public record RecalibrationPlan(String model, Integer version, Path data, KafkaSource kafka, int limit,
                                int batchSize) {
}
