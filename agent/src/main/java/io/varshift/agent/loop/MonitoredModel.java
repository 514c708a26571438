package io.varshift.agent.loop;

import java.nio.ByteBuffer;
import java.util.List;

import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;

/**
 * One loaded, immutable version of a watched model: the eval-mode forward with BN probes and the
 * per-layer reference the windows are judged against. One forward at a time per instance: more
 * forward threads each take a {@link #replica()}.
 */
public interface MonitoredModel extends AutoCloseable {

    String name();

    String version();

    /** Shape of one sample, without the batch axis. */
    int[] sampleShape();

    /**
     * The model's reference: the probed BN layers in forward order (index i is the probe listener's
     * layer index i; each holds the stored running mean, the shift of the moment sums, and the stored
     * running variance) and the calibrated window test, if the model has one.
     */
    ModelReference reference();

    /** The probed BN layers' references, in forward order. */
    default List<LayerReference> layers() {
        return reference().layers();
    }

    /** Number of output classes; a window counts its samples per predicted class. */
    int classes();

    /**
     * Runs the eval forward over {@code samples} samples read from {@code input} (direct, native
     * order, floats from position 0), reports each probed layer's sums (and cell means when the
     * sink wants them) to {@code sink} and writes every sample's predicted class to
     * {@code predicted[0..samples)}.
     */
    void forward(ByteBuffer input, int samples, BnProbes.Listener sink, int[] predicted);

    /**
     * Another instance of this version for another forward thread (one instance serves one forward
     * at a time), with its own probes; the caller closes it.
     */
    MonitoredModel replica();

    @Override
    void close();
}
