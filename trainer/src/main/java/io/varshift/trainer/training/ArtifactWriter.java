package io.varshift.trainer.training;

import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.varshift.core.artifact.ArtifactContents;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.model.ModelLoader;
import io.varshift.core.reference.ModelReference;
import io.varshift.core.spec.ModelSpec;

/**
 * Writes a model as the next version in the store: model.json = the spec plus named sections
 * (training summary, provenance), reference.json, and the block's parameters in the file core's
 * {@link ModelLoader} reads back.
 */
public final class ArtifactWriter {

    private ArtifactWriter() {
    }

    /**
     * @param sections extra top-level members of model.json, e.g. {@code training}, {@code provenance}
     * @return the version written
     */
    public static int write(ModelStore store, String name, ModelSpec spec, Block block, ModelReference reference,
                            ObjectNode sections) {
        ObjectNode modelJson = spec.toJson();
        sections.properties().forEach(e -> modelJson.set(e.getKey(), e.getValue()));
        return store.write(name, ArtifactContents.builder()
                .setModelJson(modelJson)
                .setReferenceJson(reference.toJson())
                .addParams(ModelLoader.PARAMS_FILE, ModelLoader.saveParams(block))
                .build());
    }
}
