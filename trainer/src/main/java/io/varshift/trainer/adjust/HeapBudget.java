package io.varshift.trainer.adjust;

import java.util.Arrays;

/**
 * Checks a recalibration's image memory against the heap before anything is read: the samples are
 * held as float32 in one array, and a request that cannot fit fails with the numbers and the fix
 * instead of an OutOfMemoryError half-way through a Kafka read.
 */
final class HeapBudget {

    /** Share of the heap the images may take; the forward, the moments and the reads need the rest. */
    static final double SAFE_SHARE = 0.5;

    private HeapBudget() {
    }

    /**
     * @param samples the request's sample limit
     * @param sampleShape one sample's shape
     * @param maxHeap {@link Runtime#maxMemory()}
     */
    static void check(String model, int samples, long[] sampleShape, long maxHeap) {
        long sampleFloats = Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
        long bytes = Math.multiplyExact(Math.multiplyExact((long) samples, sampleFloats), Float.BYTES);
        long budget = (long) (maxHeap * SAFE_SHARE);
        if (bytes > budget) {
            long fits = budget / (sampleFloats * Float.BYTES);
            throw new IllegalArgumentException(String.format(
                    "recalibration of model '%s': %d samples × %d floats × 4 bytes = %d MiB of images, more than"
                            + " %.0f%% of the trainer's heap (%d MiB of %d MiB); lower the request's limit to at"
                            + " most %d, or give the trainer more heap (-Xmx)",
                    model, samples, sampleFloats, bytes >> 20, SAFE_SHARE * 100, budget >> 20, maxHeap >> 20, fits));
        }
    }
}
