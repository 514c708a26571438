package io.varshift.agent.loop;

import java.nio.ByteBuffer;
import java.util.List;

import io.varshift.core.reference.LayerReference;
import io.varshift.core.spec.BnProbes;

/**
 * One loaded, immutable version of a watched model: the eval-mode forward with BN probes and the
 * per-layer reference the windows are judged against. Used by the loop thread only.
 */
public interface MonitoredModel extends AutoCloseable {

    String name();

    String version();

    /** Shape of one sample, without the batch axis. */
    int[] sampleShape();

    /**
     * References of the probed BN layers, in forward order: index i is the probe listener's layer
     * index i. Each holds the stored running mean (the shift of the moment sums), the stored running
     * variance and the calibrations per window size.
     */
    List<LayerReference> layers();

    /**
     * Runs the eval forward over {@code samples} samples read from {@code input} (direct, native
     * order, floats from position 0) and reports each probed layer's sums to {@code sink}.
     */
    void forward(ByteBuffer input, int samples, BnProbes.Listener sink);

    @Override
    void close();
}
