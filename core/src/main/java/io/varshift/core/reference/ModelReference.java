package io.varshift.core.reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.varshift.core.calibration.JsonFields;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The content of a model's reference.json: one {@link LayerReference} per BatchNorm layer, in model order. */
public final class ModelReference {

    /** Version of the reference.json layout written by {@link #toJson()}. */
    public static final int FORMAT_VERSION = 1;

    private final List<LayerReference> layers;

    /** @throws IllegalArgumentException when empty or when two layers share a name */
    public ModelReference(List<LayerReference> layers) {
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
        this.layers = List.copyOf(layers);
    }

    public List<LayerReference> layers() {
        return layers;
    }

    public Optional<LayerReference> layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("formatVersion", FORMAT_VERSION);
        JsonArray array = new JsonArray();
        layers.forEach(l -> array.add(l.toJson()));
        o.add("layers", array);
        return o;
    }

    /**
     * @throws IllegalArgumentException naming the field at fault, or the unknown format version
     */
    public static ModelReference fromJson(JsonObject o) {
        JsonFields f = new JsonFields("reference.json", o);
        int version = f.integer("formatVersion");
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("reference.json: formatVersion " + version
                    + " is not supported; this build reads version " + FORMAT_VERSION);
        }
        JsonArray array = f.array("layers");
        LayerReference[] layers = new LayerReference[array.size()];
        for (int i = 0; i < layers.length; i++) {
            JsonElement e = array.get(i);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("reference.json: layers[" + i + "] must be a JSON object");
            }
            layers[i] = LayerReference.fromJson(e.getAsJsonObject());
        }
        return new ModelReference(List.of(layers));
    }
}
