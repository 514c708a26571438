package io.varshift.trainer.imported;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.ndarray.NDList;
import ai.djl.util.Pair;
import io.varshift.core.spec.ModelSpec;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Weights trained elsewhere, as the exporter writes them (trainer/src/main/python/varshift_export.py):
 * entry {@code param.NNN.KIND} is the NNN-th parameter of the Varshift block in forward order, with
 * the kind DJL gives it (weight, bias, gamma, beta, runningMean, runningVar); {@code check.input} and
 * {@code check.output} are a raw batch and the source framework's eval-mode outputs on it, after the
 * input normalisation {@code input.mean} / {@code input.std} when the archive has one. Parameters are
 * matched by position, and every one must agree in kind and shape, so an archive of another
 * architecture or size is refused before any value is used.
 */
public final class ImportedWeights {

    /** Largest |DJL − source| output difference an import accepts on the check batch. */
    public static final double TOLERANCE = 1e-4;

    private static final String PARAM = "param.";
    private static final String CHECK_INPUT = "check.input";
    private static final String CHECK_OUTPUT = "check.output";
    private static final String INPUT_MEAN = "input.mean";
    private static final String INPUT_STD = "input.std";

    private final NpzArchive archive;
    private final List<String> parameters;

    private ImportedWeights(NpzArchive archive, List<String> parameters) {
        this.archive = archive;
        this.parameters = parameters;
    }

    /**
     * @throws IllegalArgumentException when the file is not an exporter archive (see {@link NpzArchive#read})
     */
    public static ImportedWeights read(Path npz) {
        NpzArchive archive = NpzArchive.read(npz);
        List<String> names = new ArrayList<>();
        for (String name : archive.names()) {
            if (name.startsWith(PARAM)) {
                names.add(name);
            } else if (!List.of(CHECK_INPUT, CHECK_OUTPUT, INPUT_MEAN, INPUT_STD).contains(name)) {
                throw new IllegalArgumentException("weights file " + npz + ": entry '" + name + "' is neither a"
                        + " parameter (param.NNN.KIND), the check batch nor the input normalisation; export with"
                        + " varshift_export.py");
            }
        }
        // param.NNN.KIND: the zero-padded index orders them.
        names.sort(null);
        for (int i = 0; i < names.size(); i++) {
            String prefix = String.format("%s%03d.", PARAM, i);
            if (!names.get(i).startsWith(prefix)) {
                throw new IllegalArgumentException("weights file " + npz + ": parameter " + i + " is missing (found '"
                        + names.get(i) + "'); the entries must be param.000 ... param." + String.format("%03d",
                        names.size() - 1) + " without gaps");
            }
        }
        if ((archive.get(INPUT_MEAN) == null) != (archive.get(INPUT_STD) == null)) {
            throw new IllegalArgumentException("weights file " + npz + " has only one of input.mean and input.std;"
                    + " export both (or neither)");
        }
        if (archive.get(CHECK_INPUT) == null || archive.get(CHECK_OUTPUT) == null) {
            throw new IllegalArgumentException("weights file " + npz + " lacks check.input or check.output; the import"
                    + " checks the outputs against the exporter's, so export with a check batch:"
                    + " varshift_export.export(model, path, check_input)");
        }
        return new ImportedWeights(archive, names);
    }

    public Path file() {
        return archive.file();
    }

    public int parameterCount() {
        return parameters.size();
    }

    /**
     * Copies every parameter into an initialised block, in the block's parameter order.
     *
     * @throws IllegalArgumentException naming the first parameter whose count, kind or shape differs
     */
    public void assignTo(Block block) {
        List<Pair<String, Parameter>> params = block.getParameters().stream().toList();
        if (params.size() != parameters.size()) {
            throw new IllegalArgumentException("weights file " + file() + " holds " + parameters.size()
                    + " parameters but the model spec's block has " + params.size() + "; export the same architecture,"
                    + " width and blocks as --architecture/--width/--blocks");
        }
        for (int i = 0; i < params.size(); i++) {
            Parameter target = params.get(i).getValue();
            String entry = parameters.get(i);
            String kind = entry.substring(PARAM.length() + 4);
            NDArray array = target.getArray();
            NpzArchive.Array source = archive.get(entry);
            long[] expected = array.getShape().getShape();
            long[] given = Arrays.stream(source.shape()).asLongStream().toArray();
            if (!kind.equals(target.getName()) || !Arrays.equals(expected, given)) {
                throw new IllegalArgumentException("weights file " + file() + ": parameter " + i + " ('" + entry
                        + "', shape " + Arrays.toString(given) + ") does not fit the block's parameter " + i + " ("
                        + params.get(i).getKey() + ", kind " + target.getName() + ", shape " + Arrays.toString(expected)
                        + "); export the same architecture and sizes, parameters in the block's order");
            }
            array.set(FloatBuffer.wrap(source.values()));
        }
    }

    /**
     * The input normalisation the source model was trained with (entries input.mean and input.std), which
     * the imported spec applies in its first layer; empty when the model takes its input as it is.
     */
    public Optional<ModelSpec.Normalization> normalization() {
        if (archive.get(INPUT_MEAN) == null) {
            return Optional.empty();
        }
        return Optional.of(new ModelSpec.Normalization(boxed(archive.get(INPUT_MEAN).values()),
                boxed(archive.get(INPUT_STD).values())));
    }

    private static List<Double> boxed(float[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add((double) v);
        }
        return out;
    }

    /**
     * The largest |block − source| difference of the eval-mode outputs on the check batch.
     *
     * @throws IllegalArgumentException when the batch's shapes do not fit the block
     */
    public double checkDifference(Block block, NDManager manager, long[] inputShape) {
        NpzArchive.Array input = archive.get(CHECK_INPUT);
        NpzArchive.Array output = archive.get(CHECK_OUTPUT);
        long[] batchShape = Arrays.stream(input.shape()).asLongStream().toArray();
        if (batchShape.length != inputShape.length + 1
                || !Arrays.equals(Arrays.copyOfRange(batchShape, 1, batchShape.length), inputShape)) {
            throw new IllegalArgumentException("weights file " + file() + ": check.input has shape "
                    + Arrays.toString(batchShape) + " but the model takes [N, " + Arrays.toString(inputShape)
                    .replace("[", "").replace("]", "") + "]");
        }
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = batch.create(input.values(), new Shape(batchShape));
            float[] mine = block.forward(new ParameterStore(batch, false), new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
            if (mine.length != output.values().length) {
                throw new IllegalArgumentException("weights file " + file() + ": check.output has "
                        + output.values().length + " values but the model gives " + mine.length + " for the batch");
            }
            double worst = 0;
            for (int i = 0; i < mine.length; i++) {
                worst = Math.max(worst, Math.abs(mine[i] - output.values()[i]));
            }
            return worst;
        }
    }
}
