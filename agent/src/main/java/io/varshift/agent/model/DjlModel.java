package io.varshift.agent.model;

import java.nio.ByteBuffer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.varshift.agent.loop.MonitoredModel;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.ModelReference;

/** A model version loaded with DJL: eval forward with BN probes in a per-batch NDManager scope. */
public final class DjlModel implements MonitoredModel {

    private final ModelArtifact artifact;
    private final LoadedModel loaded;
    private final NDManager base;
    private final int[] sampleShape;
    private final long[] batchShape;
    /** One fixed listener on the probes; the per-call sink is swapped in behind it. */
    private final BnProbes.Listener relay = new BnProbes.Listener() {
        @Override
        public void onBatch(int layer, float[] s1, float[] s2, int samples, long positions) {
            BnProbes.Listener target = sink;
            if (target != null) {
                target.onBatch(layer, s1, s2, samples, positions);
            }
        }

        @Override
        public boolean wantsCells() {
            BnProbes.Listener target = sink;
            return target != null && target.wantsCells();
        }

        @Override
        public void onCells(int layer, float[] cellMeans, int samples, int channels, int cells) {
            BnProbes.Listener target = sink;
            if (target != null) {
                target.onCells(layer, cellMeans, samples, channels, cells);
            }
        }
    };
    private BnProbes.Listener sink;

    /** Loads the artifact's version (see {@link ModelLoader#load(ModelArtifact)} for what is verified). */
    public DjlModel(ModelArtifact artifact) {
        this.artifact = artifact;
        this.loaded = ModelLoader.load(artifact);
        this.base = loaded.model().getNDManager();
        long[] in = loaded.spec().inputShape();
        this.sampleShape = new int[in.length];
        this.batchShape = new long[in.length + 1];
        for (int i = 0; i < in.length; i++) {
            sampleShape[i] = Math.toIntExact(in[i]);
            batchShape[i + 1] = in[i];
        }
        loaded.probes().setListener(relay);
    }

    @Override
    public String name() {
        return loaded.name();
    }

    @Override
    public String version() {
        return Integer.toString(loaded.version());
    }

    @Override
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public ModelReference reference() {
        return loaded.reference();
    }

    /** The same version loaded again from its artifact: its own block, parameters and probes. */
    @Override
    public DjlModel replica() {
        return new DjlModel(artifact);
    }

    @Override
    public int classes() {
        return loaded.spec().classes().size();
    }

    @Override
    public void forward(ByteBuffer input, int samples, BnProbes.Listener listener, int[] predicted) {
        sink = listener;
        try {
            run(input, samples, predicted);
        } finally {
            sink = null;
        }
    }

    /** The same forward with every probe silent: the baseline the bench compares against. */
    public void forwardWithoutProbes(ByteBuffer input, int samples) {
        loaded.probes().setListener(null);
        try {
            run(input, samples, null);
        } finally {
            loaded.probes().setListener(relay);
        }
    }

    /** Batches in which a layer's probe took its exact, slower path (see {@link BnProbes#exactPathBatches}). */
    public long exactProbePathBatches(int layer) {
        return loaded.probes().exactPathBatches(layer);
    }

    private void run(ByteBuffer input, int samples, int[] predictedOrNull) {
        batchShape[0] = samples;
        try (NDManager batch = base.newSubManager()) {
            NDArray x = batch.create(input, new Shape(batchShape), DataType.FLOAT32);
            NDArray scores = loaded.forward(batch, x);
            if (predictedOrNull != null) {
                long[] classes = scores.argMax(1).toLongArray();
                for (int i = 0; i < classes.length; i++) {
                    predictedOrNull[i] = (int) classes[i];
                }
            }
        }
    }

    @Override
    public void close() {
        loaded.close();
    }

    @Override
    public String toString() {
        return loaded.toString();
    }
}
