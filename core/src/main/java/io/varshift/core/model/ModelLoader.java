package io.varshift.core.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.JsonNode;
import io.varshift.core.artifact.ArtifactException;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.probe.BnProbes;
import io.varshift.core.reference.LayerReference;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.spec.ModelSpec;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Rebuilds a model from its artifact: {@code model.json} → {@link ModelSpec} → block, then loads the
 * params file into it and checks that params, spec and {@code reference.json} agree (parameter
 * shapes, BN layer names and channels, running statistics). Any disagreement is an
 * {@link ArtifactException} naming the model, version and file.
 */
public final class ModelLoader {

    /** The params file name the trainer writes. */
    public static final String PARAMS_FILE = "model.params";

    // Running statistics are stored as float32 in params and as decimal doubles in reference.json.
    private static final double STATS_TOLERANCE = 1e-6;

    private ModelLoader() {
    }

    /** Loads a verified artifact from the model store. */
    public static LoadedModel load(ModelArtifact artifact) {
        return load(artifact.name(), artifact.version(), artifact.modelJson(), artifact.referenceJson(),
                artifact.paramsFiles());
    }

    /** Same as {@link #load(ModelArtifact)} from the artifact's parts (tests, tools). */
    static LoadedModel load(String name, int version, JsonNode modelJson, JsonNode referenceJson,
                            List<Path> paramsFiles) {
        ModelSpec spec;
        ModelReference reference;
        try {
            spec = ModelSpec.fromJson(modelJson);
            reference = ModelReference.fromJson(referenceJson);
        } catch (IllegalArgumentException e) {
            throw new ArtifactException(name, version, e.getMessage(), e);
        }
        if (paramsFiles.size() != 1) {
            throw new ArtifactException(name, version, "expected exactly one params file, found "
                    + paramsFiles.size() + " " + paramsFiles + "; the artifact was not written by Varshift");
        }
        Path paramsFile = paramsFiles.get(0);
        Model model = Model.newInstance(name);
        try {
            Block block = ModelBlocks.build(spec);
            model.setBlock(block);
            List<String> expected = initialise(block, model, spec);
            try (InputStream raw = Files.newInputStream(paramsFile);
                 DataInputStream in = new DataInputStream(new BufferedInputStream(raw))) {
                block.loadParameters(model.getNDManager(), in);
                if (in.read() != -1) {
                    throw new MalformedModelException("bytes left after the last parameter");
                }
            } catch (IOException | MalformedModelException | RuntimeException e) {
                throw mismatch(name, version, paramsFile, spec, e.getMessage(), e);
            }
            List<String> loaded = describe(block);
            if (!loaded.equals(expected)) {
                throw mismatch(name, version, paramsFile, spec, "parameters " + loaded + " but the spec builds "
                        + expected, null);
            }
            LoadedModel loadedModel = new LoadedModel(name, version, spec, reference, model);
            checkReference(name, version, loadedModel.probes(), reference);
            return loadedModel;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The parameters of an initialised block in DJL's params format (what {@link #load} reads). */
    public static byte[] saveParams(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise block parameters: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /**
     * The reference of a block's current BN running statistics, in probe order, without calibrations
     * (the trainer adds the model calibration with {@link ModelReference#withCalibration}).
     */
    public static ModelReference reference(BnProbes probes) {
        List<LayerReference> layers = new ArrayList<>();
        for (int i = 0; i < probes.layerCount(); i++) {
            layers.add(new LayerReference(probes.layerNames().get(i), probes.runningMean(i), probes.runningVar(i)));
        }
        return new ModelReference(layers);
    }

    private static List<String> initialise(Block block, Model model, ModelSpec spec) {
        long[] in = spec.inputShape();
        block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, in[0], in[1], in[2]));
        return describe(block);
    }

    private static List<String> describe(Block block) {
        List<String> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p.getKey() + p.getValue().getArray().getShape());
        }
        return out;
    }

    private static ArtifactException mismatch(String name, int version, Path file, ModelSpec spec, String detail,
                                              Throwable cause) {
        return new ArtifactException(name, version, "params file " + file.getFileName() + " does not fit the "
                + spec.architecture().id() + " spec in model.json (" + detail + "); the artifact is corrupt or"
                + " its model.json and params come from different models", cause);
    }

    private static void checkReference(String name, int version, BnProbes probes, ModelReference reference) {
        List<String> names = probes.layerNames();
        List<String> refNames = reference.layers().stream().map(LayerReference::name).toList();
        if (!names.equals(refNames)) {
            throw new ArtifactException(name, version, "reference.json layers " + refNames
                    + " differ from the model's BN layers " + names + "; re-export the model");
        }
        for (int i = 0; i < names.size(); i++) {
            LayerReference ref = reference.layers().get(i);
            if (ref.channels() != probes.channels(i)) {
                throw new ArtifactException(name, version, "reference.json layer " + names.get(i) + " has "
                        + ref.channels() + " channels but the model has " + probes.channels(i));
            }
            double[] mean = probes.runningMean(i);
            double[] var = probes.runningVar(i);
            for (int c = 0; c < mean.length; c++) {
                if (!close(mean[c], ref.runningMean()[c]) || !close(var[c], ref.runningVar()[c])) {
                    throw new ArtifactException(name, version, "reference.json layer " + names.get(i) + " channel "
                            + c + " has running mean/var " + ref.runningMean()[c] + "/" + ref.runningVar()[c]
                            + " but the params hold " + mean[c] + "/" + var[c] + "; re-export the model");
                }
            }
        }
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= STATS_TOLERANCE * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }
}
