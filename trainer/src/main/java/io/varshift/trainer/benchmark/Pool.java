package io.varshift.trainer.benchmark;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import io.varshift.core.data.BatchFeeder;
import io.varshift.core.data.ImageSet;
import io.varshift.core.model.LoadedModel;
import io.varshift.core.probe.BnMomentsCollector;
import io.varshift.trainer.evaluate.MeasuredRows;
import io.varshift.trainer.progress.JobContext;

import java.util.List;

/**
 * One eval pass over a labelled image set, kept row by row for every detector of the benchmark: the
 * pixels (per-feature KS), every BN layer's per-sample sums and cell means (Varshift), the penultimate
 * features projected to a few dimensions (MMD), and each sample's softmax and predicted class (BBSD). Windows are then composed from the rows without further forwards.
 */
final class Pool {

    final ImageSet images;
    final MeasuredRows rows;
    /** Row-major [samples][featureDim]: the input of the classifier, times the projection. */
    final float[] features;
    final int featureDim;
    /** Row-major [samples][classes]: the softmax of the logits. */
    final float[] softmax;
    final int classes;
    final int[] predicted;
    /** Wall time of the pass, with probes and cell means on. */
    final double passSeconds;

    private Pool(ImageSet images, MeasuredRows rows, float[] features, int featureDim, float[] softmax, int classes,
            int[] predicted, double passSeconds) {
        this.images = images;
        this.rows = rows;
        this.features = features;
        this.featureDim = featureDim;
        this.softmax = softmax;
        this.classes = classes;
        this.predicted = predicted;
        this.passSeconds = passSeconds;
    }

    int size() {
        return predicted.length;
    }

    double accuracy() {
        return rows.accuracy();
    }

    /**
     * @param projection [penultimate width, featureDim] on the model's device, the same for every pool
     * @throws IllegalArgumentException when the model is not a sequence of blocks ending in its classifier
     */
    static Pool measure(LoadedModel model, ImageSet set, NDArray projection, int batchSize, JobContext context,
            String phase) {
        List<Block> layers = sequence(model);
        Block classifier = layers.get(layers.size() - 1);
        NDManager manager = model.model().getNDManager();
        BnMomentsCollector collector = BnMomentsCollector.attach(model.probes(), true);
        int n = set.size();
        int dim = Math.toIntExact(projection.getShape().get(1));
        float[] features = new float[n * dim];
        int classes = model.spec().classes().size();
        float[] softmax = new float[n * classes];
        int[] predicted = new int[n];
        long correct = 0;
        long started = System.nanoTime();
        try {
            BatchFeeder feeder = new BatchFeeder(Math.min(batchSize, Math.max(1, n)), set.sampleShape());
            ParameterStore parameters = new ParameterStore(manager, false);
            for (int from = 0; from < n; from += feeder.maxBatch()) {
                context.checkCancelled();
                int to = Math.min(n, from + feeder.maxBatch());
                try (NDManager batch = manager.newSubManager()) {
                    NDList x = new NDList(feeder.images(batch, set, from, to));
                    for (int i = 0; i < layers.size() - 1; i++) {
                        x = layers.get(i).forward(parameters, x, false);
                    }
                    NDArray penultimate = x.singletonOrThrow().reshape(to - from, -1);
                    NDArray logits = classifier.forward(parameters, x, false).singletonOrThrow();
                    System.arraycopy(penultimate.matMul(projection).toFloatArray(), 0, features, from * dim,
                            (to - from) * dim);
                    System.arraycopy(logits.softmax(1).toFloatArray(), 0, softmax, from * classes,
                            (to - from) * classes);
                    long[] argMax = logits.argMax(1).toLongArray();
                    for (int i = 0; i < argMax.length; i++) {
                        predicted[from + i] = Math.toIntExact(argMax[i]);
                        if (predicted[from + i] == set.label(from + i)) {
                            correct++;
                        }
                    }
                }
                context.progress((double) to / n, phase);
            }
        } finally {
            model.probes().setListener(null);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        MeasuredRows rows = MeasuredRows.of(collector, predicted, set, (double) correct / n, classes);
        return new Pool(set, rows, features, dim, softmax, classes, predicted, seconds);
    }

    /** Width of the classifier's input, from one forward of one sample. */
    static long penultimateWidth(LoadedModel model, ImageSet set) {
        List<Block> layers = sequence(model);
        NDManager manager = model.model().getNDManager();
        try (NDManager batch = manager.newSubManager()) {
            NDList x = new NDList(new BatchFeeder(1, set.sampleShape()).images(batch, set, 0, 1));
            ParameterStore parameters = new ParameterStore(batch, false);
            for (int i = 0; i < layers.size() - 1; i++) {
                x = layers.get(i).forward(parameters, x, false);
            }
            return x.singletonOrThrow().size();
        }
    }

    private static List<Block> sequence(LoadedModel model) {
        if (!(model.block() instanceof SequentialBlock sequential) || sequential.getChildren().size() < 2) {
            throw new IllegalArgumentException("model '" + model.name() + "': the benchmark needs a sequential model"
                    + " whose last block is the classifier, to read the penultimate features");
        }
        return sequential.getChildren().values();
    }
}
