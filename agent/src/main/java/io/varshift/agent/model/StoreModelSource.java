package io.varshift.agent.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import org.jboss.logging.Logger;

import io.varshift.agent.loop.ModelSource;
import io.varshift.agent.loop.MonitoredModel;
import io.varshift.agent.metrics.AgentMetrics;
import io.varshift.core.artifact.ModelArtifact;
import io.varshift.core.artifact.ModelStore;
import io.varshift.core.reference.ModelReference;

/**
 * Watches the model store: each poll reads every watched model's {@code latest} pointer and loads a
 * version it has not seen, verifying checksums (ModelStore) and params/spec/reference agreement
 * (ModelLoader). A version that fails is refused once (log line and metric) and not retried; the
 * loop keeps serving the version it has.
 */
public final class StoreModelSource implements ModelSource {

    private static final Logger LOG = Logger.getLogger(StoreModelSource.class);

    private final ModelStore store;
    private final Set<String> names;
    private final AgentMetrics metrics;
    private final WindowFit fit;
    private final Map<String, Integer> seen = new HashMap<>();
    private final Map<String, Integer> served = new HashMap<>();

    /** @param fit what a version's calibration must fit; a version that does not is refused */
    public StoreModelSource(ModelStore store, List<String> names, AgentMetrics metrics, WindowFit fit) {
        for (String name : names) {
            if (!ModelStore.isValidModelName(name)) {
                throw new IllegalArgumentException("varshift.agent.models: '" + name
                        + "' is not a valid model name (letters, digits, '.', '_', '-')");
            }
        }
        this.store = store;
        this.names = Set.copyOf(new LinkedHashSet<>(names));
        this.metrics = metrics;
        this.fit = fit;
    }

    @Override
    public Set<String> names() {
        return names;
    }

    @Override
    public List<MonitoredModel> poll() {
        List<MonitoredModel> loaded = new ArrayList<>();
        for (String name : names) {
            OptionalInt latest;
            try {
                latest = store.latestVersion(name);
            } catch (RuntimeException e) {
                LOG.warnf("model '%s': cannot read the model store: %s", name, e.getMessage());
                continue;
            }
            if (latest.isEmpty() || Integer.valueOf(latest.getAsInt()).equals(seen.get(name))) {
                continue;
            }
            int version = latest.getAsInt();
            seen.put(name, version);
            try {
                ModelArtifact artifact = store.load(name, version);
                fit.require(name, Integer.toString(version), ModelReference.fromJson(artifact.referenceJson()));
                loaded.add(new DjlModel(artifact));
                served.put(name, version);
                metrics.reload(name, "loaded");
                LOG.infof("model '%s' v%d loaded from %s", name, version, artifact.directory());
            } catch (RuntimeException e) {
                metrics.reload(name, "refused");
                LOG.errorf("model '%s' v%d refused: %s; %s", name, version, e.getMessage(),
                        served.containsKey(name) ? "keeping v" + served.get(name) : "no version of it is loaded yet");
            }
        }
        return loaded;
    }
}
