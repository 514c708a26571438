package io.varshift.core.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.calibration.ModelCalibration;
import io.varshift.core.json.Json;
import io.varshift.core.json.JsonFields;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The content of a model's reference.json: one {@link LayerReference} per BatchNorm layer, in model
 * order, and the model's calibrated window test when it has one.
 */
public final class ModelReference {

    /** Version of the reference.json layout written by {@link #toJson()}. */
    public static final int FORMAT_VERSION = 2;

    private final List<LayerReference> layers;
    private final ModelCalibration calibration;

    /** A reference without a calibration (statistics against the running moments only). */
    public ModelReference(List<LayerReference> layers) {
        this(layers, null);
    }

    /**
     * @param calibrationOrNull the calibrated window test, its layers in the same order
     * @throws IllegalArgumentException when empty, when two layers share a name, or when the
     *     calibration's layers differ from these
     */
    public ModelReference(List<LayerReference> layers, ModelCalibration calibrationOrNull) {
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("model reference: no layers; a monitored model needs at least one BatchNorm layer");
        }
        Set<String> names = new HashSet<>();
        for (LayerReference layer : layers) {
            if (!names.add(layer.name())) {
                throw new IllegalArgumentException("model reference: layer name '" + layer.name()
                        + "' appears twice; layer names must be unique");
            }
        }
        if (calibrationOrNull != null) {
            if (calibrationOrNull.layers().size() != layers.size()) {
                throw new IllegalArgumentException("model reference: the calibration has "
                        + calibrationOrNull.layers().size() + " layers but the model has " + layers.size()
                        + "; recalibrate the model");
            }
            for (int i = 0; i < layers.size(); i++) {
                String expected = layers.get(i).name();
                String got = calibrationOrNull.layers().get(i).layer();
                if (!expected.equals(got) || calibrationOrNull.layers().get(i).channels() != layers.get(i).channels()) {
                    throw new IllegalArgumentException("model reference: calibration layer " + i + " is '" + got
                            + "' with " + calibrationOrNull.layers().get(i).channels() + " channels but the model's is '"
                            + expected + "' with " + layers.get(i).channels() + "; recalibrate the model");
                }
            }
        }
        this.layers = List.copyOf(layers);
        this.calibration = calibrationOrNull;
    }

    /** The calibrated window test, if the model was calibrated. */
    public Optional<ModelCalibration> calibration() {
        return Optional.ofNullable(calibration);
    }

    /** This reference with another calibration. */
    public ModelReference withCalibration(ModelCalibration next) {
        return new ModelReference(layers, next);
    }

    public List<LayerReference> layers() {
        return layers;
    }

    public Optional<LayerReference> layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("formatVersion", FORMAT_VERSION);
        ArrayNode array = o.putArray("layers");
        layers.forEach(l -> array.add(l.toJson()));
        if (calibration != null) {
            o.set("calibration", calibration.toJson());
        }
        return o;
    }

    /**
     * @throws IllegalArgumentException naming the field at fault, or the unknown format version
     */
    public static ModelReference fromJson(JsonNode o) {
        JsonFields f = new JsonFields("reference.json", o);
        int version = f.integer("formatVersion");
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("reference.json: formatVersion " + version
                    + " is not supported; this build reads version " + FORMAT_VERSION
                    + (version < FORMAT_VERSION ? " (version 1 carried per-layer calibrations that did not account for "
                    + "the class mix); recalibrate the model with this trainer (train or adjust-bn)" : ""));
        }
        ArrayNode array = f.array("layers");
        LayerReference[] layers = new LayerReference[array.size()];
        for (int i = 0; i < layers.length; i++) {
            JsonNode e = array.get(i);
            if (!e.isObject()) {
                throw new IllegalArgumentException("reference.json: layers[" + i + "] must be a JSON object");
            }
            layers[i] = LayerReference.fromJson(e);
        }
        ModelCalibration calibration = null;
        if (o.hasNonNull("calibration")) {
            if (!o.get("calibration").isObject()) {
                throw new IllegalArgumentException("reference.json: 'calibration' must be a JSON object");
            }
            calibration = ModelCalibration.fromJson(o.get("calibration"));
        }
        return new ModelReference(List.of(layers), calibration);
    }
}
