package io.varshift.core.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.spec.ModelSpec;

/**
 * A model version ready for eval-mode forwards with BN probes: the DJL {@link Model} and block, its
 * spec, reference statistics and probes. One thread at a time (the probes' listener is per block).
 * Closing it frees the parameters.
 */
public final class LoadedModel implements AutoCloseable {

    private final String name;
    private final int version;
    private final ModelSpec spec;
    private final ModelReference reference;
    private final Model model;
    private final BnProbes probes;

    LoadedModel(String name, int version, ModelSpec spec, ModelReference reference, Model model) {
        this.name = name;
        this.version = version;
        this.spec = spec;
        this.reference = reference;
        this.model = model;
        this.probes = BnProbes.attach(model.getBlock());
    }

    public String name() {
        return name;
    }

    public int version() {
        return version;
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The stored per-layer reference (running statistics and calibrations), in probe order. */
    public ModelReference reference() {
        return reference;
    }

    public Model model() {
        return model;
    }

    public Block block() {
        return model.getBlock();
    }

    /** The block's BN probes; set a listener (e.g. {@link BnMomentsCollector#attach}) to measure. */
    public BnProbes probes() {
        return probes;
    }

    /**
     * Eval-mode forward (dropout off, BN with running statistics, probes active when a listener is set).
     *
     * @param manager per-batch manager; the output is attached to the input's manager
     * @param input   [N, inputShape...] float32 on the model's device
     * @return class scores [N, classes]
     */
    public NDArray forward(NDManager manager, NDArray input) {
        return block().forward(new ParameterStore(manager, false), new NDList(input), false).singletonOrThrow();
    }

    @Override
    public void close() {
        probes.setListener(null);
        model.close();
    }

    @Override
    public String toString() {
        return "model '" + name + "' v" + version + " (" + spec.architecture().id() + ")";
    }
}
