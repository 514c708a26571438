package io.varshift.core.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.spec.ModelSpec;

import java.util.Random;

/** Small models and inputs shared by the block tests. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A ConvNet with 2 blocks of 4 and 8 channels on 1x8x8 inputs, 3 classes. */
    public static ModelSpec.Builder tinyConvNet() {
        return ModelSpec.builder().setArchitecture(ModelSpec.Architecture.CONVNET).optWidth(4).optBlocks(2)
                .setInputShape(1, 8, 8).setClasses(java.util.List.of("a", "b", "c")).optSeed(3);
    }

    /** Builds and initialises the spec's block with the engine seeded from the spec. */
    public static Block initialised(ModelSpec spec, NDManager manager) {
        Engine.getInstance().setRandomSeed((int) spec.seed());
        Block block = ModelBlocks.build(spec);
        long[] in = spec.inputShape();
        block.initialize(manager, DataType.FLOAT32, new Shape(1, in[0], in[1], in[2]));
        return block;
    }

    /** Gaussian inputs with mean 0.5 and sd 1, [n, inputShape...]. */
    public static NDArray input(NDManager manager, ModelSpec spec, int n, long seed) {
        Random random = new Random(seed);
        float[] values = new float[Math.toIntExact(n * spec.sampleSize())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (0.5 + random.nextGaussian());
        }
        long[] in = spec.inputShape();
        return manager.create(values, new Shape(n, in[0], in[1], in[2]));
    }

    public static NDArray evalForward(Block block, NDManager manager, NDArray x) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
    }

    /** Distinct running means and variances so that the shift in the sums is exercised. */
    public static void giveNonTrivialRunningStats(BnProbes probes) {
        for (int layer = 0; layer < probes.layerCount(); layer++) {
            int channels = probes.channels(layer);
            double[] mean = new double[channels];
            double[] var = new double[channels];
            for (int c = 0; c < channels; c++) {
                mean[c] = 0.3 * (c - 1.5) + 0.1 * layer;
                var[c] = 0.5 + 0.25 * c;
            }
            probes.setRunningStats(layer, mean, var);
        }
    }
}
